// The new school year (ADR 035) through the admin pages, on SQLite and
// PostgreSQL: the preview changes nothing; the run moves every pupil up with
// the key stage of the map (also a non-default map), closes the Year 13
// accounts and leaves teachers, admins and pupils without a year alone, in one
// transaction with its audit entry and record; a second run for the same year
// (even at the same moment) is refused clearly; points go with a pupil to
// their new board; leavers cannot sign in, lose their sessions and are on no
// board or public count until an admin reopens their account; purging after
// the retention period deletes them as an account deletion does, with no email.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteAccountRows } from '../../../src/domain/accounts/account-deletion.js';
import { ACCOUNT_CLOSED_MESSAGE, purgeLeavers } from '../../../src/domain/accounts/leavers.js';
import { currentRolloverYear, runRollover, RolloverRefused } from '../../../src/domain/accounts/year-rollover.js';
import { loadConfig } from '../../../src/config/index.js';
import { LOGIN_FAILED } from '../../../src/web/routes/auth.js';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { ADMIN_ACTOR, decode, flashes, seedChallenge } from '../challenges/fixtures.js';
import { seedCompetition, seedCompetitionChallenge, seedSchool } from '../competitions/fixtures.js';

const YEAR = currentRolloverYear(new Date(), 'Europe/London');
const DAY = 86_400_000;

/** What a page says, without its tags. */
const text = (body: string) => decode(body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));

/** Board rows as the public leaderboard shows them: [rank, name, points]. */
const boardRows = (body: string) =>
  [
    ...body.matchAll(
      /<tr(?: class="board-me")?><td class="board-rank">(\d+)<\/td><td>([^<]+)(?:<span[^>]*>[^<]*<\/span>)?<\/td><td>(-?\d+)<\/td>/g,
    ),
  ].map((m) => [Number(m[1]), decode(m[2]!), Number(m[3])]);

