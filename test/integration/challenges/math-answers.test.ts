// Answers and titles are shown as maths, never as their LaTeX source, on every
// page that lists them (the profile's recent submissions, a challenge's tries
// and revealed answers, the challenge list and home cards, the leaderboard's
// activity, the admin lists); hostile answers render inert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordTry } from '../../../src/domain/challenges/challenges.js';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { decode, seedChallenge } from './fixtures.js';

const TITLE = 'Halves: \\frac{1}{2} of 2^{10}';
const READ_TITLE = 'Halves: 1/2 of 2¹⁰';
const CONTENT =
  '<p>Work out <span class="math-inline" data-latex="\\sqrt{x^{2}}+\\pi">\\sqrt{x^{2}}+\\pi</span> for x.</p>';

/** A pupil's wrong tries: MathLive LaTeX, LaTeX that does not parse, and attacks. */
const TRIES = [
  '\\frac{3}{4}+1',
  '2\\sqrt{2}',
  'x^{2}+2x+3',
  '\\text{triangle}',
  '\\left(1,-2\\right)',
  '3\\cdot4\\times\\pi',
  'a_{n+1}',
  '\\frac{1}{2',
  '<script>alert(1)</script>',
  '\\href{javascript:alert(1)}{x}',
  '\\text{<img src=x onerror=alert(1)>}',
  '\\frac{"><svg onload=alert(1)>}{2',
  '\\verb|\\frac{1}{2}|',
];

/** What a reader sees: the page without tags, hidden MathML annotations and our own scripts. */
function visibleText(html: string): string {
  return decode(
    html
      .replace(/<script\b[\s\S]*?<\/script>/g, ' ')
      .replace(/<annotation\b[\s\S]*?<\/annotation>/g, ' ')
      .replace(/<[^>]*>/g, ' '),
  );
}

