// "Forgot your password?" end to end, on SQLite and PostgreSQL, with the email
// delivered by a real SMTP server and its link followed as a person would.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtp.js';
import { auditRows, controlAttributes, decode } from '../accounts/helpers.js';

const RESET_SUBJECT = 'Reset your Maths Society password';
const CHANGED_SUBJECT = 'Your Maths Society password was changed';
const NEW_PASSWORD = 'violet harbour lantern sketch';

describe.each(await availableDialects())('password reset on %s', (dialect) => {
  let t: TestApp;
  let smtp: TestSmtp;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp(dialect, { SMTP_URL: smtp.url });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const ask = (c: TestClient, email: string) => c.post('/forgot-password', { email });
  /** The reset link of the next reset email to `email`, as path and query. */
  const resetLinkFor = async (email: string): Promise<string> => {
    const mail = await smtp.waitForMail({ to: email, subject: RESET_SUBJECT });
    const links = smtp.linksIn(mail);
    expect(links).toHaveLength(1);
    const url = new URL(links[0]!);
    expect(url.pathname).toBe('/reset-password');
    return url.pathname + url.search;
  };
  const tokenIn = (pathAndQuery: string) => new URL(pathAndQuery, 'http://x').searchParams.get('token')!;
  const hashOf = async (userId: number) =>
    (await t.db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirstOrThrow())
      .password_hash;
  const flashAfter = async (c: TestClient, res: LightMyRequestResponse) => {
    expect(res.statusCode).toBe(303);
    return decode((await c.get(res.headers.location as string)).body);
  };
  /** Signed in: the profile is not refused with a redirect to the login page. */
  const signedIn = async (c: TestClient) => {
    const res = await c.get('/profile');
    return !String(res.headers.location ?? '').startsWith('/login');
  };
  const logIn = (c: TestClient, email: string, password: string) => c.post('/login', { email, password });

  it('the login page offers "Forgot your password?"', async () => {
    const login = await t.client().get('/login');
    expect(login.body).toContain('<a href="/forgot-password">Forgot your password?</a>');
    const page = await t.client().get('/forgot-password');
    expect(page.statusCode).toBe(200);
    expect(controlAttributes(page.body, 'email')).toMatchObject({ type: 'email', autocomplete: 'username' });
  });

  it('answers a known and an unknown address alike, and emails only the account', async () => {
    const user = await t.createUser();
    const unknown = `nobody-${user.id}@school.example.org`;
    const answers = [];
    for (const email of [unknown, user.email]) {
      const c = t.client();
      const res = await ask(c, email);
      answers.push({
        status: res.statusCode,
        location: res.headers.location,
        cookies: res.cookies.map((k) => k.name).sort(),
        flash: (await flashAfter(c, res)).replaceAll(email, 'EMAIL').match(/If an account uses EMAIL[^<]*/)?.[0],
      });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.flash).toBe(
      'If an account uses EMAIL, we have emailed it a link to choose a new password. The link works for 60 minutes.',
    );
    await resetLinkFor(user.email);
    // The sender works in order: the unknown address, asked for first, got nothing.
    expect(smtp.messages.some((m) => m.to.includes(unknown))).toBe(false);
    const requests = await auditRows(t, 'account.password_reset_request');
    const known = (details: string | null) => (JSON.parse(details ?? '{}') as { known?: boolean }).known;
    expect(requests.slice(-2).map((r) => [r.target_id, known(r.details)])).toEqual([
      [null, false],
      [String(user.id), true],
    ]);
  });

  it('a host the site cannot name in a link gets the same answer for a known and an unknown address', async () => {
    // No SERVER_NAME here, so a link may only name this machine; a foreign Host header cannot be used.
    const user = await t.createUser();
    const answers = [];
    for (const email of [`nobody-${user.id}@school.example.org`, user.email]) {
      const res = await t.client().post('/forgot-password', { email }, { headers: { host: 'attacker.example' } });
      answers.push([res.statusCode, res.headers.location ?? null]);
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(await t.db.selectFrom('email_tokens').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
  });

  it('an address that is not one gets a message beside the field and nothing is sent', async () => {
    const before = await t.db.selectFrom('mail_outbox').select('id').execute();
    const res = await ask(t.client(), 'not an address');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="email-error"');
    expect(await t.db.selectFrom('mail_outbox').select('id').execute()).toEqual(before);
  });

  it('the emailed link resets the password once, ends every session and tells the owner', async () => {
    const user = await t.createUser({ mustChangePassword: true });
    const phone = t.client();
    const laptop = t.client();
    await phone.loginAs(user);
    await laptop.loginAs(user);
    expect(await signedIn(laptop)).toBe(true);

    const visitor = t.client();
    await ask(visitor, user.email.toUpperCase());
    const link = await resetLinkFor(user.email);

    const before = await hashOf(user.id);
    // The emailed address moves the token out of the URL at once, and is never sent on as a Referer.
    const opened = await visitor.get(link);
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe('/reset-password');
    expect(opened.headers['referrer-policy']).toBe('no-referrer');
    const page = await visitor.get('/reset-password');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toContain('no-store');
    expect(page.body).toContain(user.email);
    // The form posts to an address without the token; the token rides in a hidden field.
    expect(page.body).toContain('<form method="post" action="/reset-password"');
    expect(controlAttributes(page.body, 'token')).toMatchObject({ type: 'hidden', value: tokenIn(link) });
    // Opening the link (twice) changed nothing; another browser without the link sees no form.
    expect((await visitor.get(link)).statusCode).toBe(303);
    expect(await hashOf(user.id)).toBe(before);
    expect((await t.client().get('/reset-password')).statusCode).toBe(400);

    const done = await visitor.post('/reset-password', {
      token: tokenIn(link),
      new_password: NEW_PASSWORD,
      new_password_confirm: NEW_PASSWORD,
    });
    expect(done.headers.location).toBe('/login');
    expect(await flashAfter(visitor, done)).toContain('Your password has been changed');

    expect(await signedIn(phone)).toBe(false);
    expect(await signedIn(laptop)).toBe(false);
    expect((await logIn(t.client(), user.email, TEST_PASSWORD)).statusCode).toBe(401);
    const fresh = t.client();
    const login = await logIn(fresh, user.email, NEW_PASSWORD);
    expect(login.statusCode).toBe(303);
    // The one-time password an admin gave is no longer waiting to be changed.
    expect(login.headers.location).toBe('/');

    const notice = await smtp.waitForMail({ to: user.email, subject: CHANGED_SUBJECT });
    expect(notice.text).toContain('password-reset link');
    expect(smtp.linksIn(notice).map((l) => new URL(l).pathname)).toEqual(['/forgot-password']);

    const again = await t.client().get(link);
    expect(again.statusCode).toBe(410);
    expect(decode(again.body)).toContain('This link has already been used');
    const replay = await t.client().post('/reset-password', {
      token: tokenIn(link),
      new_password: 'another fine long passphrase',
      new_password_confirm: 'another fine long passphrase',
    });
    expect(replay.statusCode).toBe(410);
    expect((await logIn(t.client(), user.email, NEW_PASSWORD)).statusCode).toBe(303);

    const [entry] = (await auditRows(t, 'account.password_reset')).filter((r) => r.target_id === String(user.id));
    expect(entry).toMatchObject({ actor_id: user.id, actor_email: user.email });
  });

  it('expired, truncated, forged and missing tokens get a clear page and change nothing', async () => {
    const user = await t.createUser();
    const before = await hashOf(user.id);
    await ask(t.client(), user.email);
    const link = await resetLinkFor(user.email);
    const token = tokenIn(link);
    const forged = `${token.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const cases: Array<[string, number, string]> = [
      [`/reset-password?token=${token.slice(0, 30)}`, 400, 'This link does not work'],
      [`/reset-password?token=${forged}`, 400, 'This link does not work'],
      ['/reset-password', 400, 'This link does not work'],
      [`/reset-password?token=${encodeURIComponent("' or 1=1 --")}`, 400, 'This link does not work'],
    ];
    for (const [path, status, title] of cases) {
      const res = await t.client().get(path);
      expect(res.statusCode, path).toBe(status);
      expect(decode(res.body)).toContain(title);
      expect(res.body).toContain('href="/forgot-password"');
      const post = await t.client().post('/reset-password', {
        token: new URL(path, 'http://x').searchParams.get('token') ?? '',
        new_password: NEW_PASSWORD,
        new_password_confirm: NEW_PASSWORD,
      });
      expect(post.statusCode, path).toBe(status);
    }
    await t.db
      .updateTable('email_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('user_id', '=', user.id)
      .execute();
    const expired = await t.client().get(link);
    expect(expired.statusCode).toBe(410);
    expect(decode(expired.body)).toContain('This link has expired');
    const late = await t.client().post('/reset-password', {
      token,
      new_password: NEW_PASSWORD,
      new_password_confirm: NEW_PASSWORD,
    });
    expect(late.statusCode).toBe(410);
    expect(await hashOf(user.id)).toBe(before);
  });

  it('asking again replaces the earlier link', async () => {
    const user = await t.createUser();
    await ask(t.client(), user.email);
    const first = await resetLinkFor(user.email);
    await ask(t.client(), user.email);
    const second = await resetLinkFor(user.email);
    expect((await t.client().get(first)).statusCode).toBe(410);
    expect((await t.client().get(second)).statusCode).toBe(303);
  });

  it('a password changed meanwhile (on the profile) ends the reset link', async () => {
    const user = await t.createUser();
    await ask(t.client(), user.email);
    const link = await resetLinkFor(user.email);
    const owner = t.client();
    await owner.loginAs(user);
    const changed = await owner.post('/profile/password', {
      current_password: TEST_PASSWORD,
      new_password: NEW_PASSWORD,
      new_password_confirm: NEW_PASSWORD,
    });
    expect(changed.statusCode).toBe(303);
    const before = await hashOf(user.id);
    const opened = await t.client().get(link);
    expect(opened.statusCode).toBe(410);
    const posted = await t.client().post('/reset-password', {
      token: tokenIn(link),
      new_password: 'the link is old by now',
      new_password_confirm: 'the link is old by now',
    });
    expect(posted.statusCode).toBe(410);
    expect(await hashOf(user.id)).toBe(before);
  });

  it('the new password follows the password rules; a refused one leaves the link usable', async () => {
    const admin = await t.createUser({ isAdmin: true });
    await ask(t.client(), admin.email);
    const token = tokenIn(await resetLinkFor(admin.email));
    const before = await hashOf(admin.id);
    const attempts: Array<[Record<string, string>, string, string]> = [
      [{ new_password: 'short', new_password_confirm: 'short' }, 'new_password', 'at least 12'],
      [{ new_password: 'password1234', new_password_confirm: 'password1234' }, 'new_password', 'common'],
      [{ new_password: NEW_PASSWORD, new_password_confirm: 'something else' }, 'new_password_confirm', 'do not match'],
    ];
    for (const [fields, name, message] of attempts) {
      const res = await t.client().post('/reset-password', { token, ...fields });
      expect(res.statusCode).toBe(400);
      expect(decode(res.body)).toMatch(new RegExp(`id="${name}-error">[^<]*${message}`, 'i'));
      expect(controlAttributes(res.body, 'token')?.value).toBe(token);
    }
    expect(await hashOf(admin.id)).toBe(before);
    const ok = await t.client().post('/reset-password', {
      token,
      new_password: NEW_PASSWORD,
      new_password_confirm: NEW_PASSWORD,
    });
    expect(ok.statusCode).toBe(303);
  });

  it('two requests racing with one link: one sets its password, the other is refused', async () => {
    const user = await t.createUser();
    await ask(t.client(), user.email);
    const token = tokenIn(await resetLinkFor(user.email));
    const passwords = ['first racer password here', 'second racer password here'];
    const results = await Promise.all(
      passwords.map((p) => t.client().post('/reset-password', { token, new_password: p, new_password_confirm: p })),
    );
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses).toEqual([303, 410]);
    const winner = passwords[results.findIndex((r) => r.statusCode === 303)]!;
    expect((await logIn(t.client(), user.email, winner)).statusCode).toBe(303);
  });

  it('a refusing mail server leaves the link in the outbox; the person sees the usual answer', async () => {
    const user = await t.createUser();
    smtp.refuse(true);
    let res: LightMyRequestResponse;
    try {
      res = await ask(t.client(), user.email);
      expect(res.statusCode).toBe(303);
      await t.app.mailer.flush();
      const queued = await t.db
        .selectFrom('mail_outbox')
        .selectAll()
        .where('to_address', '=', user.email)
        .executeTakeFirstOrThrow();
      expect(queued.sent_at).toBeNull();
      expect(queued.last_error).toMatch(/451/);
    } finally {
      smtp.refuse(false);
    }
    await t.db
      .updateTable('mail_outbox')
      .set({ next_attempt_at: new Date(Date.now() - 1000).toISOString() })
      .where('to_address', '=', user.email)
      .execute();
    await t.app.mailer.flush();
    const link = await resetLinkFor(user.email);
    expect((await t.client().get(link)).statusCode).toBe(303);
  });

  it('no token ever reaches the access log line', async () => {
    const { loggedUrl } = await import('../../../src/logger.js');
    expect(loggedUrl('/reset-password?token=abcDEF_-123&x=1')).toBe('/reset-password?token=[redacted]&x=1');
    expect(loggedUrl('/verify-email?a=1&token=abc')).toBe('/verify-email?a=1&token=[redacted]');
  });
});

describe.each(await availableDialects())('password reset limits on %s', (dialect) => {
  let t: TestApp;
  let smtp: TestSmtp;
  let user: TestUser;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp(dialect, {
      SMTP_URL: smtp.url,
      RATELIMIT_ENABLED: 'true',
      RATELIMIT_DEFAULT: '100000 per hour',
      RATELIMIT_EMAIL_ADDRESS: '2 per hour',
      RATELIMIT_EMAIL_LINKS: '5 per hour',
    });
    user = await t.createUser();
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('one address gets at most RATELIMIT_EMAIL_ADDRESS links, whoever asks; unknown addresses alike', async () => {
    for (const email of [user.email, `ghost-${user.id}@school.example.org`]) {
      const statuses = [];
      for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
        statuses.push((await t.client({ ip }).post('/forgot-password', { email })).statusCode);
      expect(statuses).toEqual([303, 303, 429]);
    }
    const refused = await t.client({ ip: '203.0.113.4' }).post('/forgot-password', { email: user.email });
    expect(refused.statusCode).toBe(429);
    expect(decode(refused.body)).toContain(`Several links have gone to ${user.email} recently`);
    await smtp.waitForMail({ to: user.email, subject: RESET_SUBJECT });
    await smtp.waitForMail({ to: user.email, subject: RESET_SUBJECT });
    const sent = await t.db.selectFrom('mail_outbox').select('id').where('to_address', '=', user.email).execute();
    expect(sent).toHaveLength(2);
  });

  it('one client address may ask RATELIMIT_EMAIL_LINKS times, whatever addresses it types', async () => {
    const c = t.client({ ip: '198.51.100.7' });
    const statuses = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await c.post('/forgot-password', { email: `many${i}@school.example.org` })).statusCode);
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429]);
  });
});
