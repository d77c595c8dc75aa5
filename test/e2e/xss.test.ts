// Stored XSS, judged by the browser. Every vector of test/fixtures/xss-vectors.txt
// is stored raw (straight into the database, so nothing that sanitises on
// save can help: what is shown must be safe by escaping or by the render-time
// allowlist) in every place a visitor, a student or an admin will see it:
// rich content, titles, author names, user names, box labels, revealed
// answers and a student's own tries (rendered as math). Then the pages are
// opened in Chromium under the production CSP. The guard fails a test on any
// dialog (every vector's payload is an alert), the `window.__xss` marker, a
// CSP violation (a handler or script that reached the page), or a console error; and
// each page's DOM is searched for anything executable that was let through.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/domain/audit.js';
import { recordTry } from '../../src/domain/challenges/challenges.js';
import { recordCompetitionTry } from '../../src/domain/competitions/scoring.js';
import { addParticipant } from '../../src/domain/competitions/competitions.js';
import { ADMIN, browserAvailable, type Site } from './harness.js';
import { seedAnnouncement, seedArticle, seedChallenge, seedCompetition } from './data.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E, type StorageState } from './suite.js';
import { logIn, submit, visit } from './ui.js';

/** The corpus, each payload numbered (alert(1) → alert(n)) so a failure names its vector. */
function loadVectors(): string[] {
  const text = readFileSync(new URL('../fixtures/xss-vectors.txt', import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((v, i) => v.replaceAll('alert(1)', `alert(${i + 1})`));
}

const VECTORS = loadVectors();
/** Some vectors point at an upload that does not exist (allowed markup, missing file): the browser logs the 404. */
const MISSING_UPLOAD = /status of 404 .*\/uploads\/0123456789abcdef0123456789abcdef\./;
const STUDENT_EMAIL = 'xss.student@school.example.org';
const STUDENT_PASSWORD = 'correct horse battery staple';

interface Stored {
  article: number;
  newsletter: number;
  announcement: number;
  challenge: number;
  locked: number;
  studentId: number;
  competition: number;
  competitionChallenge: number;
}

/** Plants the corpus everywhere it can be shown. */
async function plant(site: Site): Promise<Stored> {
  const db = site.test.db;
  const all = VECTORS.join('\n');
  const math = VECTORS.filter((v) => v.includes('math-')).map((v) => v.replace(/^.*data-latex="([^"]*)".*$/, '$1'));
  // Through the domain layer first (it may sanitise), then overwritten raw.
  const article = await seedArticle(site, { title: 'Vectors article', contentHtml: '<p>x</p>' });
  const newsletter = await seedArticle(site, {
    type: 'newsletter',
    title: 'Vectors newsletter',
    contentHtml: '<p>x</p>',
  });
  const announcement = await seedAnnouncement(site, { title: 'Vectors announcement' });
  await db
    .updateTable('articles')
    .set({ content_html: all, title: VECTORS[0]!, author_name: VECTORS[1]! })
    .where('id', '=', article)
    .execute();
  await db
    .updateTable('articles')
    .set({ content_html: all, title: VECTORS[2]!, author_name: VECTORS[3]! })
    .where('id', '=', newsletter)
    .execute();
  await db
    .updateTable('announcements')
    .set({ content_html: all, title: VECTORS[4]! })
    .where('id', '=', announcement)
    .execute();
  // More titles on the list pages.
  for (const [i, v] of VECTORS.slice(5, 13).entries()) {
    const id = await seedArticle(site, { title: `t${i}` });
    await db
      .updateTable('articles')
      .set({ title: v, author_name: VECTORS[VECTORS.length - 1 - i]! })
      .where('id', '=', id)
      .execute();
  }

  const boxes = VECTORS.slice(0, 10).map((_, i) => ({ label: `box ${i}`, answer: '1' }));
  const challenge = await seedChallenge(site, { title: 'Vectors challenge', boxes, attemptsPerBox: 20 });
  const locked = await seedChallenge(site, {
    title: 'Vectors locked',
    boxes: [...math, ...VECTORS].slice(0, 10).map((_, i) => ({ label: `l${i}`, answer: '1' })),
    releaseAt: new Date(Date.now() - 5 * 3600_000).toISOString(),
    lockAfterHours: 1,
  });
  await db
    .updateTable('challenges')
    .set({ title: VECTORS[20]!, content_html: all })
    .where('id', '=', challenge)
    .execute();
  await db.updateTable('challenges').set({ title: VECTORS[21]!, content_html: all }).where('id', '=', locked).execute();
  const boxIds = (id: number) =>
    db.selectFrom('answer_boxes').select('id').where('challenge_id', '=', id).orderBy('position').execute();
  for (const [i, b] of (await boxIds(challenge)).entries()) {
    await db
      .updateTable('answer_boxes')
      .set({ label: VECTORS[30 + i]! })
      .where('id', '=', b.id)
      .execute();
  }
  // Revealed answers of the locked challenge: math-markup attacks and raw vectors.
  const revealed = [...math, ...VECTORS.slice(40)];
  for (const [i, b] of (await boxIds(locked)).entries()) {
    await db
      .updateTable('answer_boxes')
      .set({ label: VECTORS[50 + i]!, correct_answer: revealed[i]! })
      .where('id', '=', b.id)
      .execute();
  }

  // Students whose names are vectors, each completing a challenge: they show on
  // the leaderboard, its activity feed and the admin pages.
  const scored = await seedChallenge(site, { title: VECTORS[22]!, boxes: [{ label: 'one', answer: '1' }] });
  const scoredBox = (await boxIds(scored))[0]!.id;
  for (let i = 0; i < 24; i++) {
    const u = await site.test.createUser({
      email: `xss${i}@school.example.org`,
      firstName: VECTORS[(i * 2) % VECTORS.length]!,
      lastName: VECTORS[(i * 2 + 1) % VECTORS.length]!,
      mathsClass: VECTORS[(i * 3) % VECTORS.length]!,
    });
    await recordTry(db, {
      challengeId: scored,
      boxId: scoredBox,
      userId: u.id,
      isAdmin: false,
      answer: '1',
      correct: true,
    });
  }

  // The student who looks at the challenges: their name and every try are vectors.
  const student = await site.test.createUser({
    email: STUDENT_EMAIL,
    firstName: VECTORS[60]!,
    lastName: VECTORS[61]!,
    password: STUDENT_PASSWORD,
  });
  const firstBox = (await boxIds(challenge))[0]!.id;
  const now = new Date().toISOString();
  await db
    .insertInto('submissions')
    .values(
      VECTORS.map((v) => ({
        user_id: student.id,
        challenge_id: challenge,
        box_id: firstBox,
        answer: v,
        is_correct: 0,
        is_admin_try: 0,
        created_at: now,
      })),
    )
    .execute();
  // A competition whose schools, name and about text are vectors, with vector-named
  // participants on its board.
  const comp = await seedCompetition(site, {
    name: 'Vectors cup',
    schools: [
      { name: 'School A', domain: 'a.example.org' },
      { name: 'School B', domain: 'b.example.org' },
    ],
  });
  await db
    .updateTable('competitions')
    .set({ name: VECTORS[120]!, about_html: all })
    .where('id', '=', comp.id)
    .execute();
  for (const [i, schoolId] of comp.schoolIds.entries()) {
    await db
      .updateTable('schools')
      .set({ name: VECTORS[121 + i]!, address: VECTORS[123 + i]! })
      .where('id', '=', schoolId)
      .execute();
  }
  const compChallenge = await seedChallenge(
    site,
    { title: 'Vectors competition challenge', boxes: [{ label: 'one', answer: '1' }] },
    { competitionId: comp.id, durationHours: 48 },
  );
  await db
    .updateTable('challenges')
    .set({ title: VECTORS[125]!, content_html: all })
    .where('id', '=', compChallenge)
    .execute();
  const compBox = (await boxIds(compChallenge))[0]!.id;
  for (let i = 0; i < 6; i++) {
    const u = await site.test.createUser({
      email: `xss-comp${i}@a.example.org`,
      firstName: VECTORS[130 + i]!,
      lastName: VECTORS[140 + i]!,
      keyStage: 'KS4',
      yearGroup: 10,
    });
    await db.transaction().execute((trx) =>
      addParticipant(trx, {
        competitionId: comp.id,
        userId: u.id,
        schoolId: comp.schoolIds[i % 2]!,
        keyStage: 'KS4',
      }),
    );
    await recordCompetitionTry(db, {
      competitionId: comp.id,
      challengeId: compChallenge,
      boxId: compBox,
      userId: u.id,
      isAdmin: false,
      answer: '1',
      correct: true,
    });
  }

  // The audit log shows attacker-supplied text too: the email typed at a failed
  // login, titles in details, a user agent.
  for (const [i, v] of VECTORS.slice(70, 90).entries()) {
    await audit(
      db,
      { id: null, email: v, ip: '203.0.113.7', userAgent: VECTORS[90 + i]! },
      {
        action: 'login.failure',
        targetType: 'user',
        targetId: student.id,
        details: { reason: v, title: VECTORS[110 + i] },
      },
    );
  }
  return {
    article,
    newsletter,
    announcement,
    challenge,
    locked,
    studentId: student.id,
    competition: comp.id,
    competitionChallenge: compChallenge,
  };
}

/** Anything executable the page's DOM holds (our own markup has none of it). */
function executableContent(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const describe = (el: Element) =>
      `<${el.tagName.toLowerCase()}${[...el.attributes].map((a) => ` ${a.name}="${a.value.slice(0, 60)}"`).join('')}>`;
    for (const el of document.querySelectorAll('*')) {
      for (const attr of el.attributes) {
        const name = attr.name.toLowerCase();
        // eslint-disable-next-line no-control-regex -- finding control characters is the point
        const value = attr.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        if (name.startsWith('on')) found.push(`event handler: ${describe(el)}`);
        if (
          [
            'href',
            'src',
            'action',
            'formaction',
            'xlink:href',
            'data',
            'srcdoc',
            'background',
            'poster',
            'srcset',
          ].includes(name) &&
          /^(javascript|vbscript|data:text\/html|data:image\/svg)/.test(value)
        ) {
          found.push(`dangerous URL: ${describe(el)}`);
        }
        if (name === 'srcdoc') found.push(`srcdoc: ${describe(el)}`);
      }
    }
    for (const s of document.querySelectorAll('script')) {
      const src = s.getAttribute('src') ?? '';
      if (!src.startsWith('/assets/')) found.push(`script: ${describe(s)} ${s.textContent?.slice(0, 60) ?? ''}`);
    }
    const dangerous =
      'iframe, object, embed, frame, frameset, base, meta[http-equiv], link:not([rel="stylesheet"][href^="/assets/"]):not([rel="icon"]), form[action]:not([action^="/"]), form[action^="//"]';
    // Style elements in the body could only come from content (the editor's own goes into head).
    for (const el of document.querySelectorAll(`${dangerous}, body style`)) {
      const inViewer =
        el.tagName === 'IFRAME' && el.classList.contains('pdf-frame') && (el.getAttribute('src') ?? '').startsWith('/');
      if (!inViewer) found.push(`element: ${describe(el)}`);
    }
    return found;
  });
}

