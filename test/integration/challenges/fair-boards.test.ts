// Each key stage's board ranks the pupils of that key stage: a pupil's points
// from any challenge count on their own board (ADR 015). Checked through the
// pages a pupil and an admin use: the public board and its school filter, the
// profile's rank, recalculation against the live counters, a change of school
// year, and the admin CSV export.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { decode, flashes, seedChallenge } from './fixtures.js';

describe.each(await availableDialects())('fair key-stage boards on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let hill: number;
  let vale: number;

  async function school(name: string, domain: string, kind: 'member' | 'guest' = 'member'): Promise<number> {
    const row = await t.db
      .insertInto('schools')
      .values({ name, email_domain: domain, address: null, kind, created_at: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  let n = 0;
  async function pupil(
    first: string,
    year: number,
    schoolId: number,
    domain: string,
  ): Promise<TestUser & { c: TestClient }> {
    n += 1;
    const keyStage = year <= 8 ? 'KS3' : year <= 11 ? 'KS4' : 'KS5';
    const u = await t.createUser({
      firstName: first,
      lastName: 'Pupil',
      yearGroup: year,
      keyStage,
      schoolId,
      email: `${first.toLowerCase()}${n}@${domain}`,
    });
    const c = t.client();
    await c.loginAs(u);
    return { ...u, c };
  }

  const answer = (c: TestClient, ch: { id: number; boxIds: number[] }, value: string) =>
    c.post(`/challenges/${ch.id}/boxes/${ch.boxIds[0]}/answer`, { answer: value });

  /** Board rows as the page shows them: [rank, name, points]. */
  const boardRows = (body: string) =>
    [
      ...body.matchAll(
        /<tr(?: class="board-me")?><td class="board-rank">(\d+)<\/td><td>([^<]+)(?:<span[^>]*>[^<]*<\/span>)?<\/td><td>(-?\d+)<\/td>/g,
      ),
    ].map((m) => [Number(m[1]), decode(m[2]!), Number(m[3])]);

  /** What a page says, without its tags. */
  const text = (body: string) => decode(body.replace(/<[^>]+>/g, ''));

  const scores = () =>
    t.db
      .selectFrom('scores')
      .select(['user_id', 'key_stage', 'points', 'challenges_completed', 'submissions'])
      .orderBy('user_id')
      .orderBy('key_stage')
      .execute();

  beforeAll(async () => {
    t = await createTestApp(dialect);
    hill = await school('Hill School', 'hill.example.org');
    vale = await school('Vale College', 'vale.example.org');
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    for (const table of ['submissions', 'completions', 'scores', 'score_adjustments', 'settings'] as const)
      await t.db.deleteFrom(table).execute();
  });

  it('puts a Year 12 pupil who solves a KS3 challenge on the KS5 board, not the KS3 one', async () => {
    const ks3 = await seedChallenge(t, { title: 'Starter', keyStage: 'KS3' });
    const sixth = await pupil('Sixer', 12, hill, 'hill.example.org');
    const year7 = await pupil('Sevy', 7, hill, 'hill.example.org');
    expect((await answer(sixth.c, ks3, '3/4')).statusCode).toBe(303);
    expect((await answer(year7.c, ks3, '3/4')).statusCode).toBe(303);

    const ks3Board = (await t.client().get('/leaderboard?ks=KS3')).body;
    expect(boardRows(ks3Board)).toEqual([[1, 'Sevy P.', 1]]);
    expect(ks3Board).not.toContain('Sixer');
    const ks5Board = (await t.client().get('/leaderboard?ks=KS5')).body;
    expect(boardRows(ks5Board)).toEqual([[1, 'Sixer P.', 3]]);
    // The activity feed of a board is its own pupils' completions.
    expect(text(ks5Board)).toContain('Sixer P. completed «Starter» +3');
    expect(text(ks3Board)).not.toContain('Sixer P. completed');

    // Their own place: on the leaderboard and the profile.
    expect(text((await sixth.c.get('/leaderboard?ks=KS5')).body)).toContain('Your place on this board: #1');
    const profile = (await sixth.c.get('/profile')).body;
    expect(profile).toMatch(/<th scope="row">KS5<\/th><td>3<\/td><td>1<\/td>/);
    expect(text(profile)).toContain('Rank #1 on the KS5 leaderboard.');
  });

  it('filters a board by member school, ranking within the school', async () => {
    const ch = await seedChallenge(t, { title: 'Shared', keyStage: 'KS4' });
    const a = await pupil('Ann', 10, hill, 'hill.example.org');
    const b = await pupil('Ben', 10, vale, 'vale.example.org');
    const c = await pupil('Cal', 9, vale, 'vale.example.org');
    for (const p of [a, b, c]) await answer(p.c, ch, '3/4');

    const all = (await t.client().get('/leaderboard?ks=KS4')).body;
    expect(boardRows(all)).toEqual([
      [1, 'Ann P.', 3],
      [2, 'Ben P.', 1],
      [2, 'Cal P.', 1],
    ]);
    expect(all).toContain('<option value>All schools</option>');
    expect(decode(all)).toContain(`<option value="${vale}">Vale College</option>`);

    const valeOnly = (await t.client().get(`/leaderboard?ks=KS4&school=${vale}`)).body;
    expect(boardRows(valeOnly)).toEqual([
      [1, 'Ben P.', 1],
      [1, 'Cal P.', 1],
    ]);
    expect(text(valeOnly)).toContain('Ranks among pupils of Vale College.');
    expect(valeOnly).toMatch(/data-stat="participants">2</);
    expect(decode(valeOnly)).toContain(`<option value="${vale}" selected>Vale College</option>`);
    // The key-stage tabs keep the filter.
    expect(valeOnly).toContain(`href="/leaderboard?ks=KS3&amp;school=${vale}"`);

    // An unknown or malformed school shows every school.
    for (const q of ['999999', 'abc', `${vale}x`])
      expect(boardRows((await t.client().get(`/leaderboard?ks=KS4&school=${q}`)).body)).toHaveLength(3);
  });

  it('recalculation from submissions gives exactly the live counters', async () => {
    const k3 = await seedChallenge(t, { title: 'K3', keyStage: 'KS3' });
    const k4 = await seedChallenge(t, { title: 'K4', keyStage: 'KS4' });
    const k5 = await seedChallenge(t, { title: 'K5', keyStage: 'KS5' });
    const p12 = await pupil('Dee', 12, hill, 'hill.example.org');
    const p8 = await pupil('Eve', 8, vale, 'vale.example.org');
    const p10 = await pupil('Fay', 10, hill, 'hill.example.org');
    await answer(p12.c, k3, '1/2');
    await answer(p12.c, k3, '3/4');
    await answer(p8.c, k5, '3/4');
    await answer(p10.c, k4, '2/3');
    await answer(p8.c, k3, '3/4');
    await answer(p10.c, k5, '3/4');
    const live = await scores();
    expect(live).toEqual([
      { user_id: p12.id, key_stage: 'KS5', points: 3, challenges_completed: 1, submissions: 2 },
      { user_id: p8.id, key_stage: 'KS3', points: 4, challenges_completed: 2, submissions: 2 },
      { user_id: p10.id, key_stage: 'KS4', points: 1, challenges_completed: 1, submissions: 2 },
    ]);

    const res = await admin.post('/admin/leaderboard/recalculate');
    expect(res.statusCode).toBe(303);
    expect(await scores()).toEqual(live);
  });

  it('moves a pupil’s points with them when their school year changes', async () => {
    const ch = await seedChallenge(t, { title: 'Mover', keyStage: 'KS4' });
    const p = await pupil('Gil', 9, hill, 'hill.example.org');
    await answer(p.c, ch, '3/4');
    expect((await scores()).map((s) => [s.key_stage, s.points])).toEqual([['KS4', 3]]);

    const res = await admin.post(`/admin/users/${p.id}`, {
      first_name: p.firstName,
      last_name: p.lastName,
      email: p.email,
      role: 'student',
      year_group: '12',
      maths_class: '',
    });
    expect(res.statusCode).toBe(303);
    const moved = await scores();
    expect(moved.map((s) => [s.key_stage, s.points, s.challenges_completed, s.submissions])).toEqual([
      ['KS5', 3, 1, 1],
    ]);
    expect(boardRows((await t.client().get('/leaderboard?ks=KS4')).body)).toEqual([]);
    expect(boardRows((await t.client().get('/leaderboard?ks=KS5')).body)).toEqual([[1, 'Gil P.', 3]]);
    // Recalculation agrees.
    await admin.post('/admin/leaderboard/recalculate');
    expect(await scores()).toEqual(moved);
  });

  it('exports the same boards as CSV, with the school', async () => {
    const ks3 = await seedChallenge(t, { title: 'Export', keyStage: 'KS3' });
    const sixth = await pupil('Hal', 13, vale, 'vale.example.org');
    await answer(sixth.c, ks3, '3/4');
    const csvKs3 = (await admin.get('/admin/leaderboard/export.csv?ks=KS3')).body;
    expect(csvKs3).not.toContain(sixth.email);
    const csvKs5 = (await admin.get('/admin/leaderboard/export.csv?ks=KS5')).body.split('\r\n');
    expect(csvKs5).toContain(`1,KS5,Hal,Pupil,${sixth.email},13,,3,1,1,Vale College`);
  });

  it('allows an adjustment only on the pupil’s own board', async () => {
    const p = await pupil('Ivy', 12, hill, 'hill.example.org');
    const wrong = await admin.post('/admin/leaderboard/adjustments', {
      user: p.email,
      key_stage: 'KS3',
      points: '4',
      reason: 'Helped at the open evening',
    });
    expect(wrong.statusCode).toBe(400);
    expect(decode(wrong.body)).toContain(
      'This pupil is in Year 12, so their points count on the KS5 board: choose KS5 or leave the board blank.',
    );
    expect(await t.db.selectFrom('score_adjustments').selectAll().execute()).toEqual([]);
    const right = await admin.post('/admin/leaderboard/adjustments', {
      user: p.email,
      points: '4',
      reason: 'Helped at the open evening',
    });
    expect(right.statusCode).toBe(303);
    expect(flashes((await admin.get('/admin/leaderboard')).body)).toEqual([
      'success: Adjustment of +4 points added to the KS5 board.',
    ]);
  });
});
