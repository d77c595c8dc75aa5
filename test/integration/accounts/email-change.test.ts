// Changing an email address (ADR 023), against the real app and a real SMTP
// server: on the profile by a link to the new address, with a notice to the old
// one; by an admin at once, the account then waiting for the new address's
// link; and the admin's "Confirmed" column, filter and "Mark as confirmed".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtp.js';
import { addSchool, auditRows, decode, fieldError, SCHOOL_DOMAIN } from './helpers.js';

const CHANGE_SUBJECT = 'Confirm your new email address';
const CHANGED_SUBJECT = 'Your email address has been changed';

describe.each(await availableDialects())('changing an email address on %s', (dialect) => {
  let t: TestApp;
  let smtp: TestSmtp;
  let schoolId: number;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp(dialect, {
      REQUIRE_EMAIL_VERIFICATION: 'true',
      SMTP_URL: smtp.url,
      // Tokens checked, as in production.
      CSRF_ENABLED: 'true',
    });
    schoolId = await addSchool(t);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  let n = 0;
  const address = (who: string) => `${who}${++n}-${Date.now()}@${SCHOOL_DOMAIN}`;
  const pupil = async (fields: { emailVerified?: boolean } = {}) => {
    const u = await t.createUser({
      email: address('pupil'),
      firstName: 'Sophie',
      lastName: 'Germain',
      schoolId,
      ...fields,
    });
    const c = t.client();
    await c.loginAs(u);
    return { u, c };
  };
  const emailOf = async (id: number) =>
    await t.db
      .selectFrom('users')
      .select(['email', 'email_verified_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const linkIn = (mail: { text: string }, path: string) => {
    const link = smtp.linksIn(mail).find((l) => new URL(l).pathname === path);
    expect(link, `a link to ${path}`).toBeDefined();
    const u = new URL(link!);
    return { path: u.pathname + u.search, token: u.searchParams.get('token')! };
  };
  const table = async () =>
    JSON.stringify([
      await t.db.selectFrom('users').selectAll().orderBy('id').execute(),
      await t.db.selectFrom('email_tokens').selectAll().orderBy('id').execute(),
    ]);

  describe('on the profile', () => {
    it('refuses a wrong password, the same address and another school’s domain, changing nothing', async () => {
      const { u, c } = await pupil();
      const before = await table();
      const cases: Array<[Record<string, string>, string, string]> = [
        [{ email: address('new'), password: 'not my password' }, 'password', 'That is not your current password.'],
        [{ email: address('new'), password: '' }, 'password', 'Type your current password to confirm.'],
        [{ email: u.email, password: TEST_PASSWORD }, 'email', 'This is already your email address.'],
        [{ email: 'sophie@elsewhere.example.org', password: TEST_PASSWORD }, 'email', `@${SCHOOL_DOMAIN}`],
        [{ email: 'not an address', password: TEST_PASSWORD }, 'email', 'valid email address'],
      ];
      for (const [body, name, message] of cases) {
        const res = await c.post('/profile/email', body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(fieldError(res.body, name), JSON.stringify(body)).toContain(message);
      }
      expect(await table()).toBe(before);
    });

    it('sends a link to the new address; GET shows, POST changes it; the old address is told', async () => {
      const { u, c } = await pupil();
      const next = address('renamed');
      const res = await c.post('/profile/email', { email: next.toUpperCase(), password: TEST_PASSWORD });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/profile');
      expect(await emailOf(u.id)).toMatchObject({ email: u.email });

      const mail = await smtp.waitForMail({ to: next, subject: CHANGE_SUBJECT });
      expect(mail.text).toContain('Hello Sophie,');
      const { path, token } = linkIn(mail, '/confirm-email');
      const before = await table();
      const shown = await c.get(path);
      expect(shown.statusCode).toBe(200);
      expect(decode(shown.body)).toContain(
        `from <strong class="address">${u.email}</strong> to <strong class="address">${next}</strong>`,
      );
      expect(shown.body).toContain('Confirm my new email');
      expect(await table()).toBe(before);

      const done = await c.post('/confirm-email', { token });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/profile');
      const after = await emailOf(u.id);
      expect(after.email).toBe(next);
      expect(after.email_verified_at).not.toBeNull();
      const notice = await smtp.waitForMail({ to: u.email, subject: CHANGED_SUBJECT });
      expect(notice.text).toContain(next);
      const audit = await auditRows(t, 'account.email_change');
      expect(audit.some((e) => e.target_id === String(u.id) && e.details!.includes(next))).toBe(true);

      // The new address logs in; the old one no longer does; the link is spent.
      const fresh = t.client();
      expect((await fresh.post('/login', { email: next, password: TEST_PASSWORD })).headers.location).toBe('/');
      expect((await t.client().post('/login', { email: u.email, password: TEST_PASSWORD })).statusCode).toBe(401);
      expect((await c.post('/confirm-email', { token })).statusCode).toBe(410);
    });

    it('a password-reset link sent to the old address stops working once the address has changed', async () => {
      const { u, c } = await pupil();
      await t.client().post('/forgot-password', { email: u.email });
      const reset = smtp.linksIn(await smtp.waitForMail({ to: u.email, subject: 'Reset your Maths Society password' }));
      const resetToken = new URL(reset[0]!).searchParams.get('token')!;
      const next = address('moved');
      await c.post('/profile/email', { email: next, password: TEST_PASSWORD });
      const { token } = linkIn(await smtp.waitForMail({ to: next, subject: CHANGE_SUBJECT }), '/confirm-email');
      expect((await c.post('/confirm-email', { token })).statusCode).toBe(303);
      expect((await emailOf(u.id)).email).toBe(next);

      const before = await table();
      const old = t.client();
      const opened = await old.get(`/reset-password?token=${resetToken}`);
      expect(opened.statusCode).toBe(400);
      expect(decode(opened.body)).toContain('This link does not work');
      const posted = await old.post('/reset-password', {
        token: resetToken,
        new_password: 'taken over by the old mailbox',
        new_password_confirm: 'taken over by the old mailbox',
      });
      expect(posted.statusCode).toBe(400);
      expect(await table()).toBe(before);
      expect((await t.client().post('/login', { email: next, password: TEST_PASSWORD })).statusCode).toBe(303);
    });

    it('a new address that already has an account: the same answer, that owner is told, no link exists', async () => {
      const { u, c } = await pupil();
      const other = await t.createUser({ email: address('other'), firstName: 'Otto', schoolId });
      const before = await table();
      const res = await c.post('/profile/email', { email: other.email, password: TEST_PASSWORD });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/profile');
      const notice = await smtp.waitForMail({ to: other.email, subject: 'Someone tried to use your email address' });
      expect(notice.text).toContain('Hello Otto,');
      expect(smtp.linksIn(notice).some((l) => l.includes('/confirm-email'))).toBe(false);
      expect(await table()).toBe(before);
      expect((await emailOf(u.id)).email).toBe(u.email);
    });

    it('a link whose address was taken meanwhile changes nothing (409)', async () => {
      const { u, c } = await pupil();
      const next = address('race');
      await c.post('/profile/email', { email: next, password: TEST_PASSWORD });
      const { path, token } = linkIn(await smtp.waitForMail({ to: next, subject: CHANGE_SUBJECT }), '/confirm-email');
      await t.createUser({ email: next, schoolId });
      const before = await table();
      expect((await c.get(path)).statusCode).toBe(409);
      const res = await c.post('/confirm-email', { token });
      expect(res.statusCode).toBe(409);
      expect(decode(res.body)).toContain('Another account now uses this email address');
      expect(await table()).toBe(before);
      expect((await emailOf(u.id)).email).toBe(u.email);
    });

    it('forged and cut-short change links are refused', async () => {
      const c = t.client();
      for (const bad of ['x'.repeat(43), 'abc', '']) {
        expect((await c.get(`/confirm-email?token=${bad}`)).statusCode, bad).toBe(400);
        expect((await c.post('/confirm-email', { token: bad })).statusCode, bad).toBe(400);
      }
    });
  });

  describe('by an admin', () => {
    let admin: TestClient;
    let adminUser: Awaited<ReturnType<TestApp['createUser']>>;
    beforeAll(async () => {
      adminUser = await t.createUser({ isAdmin: true, email: address('admin'), lastName: 'Admin' });
      admin = t.client();
      await admin.loginAs(adminUser);
    });
    const editForm = (u: { firstName: string; lastName: string }, email: string) => ({
      first_name: u.firstName,
      last_name: u.lastName,
      email,
      role: 'student',
      year_group: '9',
      maths_class: '',
    });

    it('applies at once, marks the account unconfirmed, links the new address and tells the old one', async () => {
      const { u, c } = await pupil();
      const next = address('by-admin');
      const res = await admin.post(`/admin/users/${u.id}`, editForm(u, next));
      expect(res.statusCode).toBe(303);
      const after = await emailOf(u.id);
      expect(after).toEqual({ email: next, email_verified_at: null });
      await smtp.waitForMail({ to: u.email, subject: CHANGED_SUBJECT });
      const mail = await smtp.waitForMail({ to: next, subject: 'Confirm your email address' });
      expect(mail.text).toContain('A teacher who runs the Maths Society has changed');

      // Gated until the new address is confirmed; then back.
      expect((await c.get('/challenges')).headers.location).toBe('/check-your-inbox');
      const { token } = linkIn(mail, '/verify-email');
      expect((await c.post('/verify-email', { token })).headers.location).toBe('/challenges');
      expect((await c.get('/challenges')).statusCode).toBe(200);
    });

    it('refuses to change the admin’s own address there', async () => {
      const before = await table();
      const res = await admin.post(`/admin/users/${adminUser.id}`, {
        ...editForm(adminUser, address('self')),
        role: 'admin',
        year_group: '',
      });
      expect(res.statusCode).toBe(400);
      expect(fieldError(res.body, 'email')).toContain('on your profile page');
      expect(await table()).toBe(before);
    });

    it('creates accounts confirmed', async () => {
      const email = address('created');
      const res = await admin.post('/admin/users', { ...editForm({ firstName: 'New', lastName: 'Pupil' }, email) });
      expect(res.statusCode).toBe(201);
      expect(
        (
          await t.db
            .selectFrom('users')
            .select('email_verified_at')
            .where('email', '=', email)
            .executeTakeFirstOrThrow()
        ).email_verified_at,
      ).not.toBeNull();
    });

    it('lists who is confirmed, filters by it, and marks an account confirmed (POST, CSRF, audited)', async () => {
      const waiting = await t.createUser({
        email: address('waiting'),
        lastName: 'Waitingfilter',
        emailVerified: false,
      });
      const done = await t.createUser({ email: address('done'), lastName: 'Donefilter' });
      const list = decode((await admin.get('/admin/users?q=filter')).body);
      expect(list).toContain('Not confirmed');
      const unconfirmed = decode((await admin.get('/admin/users?q=filter&verified=no')).body);
      expect(unconfirmed).toContain(waiting.email);
      expect(unconfirmed).not.toContain(done.email);
      const confirmed = decode((await admin.get('/admin/users?q=filter&verified=yes')).body);
      expect(confirmed).toContain(done.email);
      expect(confirmed).not.toContain(waiting.email);
      expect((await admin.get(`/admin/users/${waiting.id}/edit`)).body).toContain('Mark as confirmed');

      const before = await table();
      const forged = await admin.post(`/admin/users/${waiting.id}/verify`, {}, { csrf: 'not-the-token' });
      expect(forged.statusCode).toBe(403);
      const student = t.client();
      await student.loginAs(done);
      expect((await student.post(`/admin/users/${waiting.id}/verify`)).statusCode).toBe(403);
      expect(await table()).toBe(before);

      const res = await admin.post(`/admin/users/${waiting.id}/verify`);
      expect(res.statusCode).toBe(303);
      expect((await emailOf(waiting.id)).email_verified_at).not.toBeNull();
      const audit = await auditRows(t, 'user.verify');
      expect(audit.some((e) => e.target_id === String(waiting.id) && e.actor_id === adminUser.id)).toBe(true);
      expect((await admin.post(`/admin/users/${waiting.id}/verify`)).statusCode).toBe(303);
      expect((await auditRows(t, 'user.verify')).filter((e) => e.target_id === String(waiting.id))).toHaveLength(1);
    });
  });
});

describe('an admin’s email change without confirmed addresses (REQUIRE_EMAIL_VERIFICATION=false)', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp('sqlite', { REQUIRE_EMAIL_VERIFICATION: 'false', SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('stays confirmed, and the old address is still told', async () => {
    const u = await t.createUser({ email: `keep@${SCHOOL_DOMAIN}`, firstName: 'Keep', lastName: 'Going' });
    const admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
    const res = await admin.post(`/admin/users/${u.id}`, {
      first_name: 'Keep',
      last_name: u.lastName,
      email: `kept@${SCHOOL_DOMAIN}`,
      role: 'student',
      year_group: '9',
      maths_class: '',
    });
    expect(res.statusCode).toBe(303);
    const row = await t.db.selectFrom('users').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.email).toBe(`kept@${SCHOOL_DOMAIN}`);
    expect(row.email_verified_at).not.toBeNull();
    await smtp.waitForMail({ to: `keep@${SCHOOL_DOMAIN}`, subject: CHANGED_SUBJECT });
  });
});
