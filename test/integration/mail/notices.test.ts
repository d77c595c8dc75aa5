// Notices to an account's owner, delivered by a real SMTP server: a password
// changed on the profile, reset by an admin, an account deleted by its owner
// or by an admin. A change that fails sends nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtp.js';

const CHANGED = 'Your Maths Society password was changed';
const DELETED = 'Your Maths Society account was deleted';
const NEW_PASSWORD = 'orange meadow quiet piano';

describe.each(await availableDialects())('notices on %s', (dialect) => {
  let t: TestApp;
  let smtp: TestSmtp;
  let admin: TestClient;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp(dialect, { SMTP_URL: smtp.url });
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const outboxTo = (email: string) =>
    t.db.selectFrom('mail_outbox').select(['kind']).where('to_address', '=', email).execute();

  it('a password changed on the profile is told to the owner, with a way to reset it', async () => {
    const user = await t.createUser({ firstName: '<Ann>' });
    const c = t.client();
    await c.loginAs(user);
    const wrong = await c.post('/profile/password', {
      current_password: 'not my password',
      new_password: NEW_PASSWORD,
      new_password_confirm: NEW_PASSWORD,
    });
    expect(wrong.statusCode).toBe(400);
    expect(await outboxTo(user.email)).toEqual([]);

    const res = await c.post('/profile/password', {
      current_password: TEST_PASSWORD,
      new_password: NEW_PASSWORD,
      new_password_confirm: NEW_PASSWORD,
    });
    expect(res.statusCode).toBe(303);
    const mail = await smtp.waitForMail({ to: user.email, subject: CHANGED });
    expect(mail.text).toContain('Hello <Ann>,');
    expect(mail.html).toContain('Hello &lt;Ann&gt;,');
    expect(mail.text).toContain('changed on its profile page');
    expect(mail.text).not.toContain(NEW_PASSWORD);
    expect(smtp.linksIn(mail)).toEqual(['http://localhost/forgot-password']);
  });

  it('an admin resetting a password: the owner is told, and the one-time password is not in the email', async () => {
    const user = await t.createUser();
    const res = await admin.post(`/admin/users/${user.id}/reset-password`);
    expect(res.statusCode).toBe(200);
    const oneTime = /data-one-time-password(?:="true")?>([^<]+)</.exec(res.body)?.[1];
    expect(oneTime).toBeDefined();
    const mail = await smtp.waitForMail({ to: user.email, subject: CHANGED });
    expect(mail.text).toContain('A teacher who runs the Maths Society has reset the password');
    expect(`${mail.text}${mail.html}`).not.toContain(oneTime!);
    expect(smtp.linksIn(mail)).toEqual([]);
  });

  it('an account deleted by its owner: a notice to its address', async () => {
    const user = await t.createUser();
    const c = t.client();
    await c.loginAs(user);
    expect((await c.post('/profile/delete', { password: 'wrong' })).statusCode).toBe(400);
    expect(await outboxTo(user.email)).toEqual([]);
    expect((await c.post('/profile/delete', { password: TEST_PASSWORD })).statusCode).toBe(303);
    const mail = await smtp.waitForMail({ to: user.email, subject: DELETED });
    expect(mail.text).toContain('has been deleted, as you asked');
  });

  it('an account deleted by an admin, alone or in a bulk action: a notice to each address', async () => {
    const one = await t.createUser();
    const two = await t.createUser();
    const three = await t.createUser();
    expect((await admin.post(`/admin/users/${one.id}/delete`)).statusCode).toBe(303);
    const bulk = await admin.post('/admin/users/bulk', JSON.stringify({ action: 'delete', ids: [two.id, three.id] }), {
      json: true,
    });
    expect(bulk.statusCode).toBe(200);
    for (const u of [one, two, three]) {
      const mail = await smtp.waitForMail({ to: u.email, subject: DELETED });
      expect(mail.text).toContain('A teacher who runs the Maths Society has deleted your account');
    }
  });
});
