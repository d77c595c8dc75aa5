// Sessions (the role Flask-Login played), through real HTTP on SQLite and
// PostgreSQL: cookie flags, server-side records, rotation, timeouts, logout,
// "sign out everywhere else" and the access guards.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashToken } from '../../src/security/session.js';
import { availableDialects } from '../helpers/db.js';
import { cookiePair, createProbeApp, setCookie, STRONG_SECRET, type ProbeApp } from './helpers.js';

const HTTPS = { 'x-forwarded-proto': 'https' };
const NAME = 'mathsoc_session';
const MIN = 60_000;

async function makeUser(t: ProbeApp, isAdmin = false): Promise<number> {
  const now = new Date().toISOString();
  const row = await t.database.db
    .insertInto('users')
    .values({
      email: `u${Math.random().toString(36).slice(2)}@school.example.org`,
      first_name: 'Ada',
      last_name: 'Lovelace',
      password_hash: 'x',
      year_group: isAdmin ? null : 10,
      key_stage: isAdmin ? null : 'KS4',
      maths_class: null,
      school_id: null,
      user_type: isAdmin ? 'teacher' : 'student',
      is_admin: isAdmin ? 1 : 0,
      email_verified_at: now,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Logs in through logIn() and returns the cookie to send back ("name=value"). */
async function login(t: ProbeApp, userId: number, opts: { https?: boolean; remember?: boolean; cookie?: string } = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/__t/login',
    headers: { ...(opts.https ? HTTPS : {}), ...(opts.cookie ? { cookie: opts.cookie } : {}) },
    payload: { userId: String(userId), remember: String(opts.remember === true) },
  });
  expect(res.statusCode).toBe(200);
  const name = opts.https ? `__Host-${NAME}` : NAME;
  return { res, header: setCookie(res, name)!, cookie: cookiePair(setCookie(res, name)) };
}

async function whoAmI(
  t: ProbeApp,
  cookie: string,
  https = false,
): Promise<{ res: LightMyRequestResponse; userId: number | null; isAdmin: boolean | null }> {
  const res = await t.app.inject({ url: '/__t/request', headers: { cookie, ...(https ? HTTPS : {}) } });
  const body = res.json<{ userId: number | null; isAdmin: boolean | null }>();
  return { res, userId: body.userId, isAdmin: body.isAdmin };
}

const sessionRows = (t: ProbeApp, userId: number) =>
  t.database.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();

describe.each(await availableDialects())('sessions on %s', (dialect) => {
  let prod: ProbeApp;
  let dev: ProbeApp;
  beforeAll(async () => {
    prod = await createProbeApp(dialect, {
      APP_ENV: 'production',
      SECRET_KEY: STRONG_SECRET,
      RATELIMIT_ENABLED: 'false',
    });
    dev = await createProbeApp(dialect, {
      APP_ENV: 'development',
      RATELIMIT_ENABLED: 'false',
      SESSION_IDLE_TIMEOUT_MINUTES: '5',
      SESSION_ABSOLUTE_TIMEOUT_HOURS: '1',
      SESSION_REMEMBER_DAYS: '7',
    });
  });
  afterAll(async () => {
    await prod.close();
    await dev.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('cookie', () => {
    it('over HTTPS: __Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, ends with the browser session', async () => {
      const { header } = await login(prod, await makeUser(prod), { https: true });
      expect(header).toMatch(/^__Host-mathsoc_session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
      expect(header).not.toMatch(/Domain=|Max-Age|Expires/i);
    });

    it('over plain HTTP (development): no prefix and no Secure flag, still HttpOnly and SameSite=Lax', async () => {
      const { header } = await login(dev, await makeUser(dev));
      expect(header).toMatch(/^mathsoc_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    });

    it('"remember me" makes it persistent for SESSION_REMEMBER_DAYS (default 30)', async () => {
      const { header } = await login(prod, await makeUser(prod), { https: true, remember: true });
      expect(header).toContain('Max-Age=2592000');
      expect((await login(dev, await makeUser(dev), { remember: true })).header).toContain('Max-Age=604800');
    });

    it('is signed: a forged or tampered value is not a session', async () => {
      const { cookie } = await login(prod, await makeUser(prod), { https: true });
      const [name, value] = cookie.split('=');
      const token = value!.split('.')[0]!;
      expect((await whoAmI(prod, `${name}=${token}`, true)).userId).toBeNull();
      expect((await whoAmI(prod, `${name}=${token}x.${value!.split('.')[1]}`, true)).userId).toBeNull();
    });

    it('a cookie set over HTTPS is not read over plain HTTP (the names differ)', async () => {
      const { cookie } = await login(dev, await makeUser(dev));
      expect((await whoAmI(dev, `__Host-${cookie}`, false)).userId).toBeNull();
    });
  });

  describe('server-side records', () => {
    it('the database keeps only the SHA-256 of the token, never the token', async () => {
      const user = await makeUser(prod);
      const { cookie } = await login(prod, user, { https: true });
      const token = cookie.split('=')[1]!.split('.')[0]!;
      const rows = await sessionRows(prod, user);
      expect(rows.map((r) => r.id)).toEqual([hashToken(token)]);
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(rows[0]!.privilege).toBe('user');
    });

    it('login rotates the session id: the session held before logging in stops working', async () => {
      const user = await makeUser(prod);
      const first = await login(prod, user, { https: true });
      const second = await login(prod, user, { https: true, cookie: first.cookie });
      expect(second.cookie).not.toBe(first.cookie);
      expect((await whoAmI(prod, first.cookie, true)).userId).toBeNull();
      expect((await whoAmI(prod, second.cookie, true)).userId).toBe(user);
      expect(await sessionRows(prod, user)).toHaveLength(1);
    });

    it('logout destroys the record: the old cookie, replayed, is anonymous; the clearing cookie keeps its flags', async () => {
      const user = await makeUser(prod);
      const { cookie } = await login(prod, user, { https: true });
      const out = await prod.app.inject({ method: 'POST', url: '/__t/logout', headers: { ...HTTPS, cookie } });
      expect(out.statusCode).toBe(200);
      const cleared = setCookie(out, `__Host-${NAME}`)!;
      expect(cleared).toMatch(/^__Host-mathsoc_session=;/);
      // A browser only accepts a __Host- cookie (even an expired one) with Secure and Path=/.
      for (const part of ['Max-Age=0', 'Path=/', 'Secure', 'HttpOnly', 'SameSite=Lax'])
        expect(cleared).toContain(`; ${part}`);
      expect(await sessionRows(prod, user)).toHaveLength(0);
      expect((await whoAmI(prod, cookie, true)).userId).toBeNull();
    });

    it('"sign out everywhere else" ends the other sessions and keeps this one', async () => {
      const user = await makeUser(prod);
      const here = await login(prod, user, { https: true });
      const phone = await login(prod, user, { https: true });
      const laptop = await login(prod, user, { https: true });
      const res = await prod.app.inject({
        method: 'POST',
        url: '/__t/others-out',
        headers: { ...HTTPS, cookie: here.cookie },
      });
      expect(res.json()).toEqual({ ended: 2 });
      expect((await whoAmI(prod, here.cookie, true)).userId).toBe(user);
      expect((await whoAmI(prod, phone.cookie, true)).userId).toBeNull();
      expect((await whoAmI(prod, laptop.cookie, true)).userId).toBeNull();
      expect(await prod.app.sessions.listForUser(user)).toHaveLength(1);
    });

    it('rotateSession issues a new id and CSRF token, ends the old id, and keeps the absolute expiry', async () => {
      const user = await makeUser(prod);
      const { cookie } = await login(prod, user, { https: true, remember: true });
      const [before] = await sessionRows(prod, user);
      const res = await prod.app.inject({ method: 'POST', url: '/__t/rotate', headers: { ...HTTPS, cookie } });
      const next = cookiePair(setCookie(res, `__Host-${NAME}`));
      expect(setCookie(res, `__Host-${NAME}`)).toMatch(/Max-Age=\d+/);
      const [after] = await sessionRows(prod, user);
      expect(after!.id).not.toBe(before!.id);
      expect(after!.csrf_token).not.toBe(before!.csrf_token);
      expect(after!.absolute_expires_at).toBe(before!.absolute_expires_at);
      expect((await whoAmI(prod, cookie, true)).userId).toBeNull();
      expect((await whoAmI(prod, next, true)).userId).toBe(user);
    });

    it('a privilege change (admin granted, then revoked) rotates the session id on the next request', async () => {
      const user = await makeUser(prod);
      const { cookie } = await login(prod, user, { https: true });
      await prod.database.db.updateTable('users').set({ is_admin: 1 }).where('id', '=', user).execute();
      const promoted = await whoAmI(prod, cookie, true);
      expect(promoted).toMatchObject({ userId: user, isAdmin: true });
      const adminCookie = cookiePair(setCookie(promoted.res, `__Host-${NAME}`));
      expect(adminCookie).not.toBe(cookie);
      expect((await whoAmI(prod, cookie, true)).userId).toBeNull();
      expect((await sessionRows(prod, user)).map((r) => r.privilege)).toEqual(['admin']);

      await prod.database.db.updateTable('users').set({ is_admin: 0 }).where('id', '=', user).execute();
      const demoted = await whoAmI(prod, adminCookie, true);
      expect(demoted).toMatchObject({ userId: user, isAdmin: false });
      expect(setCookie(demoted.res, `__Host-${NAME}`)).toBeDefined();
      expect((await whoAmI(prod, adminCookie, true)).userId).toBeNull();
    });

    it('a teacher made a student: the next request with the same cookie is a student’s, refused on teacher pages, under a new id', async () => {
      const user = await makeUser(prod);
      const db = prod.database.db;
      await db
        .updateTable('users')
        .set({ user_type: 'teacher', year_group: null, key_stage: null })
        .where('id', '=', user)
        .execute();
      const { cookie } = await login(prod, user, { https: true });
      expect((await sessionRows(prod, user)).map((r) => r.privilege)).toEqual(['teacher']);
      const teacherPage = (c: string) =>
        prod.app.inject({ url: '/__t/teacher', headers: { ...HTTPS, cookie: c, accept: 'text/html' } });
      expect((await teacherPage(cookie)).statusCode).toBe(200);

      await db
        .updateTable('users')
        .set({ user_type: 'student', year_group: 10, key_stage: 'KS4' })
        .where('id', '=', user)
        .execute();
      const refused = await teacherPage(cookie);
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('for teachers and administrators only');
      // Same person, still signed in, under a new session id issued for the new role.
      const studentCookie = cookiePair(setCookie(refused, `__Host-${NAME}`));
      expect(studentCookie).not.toBe(cookie);
      expect((await sessionRows(prod, user)).map((r) => r.privilege)).toEqual(['user']);
      const me = await prod.app.inject({ url: '/__t/request', headers: { ...HTTPS, cookie: studentCookie } });
      expect(me.json()).toMatchObject({ userId: user, role: 'student' });
      expect((await whoAmI(prod, cookie, true)).userId).toBeNull();
      expect((await teacherPage(studentCookie)).statusCode).toBe(403);

      // And back: a student made a teacher has the teacher pages on the next request.
      await db.updateTable('users').set({ user_type: 'teacher' }).where('id', '=', user).execute();
      const allowed = await teacherPage(studentCookie);
      expect(allowed.statusCode).toBe(200);
      expect(cookiePair(setCookie(allowed, `__Host-${NAME}`))).not.toBe(studentCookie);
      expect((await sessionRows(prod, user)).map((r) => r.privilege)).toEqual(['teacher']);
    });

    it("a deleted user's session ends", async () => {
      const user = await makeUser(prod);
      const { cookie } = await login(prod, user, { https: true });
      await prod.database.db.deleteFrom('users').where('id', '=', user).execute();
      expect((await whoAmI(prod, cookie, true)).userId).toBeNull();
    });
  });

  describe('timeouts (SESSION_IDLE_TIMEOUT_MINUTES=5, SESSION_ABSOLUTE_TIMEOUT_HOURS=1)', () => {
    it('an idle session expires: record removed, cookie cleared', async () => {
      const user = await makeUser(dev);
      const { cookie } = await login(dev, user);
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 6 * MIN);
      const res = await whoAmI(dev, cookie);
      expect(res.userId).toBeNull();
      expect(setCookie(res.res, NAME)).toMatch(/^mathsoc_session=;/);
      expect(await sessionRows(dev, user)).toHaveLength(0);
    });

    it('activity keeps it alive past the idle timeout', async () => {
      const user = await makeUser(dev);
      const { cookie } = await login(dev, user);
      vi.useFakeTimers({ toFake: ['Date'] });
      const start = Date.now();
      for (const minutes of [4, 8, 12]) {
        vi.setSystemTime(start + minutes * MIN);
        expect((await whoAmI(dev, cookie)).userId, `after ${minutes} minutes`).toBe(user);
      }
    });

    it('the absolute timeout ends even an active session', async () => {
      const user = await makeUser(dev);
      const { cookie } = await login(dev, user);
      vi.useFakeTimers({ toFake: ['Date'] });
      const start = Date.now();
      for (let minutes = 4; minutes < 60; minutes += 4) {
        vi.setSystemTime(start + minutes * MIN);
        expect((await whoAmI(dev, cookie)).userId).toBe(user);
      }
      vi.setSystemTime(start + 61 * MIN);
      expect((await whoAmI(dev, cookie)).userId).toBeNull();
    });

    it('"remember me" outlives the idle timeout and ends after SESSION_REMEMBER_DAYS', async () => {
      const user = await makeUser(dev);
      const { cookie } = await login(dev, user, { remember: true });
      vi.useFakeTimers({ toFake: ['Date'] });
      const start = Date.now();
      vi.setSystemTime(start + 3 * 24 * 60 * MIN);
      expect((await whoAmI(dev, cookie)).userId).toBe(user);
      vi.setSystemTime(start + 7 * 24 * 60 * MIN + MIN);
      expect((await whoAmI(dev, cookie)).userId).toBeNull();
    });

    it('expired records are purged from the store', async () => {
      const user = await makeUser(dev);
      await login(dev, user);
      await login(dev, user, { remember: true });
      const purged = await dev.app.sessions.purgeExpired(new Date(Date.now() + 6 * MIN).toISOString());
      expect(purged).toBeGreaterThanOrEqual(1);
      expect((await sessionRows(dev, user)).map((r) => r.remember)).toEqual([1]);
    });
  });

  describe('access guards', () => {
    it('anonymous: HTML pages redirect to /login with a safe relative next; JSON gets 401', async () => {
      const html = await prod.app.inject({ url: '/__t/user?tab=2', headers: HTTPS });
      expect(html.statusCode).toBe(302);
      expect(html.headers.location).toBe('/login?next=%2F__t%2Fuser%3Ftab%3D2');
      const json = await prod.app.inject({ url: '/__t/admin.json', headers: HTTPS });
      expect(json.statusCode).toBe(401);
      expect(json.json()).toEqual({ error: expect.any(String) as unknown });
    });

    it('a student: allowed on user pages, 403 on admin pages (HTML and JSON)', async () => {
      const { cookie } = await login(prod, await makeUser(prod), { https: true });
      expect((await prod.app.inject({ url: '/__t/user', headers: { ...HTTPS, cookie } })).statusCode).toBe(200);
      const html = await prod.app.inject({ url: '/__t/admin', headers: { ...HTTPS, cookie, accept: 'text/html' } });
      expect(html.statusCode).toBe(403);
      expect(html.body).toContain('for administrators only');
      const json = await prod.app.inject({ url: '/__t/admin.json', headers: { ...HTTPS, cookie } });
      expect(json.statusCode).toBe(403);
      expect(json.json()).toEqual({ error: 'This page is for administrators only.' });
    });

    it('an admin: allowed; responses to signed-in users are never cached', async () => {
      const { cookie } = await login(prod, await makeUser(prod, true), { https: true });
      const res = await prod.app.inject({ url: '/__t/admin', headers: { ...HTTPS, cookie } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const page = await prod.app.inject({ url: '/', headers: { ...HTTPS, cookie } });
      expect(page.headers['cache-control']).toBe('no-store');
    });
  });
});

describe('a migrated database from before migration 002', () => {
  it('sessions without a recorded privilege keep working and are not rotated', async () => {
    const t = await createProbeApp('sqlite', { RATELIMIT_ENABLED: 'false' });
    try {
      const user = await makeUser(t);
      const { cookie } = await login(t, user);
      await t.database.db.updateTable('sessions').set({ privilege: null }).execute();
      const res = await whoAmI(t, cookie);
      expect(res.userId).toBe(user);
      expect(setCookie(res.res, NAME)).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
