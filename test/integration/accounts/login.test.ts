import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_FAILED } from '../../../src/web/routes/auth.js';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { addSchool, auditRows, controlAttributes, decode, fieldError } from './helpers.js';

const COOKIE = 'mathsoc_session';
const sessionCookie = (c: TestClient) => c.cookies.get(COOKIE);

describe.each(await availableDialects())('login and logout on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await addSchool(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (c: TestClient, email: string, password: string, extra: Record<string, string> = {}) =>
    c.post('/login', { email, password, ...extra });

  it('shows the form with a password field and a remember-me box', async () => {
    const res = await t.client().get('/login?next=/profile');
    expect(res.statusCode).toBe(200);
    expect(controlAttributes(res.body, 'password')?.type).toBe('password');
    expect(controlAttributes(res.body, 'remember')?.type).toBe('checkbox');
    expect(controlAttributes(res.body, 'next')?.value).toBe('/profile');
  });

  it('logs in with any capitalisation of the email and redirects home', async () => {
    const user = await t.createUser();
    const c = t.client();
    const res = await login(c, `  ${user.email.toUpperCase()} `, TEST_PASSWORD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(sessionCookie(c)).toBeTruthy();
    expect((await c.get('/profile')).statusCode).toBe(200);
    const row = await t.db
      .selectFrom('users')
      .select('last_login_at')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.last_login_at).not.toBeNull();
  });

  it('answers an unknown email and a wrong password identically', async () => {
    const user = await t.createUser({ email: 'known@school.example.org' });
    const unknown = await login(t.client(), 'unknown@school.example.org', 'some password here');
    const wrong = await login(t.client(), user.email, 'some password here');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    const normalise = (html: string) =>
      decode(html)
        .replace(/(known|unknown)@school\.example\.org/g, 'EMAIL')
        .replace(/content="[^"]+"|value="[A-Za-z0-9_-]{40,}"/g, 'TOKEN');
    expect(normalise(unknown.body)).toBe(normalise(wrong.body));
    expect(decode(unknown.body)).toContain(LOGIN_FAILED);
    expect(unknown.headers['set-cookie']?.toString() ?? '').not.toContain(COOKIE);
    // The typed email is kept, the password is not.
    expect(controlAttributes(wrong.body, 'email')?.value).toBe(user.email);
    expect(controlAttributes(wrong.body, 'password')?.value).toBeUndefined();
  });

  it('asks for missing fields', async () => {
    const res = await login(t.client(), '', '');
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'email')).toBe('Enter your email address.');
    expect(fieldError(res.body, 'password')).toBe('Enter your password.');
  });

  it('writes every attempt to the audit log with IP and user agent', async () => {
    const user = await t.createUser();
    const c = t.client({ ip: '203.0.113.9' });
    await c.post(
      '/login',
      { email: user.email, password: 'wrong password here' },
      { headers: { 'user-agent': 'TestBrowser/1.0' } },
    );
    await c.post(
      '/login',
      { email: 'ghost@school.example.org', password: 'wrong password here' },
      { headers: { 'user-agent': 'TestBrowser/1.0' } },
    );
    await c.post(
      '/login',
      { email: user.email, password: TEST_PASSWORD },
      { headers: { 'user-agent': 'TestBrowser/1.0' } },
    );
    const failures = (await auditRows(t, 'login.failure')).filter((r) => r.ip === '203.0.113.9');
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({
      actor_id: null,
      actor_email: user.email,
      target_type: 'user',
      target_id: String(user.id),
      user_agent: 'TestBrowser/1.0',
    });
    expect(JSON.parse(failures[0]!.details!)).toEqual({ reason: 'wrong-password' });
    expect(failures[1]).toMatchObject({ actor_email: 'ghost@school.example.org', target_id: null });
    expect(JSON.parse(failures[1]!.details!)).toEqual({ reason: 'unknown-email' });
    const success = (await auditRows(t, 'login.success')).filter((r) => r.ip === '203.0.113.9');
    expect(success).toHaveLength(1);
    expect(success[0]).toMatchObject({ actor_id: user.id, actor_email: user.email, user_agent: 'TestBrowser/1.0' });
  });

  it('rotates the session id: a session held before login is worthless after it', async () => {
    const attacker = await t.createUser();
    const victim = await t.createUser();
    const c = t.client();
    await c.loginAs(attacker);
    const planted = sessionCookie(c)!;
    const res = await login(c, victim.email, TEST_PASSWORD);
    expect(res.statusCode).toBe(303);
    const fresh = sessionCookie(c)!;
    expect(fresh).not.toBe(planted);
    const replay = t.client();
    replay.cookies.set(COOKIE, planted);
    expect((await replay.get('/profile')).statusCode).toBe(302);
    const sessions = await t.db.selectFrom('sessions').select('user_id').where('user_id', '=', attacker.id).execute();
    expect(sessions).toHaveLength(0);
  });

  it('remember me gives a persistent cookie; without it the cookie ends with the browser', async () => {
    const user = await t.createUser();
    const remembered = await login(t.client(), user.email, TEST_PASSWORD, { remember: 'on' });
    const cookie = (remembered.cookies as Array<{ name: string; maxAge?: number }>).find((k) => k.name === COOKIE);
    expect(cookie?.maxAge).toBe(30 * 24 * 3600);
    const plain = await login(t.client(), user.email, TEST_PASSWORD);
    const plainCookie = (plain.cookies as Array<{ name: string; maxAge?: number; expires?: Date }>).find(
      (k) => k.name === COOKIE,
    );
    expect(plainCookie?.maxAge).toBeUndefined();
    expect(plainCookie?.expires).toBeUndefined();
    const rows = await t.db
      .selectFrom('sessions')
      .select('remember')
      .where('user_id', '=', user.id)
      .orderBy('created_at')
      .execute();
    expect(rows.map((r) => r.remember).sort()).toEqual([0, 1]);
  });

  it.each([
    ['/profile', '/profile'],
    ['/challenges?page=2', '/challenges?page=2'],
    ['//evil.example.com/', '/'],
    ['https://evil.example.com/', '/'],
    ['/\\evil.example.com', '/'],
    ['javascript:alert(1)', '/'],
    ['profile', '/'],
  ])('follows next=%s only to same-site paths (→ %s)', async (next, expected) => {
    const user = await t.createUser();
    const res = await login(t.client(), user.email, TEST_PASSWORD, { next });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(expected);
  });

  it('logout is a POST that ends the session on the server', async () => {
    const user = await t.createUser();
    const c = t.client();
    await login(c, user.email, TEST_PASSWORD);
    const cookie = sessionCookie(c)!;
    expect((await c.get('/logout')).statusCode).toBe(404);
    expect((await c.get('/profile')).statusCode).toBe(200);
    const res = await c.post('/logout');
    expect(res.statusCode).toBe(303);
    expect(sessionCookie(c)).toBeUndefined();
    expect(await t.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toHaveLength(0);
    // The old cookie, replayed, no longer opens anything.
    const replay = t.client();
    replay.cookies.set(COOKIE, cookie);
    const after = await replay.get('/profile');
    expect(after.statusCode).toBe(302);
    expect(after.headers.location).toBe('/login?next=%2Fprofile');
    expect((await auditRows(t, 'logout')).some((r) => r.actor_id === user.id)).toBe(true);
  });

  it('the header shows a logout form, not a link', async () => {
    const user = await t.createUser();
    const c = t.client();
    await c.loginAs(user);
    const page = await c.get('/profile');
    expect(page.body).toMatch(/<form method="post" action="\/logout"/);
    expect(page.body).not.toMatch(/<a [^>]*href="\/logout"/);
  });

  it('an already signed-in visitor to /login goes on to next', async () => {
    const user = await t.createUser();
    const c = t.client();
    await c.loginAs(user);
    expect((await c.get('/login?next=/profile')).headers.location).toBe('/profile');
  });
});

