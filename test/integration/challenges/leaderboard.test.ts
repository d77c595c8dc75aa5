// The public leaderboard (tabs, shared ranks, totals, activity, "your place"),
// admin adjustments (validation, audit, counting publicly), the CSV export
// with formula escaping, and who may reach the admin side.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addToBoard } from '../../../src/domain/challenges/scoring.js';
import { availableDialects } from '../../helpers/db.js';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { decode, flashes, seedChallenge } from './fixtures.js';

describe.each(await availableDialects())('leaderboards on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let adminId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const a = await t.createUser({ isAdmin: true, firstName: 'Ada', lastName: 'Admin' });
    adminId = a.id;
    admin = t.client();
    await admin.loginAs(a);
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

  const now = () => new Date().toISOString();
  /** Board rows as the page shows them: [rank, name, points]. */
  const boardRows = (body: string) =>
    [
      ...body.matchAll(
        /<tr(?: class="board-me")?><td class="board-rank">(\d+)<\/td><td>([^<]+)(?:<span[^>]*>[^<]*<\/span>)?<\/td><td>(-?\d+)<\/td>/g,
      ),
    ].map((m) => [Number(m[1]), decode(m[2]!), Number(m[3])]);
  const stat = (body: string, name: string) => Number(new RegExp(`data-stat="${name}">(\\d+)<`).exec(body)?.[1]);

  it('ranks ties together: 1, 2, 2, 4', async () => {
    const people: Array<[string, string, number]> = [
      ['Amy', 'Adams', 9],
      ['Ben', 'Brown', 7],
      ['Cat', 'Chen', 7],
      ['Dan', 'Diaz', 5],
      ['Eve', 'Evans', 0],
    ];
    for (const [first, last, points] of people) {
      const u = await t.createUser({ firstName: first, lastName: last, keyStage: 'KS4' });
      await addToBoard(t.db, { userId: u.id, keyStage: 'KS4', points, submissions: 1, now: now() });
    }
    const res = await t.client().get('/leaderboard?ks=KS4');
    expect(res.statusCode).toBe(200);
    expect(boardRows(res.body)).toEqual([
      [1, 'Amy A.', 9],
      [2, 'Ben B.', 7],
      [2, 'Cat C.', 7],
      [4, 'Dan D.', 5],
    ]);
    // Only first names and initials are public.
    expect(res.body).not.toContain('Adams');
    expect(stat(res.body, 'participants')).toBe(5);
    expect(stat(res.body, 'points')).toBe(28);
    expect(stat(res.body, 'submissions')).toBe(5);
  });

  it('shows the top N only, with one tab per key stage', async () => {
    const small = await createTestApp(dialect, { LEADERBOARD_TOP_N: '3' });
    try {
      for (let i = 0; i < 5; i++) {
        const u = await small.createUser({ firstName: `P${i}`, lastName: 'X' });
        await addToBoard(small.db, { userId: u.id, keyStage: 'KS5', points: 10 - i, now: now() });
      }
      const body = (await small.client().get('/leaderboard?ks=KS5')).body;
      expect(boardRows(body).map((r) => r[2])).toEqual([10, 9, 8]);
      expect(body).toContain('KS5 top 3');
      for (const ks of ['KS3', 'KS4', 'KS5']) expect(body).toContain(`href="/leaderboard?ks=${ks}"`);
      expect(body).toContain('<a href="/leaderboard?ks=KS5" aria-current="page">KS5</a>');
      expect(boardRows((await small.client().get('/leaderboard?ks=KS3')).body)).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('shows totals, the recent activity feed and the visitor’s own place', async () => {
    await seedChallenge(t, { title: 'Old KS3', keyStage: 'KS3' });
    const { id, boxIds } = await seedChallenge(t, { title: 'Squares', keyStage: 'KS3', boxes: [{ answer: '16' }] });
    const a = await t.createUser({ firstName: 'Zoe', lastName: 'Zed', keyStage: 'KS3' });
    const b = await t.createUser({ firstName: 'Yan', lastName: 'Young', keyStage: 'KS3' });
    const ca = t.client();
    await ca.loginAs(a);
    const cb = t.client();
    await cb.loginAs(b);
    await ca.post(`/challenges/${id}/boxes/${boxIds[0]}/answer`, { answer: '15' });
    await ca.post(`/challenges/${id}/boxes/${boxIds[0]}/answer`, { answer: '4^2' });
    await cb.post(`/challenges/${id}/boxes/${boxIds[0]}/answer`, { answer: '16' });

    const page = await cb.get('/leaderboard');
    expect(page.headers['cache-control']).toBe('no-store');
    // A KS3 student lands on the KS3 tab.
    expect(page.body).toContain('<a href="/leaderboard?ks=KS3" aria-current="page">KS3</a>');
    expect(stat(page.body, 'participants')).toBe(2);
    expect(stat(page.body, 'points')).toBe(4);
    expect(stat(page.body, 'challenges')).toBe(2);
    expect(stat(page.body, 'submissions')).toBe(3);
    const feed = [...page.body.matchAll(/<li>([^<]+) completed «([^»]+)» <strong>\+(\d)<\/strong>/g)].map((m) => [
      m[1],
      m[2],
      m[3],
    ]);
    expect(feed).toEqual([
      ['Yan Y.', 'Squares', '1'],
      ['Zoe Z.', 'Squares', '3'],
    ]);
    expect(page.body).toMatch(/Your place on this board: <strong>#2<\/strong> with 1 point/);
    expect(page.body).toContain('<tr class="board-me">');
  });

  it('is public and needs no login', async () => {
    const res = await t.client().get('/leaderboard');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<a href="/leaderboard?ks=KS3" aria-current="page">KS3</a>');
    expect(res.body).toContain('No points on this board yet');
  });

  it('adds, edits and deletes adjustments that count on the public board and are audited', async () => {
    const s = await t.createUser({
      firstName: 'Sam',
      lastName: 'Stone',
      keyStage: 'KS4',
      email: 'sam.stone@school.example.org',
    });
    const add = await admin.post('/admin/leaderboard/adjustments', {
      user: 'Sam.Stone@school.example.org',
      points: '+5',
      reason: 'Won the puzzle hunt',
    });
    expect(add.statusCode).toBe(303);
    expect(flashes((await admin.get('/admin/leaderboard')).body)).toEqual([
      'success: Adjustment of +5 points added to the KS4 board.',
    ]);
    expect(boardRows((await t.client().get('/leaderboard?ks=KS4')).body)).toEqual([[1, 'Sam S.', 5]]);

    const adj = await t.db.selectFrom('score_adjustments').selectAll().executeTakeFirstOrThrow();
    expect(adj).toMatchObject({
      user_id: s.id,
      key_stage: 'KS4',
      points: 5,
      reason: 'Won the puzzle hunt',
      created_by: adminId,
    });
    // A pupil's points are on their own key stage's board only: another board is refused.
    const elsewhere = await admin.post(`/admin/leaderboard/adjustments/${adj.id}/edit`, {
      key_stage: 'KS5',
      points: '-2',
      reason: 'Moved and corrected',
    });
    expect(elsewhere.statusCode).toBe(400);
    expect(decode(elsewhere.body)).toContain(
      'This pupil is in Year 9, so their points count on the KS4 board: choose KS4 or leave the board blank.',
    );
    const edit = await admin.post(`/admin/leaderboard/adjustments/${adj.id}/edit`, {
      key_stage: 'KS4',
      points: '-2',
      reason: 'Corrected',
    });
    expect(edit.statusCode).toBe(303);
    expect(flashes((await admin.get('/admin/leaderboard')).body)).toEqual(['success: Adjustment saved.']);
    expect(boardRows((await t.client().get('/leaderboard?ks=KS4')).body)).toEqual([]);
    const ks4 = await t.db.selectFrom('scores').select(['key_stage', 'points']).where('user_id', '=', s.id).execute();
    expect(ks4).toEqual([{ key_stage: 'KS4', points: -2 }]);

    await admin.post(`/admin/leaderboard/adjustments/${adj.id}/delete`);
    expect(flashes((await admin.get('/admin/leaderboard')).body)).toEqual(['success: Adjustment deleted.']);
    expect((await admin.post(`/admin/leaderboard/adjustments/${adj.id}/delete`)).statusCode).toBe(404);
    expect(await t.db.selectFrom('score_adjustments').selectAll().execute()).toEqual([]);
    expect(await t.db.selectFrom('scores').selectAll().where('user_id', '=', s.id).execute()).toEqual([]);

    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'target_id', 'details', 'ip'])
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'leaderboard.adjustment.create',
      'leaderboard.adjustment.update',
      'leaderboard.adjustment.delete',
    ]);
    expect(audit.every((a) => a.actor_id === adminId && a.target_id === String(adj.id) && a.ip)).toBe(true);
    expect(JSON.parse(audit[0]!.details!)).toEqual({
      userId: s.id,
      keyStage: 'KS4',
      points: 5,
      reason: 'Won the puzzle hunt',
    });
  });

  it('refuses an incomplete or wrong adjustment with messages and changes nothing', async () => {
    const noStage = await t.createUser({ keyStage: null, yearGroup: null });
    const res = await admin.post('/admin/leaderboard/adjustments', {
      user: 'nobody@school.example.org',
      points: '0',
      reason: '',
    });
    expect(res.statusCode).toBe(400);
    const body = decode(res.body);
    expect(body).toContain('No account has that email address or number.');
    expect(body).toContain('Points must be a whole number from -1000 to 1000, not 0');
    expect(body).toContain('Give a reason: it is kept with the adjustment and in the audit log.');
    const res2 = await admin.post('/admin/leaderboard/adjustments', {
      user: String(noStage.id),
      points: '5000',
      reason: 'x'.repeat(301),
    });
    const body2 = decode(res2.body);
    expect(body2).toContain('This account has no school year, so it is on no board: set its year first.');
    expect(body2).toContain('Points must be a whole number');
    expect(body2).toContain('The reason must be at most 300 characters.');
    expect(await t.db.selectFrom('score_adjustments').selectAll().execute()).toEqual([]);
    expect(await t.db.selectFrom('audit_log').selectAll().execute()).toEqual([]);
  });

  it('exports a board as CSV with formula-leading cells escaped', async () => {
    const evil = await t.createUser({
      firstName: '=HYPERLINK("http://x","y")',
      lastName: '+Smith',
      mathsClass: '@9X1',
      keyStage: 'KS4',
    });
    const fine = await t.createUser({ firstName: 'Ann', lastName: 'Lee, Jr', keyStage: 'KS4' });
    await addToBoard(t.db, { userId: evil.id, keyStage: 'KS4', points: 3, completed: 1, submissions: 2, now: now() });
    await addToBoard(t.db, { userId: fine.id, keyStage: 'KS4', points: 3, completed: 1, submissions: 1, now: now() });
    const res = await admin.get('/admin/leaderboard/export.csv?ks=KS4');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="leaderboard-KS4-\d{4}-\d\d-\d\d\.csv"$/);
    const lines = res.body.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe(
      'Rank,Key stage,First name,Last name,Email,Year,Class,Points,Challenges completed,Answers submitted,School',
    );
    expect(lines).toContain(`1,KS4,"'=HYPERLINK(""http://x"",""y"")",'+Smith,${evil.email},9,'@9X1,3,1,2,`);
    expect(lines).toContain(`1,KS4,Ann,"Lee, Jr",${fine.email},9,,3,1,1,`);
    // Every board at once.
    const all = await admin.get('/admin/leaderboard/export.csv');
    expect(all.headers['content-disposition']).toMatch(/leaderboard-all-/);
  });

  it('keeps the admin side for admins: students get 403, visitors the login page', async () => {
    const student = t.client();
    await student.loginAs(await t.createUser());
    for (const url of [
      '/admin/leaderboard',
      '/admin/leaderboard/export.csv',
      '/admin/challenges',
      '/admin/challenges/new',
    ]) {
      expect((await student.get(url)).statusCode).toBe(403);
      const anon = await t.client().get(url);
      expect(anon.statusCode).toBe(302);
      expect(anon.headers.location).toMatch(/^\/login\?next=/);
    }
    for (const url of [
      '/admin/leaderboard/recalculate',
      '/admin/leaderboard/reset',
      '/admin/leaderboard/adjustments',
    ]) {
      expect(
        (await student.post(url, { stage: 'all', confirm: 'yes', user: '1', points: '5', reason: 'x' })).statusCode,
      ).toBe(403);
    }
    expect(await t.db.selectFrom('score_adjustments').selectAll().execute()).toEqual([]);
    expect(await t.db.selectFrom('settings').selectAll().execute()).toEqual([]);
  });
});
