// No raw LaTeX anywhere a person looks. A pupil's answers are stored as the
// LaTeX a MathLive box sends, and titles, labels and challenge texts may hold
// LaTeX too. With all of them planted, every page type of the page tour is
// opened as the visitor, pupil or admin who would see it, and the text the
// browser shows (innerText, and the tab's title) must hold no backslash command
// and no ^{ or _{: maths is typeset, or read as plain text ("1/2", "x²").
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordTry } from '../../src/domain/challenges/challenges.js';
import { addParticipant } from '../../src/domain/competitions/competitions.js';
import { recordCompetitionTry } from '../../src/domain/competitions/scoring.js';
import { addClassMember, addClassTeacher, findOrCreateClass } from '../../src/domain/classes/class-records.js';
import { expectAccessible } from './checks.js';
import { minimalPdf, seedAnnouncement, seedArticle, seedChallenge, seedCompetition } from './data.js';
import { ADMIN, browserAvailable } from './harness.js';
import { PAGE_TYPES, TOUR_NEWCOMER, TOUR_TEACHER, type PageType, type Role, type Seeded } from './page-tour.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E, type StorageState } from './suite.js';
import { logIn, visit } from './ui.js';

const PUPIL = { email: 'latex.pupil@school.example.org', password: 'correct horse battery staple' };

