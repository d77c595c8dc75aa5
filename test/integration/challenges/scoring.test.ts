// The scoring rule under load and over time: simultaneous final answers from
// many students (exactly one "first"), nobody completing twice, attempts that
// cannot be exceeded by parallel requests, and "recalculate from submissions"
// reproducing exactly what live scoring recorded — also after edits, deletions
// and resets.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { availableDialects } from '../../helpers/db.js';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { flashes, hoursFromNow, seedChallenge } from './fixtures.js';

describe.each(await availableDialects())('scoring on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;

  beforeAll(async () => {
    // A generous engine time limit: this suite is about database races, and on a
    // busy two-core machine a first check in a cold worker can take a while.
    t = await createTestApp(dialect, { MATH_TIMEOUT_MS: '5000' });
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    for (const table of [
      'submissions',
      'completions',
      'scores',
      'score_adjustments',
      'challenges',
      'settings',
      'audit_log',
    ] as const) {
      await t.db.deleteFrom(table).execute();
    }
  });

  async function students(n: number, keyStage = 'KS4'): Promise<Array<{ c: TestClient; id: number }>> {
    const out = [];
    for (let i = 0; i < n; i++) {
      const u = await t.createUser({ keyStage });
      const c = t.client();
      await c.loginAs(u);
      out.push({ c, id: u.id });
    }
    return out;
  }

  const post = (c: TestClient, id: number, box: number, answer: string) =>
    c.post(`/challenges/${id}/boxes/${box}/answer`, { answer });

  /** Everything scoring writes, in a stable order. */
  async function scoringState() {
    return {
      scores: await t.db
        .selectFrom('scores')
        .select(['user_id', 'key_stage', 'points', 'challenges_completed', 'submissions'])
        .orderBy('user_id')
        .orderBy('key_stage')
        .execute(),
      completions: await t.db
        .selectFrom('completions')
        .select(['user_id', 'challenge_id', 'key_stage', 'points', 'completed_at'])
        .orderBy('challenge_id')
        .orderBy('user_id')
        .execute(),
      firsts: await t.db
        .selectFrom('challenges')
        .select(['id', 'first_completed_at', 'first_completed_by'])
        .orderBy('id')
        .execute(),
    };
  }

  async function recalculate(): Promise<void> {
    const res = await admin.post('/admin/leaderboard/recalculate');
    expect(res.statusCode).toBe(303);
    expect(flashes((await admin.get('/admin/leaderboard')).body)[0]).toMatch(
      /^success: Recalculated \d+ challenges? from their submissions/,
    );
  }

  it('simultaneous final answers: exactly one student gets 3 points, nobody completes twice', async () => {
    const { id, boxIds } = await seedChallenge(t, { title: 'Race', boxes: [{ answer: '7' }, { answer: 'x=2' }] });
    const racers = await students(16);
    for (const r of racers) expect((await post(r.c, id, boxIds[0]!, '7')).statusCode).toBe(303);
    // Every student sends the final answer twice at the same moment.
    const responses = await Promise.all(
      racers.flatMap((r) => [post(r.c, id, boxIds[1]!, 'x=2'), post(r.c, id, boxIds[1]!, '2=x')]),
    );
    expect(
      responses.map((res) => (res.statusCode === 303 ? 303 : `${res.statusCode}: ${res.body.slice(0, 300)}`)),
    ).toEqual(responses.map(() => 303));

    const completions = await t.db.selectFrom('completions').selectAll().where('challenge_id', '=', id).execute();
    expect(completions).toHaveLength(racers.length);
    expect(new Set(completions.map((c) => c.user_id)).size).toBe(racers.length);
    expect(completions.filter((c) => c.points === 3)).toHaveLength(1);
    expect(completions.filter((c) => c.points === 1)).toHaveLength(racers.length - 1);
    const winner = completions.find((c) => c.points === 3)!;
    const challenge = await t.db.selectFrom('challenges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(challenge.first_completed_by).toBe(winner.user_id);
    expect(challenge.first_completed_at).toBe(winner.completed_at);
    // The winner's completion is the earliest.
    expect(completions.every((c) => c.completed_at >= winner.completed_at)).toBe(true);

    const scores = await t.db.selectFrom('scores').selectAll().where('key_stage', '=', 'KS4').execute();
    expect(scores.map((s) => s.points).sort((a, b) => b - a)).toEqual([3, ...Array<number>(racers.length - 1).fill(1)]);
    expect(scores.every((s) => s.challenges_completed === 1)).toBe(true);
    // One of each pair of final answers was refused as "already answered": one correct try per box per student.
    const finals = await t.db.selectFrom('submissions').selectAll().where('box_id', '=', boxIds[1]!).execute();
    expect(finals).toHaveLength(racers.length);

    // And the recalculation agrees with the race's outcome exactly.
    const live = await scoringState();
    await recalculate();
    expect(await scoringState()).toEqual(live);
  });

  it('parallel wrong answers cannot exceed the attempts', async () => {
    const { id, boxIds } = await seedChallenge(t, { attempts: 3 });
    const [s] = await students(1);
    await Promise.all(Array.from({ length: 10 }, (_, i) => post(s!.c, id, boxIds[0]!, String(i + 10))));
    expect(await t.db.selectFrom('submissions').selectAll().where('user_id', '=', s!.id).execute()).toHaveLength(3);
    const score = await t.db.selectFrom('scores').selectAll().where('user_id', '=', s!.id).executeTakeFirstOrThrow();
    expect(score.submissions).toBe(3);
  });

  it('recalculating from submissions reproduces live scoring', async () => {
    const ks3 = await students(3, 'KS3');
    const ks4 = await students(3, 'KS4');
    const a = await seedChallenge(t, { title: 'A', keyStage: 'KS3', boxes: [{ answer: '1' }, { answer: '2' }] });
    const b = await seedChallenge(t, { title: 'B', keyStage: 'KS4', boxes: [{ answer: 'x^2' }] });
    const c = await seedChallenge(t, {
      title: 'C',
      keyStage: 'KS5',
      attempts: 1,
      boxes: [{ answer: '\\pi' }, { answer: 'e' }],
    });
    const plan: Array<[TestClient, { id: number; boxIds: number[] }, number, string]> = [
      [ks3[0]!.c, a, 0, '1'],
      [ks3[1]!.c, a, 0, '3'],
      [ks3[0]!.c, a, 1, '5'],
      [ks3[1]!.c, a, 0, '1'],
      [ks3[1]!.c, a, 1, '2'],
      [ks3[0]!.c, a, 1, '2'],
      [ks3[2]!.c, a, 1, '2'],
      [ks4[0]!.c, b, 0, 'x*x'],
      [ks4[1]!.c, b, 0, 'x^3'],
      [ks3[2]!.c, b, 0, 'x^{2}'],
      [ks4[1]!.c, b, 0, 'xx'],
      [ks4[2]!.c, c, 0, '3.14'],
      [ks4[2]!.c, c, 1, 'e'],
      [ks4[0]!.c, c, 0, '\\pi'],
      [ks4[0]!.c, c, 1, 'e^1'],
    ];
    for (const [client, ch, box, answer] of plan)
      expect((await post(client, ch.id, ch.boxIds[box]!, answer)).statusCode).toBe(303);
    await admin.post(`/challenges/${a.id}/boxes/${a.boxIds[0]}/answer`, { answer: '1' }); // admin tries never count
    await admin.post('/admin/leaderboard/adjustments', {
      user: String(ks4[2]!.id),
      key_stage: 'KS5',
      points: '2',
      reason: 'Spotted a typo',
    });

    const live = await scoringState();
    expect(live.completions.map((x) => [x.challenge_id, x.user_id, x.points])).toEqual(
      [
        [a.id, ks3[0]!.id, 1],
        [a.id, ks3[1]!.id, 3],
        [b.id, ks4[0]!.id, 3],
        [b.id, ks3[2]!.id, 1],
        [b.id, ks4[1]!.id, 1],
        [c.id, ks4[0]!.id, 3],
      ].sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!),
    );
    await recalculate();
    expect(await scoringState()).toEqual(live);
    // Twice is the same as once.
    await recalculate();
    expect(await scoringState()).toEqual(live);
  });

  it('recalculation repairs boards that drifted from the submissions', async () => {
    const [s] = await students(1);
    const { id, boxIds } = await seedChallenge(t);
    await post(s!.c, id, boxIds[0]!, '3/4');
    const live = await scoringState();
    await t.db.updateTable('scores').set({ points: 999, challenges_completed: 7 }).execute();
    await t.db.deleteFrom('completions').execute();
    await recalculate();
    expect(await scoringState()).toEqual(live);
  });

  it('adding a box to a completed challenge withdraws the completion until the new box is answered', async () => {
    const [s1, s2] = await students(2);
    const { id, boxIds } = await seedChallenge(t, { title: 'Growing', boxes: [{ label: 'first', answer: '5' }] });
    await post(s1!.c, id, boxIds[0]!, '5');
    await post(s2!.c, id, boxIds[0]!, '5');
    const edit = await admin.post(`/admin/challenges/${id}/edit`, {
      title: 'Growing',
      content_html: '<p>Two parts now.</p>',
      key_stage: 'KS4',
      attempts_per_box: '3',
      'box-0-id': String(boxIds[0]),
      'box-0-label': 'first',
      'box-0-answer': '5',
      'box-0-kind': 'auto',
      'box-0-order': 'unordered',
      'box-1-label': 'second',
      'box-1-answer': '6',
      'box-1-kind': 'auto',
      'box-1-order': 'unordered',
    });
    expect(edit.statusCode).toBe(303);
    expect(flashes((await admin.get(edit.headers.location as string)).body)[0]).toBe(
      'success: Challenge «Growing» saved: 1 box added, completions and points recalculated.',
    );
    expect(await t.db.selectFrom('completions').selectAll().execute()).toEqual([]);
    expect((await t.db.selectFrom('scores').select('points').execute()).map((r) => r.points)).toEqual([0, 0]);
    // The first tries are kept, and the second box finishes the challenge again — s2 first this time.
    const newBox = (
      await t.db
        .selectFrom('answer_boxes')
        .select('id')
        .where('challenge_id', '=', id)
        .where('label', '=', 'second')
        .executeTakeFirstOrThrow()
    ).id;
    await post(s2!.c, id, newBox, '6');
    await post(s1!.c, id, newBox, '6');
    const live = await scoringState();
    expect(live.completions.map((c) => [c.user_id, c.points])).toEqual([
      [s1!.id, 1],
      [s2!.id, 3],
    ]);
    await recalculate();
    expect(await scoringState()).toEqual(live);
  });

  it('changing a correct answer marks the existing tries again', async () => {
    const [s1, s2] = await students(2);
    const { id, boxIds } = await seedChallenge(t, { title: 'Typo', attempts: 2, boxes: [{ answer: '12' }] });
    await post(s1!.c, id, boxIds[0]!, '21'); // right answer, but the admin typed 12
    await post(s2!.c, id, boxIds[0]!, '12');
    expect((await t.db.selectFrom('completions').select('user_id').execute()).map((c) => c.user_id)).toEqual([s2!.id]);
    const edit = await admin.post(`/admin/challenges/${id}/edit`, {
      title: 'Typo',
      content_html: '<p>Fixed.</p>',
      key_stage: 'KS4',
      attempts_per_box: '2',
      'box-0-id': String(boxIds[0]),
      'box-0-answer': '21',
      'box-0-kind': 'auto',
      'box-0-order': 'unordered',
    });
    expect(flashes((await admin.get(edit.headers.location as string)).body)[0]).toBe(
      'success: Challenge «Typo» saved: 2 tries marked again, completions and points recalculated.',
    );
    const live = await scoringState();
    expect(live.completions.map((c) => [c.user_id, c.points])).toEqual([[s1!.id, 3]]);
    expect(live.scores.map((s) => [s.user_id, s.points, s.submissions])).toEqual([
      [s1!.id, 3, 1],
      [s2!.id, 0, 1],
    ]);
    await recalculate();
    expect(await scoringState()).toEqual(live);
  });

  it('removing a box removes its tries and re-derives completions', async () => {
    const [s] = await students(1);
    const { id, boxIds } = await seedChallenge(t, { title: 'Shrinking', boxes: [{ answer: '1' }, { answer: '2' }] });
    await post(s!.c, id, boxIds[0]!, '1');
    await post(s!.c, id, boxIds[1]!, '9');
    const res = await admin.post(`/admin/challenges/${id}/edit`, {
      title: 'Shrinking',
      content_html: '<p>One part.</p>',
      key_stage: 'KS4',
      attempts_per_box: '3',
      'box-0-id': String(boxIds[0]),
      'box-0-answer': '1',
      'box-0-kind': 'auto',
      'box-0-order': 'unordered',
      'box-1-id': String(boxIds[1]),
      'box-1-answer': '2',
      'box-1-kind': 'auto',
      'box-1-order': 'unordered',
      'box-1-remove': 'on',
    });
    expect(res.statusCode).toBe(303);
    expect(await t.db.selectFrom('submissions').select('box_id').execute()).toEqual([{ box_id: boxIds[0] }]);
    const live = await scoringState();
    expect(live.completions.map((c) => [c.user_id, c.points])).toEqual([[s!.id, 3]]);
    await recalculate();
    expect(await scoringState()).toEqual(live);
  });

  it('moving a challenge to another key stage leaves its points on the pupil’s own board', async () => {
    const [s] = await students(1);
    const { id, boxIds } = await seedChallenge(t, { title: 'Wrong stage', keyStage: 'KS3' });
    await post(s!.c, id, boxIds[0]!, '3/4');
    await admin.post(`/admin/challenges/${id}/edit`, {
      title: 'Wrong stage',
      content_html: '<p>Moved.</p>',
      key_stage: 'KS5',
      attempts_per_box: '3',
      'box-0-id': String(boxIds[0]),
      'box-0-answer': '\\frac{3}{4}',
      'box-0-kind': 'auto',
      'box-0-order': 'unordered',
    });
    const scores = await t.db.selectFrom('scores').select(['key_stage', 'points', 'submissions']).execute();
    expect(scores).toEqual([{ key_stage: 'KS4', points: 3, submissions: 1 }]);
  });

  it('deleting a challenge keeps the points only when asked to', async () => {
    const [s1, s2] = await students(2);
    const keep = await seedChallenge(t, { title: 'Keep me' });
    const drop = await seedChallenge(t, { title: 'Drop me' });
    for (const ch of [keep, drop]) {
      await post(s1!.c, ch.id, ch.boxIds[0]!, '3/4');
      await post(s2!.c, ch.id, ch.boxIds[0]!, '3/4');
    }
    const pts = async () =>
      await t.db
        .selectFrom('scores')
        .select(['user_id', 'points', 'challenges_completed'])
        .orderBy('user_id')
        .execute();
    expect(await pts()).toEqual([
      { user_id: s1!.id, points: 6, challenges_completed: 2 },
      { user_id: s2!.id, points: 2, challenges_completed: 2 },
    ]);

    const kept = await admin.post(`/admin/challenges/${keep.id}/delete`, { keep_points: 'on' });
    expect(flashes((await admin.get(kept.headers.location as string)).body)[0]).toBe(
      'success: «Keep me» deleted with 2 tries. Its 4 points were kept as adjustments.',
    );
    expect(await pts()).toEqual([
      { user_id: s1!.id, points: 6, challenges_completed: 1 },
      { user_id: s2!.id, points: 2, challenges_completed: 1 },
    ]);
    const adjustments = await t.db
      .selectFrom('score_adjustments')
      .select(['user_id', 'points', 'reason'])
      .orderBy('user_id')
      .execute();
    expect(adjustments).toEqual([
      { user_id: s1!.id, points: 3, reason: 'Points kept from deleted challenge «Keep me»' },
      { user_id: s2!.id, points: 1, reason: 'Points kept from deleted challenge «Keep me»' },
    ]);

    const dropped = await admin.post(`/admin/challenges/${drop.id}/delete`, {});
    expect(flashes((await admin.get(dropped.headers.location as string)).body)[0]).toBe(
      'success: «Drop me» deleted with 2 tries. The leaderboards were recalculated without it.',
    );
    expect(await pts()).toEqual([
      { user_id: s1!.id, points: 3, challenges_completed: 0 },
      { user_id: s2!.id, points: 1, challenges_completed: 0 },
    ]);
    expect(await t.db.selectFrom('submissions').selectAll().execute()).toEqual([]);
    const live = await scoringState();
    await recalculate();
    expect(await scoringState()).toEqual(live);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', '=', 'challenge.delete')
      .execute();
    expect(audit.map((a) => (JSON.parse(a.details!) as { keepPoints: boolean }).keepPoints)).toEqual([true, false]);
  });

  it('a reset empties a board, keeps history, and survives recalculation', async () => {
    const [s] = await students(1);
    const before = await seedChallenge(t, { title: 'Before', releaseAt: hoursFromNow(-3) });
    await post(s!.c, before.id, before.boxIds[0]!, '3/4');
    const reset = await admin.post('/admin/leaderboard/reset', { stage: 'KS4', confirm: 'yes' });
    expect(flashes((await admin.get(reset.headers.location as string)).body)[0]).toBe(
      'success: The KS4 board was reset.',
    );
    expect(await t.db.selectFrom('scores').selectAll().execute()).toEqual([]);
    expect(await t.db.selectFrom('completions').selectAll().execute()).toHaveLength(1);
    // The student's completed challenge stays completed.
    expect((await s!.c.get(`/challenges/${before.id}`)).body).toContain('banner-completed');

    const after = await seedChallenge(t, { title: 'After' });
    await post(s!.c, after.id, after.boxIds[0]!, '3/4');
    const live = await scoringState();
    expect(live.scores.map((r) => [r.points, r.challenges_completed, r.submissions])).toEqual([[3, 1, 1]]);
    await recalculate();
    expect(await scoringState()).toEqual(live);
  });

  it('a reset needs its confirmation box', async () => {
    const [s] = await students(1);
    const { id, boxIds } = await seedChallenge(t);
    await post(s!.c, id, boxIds[0]!, '3/4');
    const res = await admin.post('/admin/leaderboard/reset', { stage: 'all' });
    expect(flashes((await admin.get(res.headers.location as string)).body)[0]).toBe(
      'error: Tick the box to confirm the reset: nothing was changed.',
    );
    await admin.post('/admin/leaderboard/reset', { stage: 'KS9', confirm: 'yes' });
    expect(flashes((await admin.get('/admin/leaderboard')).body)[0]).toBe('error: Choose which board to reset.');
    expect(await t.db.selectFrom('scores').selectAll().execute()).toHaveLength(1);
    await admin.post('/admin/leaderboard/reset', { stage: 'all', confirm: 'yes' });
    expect(flashes((await admin.get('/admin/leaderboard')).body)[0]).toBe('success: Every board was reset.');
    expect(await t.db.selectFrom('scores').selectAll().execute()).toEqual([]);
    expect(
      await t.db.selectFrom('audit_log').select('target_id').where('action', '=', 'leaderboard.reset').execute(),
    ).toEqual([{ target_id: 'KS3,KS4,KS5' }]);
  });
});
