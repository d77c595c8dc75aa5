// Answering a box: every message a student can see, attempts, closing a box,
// locking (by hand and by time) with the answers revealed, admin tries, the
// answer length limit and the per-user wrong-answer rate limit.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { availableDialects } from '../../helpers/db.js';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { flashes, hoursFromNow, seedChallenge } from './fixtures.js';

describe.each(await availableDialects())('answering challenges on %s', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.db.deleteFrom('submissions').execute();
    await t.db.deleteFrom('completions').execute();
    await t.db.deleteFrom('scores').execute();
    await t.db.deleteFrom('challenges').execute();
  });

  async function student(): Promise<{ c: TestClient; id: number }> {
    const u = await t.createUser();
    const c = t.client();
    await c.loginAs(u);
    return { c, id: u.id };
  }

  /** Answers a box and returns the messages shown on the page it leads to. */
  async function answer(c: TestClient, challengeId: number, boxId: number, value: string): Promise<string[]> {
    const res = await c.post(`/challenges/${challengeId}/boxes/${boxId}/answer`, { answer: value });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(new RegExp(`^/challenges/${challengeId}#box-\\d+$`));
    return flashes((await c.get(`/challenges/${challengeId}`)).body);
  }

  it('counts down attempts on wrong answers and closes the box after the last one', async () => {
    const { id, boxIds } = await seedChallenge(t, { attempts: 3 });
    const { c } = await student();
    expect(await answer(c, id, boxIds[0]!, '1/2')).toEqual([
      'error: Not quite. You have 2 attempts left for this box.',
    ]);
    expect(await answer(c, id, boxIds[0]!, '2/3')).toEqual(['error: Not quite. You have 1 attempt left for this box.']);
    expect(await answer(c, id, boxIds[0]!, '0.7')).toEqual([
      'error: Not quite, and that was your last attempt for this box.',
    ]);
    const page = (await c.get(`/challenges/${id}`)).body;
    expect(page).toContain('✗ No attempts left');
    expect(page).not.toContain(`action="/challenges/${id}/boxes/${boxIds[0]}/answer"`);
    // Even a correct answer is refused now, and nothing more is stored.
    expect(await answer(c, id, boxIds[0]!, '3/4')).toEqual(['warning: You have used all your attempts for this box.']);
    expect(await t.db.selectFrom('submissions').selectAll().execute()).toHaveLength(3);
  });

  it('accepts an equivalent answer, closes the box and says what is left', async () => {
    const { id, boxIds } = await seedChallenge(t, {
      boxes: [
        { label: 'a', answer: '\\frac{3}{4}' },
        { label: 'b', answer: '2\\sqrt{2}' },
      ],
    });
    const { c } = await student();
    expect(await answer(c, id, boxIds[0]!, '0.75')).toEqual([
      'success: Correct! Now answer the remaining boxes to complete the challenge.',
    ]);
    expect(await answer(c, id, boxIds[0]!, '3/4')).toEqual(['info: You have already answered this box correctly.']);
    const page = (await c.get(`/challenges/${id}`)).body;
    expect(page).toContain('✓ Answered correctly');
    expect(page).not.toContain(`action="/challenges/${id}/boxes/${boxIds[0]}/answer"`);
    expect(page).toContain(`action="/challenges/${id}/boxes/${boxIds[1]}/answer"`);
    expect(await t.db.selectFrom('completions').selectAll().execute()).toEqual([]);
  });

  it('completes a challenge: 3 points to the first, 1 to later completers, on each pupil’s own key stage board', async () => {
    const { id, boxIds } = await seedChallenge(t, {
      title: 'Two parts',
      keyStage: 'KS3',
      boxes: [{ answer: '4' }, { answer: 'x^2+2x+1' }],
    });
    const first = await student(); // a KS4 student: a KS3 challenge's points go to the KS4 board
    const second = await student();
    await answer(first.c, id, boxIds[0]!, '4');
    expect(await answer(first.c, id, boxIds[1]!, '(x+1)^2')).toEqual([
      'success: Correct — you have completed «Two parts»! You were the first to finish: +3 points.',
    ]);
    await answer(second.c, id, boxIds[1]!, '\\left(x+1\\right)^{2}');
    expect(await answer(second.c, id, boxIds[0]!, '2+2')).toEqual([
      'success: Correct — you have completed «Two parts»! +1 point.',
    ]);

    const scores = await t.db
      .selectFrom('scores')
      .select(['user_id', 'key_stage', 'points', 'challenges_completed', 'submissions'])
      .orderBy('points', 'desc')
      .execute();
    expect(scores).toEqual([
      { user_id: first.id, key_stage: 'KS4', points: 3, challenges_completed: 1, submissions: 2 },
      { user_id: second.id, key_stage: 'KS4', points: 1, challenges_completed: 1, submissions: 2 },
    ]);
    const challenge = await t.db
      .selectFrom('challenges')
      .select(['first_completed_by', 'first_completed_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(challenge.first_completed_by).toBe(first.id);
    expect(challenge.first_completed_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    const page = (await first.c.get(`/challenges/${id}`)).body;
    expect(page).toMatch(
      /You completed this challenge on <time[^>]*>[^<]+<\/time> and earned 3 points — the first to finish!/,
    );
    expect((await second.c.get(`/challenges/${id}`)).body).toMatch(/and earned 1 point\./);
  });

  it('shows the history of tries with rendered math and ✓/✗', async () => {
    const { id, boxIds } = await seedChallenge(t);
    const { c } = await student();
    await answer(c, id, boxIds[0]!, '\\frac{1}{2}');
    await answer(c, id, boxIds[0]!, '\\frac{6}{8}');
    const page = (await c.get(`/challenges/${id}`)).body;
    const history = page.slice(page.indexOf('<details class="tries"'));
    expect(history).toContain('Your tries (2)');
    expect(history.indexOf('try-wrong')).toBeLessThan(history.indexOf('try-right'));
    expect(history).toMatch(/<annotation encoding="application\/x-tex">\\frac\{1\}\{2\}<\/annotation>/);
    expect(history).toContain('<span class="visually-hidden">Correct:</span>');
  });

  it('renders a hostile answer as inert text in the history', async () => {
    const { id, boxIds } = await seedChallenge(t);
    const { c } = await student();
    await answer(c, id, boxIds[0]!, '<img src=x onerror=alert(1)>\\href{javascript:alert(1)}{x}');
    const page = (await c.get(`/challenges/${id}`)).body;
    expect(page).not.toContain('<img src=x');
    expect(page).not.toMatch(/href="javascript:/);
  });

  it('refuses an empty answer and one over 500 characters, storing nothing', async () => {
    const { id, boxIds } = await seedChallenge(t);
    const { c } = await student();
    expect(await answer(c, id, boxIds[0]!, '   ')).toEqual(['error: Type an answer before checking it.']);
    expect(await answer(c, id, boxIds[0]!, '1'.repeat(501))).toEqual([
      'error: Your answer is too long: answers can be at most 500 characters.',
    ]);
    expect(await t.db.selectFrom('submissions').selectAll().execute()).toEqual([]);
    // 500 characters is still an answer (a wrong one, with a number too long to check).
    expect(await answer(c, id, boxIds[0]!, '1'.repeat(500))).toEqual([
      'error: Your answer has a number that is far too big to check. Write it more simply. You have 2 attempts left for this box.',
    ]);
  });

  it('a manually locked challenge takes no answers and reveals the correct ones', async () => {
    const { id, boxIds } = await seedChallenge(t, {
      boxes: [
        { label: 'p', answer: '\\frac{3}{4}' },
        { label: 'q', answer: 'Pythagoras', options: { kind: 'text' } },
      ],
    });
    const { c } = await student();
    await answer(c, id, boxIds[0]!, '1/3');
    await t.db.updateTable('challenges').set({ is_locked: 1 }).where('id', '=', id).execute();
    expect(await answer(c, id, boxIds[0]!, '3/4')).toEqual([
      'warning: This challenge is closed, so answers are no longer accepted.',
    ]);
    const page = (await c.get(`/challenges/${id}`)).body;
    expect(page).toContain(
      'This challenge is closed: answers are no longer accepted. The correct answers are shown below.',
    );
    // Attempts are not counted on a closed challenge: each open box says it is closed instead.
    expect(page).not.toMatch(/attempts? left|attempts? per answer/);
    expect(page.match(/Closed: no more answers/g)).toHaveLength(2);
    expect(page).toContain('<span class="badge badge-locked">Closed</span>');
    expect(page).toMatch(
      /Correct answer: <span class="answer-math">.*<annotation encoding="application\/x-tex">\\frac\{3\}\{4\}<\/annotation>/,
    );
    expect(page).toContain('Correct answer: <span class="answer-text">Pythagoras</span>');
    expect(page).not.toContain('class="answer-form"');
    expect(await t.db.selectFrom('submissions').selectAll().execute()).toHaveLength(1);
  });

  it('an open challenge never reveals its answers', async () => {
    const { id } = await seedChallenge(t, { boxes: [{ answer: '\\frac{3}{4}' }] });
    const { c } = await student();
    const page = (await c.get(`/challenges/${id}`)).body;
    expect(page).not.toContain('Correct answer:');
    expect(page).not.toContain('\\frac{3}{4}');
  });

  it('locks by itself once release + auto-lock hours have passed', async () => {
    const open = await seedChallenge(t, { title: 'Still open', releaseAt: hoursFromNow(-2), lockAfterHours: 3 });
    const closed = await seedChallenge(t, { title: 'Timed out', releaseAt: hoursFromNow(-5), lockAfterHours: 3 });
    const { c } = await student();
    expect(await answer(c, open.id, open.boxIds[0]!, '3/4')).toEqual([
      'success: Correct — you have completed «Still open»! You were the first to finish: +3 points.',
    ]);
    expect(await answer(c, closed.id, closed.boxIds[0]!, '3/4')).toEqual([
      'warning: This challenge is closed, so answers are no longer accepted.',
    ]);
    const page = (await c.get(`/challenges/${closed.id}`)).body;
    expect(page).toContain('banner-locked');
    expect(page).toContain('Correct answer:');
    expect((await c.get(`/challenges/${open.id}`)).body).toContain('closes <time');
    const list = (await c.get('/challenges')).body;
    const card = list.slice(list.indexOf('Timed out'), list.indexOf('Timed out') + 300);
    expect(card).toContain('<span class="badge badge-locked">Closed</span>');
    expect(card).not.toContain('Locked');
  });

  it('admin tries are recorded, unlimited, allowed when locked, and never score', async () => {
    const { id, boxIds } = await seedChallenge(t, { attempts: 1 });
    const admin = await t.createUser({ isAdmin: true });
    const c = t.client();
    await c.loginAs(admin);
    expect(await answer(c, id, boxIds[0]!, '1')).toEqual(['error: Incorrect. (Admin try: not scored.)']);
    expect(await answer(c, id, boxIds[0]!, '2')).toEqual(['error: Incorrect. (Admin try: not scored.)']);
    expect(await answer(c, id, boxIds[0]!, '3/4')).toEqual(['success: Correct. (Admin try: not scored.)']);
    await t.db.updateTable('challenges').set({ is_locked: 1 }).where('id', '=', id).execute();
    expect(await answer(c, id, boxIds[0]!, '0.75')).toEqual(['success: Correct. (Admin try: not scored.)']);
    const tries = await t.db
      .selectFrom('submissions')
      .select(['is_admin_try'])
      .where('user_id', '=', admin.id)
      .execute();
    expect(tries).toHaveLength(4);
    expect(tries.every((s) => s.is_admin_try === 1)).toBe(true);
    expect(await t.db.selectFrom('completions').selectAll().execute()).toEqual([]);
    expect(await t.db.selectFrom('scores').selectAll().execute()).toEqual([]);
    const chal = await t.db
      .selectFrom('challenges')
      .select('first_completed_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(chal.first_completed_at).toBeNull();
    // The first student to finish is still "first".
    const s = await student();
    await t.db.updateTable('challenges').set({ is_locked: 0 }).where('id', '=', id).execute();
    expect(await answer(s.c, id, boxIds[0]!, '3/4')).toEqual([
      'success: Correct — you have completed «Fractions»! You were the first to finish: +3 points.',
    ]);
  });

  it('answers 404 for a box of another challenge', async () => {
    const a = await seedChallenge(t);
    const b = await seedChallenge(t);
    const { c } = await student();
    expect((await c.post(`/challenges/${a.id}/boxes/${b.boxIds[0]}/answer`, { answer: '3/4' })).statusCode).toBe(404);
    expect((await c.post(`/challenges/${a.id}/boxes/abc/answer`, { answer: '3/4' })).statusCode).toBe(404);
  });

  it('needs a login and a CSRF token to answer', async () => {
    const { id, boxIds } = await seedChallenge(t);
    const anon = await t.client().post(`/challenges/${id}/boxes/${boxIds[0]}/answer`, { answer: '3/4' });
    expect(anon.statusCode).toBe(302);
    expect(anon.headers.location).toMatch(/^\/login\?next=/);
    const strict = await createTestApp(dialect, { CSRF_ENABLED: 'true' });
    try {
      const seeded = await seedChallenge(strict);
      const c = strict.client();
      await c.loginAs(await strict.createUser());
      const res = await c.post(
        `/challenges/${seeded.id}/boxes/${seeded.boxIds[0]}/answer`,
        { answer: '3/4' },
        { csrf: false },
      );
      expect(res.statusCode).toBe(403);
      expect(await strict.db.selectFrom('submissions').selectAll().execute()).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});

describe.each(await availableDialects())('the wrong-answer rate limit on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { RATELIMIT_ENABLED: 'true', RATELIMIT_WRONG_ANSWERS: '4 per minute' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses answers with a "too fast" message after too many wrong ones, per user', async () => {
    const { id, boxIds } = await seedChallenge(t, { attempts: 20 });
    const u = await t.createUser();
    const c = t.client();
    await c.loginAs(u);
    for (let i = 0; i < 4; i++) {
      const res = await c.post(`/challenges/${id}/boxes/${boxIds[0]}/answer`, { answer: String(i) });
      expect(res.statusCode).toBe(303);
    }
    const refused = await c.post(`/challenges/${id}/boxes/${boxIds[0]}/answer`, { answer: '3/4' });
    expect(refused.statusCode).toBe(303);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const page = (await c.get(`/challenges/${id}`)).body;
    expect(flashes(page)[0]).toMatch(
      /^error: Too many wrong answers in a short time\. Please wait \d+ seconds? before trying again\.$/,
    );
    // The refused answer was not checked or stored (not even the correct one).
    expect(await t.db.selectFrom('submissions').selectAll().where('user_id', '=', u.id).execute()).toHaveLength(4);

    // Another student is not affected.
    const other = t.client();
    await other.loginAs(await t.createUser());
    await other.post(`/challenges/${id}/boxes/${boxIds[0]}/answer`, { answer: '3/4' });
    expect(flashes((await other.get(`/challenges/${id}`)).body)[0]).toMatch(/^success: Correct/);
  });
});

describe('when the answer checker cannot answer', () => {
  it('does not count the try and says so', async () => {
    const t = await createTestApp('sqlite');
    try {
      const { id, boxIds } = await seedChallenge(t);
      const c = t.client();
      await c.loginAs(await t.createUser());
      await t.app.math.close(); // a closed pool answers every check with reason "busy"
      await c.post(`/challenges/${id}/boxes/${boxIds[0]}/answer`, { answer: '3/4' });
      expect(flashes((await c.get(`/challenges/${id}`)).body)).toEqual([
        'warning: The answer checker is busy right now, so your answer was not counted. Please try again in a moment.',
      ]);
      expect(await t.db.selectFrom('submissions').selectAll().execute()).toEqual([]);
      expect((await c.get(`/challenges/${id}`)).body).toContain('3 attempts left');
    } finally {
      await t.close();
    }
  });
});
