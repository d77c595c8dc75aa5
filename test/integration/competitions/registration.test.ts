// Schools, competitions and registration through a school: the exact
// email-domain rule, existing accounts joining, and the admin CRUD messages.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { decode, flashes } from '../challenges/fixtures.js';
import { seedCompetition, seedParticipant, seedSchool } from './fixtures.js';

describe.each(await availableDialects())('competition registration on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    for (const table of [
      'competition_scores',
      'competition_participants',
      'competition_schools',
      'completions',
      'submissions',
      'challenges',
      'competitions',
      'sessions',
    ] as const) {
      await t.db.deleteFrom(table).execute();
    }
    await t.db.deleteFrom('users').execute();
    await t.db.deleteFrom('schools').execute();
  });

  const form = (schoolId: number, email: string, year = '9') => ({
    school_id: String(schoolId),
    first_name: 'Ada',
    last_name: 'Lovelace',
    email,
    year_group: year,
    password: TEST_PASSWORD,
    password_confirm: TEST_PASSWORD,
  });

  it('accepts only the exact school domain, in any case, and marks the account a participant', async () => {
    const school = await seedSchool(t, 'School One', 'school.org');
    const other = await seedSchool(t, 'Evil School', 'evil-school.org');
    const cid = await seedCompetition(t, [school, other]);
    for (const bad of [
      'ada@evil-school.org',
      'ada@school.org.evil.com',
      'ada@sub.school.org',
      'ada@school.org@evil.com',
    ]) {
      const res = await t.client().post(`/competition/register?competition=${cid}`, form(school, bad));
      expect(res.statusCode, bad).toBe(400);
      expect(decode(res.body)).toMatch(
        /Use your School One email address: it must end in @school\.org\.|Enter a valid email address/,
      );
    }
    expect(await t.db.selectFrom('users').selectAll().execute()).toEqual([]);

    const c = t.client();
    const res = await c.post(`/competition/register?competition=${cid}`, form(school, '  Ada@SCHOOL.ORG '));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/competitions/${cid}/challenges`);
    const user = await t.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      email: 'ada@school.org',
      key_stage: 'KS4',
      year_group: 9,
      school_id: school,
      is_participant: 1,
    });
    const p = await t.db.selectFrom('competition_participants').selectAll().executeTakeFirstOrThrow();
    expect(p).toMatchObject({ competition_id: cid, user_id: user.id, school_id: school, key_stage: 'KS4' });
    expect((await c.get(`/competitions/${cid}`)).body).toContain('You take part for School One in KS4.');
  });

  it('refuses a school that is not in the competition, weak passwords and a missing year', async () => {
    const school = await seedSchool(t, 'School One', 'school.org');
    const outside = await seedSchool(t, 'Outside', 'outside.org');
    const cid = await seedCompetition(t, [school]);
    let res = await t.client().post(`/competition/register?competition=${cid}`, form(outside, 'ada@outside.org'));
    expect(decode(res.body)).toContain('Choose your school from the list.');
    res = await t.client().post(`/competition/register?competition=${cid}`, {
      ...form(school, 'ada@school.org', ''),
      password: 'password',
      password_confirm: 'password',
    });
    expect(res.statusCode).toBe(400);
    expect(decode(res.body)).toContain('Choose your school year (7 to 13).');
    expect(await t.db.selectFrom('users').selectAll().execute()).toEqual([]);
  });

  it('sends an existing account to log in, then lets it join with one POST', async () => {
    const school = await seedSchool(t, 'School One', 'school.org');
    const cid = await seedCompetition(t, [school]);
    const existing = await t.createUser({ email: 'ada@school.org', keyStage: 'KS3', yearGroup: 8 });
    const res = await t.client().post(`/competition/register?competition=${cid}`, form(school, 'ada@school.org'));
    expect(res.statusCode).toBe(400);
    expect(decode(res.body)).toContain(
      'An account with this email address already exists. Log in, then join the competition from this page.',
    );
    expect(res.body).toContain(`/login?next=${encodeURIComponent(`/competitions/${cid}`)}`);

    const c = t.client();
    await c.loginAs(existing);
    expect((await c.get(`/competitions/${cid}`)).body).toContain('Join the competition');
    const join = await c.post('/competition/join', { competition_id: String(cid) });
    expect(join.statusCode).toBe(303);
    expect(flashes((await c.get(`/competitions/${cid}`)).body)).toContain(
      `success: You have joined Autumn competition for School One in KS3.`,
    );
    const p = await t.db.selectFrom('competition_participants').selectAll().executeTakeFirstOrThrow();
    expect(p).toMatchObject({ user_id: existing.id, school_id: school, key_stage: 'KS3' });
    expect(
      (await t.db.selectFrom('users').select('is_participant').where('id', '=', existing.id).executeTakeFirstOrThrow())
        .is_participant,
    ).toBe(1);
    await c.post('/competition/join', { competition_id: String(cid) });
    expect(flashes((await c.get(`/competitions/${cid}`)).body)).toContain(
      'info: You already take part in Autumn competition.',
    );
  });

  it('does not let an account of another domain join', async () => {
    const school = await seedSchool(t, 'School One', 'school.org');
    const cid = await seedCompetition(t, [school]);
    const u = await t.createUser({ email: 'eve@evil-school.org' });
    const c = t.client();
    await c.loginAs(u);
    expect((await c.get(`/competitions/${cid}`)).body).not.toContain('Join the competition');
    await c.post('/competition/join', { competition_id: String(cid) });
    expect(flashes((await c.get(`/competitions/${cid}`)).body)).toEqual([
      'error: Your email address does not belong to one of the schools in Autumn competition, so you cannot join it.',
    ]);
    expect(await t.db.selectFrom('competition_participants').selectAll().execute()).toEqual([]);
  });

  it('admin school CRUD: duplicate names get a message, a school with participants is kept', async () => {
    const admin = await t.createUser({ isAdmin: true });
    const c = t.client();
    await c.loginAs(admin);
    let res = await c.post('/admin/schools/new', {
      name: 'Hill School',
      email_domain: '@Hill.ORG',
      address: '1 Hill Road',
      kind: 'guest',
    });
    expect(res.statusCode).toBe(303);
    const hill = await t.db
      .selectFrom('schools')
      .selectAll()
      .where('name', '=', 'Hill School')
      .executeTakeFirstOrThrow();
    expect(hill).toMatchObject({ email_domain: 'hill.org', address: '1 Hill Road', kind: 'guest' });
    res = await c.post('/admin/schools/new', { name: 'hill school', email_domain: 'other.org', kind: 'member' });
    expect(res.statusCode).toBe(400);
    expect(decode(res.body)).toContain('A school called «hill school» already exists.');
    res = await c.post('/admin/schools/new', { name: 'Bad', email_domain: 'https://bad.org/x' });
    expect(decode(res.body)).toContain('Enter only the part after the @');

    const cid = await seedCompetition(t, [hill.id]);
    await seedParticipant(t, cid, hill.id, 'KS4', 'p@hill.org');
    await c.post(`/admin/schools/${hill.id}/delete`);
    expect(flashes((await c.get('/admin/schools')).body)).toEqual([
      'error: «Hill School» cannot be deleted: 1 competition participant belongs to it. Remove them from their competitions first.',
    ]);
    expect(await t.db.selectFrom('schools').select('id').where('id', '=', hill.id).executeTakeFirst()).toBeTruthy();

    const empty = await seedSchool(t, 'Empty School', 'empty.org');
    await c.post(`/admin/schools/${empty}/delete`);
    expect(await t.db.selectFrom('schools').select('id').where('id', '=', empty).executeTakeFirst()).toBeUndefined();
    const actions = (
      await t.db.selectFrom('audit_log').select('action').where('action', 'like', 'school.%').execute()
    ).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['school.create', 'school.delete']));
  });

  it('admin competition CRUD: validates dates, sanitises the about text, sets schools', async () => {
    const admin = await t.createUser({ isAdmin: true });
    const school = await seedSchool(t, 'School One', 'school.org');
    const c = t.client();
    await c.loginAs(admin);
    let res = await c.post('/admin/competitions/new', {
      name: 'Autumn',
      about_html: '<p>Hi</p>',
      starts_at: '2030-10-05T09:00',
      ends_at: '2030-10-01T09:00',
    });
    expect(res.statusCode).toBe(400);
    expect(decode(res.body)).toContain('The end must be after the start.');
    res = await c.post('/admin/competitions/new', {
      name: 'Autumn',
      about_html: '<p>Hi<script>alert(1)</script></p>',
      starts_at: '2030-10-05T09:00',
      ends_at: '2030-10-30T17:00',
      [`school-${school}`]: 'on',
    });
    expect(res.statusCode).toBe(303);
    const comp = await t.db.selectFrom('competitions').selectAll().executeTakeFirstOrThrow();
    expect(comp.about_html).not.toContain('script');
    expect(comp.starts_at).toBe('2030-10-05T08:00:00.000Z');
    expect(await t.db.selectFrom('competition_schools').selectAll().execute()).toEqual([
      { competition_id: comp.id, school_id: school },
    ]);
    res = await c.post('/admin/competitions/new', {
      name: 'autumn',
      starts_at: '2030-10-05T09:00',
      ends_at: '2030-10-30T17:00',
    });
    expect(decode(res.body)).toContain('A competition called «autumn» already exists.');
    expect((await t.client().get('/competition')).body).toContain('School One');
  });
});
