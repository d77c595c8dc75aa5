// A school that switched password sign-in off (ADR 036), through the real app
// on SQLite and PostgreSQL: its pupils' and teachers' right password is
// refused (403, no session, audited) while a wrong one gets the usual answer;
// admins still sign in; "Forgot your password?" answers alike and emails a
// word on the school sign-in instead of a link; registration with a password
// for the school's domain is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_FAILED } from '../../../src/web/routes/auth.js';
import { sealSecret } from '../../../src/domain/sso/secret-box.js';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtp.js';
import { addSchool, auditRows, decode, fieldError, registration } from '../accounts/helpers.js';
import { seedCompetition } from '../competitions/fixtures.js';

describe.each(await availableDialects())('password sign-in switched off on %s', (dialect) => {
  let t: TestApp;
  let smtp: TestSmtp;
  let schoolId: number;
  let openSchoolId: number;
  const domain = `eastgate-${dialect}.example.org`;
  const openDomain = `westgate-${dialect}.example.org`;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp(dialect, { REQUIRE_EMAIL_VERIFICATION: 'false', SMTP_URL: smtp.url });
    schoolId = await addSchool(t, domain, 'Eastgate School');
    openSchoolId = await addSchool(t, openDomain, 'Westgate School');
    const now = new Date().toISOString();
    await t.db
      .insertInto('sso_providers')
      .values({
        school_id: schoolId,
        kind: 'microsoft',
        label: 'Microsoft',
        issuer: 'https://login.microsoftonline.com/1b2c3d4e-0000-4a5b-8c9d-0123456789ab/v2.0',
        client_id: 'c',
        client_secret_enc: sealSecret(t.config.secretKey, 'secret'),
        allowed_domains: domain,
        enabled: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await t.db.updateTable('schools').set({ password_sign_in: 0 }).where('id', '=', schoolId).execute();
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const signedIn = async (c: TestClient) => {
    const res = await c.get('/profile');
    return res.statusCode === 200;
  };
  const logIn = (c: TestClient, email: string, password: string) => c.post('/login', { email, password });

  it('a pupil’s right password is refused with the school sign-in named, no session, audited; a wrong one gets the usual answer', async () => {
    const pupil = await t.createUser({ email: `pupil@${domain}`, schoolId });
    const wrong = t.client();
    const bad = await logIn(wrong, pupil.email, 'not the password at all');
    expect(bad.statusCode).toBe(401);
    expect(decode(bad.body)).toContain(LOGIN_FAILED);
    expect(decode(bad.body)).not.toContain('Your school signs in');

    const c = t.client();
    const res = await logIn(c, pupil.email, TEST_PASSWORD);
    expect(res.statusCode).toBe(403);
    expect(decode(res.body)).toContain('Your school signs in with its Microsoft account: use the button below.');
    expect(res.cookies.map((k) => k.name)).not.toContain(t.config.session.cookieName);
    expect(await signedIn(c)).toBe(false);

    const failures = (await auditRows(t, 'login.failure')).filter((r) => r.target_id === String(pupil.id));
    expect(failures.map((f) => JSON.parse(f.details!) as unknown)).toEqual([
      { reason: 'wrong-password' },
      { reason: 'password-sign-in-off' },
    ]);
    expect((await auditRows(t, 'login.success')).some((r) => r.target_id === String(pupil.id))).toBe(false);
  });

  it('a teacher of the school is refused too; admins of the school and pupils of other schools sign in', async () => {
    const teacher = await t.createUser({ email: `teacher@${domain}`, schoolId, teacher: true });
    expect((await logIn(t.client(), teacher.email, TEST_PASSWORD)).statusCode).toBe(403);

    const admin = await t.createUser({ email: `head@${domain}`, schoolId, isAdmin: true });
    const a = t.client();
    expect((await logIn(a, admin.email, TEST_PASSWORD)).statusCode).toBe(303);
    expect(await signedIn(a)).toBe(true);

    const other = await t.createUser({ email: `pupil@${openDomain}`, schoolId: openSchoolId });
    const o = t.client();
    expect((await logIn(o, other.email, TEST_PASSWORD)).statusCode).toBe(303);
    expect(await signedIn(o)).toBe(true);
  });

  it('"Forgot your password?" answers alike; the email says to use the school sign-in and carries no link', async () => {
    const pupil = await t.createUser({ email: `forgetful@${domain}`, firstName: 'Femi', schoolId });
    const other = await t.createUser({ email: `forgetful@${openDomain}`, schoolId: openSchoolId });
    const answers = [];
    for (const email of [pupil.email, other.email, `nobody@${domain}`]) {
      const c = t.client();
      const res = await c.post('/forgot-password', { email });
      expect(res.statusCode).toBe(303);
      const page = decode((await c.get(res.headers.location as string)).body);
      answers.push({
        location: res.headers.location,
        flash: page.replaceAll(email, 'EMAIL').match(/If an account uses EMAIL[^<]*/)?.[0],
      });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);

    // The other school's pupil gets the usual link; this school's pupil a word on the school sign-in.
    const usual = await smtp.waitForMail({ to: other.email });
    expect(usual.subject).toBe('Reset your Maths Society password');
    const mail = await smtp.waitForMail({ to: pupil.email });
    expect(mail.subject).toBe('How to sign in to the Maths Society');
    expect(mail.text).toContain('Hello Femi,');
    expect(mail.text).toContain(
      'Your school signs in with its Microsoft account, not with a password, so there is no password to reset.',
    );
    expect(smtp.linksIn(mail)).toEqual([]);
    expect(mail.html).not.toContain('href=');
    expect(smtp.messages.filter((m) => m.to.includes(pupil.email))).toHaveLength(1);
    expect(await t.db.selectFrom('email_tokens').selectAll().where('user_id', '=', pupil.id).execute()).toEqual([]);
  });

  it('registration with a password for the school’s domain is refused; the other school still registers', async () => {
    const email = `newpupil@${domain}`;
    const res = await t.client().post('/register', registration({ email }));
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'email')).toBe(
      'Eastgate School signs in with its Microsoft accounts, not with passwords: use your school’s sign-in button on the login page instead of registering.',
    );
    expect(await t.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()).toBeUndefined();

    const ok = await t.client().post('/register', registration({ email: `newpupil@${openDomain}` }));
    expect(ok.statusCode).toBe(303);
  });

  it('registering for a competition with a password is refused for the school too', async () => {
    const cid = await seedCompetition(t, [schoolId, openSchoolId], { name: `Spring ${dialect}` });
    const form = (school: number, email: string) => ({
      school_id: String(school),
      first_name: 'Ada',
      last_name: 'Lovelace',
      email,
      year_group: '9',
      password: TEST_PASSWORD,
      password_confirm: TEST_PASSWORD,
    });
    const refused = await t
      .client()
      .post(`/competition/register?competition=${cid}`, form(schoolId, `racer@${domain}`));
    expect(refused.statusCode).toBe(400);
    expect(fieldError(refused.body, 'email')).toMatch(/^Eastgate School signs in with its Microsoft accounts/);
    expect(
      await t.db.selectFrom('users').select('id').where('email', '=', `racer@${domain}`).executeTakeFirst(),
    ).toBeUndefined();
    const ok = await t
      .client()
      .post(`/competition/register?competition=${cid}`, form(openSchoolId, `racer@${openDomain}`));
    expect(ok.statusCode).toBe(303);
  });

  it('switched back on, the pupil signs in with the password again', async () => {
    await t.db.updateTable('schools').set({ password_sign_in: 1 }).where('id', '=', schoolId).execute();
    try {
      const pupil = await t.createUser({ email: `returning@${domain}`, schoolId });
      const c = t.client();
      expect((await logIn(c, pupil.email, TEST_PASSWORD)).statusCode).toBe(303);
      expect(await signedIn(c)).toBe(true);
    } finally {
      await t.db.updateTable('schools').set({ password_sign_in: 0 }).where('id', '=', schoolId).execute();
    }
  });
});
