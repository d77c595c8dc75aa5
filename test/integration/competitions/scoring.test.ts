// Competition challenges end to end: who may answer (participants of the
// matching key stage), the duration lock, 3/1 scoring on the competition
// board with the participant's school (never on the weekly boards), admin
// tries, the public board (medals, school rankings with averages, activity),
// and the admin board, analytics and exports — all checked against numbers
// worked out by hand from the tries below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { decode, flashes } from '../challenges/fixtures.js';
import { hoursFromNow, seedCompetition, seedCompetitionChallenge, seedParticipant, seedSchool } from './fixtures.js';

describe.each(await availableDialects())('competition scoring on %s', (dialect) => {
  let t: TestApp;
  let schoolA: number;
  let schoolB: number;
  let cid: number;
  let c1: { id: number; boxIds: number[] };
  let c2: { id: number; boxIds: number[] };
  const users: Record<string, TestUser> = {};
  const clients: Record<string, TestClient> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    schoolA = await seedSchool(t, 'Alpha Academy', 'alpha.org', 'member');
    schoolB = await seedSchool(t, 'Beta High', 'beta.org');
    cid = await seedCompetition(t, [schoolA, schoolB]);
    c1 = await seedCompetitionChallenge(t, cid, { title: 'First', releaseAt: hoursFromNow(-2) });
    c2 = await seedCompetitionChallenge(t, cid, {
      title: 'Second',
      releaseAt: hoursFromNow(-1),
      answers: ['2\\sqrt{2}'],
    });
    users.a1 = await seedParticipant(t, cid, schoolA, 'KS4', 'a1@alpha.org', {
      first: '=HYPERLINK("http://x")',
      last: 'One',
    });
    users.a2 = await seedParticipant(t, cid, schoolA, 'KS4', 'a2@alpha.org', { first: 'Amy', last: 'Two' });
    users.a3 = await seedParticipant(t, cid, schoolA, 'KS3', 'a3@alpha.org', { first: 'Al', last: 'Three' });
    users.b1 = await seedParticipant(t, cid, schoolB, 'KS4', 'b1@beta.org', { first: 'Bea', last: 'One' });
    users.out = await t.createUser({ email: 'out@alpha.org' });
    users.admin = await t.createUser({ isAdmin: true });
    for (const [k, u] of Object.entries(users)) {
      clients[k] = t.client();
      await clients[k].loginAs(u);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  async function answer(who: string, ch: { id: number; boxIds: number[] }, value: string): Promise<string[]> {
    const c = clients[who]!;
    const res = await c.post(`/competitions/${cid}/challenges/${ch.id}/boxes/${ch.boxIds[0]}/answer`, {
      answer: value,
    });
    expect(res.statusCode).toBe(303);
    return flashes((await c.get(`/competitions/${cid}/challenges/${ch.id}`)).body);
  }

  it('refuses non-participants and participants of another key stage, storing nothing', async () => {
    expect(await answer('out', c1, '3/4')).toEqual([
      'error: Only registered participants of this competition can answer its challenges. Register or join the competition first.',
    ]);
    expect(await answer('a3', c1, '3/4')).toEqual([
      'error: This challenge is for KS4 participants. You are taking part in KS3. You can read it but not answer it.',
    ]);
    const page = (await clients.a3!.get(`/competitions/${cid}/challenges/${c1.id}`)).body;
    expect(page).not.toContain('/answer"');
    expect(await t.db.selectFrom('submissions').selectAll().execute()).toEqual([]);
  });

  it('keeps competition challenges out of the weekly list, pages and boards', async () => {
    expect((await clients.a1!.get(`/challenges/${c1.id}`)).statusCode).toBe(404);
    expect((await clients.a1!.get('/challenges')).body).not.toContain('First');
    const res = await clients.a1!.post(`/challenges/${c1.id}/boxes/${c1.boxIds[0]}/answer`, { answer: '3/4' });
    expect(res.statusCode).toBe(404);
  });

  it('scores 3 for the first completer and 1 after, with the school, on the competition board only', async () => {
    expect(await answer('b1', c1, '0.75')).toEqual([
      'success: Correct — you have completed «First»! You were the first to finish: +3 points.',
    ]);
    expect(await answer('a1', c1, '3/4')).toEqual(['success: Correct — you have completed «First»! +1 point.']);
    expect(await answer('a2', c1, '1/2')).toEqual(['error: Not quite. You have 2 attempts left for this box.']);
    expect(await answer('a1', c2, '2*sqrt(2)')).toEqual([
      'success: Correct — you have completed «Second»! You were the first to finish: +3 points.',
    ]);
    expect(await answer('a2', c2, 'sqrt(8)')).toEqual(['success: Correct — you have completed «Second»! +1 point.']);
    // An admin tries: recorded as an admin try, never scored.
    expect(await answer('admin', c1, '3/4')).toEqual(['success: Correct. (Admin try: not scored.)']);

    const completions = await t.db
      .selectFrom('completions')
      .select(['user_id', 'challenge_id', 'points', 'competition_id', 'school_id'])
      .orderBy('id')
      .execute();
    expect(completions).toEqual([
      { user_id: users.b1!.id, challenge_id: c1.id, points: 3, competition_id: cid, school_id: schoolB },
      { user_id: users.a1!.id, challenge_id: c1.id, points: 1, competition_id: cid, school_id: schoolA },
      { user_id: users.a1!.id, challenge_id: c2.id, points: 3, competition_id: cid, school_id: schoolA },
      { user_id: users.a2!.id, challenge_id: c2.id, points: 1, competition_id: cid, school_id: schoolA },
    ]);
    const board = await t.db
      .selectFrom('competition_scores')
      .select(['user_id', 'school_id', 'key_stage', 'points', 'challenges_completed'])
      .orderBy('user_id')
      .execute();
    expect(board).toEqual(
      [
        { user_id: users.a1!.id, school_id: schoolA, key_stage: 'KS4', points: 4, challenges_completed: 2 },
        { user_id: users.a2!.id, school_id: schoolA, key_stage: 'KS4', points: 1, challenges_completed: 1 },
        { user_id: users.b1!.id, school_id: schoolB, key_stage: 'KS4', points: 3, challenges_completed: 1 },
      ].sort((x, y) => x.user_id - y.user_id),
    );
    expect(await t.db.selectFrom('scores').selectAll().where('points', '>', 0).execute()).toEqual([]);
  });

  it('shows medals, school rankings with one-decimal averages and recent activity on the public board', async () => {
    const body = decode((await t.client().get('/competition')).body);
    // KS4: a1 4 (gold), b1 3 (silver), a2 1 (bronze)
    expect(body).toMatch(
      /<tr class="medal-gold"><td>1<span class="medal"> 🥇 Gold<\/span><\/td><td>=HYPERLINK\("http:\/\/x"\) O\.<\/td><td>Alpha Academy<\/td><td>4<\/td>/,
    );
    expect(body).toMatch(
      /<tr class="medal-silver"><td>2<span class="medal"> 🥈 Silver<\/span><\/td><td>Bea O\.<\/td><td>Beta High<\/td><td>3<\/td>/,
    );
    expect(body).toMatch(/<tr class="medal-bronze"><td>3<span class="medal"> 🥉 Bronze<\/span><\/td><td>Amy T\.<\/td>/);
    // KS4 schools: Alpha 5 points / 2 participants = 2.5; Beta 3 / 1 = 3.0. KS3: Alpha 0 / 1 = 0.0.
    // The "pupils with points" column counts what the board lists: 2 and 1 on KS4, nobody on KS3.
    expect(body).toContain('<tr><td>1</td><td>Alpha Academy</td><td>5</td><td>2</td><td>2</td><td>2.5</td></tr>');
    expect(body).toContain('<tr><td>2</td><td>Beta High</td><td>3</td><td>1</td><td>1</td><td>3.0</td></tr>');
    expect(body).toContain('<tr><td>1</td><td>Alpha Academy</td><td>0</td><td>0</td><td>1</td><td>0.0</td></tr>');
    expect(body).toContain('Pupils appear here once they have scored a point.');
    expect(body).toContain('Amy T. (Alpha Academy) completed «Second»');
  });

  it('gives analytics that match the hand-worked numbers', async () => {
    const body = decode((await clients.admin!.get(`/admin/competitions/${cid}/analytics`)).body);
    // Alpha: a1 (4 pts, 2 completions, 2 tries), a2 (1, 1, 2 tries), a3 (0) → 3 people, 5 points, 1.7 average, 3 completions, 4 tries.
    expect(body).toContain('<tr><td>Alpha Academy</td><td>3</td><td>5</td><td>1.7</td><td>3</td><td>4</td></tr>');
    expect(body).toContain('<tr><td>Beta High</td><td>1</td><td>3</td><td>3.0</td><td>1</td><td>1</td></tr>');
    // KS4: 3 people, 8 points, 2.7 average, 4 completions, 5 tries; KS3: 1 person, nothing.
    expect(body).toContain('<tr><td>KS4</td><td>3</td><td>8</td><td>2.7</td><td>4</td><td>5</td></tr>');
    expect(body).toContain('<tr><td>KS3</td><td>1</td><td>0</td><td>0.0</td><td>0</td><td>0</td></tr>');
    const today = new Date().toISOString().slice(0, 10);
    expect(body).toContain(`<tr><td>${today}</td><td>5</td></tr>`);
    expect(body).toContain('<svg viewBox=');
    // Top performers: a count of one point in the singular.
    expect(body).toContain('Amy Two (Alpha Academy, KS4): 1 point<');
    expect(body).toContain('Bea One (Beta High, KS4): 3 points<');
  });

  it('exports CSV (formula cells neutralised) and JSON with key-stage, school and points filters', async () => {
    const csv = await clients.admin!.get(`/admin/competitions/${cid}/export.csv?ks=KS4&school=${schoolA}`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('rank,first_name,last_name,email,school,key_stage,points,challenges_completed,joined_at');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^1,"'=HYPERLINK\(""http:\/\/x""\)",One,a1@alpha\.org,Alpha Academy,KS4,4,2,/);
    expect(lines[2]).toMatch(/^2,Amy,Two,a2@alpha\.org,Alpha Academy,KS4,1,1,/);
    const json = JSON.parse((await clients.admin!.get(`/admin/competitions/${cid}/export.json?min=2&max=10`)).body) as {
      entries: Array<{ email: string; points: number }>;
    };
    expect(json.entries.map((e) => [e.email, e.points])).toEqual([
      ['a1@alpha.org', 4],
      ['b1@beta.org', 3],
    ]);
    expect((await clients.a1!.get(`/admin/competitions/${cid}/export.csv`)).statusCode).toBe(403);
  });

  it('locks a challenge after its duration and by hand', async () => {
    const late = await seedCompetitionChallenge(t, cid, {
      title: 'Late',
      releaseAt: hoursFromNow(-3),
      durationHours: 2,
    });
    expect(await answer('a2', late, '3/4')).toEqual([
      'warning: This challenge is closed, so answers are no longer accepted.',
    ]);
    // The closed challenge's page and card say so, and count no attempts.
    const page = (await clients.a2!.get(`/competitions/${cid}/challenges/${late.id}`)).body;
    expect(page).toContain('This challenge is closed: answers are no longer accepted.');
    expect(page).toContain('Closed: no more answers');
    expect(page).not.toMatch(/attempts? left|attempts? per answer/);
    const list = (await clients.a2!.get(`/competitions/${cid}/challenges`)).body;
    const card = list.slice(list.indexOf('>Late<'), list.indexOf('>Late<') + 300);
    expect(card).toContain('<span class="badge badge-locked">Closed</span>');
    const open = await seedCompetitionChallenge(t, cid, {
      title: 'Open',
      releaseAt: hoursFromNow(-1),
      durationHours: 5,
    });
    await clients.admin!.post(`/admin/competitions/${cid}/challenges/${open.id}/lock`);
    expect(await answer('a2', open, '3/4')).toEqual([
      'warning: This challenge is closed, so answers are no longer accepted.',
    ]);
    expect(
      await t.db.selectFrom('submissions').selectAll().where('challenge_id', 'in', [late.id, open.id]).execute(),
    ).toEqual([]);
    await clients.admin!.post(`/admin/competitions/${cid}/challenges/${late.id}/delete`);
    await clients.admin!.post(`/admin/competitions/${cid}/challenges/${open.id}/delete`);
  });

  it('admin board: search, adjustments with a reason, bulk reset re-derives first completers', async () => {
    let body = decode((await clients.admin!.get(`/admin/competitions/${cid}/board?q=beta&sort=points`)).body);
    expect(body).toContain('b1@beta.org');
    expect(body).not.toContain('a2@alpha.org');
    await clients.admin!.post(`/admin/competitions/${cid}/adjustments`, {
      user_id: String(users.a2!.id),
      points: '2',
      reason: 'Bonus round',
    });
    expect(
      (
        await t.db
          .selectFrom('competition_scores')
          .select('points')
          .where('user_id', '=', users.a2!.id)
          .executeTakeFirstOrThrow()
      ).points,
    ).toBe(3);
    await clients.admin!.post(`/admin/competitions/${cid}/adjustments`, {
      user_id: String(users.a2!.id),
      points: '2',
      reason: '',
    });
    expect(await t.db.selectFrom('score_adjustments').selectAll().execute()).toHaveLength(1);

    // Resetting b1 removes their tries: a1 becomes the first completer of «First» (1 → 3 points).
    await clients.admin!.post(`/admin/competitions/${cid}/board/bulk`, {
      action: 'reset',
      [`user-${users.b1!.id}`]: 'on',
    });
    expect(flashes((await clients.admin!.get(`/admin/competitions/${cid}/board`)).body)).toEqual([
      'success: Reset 1 participant.',
    ]);
    const points = Object.fromEntries(
      (await t.db.selectFrom('competition_scores').select(['user_id', 'points']).execute()).map((r) => [
        r.user_id,
        r.points,
      ]),
    );
    expect(points).toEqual({ [users.a1!.id]: 6, [users.a2!.id]: 3 });
    body = decode((await t.client().get(`/competitions/${cid}`)).body);
    expect(body).toContain('<tr><td>1</td><td>Alpha Academy</td><td>9</td><td>2</td><td>2</td><td>4.5</td></tr>');
    expect(body).toContain('<tr><td>2</td><td>Beta High</td><td>0</td><td>0</td><td>1</td><td>0.0</td></tr>');

    await clients.admin!.post(`/admin/competitions/${cid}/board/bulk`, {
      action: 'delete',
      [`user-${users.b1!.id}`]: 'on',
    });
    expect(
      await t.db.selectFrom('competition_participants').selectAll().where('user_id', '=', users.b1!.id).execute(),
    ).toEqual([]);
    expect(
      (await t.db.selectFrom('users').select('is_participant').where('id', '=', users.b1!.id).executeTakeFirstOrThrow())
        .is_participant,
    ).toBe(0);
    const actions = (
      await t.db.selectFrom('audit_log').select('action').where('action', 'like', 'competition.%').execute()
    ).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'competition.adjustment.create',
        'competition.board.reset',
        'competition.board.delete',
        'competition.challenge.lock',
      ]),
    );
  });
});