describe.runIf(browserAvailable())('stored XSS in the browser', E2E_TIMEOUTS, () => {
  const e2e = useE2E();
  let stored: Stored;
  const states: Record<'student' | 'admin', StorageState | undefined> = { student: undefined, admin: undefined };

  beforeAll(async () => {
    expect(VECTORS.length, 'the XSS corpus').toBeGreaterThanOrEqual(100);
    stored = await plant(e2e.site);
    for (const [role, email, password] of [
      ['student', STUDENT_EMAIL, STUDENT_PASSWORD],
      ['admin', ADMIN.email, ADMIN.password],
    ] as const) {
      const { page, context, guard } = await e2e.open();
      guard.allowConsoleError(MISSING_UPLOAD);
      await logIn(page, email, password);
      states[role] = await context.storageState();
    }
  }, E2E_HOOK_TIMEOUT);

  const pages: Array<[role: 'visitor' | 'student' | 'admin', path: (s: Stored) => string]> = [
    ['visitor', () => '/'],
    ['visitor', () => '/articles'],
    ['visitor', (s) => `/articles/${s.article}`],
    ['visitor', () => '/newsletters'],
    ['visitor', (s) => `/newsletters/${s.newsletter}`],
    ['visitor', () => '/announcements'],
    ['visitor', (s) => `/announcements/${s.announcement}`],
    ['visitor', () => '/leaderboard'],
    ['visitor', (s) => `/competitions/${s.competition}`],
    ['visitor', (s) => `/competition/register?competition=${s.competition}`],
    ['student', () => '/'],
    ['student', () => '/challenges'],
    ['student', (s) => `/challenges/${s.challenge}`],
    ['student', (s) => `/challenges/${s.locked}`],
    ['student', () => '/profile'],
    ['student', (s) => `/competitions/${s.competition}/challenges`],
    ['student', (s) => `/competitions/${s.competition}/challenges/${s.competitionChallenge}`],
    ['admin', () => '/admin'],
    ['admin', () => '/admin/users'],
    ['admin', () => '/admin/users?q=xss'],
    ['admin', (s) => `/admin/users/${s.studentId}/edit`],
    ['admin', () => '/admin/audit'],
    ['admin', () => '/admin/articles'],
    ['admin', (s) => `/admin/articles/${s.article}/edit`],
    ['admin', () => '/admin/announcements'],
    ['admin', (s) => `/admin/announcements/${s.announcement}/edit`],
    ['admin', () => '/admin/challenges'],
    ['admin', (s) => `/admin/challenges/${s.challenge}/edit`],
    ['admin', (s) => `/challenges/${s.challenge}`],
    ['admin', () => '/admin/leaderboard'],
    ['admin', () => '/admin/competitions'],
    ['admin', (s) => `/admin/competitions/${s.competition}`],
    ['admin', (s) => `/admin/competitions/${s.competition}/edit`],
    ['admin', (s) => `/admin/competitions/${s.competition}/board`],
    ['admin', (s) => `/admin/competitions/${s.competition}/analytics`],
    ['admin', (s) => `/admin/competitions/${s.competition}/challenges/${s.competitionChallenge}/edit`],
    ['admin', () => '/admin/schools'],
  ];

  it.each(pages)('%s: %s shows every vector inert', async (role, path) => {
    const { page, guard } = await e2e.reuse(role, 'desktop', role === 'visitor' ? undefined : states[role]);
    guard.allowConsoleError(MISSING_UPLOAD);
    await visit(page, path(stored));
    // Give handlers that fire by themselves (onerror, onload, autofocus, ontoggle, animations) their chance.
    await page.waitForLoadState('load');
    await page.waitForTimeout(300);
    // And the ones that need a person: hover and focus everything in the content.
    await page.evaluate(() => {
      for (const el of document.querySelectorAll('main *')) {
        for (const type of [
          'mouseover',
          'mouseenter',
          'focus',
          'focusin',
          'click',
          'pointerenter',
          'animationstart',
          'toggle',
        ]) {
          if (type === 'click' && el.closest('a, button, form, summary, label, input, select, textarea')) continue;
          el.dispatchEvent(new Event(type, { bubbles: true }));
        }
      }
    });
    expect(await executableContent(page), `executable content on ${path(stored)}`).toEqual([]);
  });

  it('keeps the corpus inert when an admin pastes it into the editor and publishes it', async () => {
    const admin = await e2e.open('desktop', states.admin);
    admin.guard.allowConsoleError(MISSING_UPLOAD);
    const { page } = admin;
    const site = () => e2e.site;
    await visit(page, '/admin/announcements/new');
    const reportsBefore = site().test.app.cspReports.sinceStart;
    await page.getByLabel('Title').fill(`Pasted ${VECTORS[7]}`);
    const surface = page.locator('.editor-surface [contenteditable="true"]');
    await surface.click();
    // What the browser does when HTML from another page is pasted: a paste event carrying text/html.
    await surface.evaluate((el, html) => {
      const data = new DataTransfer();
      data.setData('text/html', html);
      data.setData('text/plain', html);
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, VECTORS.join('<br>'));
    // Chromium checks the CSP on every inline handler attribute and <style> element it
    // parses, even in the inert document the editor reads a paste into: the pasted
    // handlers and style elements show up as blocked script-src-attr and style-src-elem
    // violations (and their reports). That is the policy doing its job; anything else
    // (a dialog, the marker, another directive) is not.
    await page.waitForTimeout(300);
    // Wait for the reports (the browser folds identical ones together) so none lands later.
    expect(admin.guard.collect().some((p) => p.kind === 'csp')).toBe(true);
    await expect.poll(() => site().test.app.cspReports.sinceStart, { timeout: 10_000 }).toBeGreaterThan(reportsBefore);
    for (let quiet = 0, seen = site().test.app.cspReports.sinceStart; quiet < 3;) {
      await page.waitForTimeout(1000);
      const now = site().test.app.cspReports.sinceStart;
      quiet = now === seen ? quiet + 1 : 0;
      seen = now;
    }
    const blockedPaste = ['script-src-attr', 'style-src-elem'];
    const duringPaste = admin.guard
      .take()
      .filter(
        (p) =>
          !(
            (p.kind === 'csp' && blockedPaste.includes((JSON.parse(p.text) as { directive: string }).directive)) ||
            (p.kind === 'console' &&
              /^(Executing inline event handler violates|Applying inline style violates [^']*'style-src )/.test(
                p.text,
              )) ||
            (p.kind === 'csp-report' &&
              /"effectiveDirective":"(script-src-attr|style-src-elem)"/.test(p.text) &&
              !/"effectiveDirective":"(?!script-src-attr"|style-src-elem")/.test(p.text))
          ),
      );
    expect(duringPaste, 'problems while pasting').toEqual([]);
    expect(await executableContent(page), 'the editor after the paste').toEqual([]);
    await submit(page, /^(Publish|Post|Save)/);
    expect(new URL(page.url()).pathname).toMatch(/^\/announcements\/\d+$/);
    expect(await executableContent(page), 'the published announcement').toEqual([]);
    const visitor = await e2e.open();
    visitor.guard.allowConsoleError(MISSING_UPLOAD);
    await visit(visitor.page, '/');
    expect(await executableContent(visitor.page), 'the home page with the latest announcement').toEqual([]);
  });

  it('refuses or escapes a vector typed into the registration form', async () => {
    const { page, guard } = await e2e.open();
    await visit(page, '/register');
    await page.getByLabel('First name').fill('<img src=x onerror=alert(1)>');
    await page.getByLabel('Last name').fill('<script>window.__xss=1</script>');
    await page.getByLabel('School email').fill('"><svg onload=alert(1)>@school.example.org');
    await page.getByLabel('Maths class').fill('<b onmouseover=alert(1)>9X1</b>');
    await page.getByLabel('Password', { exact: true }).fill('a long enough passphrase 42');
    await page.getByLabel('Confirm password').fill('a long enough passphrase 42');
    await page.getByLabel('School year').selectOption('9');
    guard.allowConsoleErrorOnce(/status of 400/);
    await submit(page, 'Create account');
    // Sent back with messages, the values shown again as text.
    expect(await page.getByLabel('First name').inputValue()).toBe('<img src=x onerror=alert(1)>');
    expect(await executableContent(page)).toEqual([]);
  });
});
