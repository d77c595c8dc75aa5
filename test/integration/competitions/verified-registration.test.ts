// Competition registration when addresses must be confirmed: the same rules as
// /register (ADR 023). The account and its place wait for the link, a taken
// address is answered alike and its owner told, and once confirmed the pupil
// answers the competition's challenges for their school.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtp.js';
import { decode } from '../challenges/fixtures.js';
import { seedCompetition, seedCompetitionChallenge, seedSchool } from './fixtures.js';

describe.each(await availableDialects())('competition registration with confirmed addresses on %s', (dialect) => {
  let t: TestApp;
  let smtp: TestSmtp;
  let school: number;
  let competition: number;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp(dialect, { REQUIRE_EMAIL_VERIFICATION: 'true', SMTP_URL: smtp.url });
    school = await seedSchool(t, 'Verified School', 'verified.example.org');
    competition = await seedCompetition(t, [school], { name: 'Winter Cup' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  let n = 0;
  const form = (email = `pupil${++n}-${Date.now()}@verified.example.org`) => ({
    school_id: String(school),
    first_name: 'Mary',
    last_name: 'Somerville',
    email,
    year_group: '9',
    password: TEST_PASSWORD,
    password_confirm: TEST_PASSWORD,
  });
  const register = async (body: Record<string, string>) => {
    const c = t.client();
    const res = await c.post(`/competition/register?competition=${competition}`, body);
    return { c, res, page: await c.get(String(res.headers.location)) };
  };

  it('makes an unconfirmed account with its place, signs nobody in, and emails the link', async () => {
    const body = form();
    const { c, res, page } = await register(body);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/check-your-inbox');
    expect(c.cookies.has(t.config.session.cookieName)).toBe(false);
    expect(decode(page.body)).toContain(`We have sent an email to ${body.email}`);
    const user = await t.db.selectFrom('users').selectAll().where('email', '=', body.email).executeTakeFirstOrThrow();
    expect(user.email_verified_at).toBeNull();
    expect(user.is_participant).toBe(1);
    const place = await t.db
      .selectFrom('competition_participants')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(place).toMatchObject({ competition_id: competition, school_id: school, key_stage: 'KS4' });
    const mail = await smtp.waitForMail({ to: body.email, subject: 'Confirm your email address' });
    expect(mail.text).toContain('Winter Cup');
    // Not on the school rankings until confirmed.
    const board = decode((await t.client().get(`/competitions/${competition}`)).body);
    expect(board).not.toMatch(/Verified School<\/td><td>\d+<\/td><td>\d+<\/td><td>[1-9]/); // no registered pupil counted
  });

  it('a taken address gets the same answer; its owner is told and keeps everything', async () => {
    const owner = await t.createUser({ email: `owner-${Date.now()}@verified.example.org`, schoolId: school });
    const fresh = await register(form());
    const taken = await register(form(owner.email));
    expect(taken.res.statusCode).toBe(fresh.res.statusCode);
    expect(taken.res.headers.location).toBe(fresh.res.headers.location);
    expect(taken.page.statusCode).toBe(fresh.page.statusCode);
    expect(decode(taken.page.body)).not.toContain('already exists');
    const notice = await smtp.waitForMail({ to: owner.email, subject: 'Someone tried to use your email address' });
    expect(notice.text).toContain('Winter Cup');
    expect(
      await t.db.selectFrom('competition_participants').select('id').where('user_id', '=', owner.id).execute(),
    ).toEqual([]);
  });

  it('once confirmed, the pupil answers the competition challenge and appears on its boards', async () => {
    const challenge = await seedCompetitionChallenge(t, competition, { title: 'Cup fractions', keyStage: 'KS4' });
    const body = form();
    await register(body);
    const mail = await smtp.waitForMail({ to: body.email, subject: 'Confirm your email address' });
    const link = new URL(smtp.linksIn(mail).find((l) => l.includes('/verify-email'))!);
    const c = t.client();
    expect((await c.get(link.pathname + link.search)).statusCode).toBe(200);
    const done = await c.post('/verify-email', { token: link.searchParams.get('token')! });
    expect(done.headers.location).toBe(`/login?next=${encodeURIComponent('/competition')}`);
    const login = await c.post('/login', { email: body.email, password: TEST_PASSWORD, next: '/competition' });
    expect(login.headers.location).toBe('/competition');
    const answer = await c.post(
      `/competitions/${competition}/challenges/${challenge.id}/boxes/${challenge.boxIds[0]}/answer`,
      { answer: '3/4' },
    );
    expect(answer.statusCode).toBe(303);
    const page = decode((await t.client().get(`/competitions/${competition}`)).body);
    expect(page).toContain('Mary S.');
  });
});