/** What must never be seen: a backslash command, or a brace after ^ or _. */
const RAW_LATEX = /\\[a-zA-Z]+|[\^_]\{/;

/** Answers as MathLive sends them: fractions, roots, powers, \text{}, \left( \right), \cdot, \times, \pi. */
const ANSWERS = [
  '\\frac{3}{4}+1',
  '2\\sqrt{2}',
  'x^{2}+2x+3',
  '\\sqrt[3]{x^{2}+1}',
  '\\text{triangle}',
  '5\\text{ cm}',
  '\\left(1,-2\\right)',
  '\\left(\\frac{1}{2}\\right)^{2}',
  '3\\cdot4\\times\\pi',
  'a_{n+1}',
  // Not LaTeX KaTeX accepts: read as plain text.
  '\\frac{1}{2',
  '\\href{javascript:alert(1)}{x}',
];
const MATH_TEXT =
  '<p>Work out <span class="math-inline" data-latex="\\frac{3}{4}\\times\\sqrt{16}">\\frac{3}{4}\\times\\sqrt{16}</span> ' +
  'and <span class="math-inline" data-latex="2^{10}-\\pi">2^{10}-\\pi</span>.</p>' +
  '<p><span class="math-display" data-latex="\\left(x_{1}+x_{2}\\right)^{2}">\\left(x_{1}+x_{2}\\right)^{2}</span></p>';

/** Page types the tour does not list but that show planted titles: a board's activity and a competition. */
const EXTRA: PageType[] = [
  { name: 'leaderboard-ks4', path: '/leaderboard?ks=KS4', as: 'visitor' },
  { name: 'competition-page', path: (s) => `/competitions/${s.competition}`, as: 'visitor' },
  { name: 'leaderboard-ks4-pupil', path: '/leaderboard?ks=KS4', as: 'student' },
];

/**
 * The audit log is the record of what was stored, byte for byte (its details are
 * JSON, where a title's backslash is doubled); like the CSV and JSON exports it
 * shows data as stored, not as maths.
 */
const VERBATIM = new Set(['admin-audit']);

/** Pages that list a pupil's answers: also checked for accessibility with the maths in them. */
const ANSWER_PAGES = new Set(['profile', 'challenge', 'challenge-locked', 'competition-challenge']);

async function plant(site: ReturnType<typeof useE2E>['site']): Promise<Seeded> {
  const db = site.test.db;
  const challenge = await seedChallenge(site, {
    title: 'Halves: \\frac{1}{2} of 2^{10}',
    contentHtml: MATH_TEXT,
    attemptsPerBox: 20,
    boxes: [
      { label: 'The value of \\frac{a}{b}', answer: '\\frac{7}{4}' },
      { label: 'x_{1} when x^{2}=9', answer: '3' },
    ],
  });
  const lockedChallenge = await seedChallenge(site, {
    title: 'Roots: \\sqrt{2}\\cdot\\sqrt{8}',
    contentHtml: MATH_TEXT,
    boxes: [{ label: 'Square of \\frac{1}{2}', answer: '\\left(\\frac{1}{2}\\right)^{2}' }],
    lockAfterHours: 1,
    releaseAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
  });
  const school = await db
    .selectFrom('schools')
    .select(['id', 'name'])
    .where('email_domain', '=', 'school.example.org')
    .executeTakeFirstOrThrow();
  const pupil = await site.test.createUser({
    email: PUPIL.email,
    password: PUPIL.password,
    firstName: 'Latex',
    lastName: 'Pupil',
    yearGroup: 10,
    keyStage: 'KS4',
    schoolId: school.id,
  });
  // The teacher's pages (the challenge list, the class's board and progress grid) show the planted titles too.
  const teacher = await site.test.createUser({
    ...TOUR_TEACHER,
    firstName: 'Tess',
    lastName: 'Teacher',
    teacher: true,
    schoolId: school.id,
  });
  await site.test.createUser({ ...TOUR_NEWCOMER, yearGroup: null, keyStage: null, schoolId: school.id });
  const cls = await findOrCreateClass(db, school.id, '10X');
  await addClassTeacher(db, cls, teacher.id);
  await addClassMember(db, cls, pupil.id);
  const boxes = await db
    .selectFrom('answer_boxes')
    .select(['id', 'challenge_id'])
    .where('challenge_id', 'in', [challenge, lockedChallenge])
    .orderBy('position')
    .execute();
  const [first, second] = boxes.filter((b) => b.challenge_id === challenge);
  // Every answer as a wrong try on the first box, then both boxes right: the challenge is completed.
  const tryOn = (boxId: number, answer: string, correct: boolean) =>
    recordTry(db, { challengeId: challenge, boxId, userId: pupil.id, isAdmin: false, answer, correct });
  for (const answer of ANSWERS) await tryOn(first!.id, answer, false);
  await tryOn(first!.id, '\\frac{7}{4}', true);
  await tryOn(second!.id, '\\sqrt{9}', true);

  const competition = (
    await seedCompetition(site, {
      name: 'Spring cup',
      schools: [{ name: 'Valley School', domain: 'valley.example.org' }],
    })
  ).id;
  await db.insertInto('competition_schools').values({ competition_id: competition, school_id: school.id }).execute();
  const competitionChallenge = await seedChallenge(
    site,
    {
      title: 'Powers: 2^{5}\\times 2^{3}',
      contentHtml: MATH_TEXT,
      attemptsPerBox: 20,
      boxes: [{ label: 'As a power of \\text{two}', answer: '2^{8}' }],
    },
    { competitionId: competition, durationHours: 48 },
  );
  await db
    .transaction()
    .execute((trx) =>
      addParticipant(trx, { competitionId: competition, userId: pupil.id, schoolId: school.id, keyStage: 'KS4' }),
    );
  const competitionBox = await db
    .selectFrom('answer_boxes')
    .select('id')
    .where('challenge_id', '=', competitionChallenge)
    .executeTakeFirstOrThrow();
  const competitionTry = (answer: string, correct: boolean) =>
    recordCompetitionTry(db, {
      competitionId: competition,
      challengeId: competitionChallenge,
      boxId: competitionBox.id,
      userId: pupil.id,
      isAdmin: false,
      answer,
      correct,
    });
  for (const answer of ANSWERS.slice(0, 6)) await competitionTry(answer, false);
  await competitionTry('2^{8}', true);

  return {
    challenge,
    lockedChallenge,
    article: await seedArticle(site, { title: 'Why primes never run out', contentHtml: MATH_TEXT }),
    newsletter: await seedArticle(site, {
      type: 'newsletter',
      title: 'Spring newsletter',
      pdf: minimalPdf('Spring newsletter'),
    }),
    announcement: await seedAnnouncement(site, { title: 'Maths week', contentHtml: MATH_TEXT }),
    student: pupil.id,
    competition,
    competitionChallenge,
    school: school.id,
    schoolName: school.name,
    class: cls,
  };
}

/** The text the browser shows: the body's innerText (hidden MathML annotations excluded) and the tab's title. */
function shownText(page: Page): Promise<{ body: string; title: string }> {
  return page.evaluate(() => ({ body: document.body.innerText, title: document.title }));
}

/** Up to 60 characters either side of the first raw LaTeX in the text, for the failure message. */
function around(text: string): string | null {
  const m = RAW_LATEX.exec(text);
  return m ? text.slice(Math.max(0, m.index - 60), m.index + m[0].length + 60) : null;
}

describe.runIf(browserAvailable())('no raw LaTeX on any page', E2E_TIMEOUTS, () => {
  const e2e = useE2E();
  let seeded: Seeded;
  const states = new Map<Role, StorageState | undefined>();

  beforeAll(async () => {
    seeded = await plant(e2e.site);
    for (const [role, who] of [
      ['student', PUPIL],
      ['newcomer', TOUR_NEWCOMER],
      ['teacher', TOUR_TEACHER],
      ['admin', ADMIN],
    ] as const) {
      const { page, context } = await e2e.open();
      await logIn(page, who.email, who.password);
      states.set(role, await context.storageState());
    }
  }, E2E_HOOK_TIMEOUT);

  const types = [...PAGE_TYPES, ...EXTRA].filter((t) => !VERBATIM.has(t.name));

  it.each(types)('$as: $name shows maths, not LaTeX', async (type) => {
    const { page, guard } = await e2e.reuse(type.as, 'desktop', states.get(type.as));
    if (type.status && type.status >= 400) guard.allowConsoleErrorOnce(new RegExp(`status of ${type.status}`));
    if (type.open) await type.open(page, seeded);
    else await visit(page, typeof type.path === 'function' ? type.path(seeded) : type.path!, type.status ?? 200);
    const { body, title } = await shownText(page);
    expect(around(body), `raw LaTeX on ${type.name} (${page.url()})`).toBeNull();
    expect(around(title), `raw LaTeX in the title of ${type.name}`).toBeNull();
    if (ANSWER_PAGES.has(type.name)) {
      // The planted answers are there, as typeset maths (MathML laid out by the browser).
      expect(await page.locator('.answer-math math').count()).toBeGreaterThan(0);
      await expectAccessible(page, type.name);
    }
  });

  it('the pupil’s answers are typeset or read as text, in the order they were given', async () => {
    const { page } = await e2e.reuse('student', 'desktop', states.get('student'));
    await visit(page, `/challenges/${seeded.challenge}`);
    const tries = await page.locator('#box-1 .tries li').allInnerTexts();
    expect(tries).toHaveLength(ANSWERS.length + 1);
    const shown = tries.map((t) => t.replace(/\s+/g, ' '));
    // Chromium lays MathML out itself: a fraction's parts, a root's sign and a superscript are its own boxes.
    expect(await page.locator('#box-1 .tries li').first().locator('mfrac').count()).toBe(1);
    expect(await page.locator('#box-1 .tries li').nth(1).locator('msqrt').count()).toBe(1);
    expect(await page.locator('#box-1 .tries li').nth(2).locator('msup').count()).toBe(1);
    expect(shown[4]).toContain('triangle');
    // (Chromium's innerText gives a single-letter identifier in mathematical italic: 𝜋.)
    expect(shown[8]).toMatch(/π|𝜋/u);
    // What KaTeX cannot typeset is read as plain text.
    expect(shown[10]).toContain('1/2');
    expect(await page.locator('#box-1 .tries li').nth(11).locator('.answer-plain').innerText()).toBe('x');
    expect(await page.locator('h1').innerText()).toBe('Halves: 1/2 of 2¹⁰');
  });
});