const RAW_LATEX = /\\[a-zA-Z]+|[\^_]\{/;

/** Anything in the markup that could run: our pages only load scripts from /assets/. */
function executable(html: string): string[] {
  const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
  return tags.filter(
    (tag) =>
      /^<(?:script(?![^>]*\ssrc="\/assets\/)|svg|img|iframe|object|embed)\b/i.test(tag) ||
      /\son[a-z]+\s*=/i.test(tag) ||
      /(?:href|src)\s*=\s*"\s*javascript:/i.test(tag),
  );
}

describe.each(await availableDialects())('maths on listing pages on %s', (dialect) => {
  let t: TestApp;
  let challengeId: number;
  let lockedId: number;
  let pupil: TestClient;
  let admin: TestClient;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const { id, boxIds } = await seedChallenge(t, {
      title: TITLE,
      content: CONTENT,
      attempts: 20,
      boxes: [{ label: 'Value of \\frac{a}{b}', answer: '\\frac{7}{4}' }],
    });
    challengeId = id;
    const locked = await seedChallenge(t, {
      title: 'Roots: \\sqrt{2}\\cdot\\sqrt{8}',
      boxes: [{ label: 'Product', answer: '\\left(\\frac{1}{2}\\right)^{2}' }],
    });
    lockedId = locked.id;
    await t.db.updateTable('challenges').set({ is_locked: 1 }).where('id', '=', lockedId).execute();

    const u = await t.createUser({ firstName: 'Ada', lastName: 'Pupil', keyStage: 'KS4' });
    const tryOf = (answer: string, correct: boolean) =>
      recordTry(t.db, { challengeId, boxId: boxIds[0]!, userId: u.id, isAdmin: false, answer, correct });
    for (const answer of TRIES) await tryOf(answer, false);
    await tryOf('\\frac{7}{4}', true);
    pupil = t.client();
    await pupil.loginAs(u);
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
  });

  const pages: Array<[who: 'pupil' | 'admin' | 'visitor', path: () => string]> = [
    ['pupil', () => '/profile'],
    ['pupil', () => `/challenges/${challengeId}`],
    ['pupil', () => `/challenges/${lockedId}`],
    ['pupil', () => '/challenges'],
    ['pupil', () => '/'],
    ['pupil', () => '/leaderboard?ks=KS4'],
    ['visitor', () => '/'],
    ['visitor', () => '/leaderboard?ks=KS4'],
    ['admin', () => '/admin/challenges'],
    ['admin', () => `/challenges/${challengeId}`],
    ['admin', () => `/admin/challenges/${challengeId}/delete`],
  ];

  it.each(pages)('%s: %s shows no LaTeX source and nothing executable', async (who, path) => {
    const client = who === 'pupil' ? pupil : who === 'admin' ? admin : t.client();
    const res = await client.get(path());
    expect(res.statusCode).toBe(200);
    const text = visibleText(res.body);
    expect(text.match(RAW_LATEX)).toBeNull();
    expect(executable(res.body)).toEqual([]);
  });

  it('typesets the pupil’s answers, reads the rest as text, and escapes both', async () => {
    const detail = (await pupil.get(`/challenges/${challengeId}`)).body;
    // Typeset: MathML with the source only in the (never displayed) annotation.
    expect(detail).toContain('<mfrac><mn>3</mn><mn>4</mn></mfrac>');
    expect(detail).toContain('<msqrt><mn>2</mn></msqrt>');
    expect(detail).toContain('<mtext>triangle</mtext>');
    expect(detail).toContain('<mi>π</mi>');
    // A script tag as an answer is maths too: "<", letters, ">", escaped.
    const script = '<mo>&lt;</mo><mi>s</mi><mi>c</mi><mi>r</mi><mi>i</mi><mi>p</mi><mi>t</mi><mo>&gt;</mo>';
    expect(detail).toContain(script);
    // (KaTeX writes the spaces of \text{} as no-break spaces.)
    expect(detail).toMatch(/<mtext>&lt;img\ssrc=x\sonerror=alert\(1\)&gt;<\/mtext>/);
    // Not typeset (KaTeX refuses it, or would show a command's name): its plain reading, as escaped text.
    expect(detail).toContain('<span class="answer-plain">1/2</span>');
    expect(detail).toContain('<span class="answer-plain">x</span>');
    expect(detail).toContain('<span class="answer-plain">(&quot;>&lt;svg onload=alert(1)>)/2</span>');
    // The profile lists the latest tries the same way.
    const profile = (await pupil.get('/profile')).body;
    expect(profile).toContain('<mfrac><mn>7</mn><mn>4</mn></mfrac>');
    expect(profile).toContain(script);
    expect(profile).toContain('<span class="answer-plain">x</span>');
    expect(profile).toContain('<span class="answer-plain">1/2</span>');
  });

  it('reads titles, labels and the card excerpt as plain text', async () => {
    const list = (await pupil.get('/challenges')).body;
    expect(decode(list)).toContain(`>${READ_TITLE}</a>`);
    expect(decode(list)).toContain('<p class="challenge-excerpt">Work out √(x²)+π for x.</p>');
    const detail = decode((await pupil.get(`/challenges/${challengeId}`)).body);
    expect(detail).toContain(`<h1>${READ_TITLE}</h1>`);
    expect(detail).toContain(`<title>${READ_TITLE} · Maths Society</title>`);
    expect(detail).toContain('Answer 1: Value of a/b');
    expect(decode((await pupil.get('/leaderboard?ks=KS4')).body)).toContain(`completed «${READ_TITLE}»`);
    expect(decode((await admin.get('/admin/challenges')).body)).toContain(`>${READ_TITLE}</a>`);
    const revealed = (await pupil.get(`/challenges/${lockedId}`)).body;
    expect(revealed).toMatch(/Correct answer: <span class="answer-math"><span class="katex"><math [^>]*>.*<mfrac>/);
  });
});