describe.each(await availableDialects())('new school year on %s', (dialect) => {
  let t: TestApp;
  let adminUser: TestUser;
  let admin: TestClient;
  let n = 0;

  const pupil = (first: string, year: number | null, keyStage: string | null, extra: Partial<TestUser> = {}) => {
    n += 1;
    return t.createUser({ firstName: first, lastName: `Pupil${n}`, yearGroup: year, keyStage, ...extra });
  };
  const user = (id: number) =>
    t.db
      .selectFrom('users')
      .select(['year_group', 'key_stage', 'archived_at', 'user_type', 'is_admin'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const snapshot = () =>
    t.db
      .selectFrom('users')
      .select(['id', 'year_group', 'key_stage', 'archived_at', 'updated_at'])
      .orderBy('id')
      .execute();
  const auditOf = (action: string) =>
    t.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
  const run = (c: TestClient, fields: Record<string, string> = {}) =>
    c.post('/admin/year-rollover', { school_year: String(YEAR), confirm: 'yes', ...fields });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    adminUser = await t.createUser({ isAdmin: true, email: 'head@school.example.org' });
    admin = t.client();
    await admin.loginAs(adminUser);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    // Every account but the admin goes, the way an account deletion removes it.
    await t.db.transaction().execute(async (trx) => {
      const others = await trx.selectFrom('users').select('id').where('id', '!=', adminUser.id).execute();
      for (const o of others) await deleteAccountRows(trx, o.id, 'retention');
      for (const table of ['year_rollovers', 'audit_log', 'settings', 'mail_outbox'] as const)
        await trx.deleteFrom(table).execute();
    });
  });

  it('previews the moves per year, the leavers and the pupils without a year, and changes nothing', async () => {
    await pupil('Ava', 7, 'KS3');
    await pupil('Ben', 7, 'KS3');
    await pupil('Cat', 8, 'KS3');
    await pupil('Dan', 11, 'KS4');
    await pupil('Eli', 13, 'KS5', { lastName: 'Leaver' });
    await pupil('Noa', null, null, { lastName: 'Yearless' });
    await t.createUser({ teacher: true, firstName: 'Tess', yearGroup: 13, keyStage: 'KS5' });
    const before = await snapshot();

    const res = await admin.get('/admin/year-rollover');
    expect(res.statusCode).toBe(200);
    const html = decode(res.body);
    expect(text(res.body)).toMatch(/Year 7 Year 8 KS3 → KS3 2/);
    expect(text(res.body)).toMatch(/Year 8 Year 9 KS3 → KS4 1/);
    expect(text(res.body)).toMatch(/Year 11 Year 12 KS4 → KS5 1/);
    expect(text(res.body)).toContain('Moving up one year: 4 pupils');
    expect(text(res.body)).toContain('Leaving from Year 13, accounts closed: 1 pupil');
    expect(text(res.body)).toContain('Without a school year, left as they are: 1 pupil');
    expect(html).toMatch(/aria-label="Leavers"[\s\S]*Leaver, Eli/);
    expect(html).toMatch(/aria-label="Pupils without a school year"[\s\S]*Yearless, Noa/);
    expect(html).not.toContain('Tess');
    expect(html).toMatch(new RegExp(`<input id="school_year" name="school_year" type="number" [^>]*value="${YEAR}"`));

    expect(await snapshot()).toEqual(before);
    expect(await t.db.selectFrom('year_rollovers').selectAll().execute()).toEqual([]);
    expect(await auditOf('year.rollover')).toEqual([]);
  });

  it('moves every pupil up with the key stage of the map, closes Year 13, leaves everyone else alone', async () => {
    const y = new Map<number, TestUser>();
    for (const year of [7, 8, 9, 10, 11, 12, 13])
      y.set(year, await pupil(`Y${year}`, year, year <= 8 ? 'KS3' : year <= 11 ? 'KS4' : 'KS5'));
    const yearless = await pupil('Noa', null, null);
    const teacher = await t.createUser({ teacher: true, yearGroup: 9, keyStage: 'KS4' });
    const otherAdmin = await t.createUser({ isAdmin: true, yearGroup: 13, keyStage: 'KS5' });
    const earlierLeaver = await pupil('Old', 13, 'KS5');
    const closedAt = new Date(Date.now() - 30 * DAY).toISOString();
    await t.db.updateTable('users').set({ archived_at: closedAt }).where('id', '=', earlierLeaver.id).execute();

    const res = await run(admin);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/year-rollover');
    const after = await admin.get('/admin/year-rollover');
    expect(flashes(after.body)).toEqual([
      `success: School year ${YEAR}–${String((YEAR + 1) % 100).padStart(2, '0')} started: 6 pupils moved up, 1 leaver’s account closed, 1 pupil without a school year left as they are.`,
    ]);

    const expected: Record<number, [number, string]> = {
      7: [8, 'KS3'],
      8: [9, 'KS4'],
      9: [10, 'KS4'],
      10: [11, 'KS4'],
      11: [12, 'KS5'],
      12: [13, 'KS5'],
    };
    for (const [from, [to, ks]] of Object.entries(expected)) {
      const row = await user(y.get(Number(from))!.id);
      expect([row.year_group, row.key_stage, row.archived_at]).toEqual([to, ks, null]);
    }
    const leaver = await user(y.get(13)!.id);
    expect([leaver.year_group, leaver.key_stage]).toEqual([13, 'KS5']);
    expect(leaver.archived_at).not.toBeNull();
    expect(await user(yearless.id)).toMatchObject({ year_group: null, key_stage: null, archived_at: null });
    expect(await user(teacher.id)).toMatchObject({ year_group: 9, key_stage: 'KS4', archived_at: null });
    expect(await user(otherAdmin.id)).toMatchObject({ year_group: 13, key_stage: 'KS5', archived_at: null });
    expect(await user(earlierLeaver.id)).toMatchObject({ year_group: 13, archived_at: closedAt });

    const record = await t.db.selectFrom('year_rollovers').selectAll().execute();
    expect(record).toMatchObject([{ school_year: YEAR, ran_by: adminUser.id, moved_up: 6, archived: 1 }]);
    const [entry, ...more] = await auditOf('year.rollover');
    expect(more).toEqual([]);
    expect(entry!.actor_id).toBe(adminUser.id);
    expect(JSON.parse(entry!.details!)).toEqual({
      schoolYear: YEAR,
      movedUp: 6,
      archived: 1,
      leftAlone: 1,
      keyStageChanged: 2,
      boardsReset: false,
      byYear: { '7->8': 1, '8->9': 1, '9->10': 1, '10->11': 1, '11->12': 1, '12->13': 1 },
    });
    // The result stays on the page.
    expect(after.body).toMatch(new RegExp(`<tr data-rollover="${YEAR}">`));
    expect(text(after.body)).toMatch(/head@school\.example\.org 6 1/);
  });

  it('refuses a second run for the same school year, or for an earlier one, and changes nothing', async () => {
    const p = await pupil('Ivy', 9, 'KS4');
    expect((await run(admin)).statusCode).toBe(303);
    const before = await snapshot();

    const again = await run(admin);
    expect(again.statusCode).toBe(409);
    expect(text(again.body)).toMatch(
      /The new school year \d{4}–\d{2} was already started on \d{4}-\d{2}-\d{2}: everyone has moved up once\. Nothing was changed\./,
    );
    const earlier = await run(admin, { school_year: String(YEAR - 1) });
    expect(earlier.statusCode).toBe(409);
    expect(text(earlier.body)).toContain('would move everyone up again. Nothing was changed.');

    expect(await snapshot()).toEqual(before);
    expect((await user(p.id)).year_group).toBe(10);
    expect(await t.db.selectFrom('year_rollovers').select('school_year').execute()).toEqual([{ school_year: YEAR }]);
    expect(await auditOf('year.rollover')).toHaveLength(1);
  });

  it('answers a missing confirmation or an unlikely school year with a message, changing nothing', async () => {
    await pupil('Jo', 9, 'KS4');
    const before = await snapshot();
    const unconfirmed = await admin.post('/admin/year-rollover', { school_year: String(YEAR) });
    expect(unconfirmed.statusCode).toBe(400);
    expect(text(unconfirmed.body)).toContain('Tick the box to confirm: this moves every pupil up.');
    for (const bad of [String(YEAR + 5), 'next', '', '20277']) {
      const res = await run(admin, { school_year: bad });
      expect(res.statusCode).toBe(400);
      expect(decode(res.body)).toMatch(/<p class="field-error" id="school_year-error">[^<]+<\/p>/);
    }
    expect(await snapshot()).toEqual(before);
    expect(await t.db.selectFrom('year_rollovers').selectAll().execute()).toEqual([]);
  });

  it('lets one of two simultaneous runs through and refuses the other clearly', async () => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push((await pupil(`Sim${i}`, 7 + i, i < 2 ? 'KS3' : 'KS4')).id);
    const leaver = await pupil('Last', 13, 'KS5');
    const second = t.client();
    await second.loginAs(adminUser);
    const responses = await Promise.all([run(admin), run(second), run(admin)]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([303, 409, 409]);
    for (const r of responses.filter((x) => x.statusCode === 409))
      expect(text(r.body)).toContain('was already started on');
    // Everyone moved exactly once.
    for (let i = 0; i < 6; i++) expect((await user(ids[i]!)).year_group).toBe(8 + i);
    expect((await user(leaver.id)).archived_at).not.toBeNull();
    expect(await t.db.selectFrom('year_rollovers').select(['school_year', 'moved_up']).execute()).toEqual([
      { school_year: YEAR, moved_up: 6 },
    ]);
    expect(await auditOf('year.rollover')).toHaveLength(1);

    // The same through the domain, two transactions at once: one result, one refusal.
    await t.db.deleteFrom('year_rollovers').execute();
    const outcomes = await Promise.allSettled([
      runRollover(t.db, {
        schoolYear: YEAR,
        keyStageByYear: t.config.accounts.keyStageByYear,
        actor: ADMIN_ACTOR,
        timeZone: t.config.school.timeZone,
      }),
      runRollover(t.db, {
        schoolYear: YEAR,
        keyStageByYear: t.config.accounts.keyStageByYear,
        actor: ADMIN_ACTOR,
        timeZone: t.config.school.timeZone,
      }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(RolloverRefused);
    for (let i = 0; i < 5; i++) expect((await user(ids[i]!)).year_group).toBe(9 + i);
  });

  it('runs once a school year, whatever year is named, and two runs naming different years cannot both pass', async () => {
    const nine = await pupil('Nia', 9, 'KS4');
    const options = {
      keyStageByYear: t.config.accounts.keyStageByYear,
      actor: ADMIN_ACTOR,
      timeZone: t.config.school.timeZone,
    };
    await runRollover(t.db, { ...options, schoolYear: YEAR });
    expect((await user(nine.id)).year_group).toBe(10);
    // Later the same school year (before 1 July), next year's school year named by hand: refused.
    const before = await snapshot();
    await expect(runRollover(t.db, { ...options, schoolYear: YEAR + 1 })).rejects.toThrow(
      /already started on .*since 1 July: running .* now would move everyone up a second time/,
    );
    expect(await snapshot()).toEqual(before);
    const form = await run(admin, { school_year: String(YEAR + 1) });
    expect(form.statusCode).toBe(409);
    expect(text(form.body)).toContain('would move everyone up a second time this year');
    expect(await snapshot()).toEqual(before);
    // From the next 1 July it may run again.
    const nextJuly = new Date(Date.UTC(YEAR + 1, 6, 2, 12));
    await runRollover(t.db, { ...options, schoolYear: YEAR + 1, now: nextJuly });
    expect((await user(nine.id)).year_group).toBe(11);

    // Two runs at once naming different years: one passes, the other is refused.
    await t.db.deleteFrom('year_rollovers').execute();
    const outcomes = await Promise.allSettled([
      runRollover(t.db, { ...options, schoolYear: YEAR }),
      runRollover(t.db, { ...options, schoolYear: YEAR - 1 }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      RolloverRefused,
    );
    expect((await user(nine.id)).year_group).toBe(12);
    expect(await t.db.selectFrom('year_rollovers').selectAll().execute()).toHaveLength(1);
  });

  it('takes a pupil’s points to the board of their new key stage, or starts every board from zero', async () => {
    const ch = await seedChallenge(t, { title: 'Carried', keyStage: 'KS3' });
    const mover = await pupil('Max', 8, 'KS3');
    const stayer = await pupil('Sue', 9, 'KS4');
    for (const p of [mover, stayer]) {
      const c = t.client();
      await c.loginAs(p);
      expect((await c.post(`/challenges/${ch.id}/boxes/${ch.boxIds[0]}/answer`, { answer: '3/4' })).statusCode).toBe(
        303,
      );
    }
    expect(boardRows((await t.client().get('/leaderboard?ks=KS3')).body)).toEqual([
      [1, `Max ${mover.lastName[0]}.`, 3],
    ]);

    expect((await run(admin)).statusCode).toBe(303);
    expect(boardRows((await t.client().get('/leaderboard?ks=KS3')).body)).toEqual([]);
    expect(boardRows((await t.client().get('/leaderboard?ks=KS4')).body)).toEqual([
      [1, `Max ${mover.lastName[0]}.`, 3],
      [2, `Sue ${stayer.lastName[0]}.`, 1],
    ]);
    const scores = () =>
      t.db.selectFrom('scores').select(['user_id', 'key_stage', 'points']).orderBy('user_id').execute();
    const carried = await scores();
    // A recalculation from submissions agrees with the moved boards.
    expect((await admin.post('/admin/leaderboard/recalculate')).statusCode).toBe(303);
    expect(await scores()).toEqual(carried);

    // Next year, with "Start every board from zero".
    await t.db.deleteFrom('year_rollovers').execute();
    expect((await run(admin, { reset_boards: 'yes' })).statusCode).toBe(303);
    expect(await scores()).toEqual([]);
    for (const ks of ['KS3', 'KS4', 'KS5'])
      expect(boardRows((await t.client().get(`/leaderboard?ks=${ks}`)).body)).toEqual([]);
    expect((await t.db.selectFrom('completions').select('user_id').execute()).length).toBe(2);
    expect(JSON.parse((await auditOf('year.rollover')).at(-1)!.details!)).toMatchObject({ boardsReset: true });
  });

  it('ends a leaver’s sessions and tells them at sign-in, after the right password only, that the account is closed', async () => {
    const leaver = await pupil('Lee', 13, 'KS5', { email: 'lee.leaver@school.example.org' });
    const session = t.client();
    await session.loginAs(leaver);
    expect((await session.get('/profile')).statusCode).toBe(200);

    expect((await run(admin)).statusCode).toBe(303);

    const gone = await session.get('/profile');
    expect(gone.statusCode).toBe(302);
    expect(gone.headers.location).toMatch(/^\/login/);
    expect(await t.db.selectFrom('sessions').select('id').where('user_id', '=', leaver.id).execute()).toEqual([]);

    const wrong = await t.client().post('/login', { email: leaver.email, password: 'not the password at all' });
    expect(wrong.statusCode).toBe(401);
    expect(decode(wrong.body)).toContain(LOGIN_FAILED);
    expect(decode(wrong.body)).not.toContain('left school');

    const c = t.client();
    const right = await c.post('/login', { email: leaver.email, password: TEST_PASSWORD });
    expect(right.statusCode).toBe(403);
    expect(decode(right.body)).toContain(ACCOUNT_CLOSED_MESSAGE);
    expect((await c.get('/profile')).statusCode).toBe(302);
    const [refusal] = await auditOf('login.refused');
    expect(refusal).toMatchObject({ target_id: String(leaver.id), actor_id: null });
    expect(JSON.parse(refusal!.details!)).toEqual({ reason: 'archived' });
  });

  it('leaves leavers off every board and public count, until an admin reopens the account', async () => {
    const weekly = await seedChallenge(t, { title: 'Sixth form', keyStage: 'KS5' });
    const school = await seedSchool(t, 'Rollover Academy', 'rollover.example.org', 'member');
    const competition = await seedCompetition(t, [school], { name: 'Leavers cup' });
    const cup = await seedCompetitionChallenge(t, competition, { keyStage: 'KS5' });
    const leaver = await pupil('Zed', 13, 'KS5', { lastName: 'Gone', schoolId: school });
    const stays = await pupil('Amy', 12, 'KS5', { lastName: 'Here', schoolId: school });
    for (const p of [leaver, stays]) {
      await t.db
        .insertInto('competition_participants')
        .values({
          competition_id: competition,
          user_id: p.id,
          school_id: school,
          key_stage: 'KS5',
          created_at: new Date().toISOString(),
        })
        .execute();
      const c = t.client();
      await c.loginAs(p);
      await c.post(`/challenges/${weekly.id}/boxes/${weekly.boxIds[0]}/answer`, { answer: '3/4' });
      await c.post(`/competitions/${competition}/challenges/${cup.id}/boxes/${cup.boxIds[0]}/answer`, {
        answer: '3/4',
      });
    }
    const members = async () =>
      Number(/stat-number">(\d+)<\/span> members?</.exec((await t.client().get('/')).body)![1]);
    const boardParticipants = async () =>
      Number(/data-stat="participants">(\d+)</.exec((await t.client().get('/leaderboard?ks=KS5')).body)![1]);
    const before = { members: await members(), participants: await boardParticipants() };
    expect(before.participants).toBe(2);
    expect(boardRows((await t.client().get('/leaderboard?ks=KS5')).body).map((r) => r[1])).toEqual([
      'Zed G.',
      'Amy H.',
    ]);
    const cupPage = async () => text((await t.client().get(`/competitions/${competition}`)).body);
    expect(await cupPage()).toContain('Zed G.');
    expect(await cupPage()).toMatch(/Rollover Academy 4 2 2 2\.0/);

    expect((await run(admin)).statusCode).toBe(303);

    const board = (await t.client().get('/leaderboard?ks=KS5')).body;
    expect(boardRows(board)).toEqual([[1, 'Amy H.', 1]]);
    expect(text(board)).not.toContain('Zed G.');
    expect(await boardParticipants()).toBe(1);
    expect(await members()).toBe(before.members - 1);
    expect(await cupPage()).not.toContain('Zed G.');
    expect(await cupPage()).toMatch(/Rollover Academy 1 1 1 1\.0/);
    // Amy (now Year 13) is first on her board: the leaver above her no longer counts.
    const amy = t.client();
    await amy.loginAs(stays);
    const profile = text((await amy.get('/profile')).body);
    expect(profile).toContain('Rank #1 on the KS5 leaderboard');
    expect(profile).toContain('Leavers cup (running) KS5 1 #1 Rollover Academy #1 of 1');

    // The users list finds the leavers; the admin reopens the account from its page.
    const list = decode((await admin.get('/admin/users?archived=yes')).body);
    expect(list).toContain(`data-user-row="${leaver.id}"`);
    expect(list).not.toContain(`data-user-row="${stays.id}"`);
    expect(list).toContain('Left school');
    const page = decode((await admin.get(`/admin/users/${leaver.id}/edit`)).body);
    expect(page).toContain(`action="/admin/users/${leaver.id}/unarchive"`);
    const reopen = await admin.post(`/admin/users/${leaver.id}/unarchive`);
    expect(reopen.statusCode).toBe(303);
    expect(reopen.headers.location).toBe(`/admin/users/${leaver.id}/edit`);
    expect((await user(leaver.id)).archived_at).toBeNull();
    expect(JSON.parse((await auditOf('user.unarchive'))[0]!.details!)).toMatchObject({ email: leaver.email });
    expect(boardRows((await t.client().get('/leaderboard?ks=KS5')).body).map((r) => r[1])).toEqual([
      'Zed G.',
      'Amy H.',
    ]);
    expect(await members()).toBe(before.members);
    const back = await t.client().post('/login', { email: leaver.email, password: TEST_PASSWORD });
    expect(back.statusCode).toBe(303);
    expect((await admin.post(`/admin/users/${leaver.id}/unarchive`)).statusCode).toBe(303);
    expect(flashes((await admin.get(`/admin/users/${leaver.id}/edit`)).body)).toEqual([
      'info: This account was not closed.',
    ]);
  });

  it('purges leavers archived longer ago than the retention, as an account deletion does, with no email', async () => {
    const ch = await seedChallenge(t, { title: 'Remembered', keyStage: 'KS5' });
    const old = await pupil('Ola', 13, 'KS5');
    const recent = await pupil('Rae', 13, 'KS5');
    const current = await pupil('Cy', 12, 'KS5');
    for (const p of [old, recent, current]) {
      const c = t.client();
      await c.loginAs(p);
      await c.post(`/challenges/${ch.id}/boxes/${ch.boxIds[0]}/answer`, { answer: '3/4' });
    }
    const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
    await t.db
      .updateTable('users')
      .set({ archived_at: ago(400) })
      .where('id', '=', old.id)
      .execute();
    await t.db
      .updateTable('users')
      .set({ archived_at: ago(10) })
      .where('id', '=', recent.id)
      .execute();
    await t.db.deleteFrom('mail_outbox').execute();

    const dry = await purgeLeavers(t.db, { retentionDays: 365, actor: ADMIN_ACTOR, dryRun: true });
    expect(dry.removed.map((r) => r.id)).toEqual([old.id]);
    expect(await t.db.selectFrom('users').select('id').where('id', '=', old.id).execute()).toHaveLength(1);

    const done = await purgeLeavers(t.db, { retentionDays: 365, actor: ADMIN_ACTOR });
    expect(done.removed.map((r) => r.email)).toEqual([old.email]);
    const left = (await t.db.selectFrom('users').select('id').execute()).map((r) => r.id);
    expect(left).not.toContain(old.id);
    expect(left).toContain(recent.id);
    expect(left).toContain(current.id);
    for (const table of ['submissions', 'completions', 'scores', 'sessions'] as const)
      expect(await t.db.selectFrom(table).select('user_id').where('user_id', '=', old.id).execute()).toEqual([]);
    expect(await t.db.selectFrom('mail_outbox').selectAll().execute()).toEqual([]);
    const [entry, ...more] = await auditOf('leaver.purge');
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ target_type: 'user', target_id: String(old.id), actor_email: ADMIN_ACTOR.email });
    expect(JSON.parse(entry!.details!)).toMatchObject({ email: old.email, retentionDays: 365, completions: 1 });
  });

  it('is for admins only', async () => {
    const student = t.client();
    await student.loginAs(await pupil('Stu', 9, 'KS4'));
    const teacher = t.client();
    await teacher.loginAs(await t.createUser({ teacher: true }));
    const target = await pupil('Tia', 13, 'KS5');
    for (const c of [student, teacher]) {
      expect((await c.get('/admin/year-rollover')).statusCode).toBe(403);
      expect((await run(c)).statusCode).toBe(403);
      expect((await c.post(`/admin/users/${target.id}/unarchive`)).statusCode).toBe(403);
    }
    const visitor = await t.client().get('/admin/year-rollover');
    expect(visitor.statusCode).toBe(302);
    expect(visitor.headers.location).toMatch(/^\/login/);
    expect(await t.db.selectFrom('year_rollovers').selectAll().execute()).toEqual([]);
    expect((await user(target.id)).archived_at).toBeNull();
  });
});

describe.each(await availableDialects())('new school year with another key-stage map on %s', (dialect) => {
  it('gives each moved pupil the key stage of the configured map', async () => {
    const env = { KEY_STAGE_YEARS: '7-9:KS3,10-11:KS4,12-13:KS5' };
    expect(loadConfig({ APP_ENV: 'testing', ...env }).accounts.keyStageByYear[9]).toBe('KS3');
    const t = await createTestApp(dialect, env);
    try {
      const admin = t.client();
      await admin.loginAs(await t.createUser({ isAdmin: true }));
      const y8 = await t.createUser({ yearGroup: 8, keyStage: 'KS3' });
      const y9 = await t.createUser({ yearGroup: 9, keyStage: 'KS3' });
      const y11 = await t.createUser({ yearGroup: 11, keyStage: 'KS4' });
      const preview = text((await admin.get('/admin/year-rollover')).body);
      expect(preview).toMatch(/Year 8 Year 9 KS3 → KS3 1/);
      expect(preview).toMatch(/Year 9 Year 10 KS3 → KS4 1/);
      const res = await admin.post('/admin/year-rollover', { school_year: String(YEAR), confirm: 'yes' });
      expect(res.statusCode).toBe(303);
      const ks = async (id: number) =>
        (await t.db.selectFrom('users').select(['year_group', 'key_stage']).where('id', '=', id).executeTakeFirst())!;
      expect(await ks(y8.id)).toEqual({ year_group: 9, key_stage: 'KS3' });
      expect(await ks(y9.id)).toEqual({ year_group: 10, key_stage: 'KS4' });
      expect(await ks(y11.id)).toEqual({ year_group: 12, key_stage: 'KS5' });
    } finally {
      await t.close();
    }
  });
});