describe.each(await availableDialects())('brute-force protection on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, {
      RATELIMIT_ENABLED: 'true',
      RATELIMIT_LOGIN_ACCOUNT: '3 per hour',
      RATELIMIT_LOGIN: '4 per minute',
      RATELIMIT_DEFAULT: '1000 per minute',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  let ip = 10;
  const fromNewAddress = () => t.client({ ip: `198.51.100.${ip++}` });

  it('throttles an account after repeated failures from any address, even for the right password from a new device', async () => {
    const user = await t.createUser();
    for (let i = 0; i < 3; i++) {
      expect(
        (await fromNewAddress().post('/login', { email: user.email, password: `wrong guess ${i}` })).statusCode,
      ).toBe(401);
    }
    const locked = await fromNewAddress().post('/login', { email: user.email, password: TEST_PASSWORD });
    expect(locked.statusCode).toBe(429);
    expect(decode(locked.body)).toMatch(/Too many attempts, try again in \d+ minutes?\./);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.headers['set-cookie']?.toString() ?? '').not.toContain(COOKIE);
    const entries = await auditRows(t, 'login.throttled');
    expect(
      entries.some(
        (e) => e.actor_email === user.email && (JSON.parse(e.details!) as { throttle?: string }).throttle === 'account',
      ),
    ).toBe(true);
    // Another account is not affected.
    const other = await t.createUser();
    expect((await fromNewAddress().post('/login', { email: other.email, password: TEST_PASSWORD })).statusCode).toBe(
      303,
    );
  });

  it('throttles an unknown email exactly the same way (no enumeration through the throttle)', async () => {
    const user = await t.createUser();
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(
        (await fromNewAddress().post('/login', { email: user.email, password: `wrong guess ${i}` })).statusCode,
      );
      unknown.push(
        (
          await fromNewAddress().post('/login', {
            email: 'nobody-here@school.example.org',
            password: `wrong guess ${i}`,
          })
        ).statusCode,
      );
    }
    expect(known).toEqual([401, 401, 401, 429]);
    expect(unknown).toEqual(known);
  });

  it('a successful login leaves the account counter running but makes its device known', async () => {
    const user = await t.createUser();
    for (let i = 0; i < 2; i++)
      await fromNewAddress().post('/login', { email: user.email, password: `wrong guess ${i}` });
    const laptop = fromNewAddress();
    expect((await laptop.post('/login', { email: user.email, password: TEST_PASSWORD })).statusCode).toBe(303);
    expect((await fromNewAddress().post('/login', { email: user.email, password: TEST_PASSWORD })).statusCode).toBe(
      429,
    );
    await laptop.post('/logout');
    expect((await laptop.post('/login', { email: user.email, password: TEST_PASSWORD })).statusCode).toBe(303);
  });

  it('limits login attempts per address', async () => {
    const c = fromNewAddress();
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) {
      codes.push(
        (await c.post('/login', { email: `someone${i}@school.example.org`, password: 'wrong guess' })).statusCode,
      );
    }
    expect(codes).toEqual([401, 401, 401, 401, 429]);
  });
});

describe('login with CSRF protection on', () => {
  it('refuses a login form without its token and accepts one with it', async () => {
    const t = await createTestApp('sqlite', { CSRF_ENABLED: 'true' });
    try {
      const user = await t.createUser();
      const c = t.client();
      const bare = await c.post('/login', { email: user.email, password: TEST_PASSWORD }, { csrf: false });
      expect(bare.statusCode).toBe(403);
      expect(sessionCookie(c)).toBeUndefined();
      const ok = await c.post('/login', { email: user.email, password: TEST_PASSWORD });
      expect(ok.statusCode).toBe(303);
      const logoutBare = await c.post('/logout', {}, { csrf: false });
      expect(logoutBare.statusCode).toBe(403);
      expect((await c.get('/profile')).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
