// CSRF protection through the real pipeline: the profile defaults of the
// security document (docs/security.md), the token (form field, header, meta tag), its binding to
// the visitor, and the Origin / Sec-Fetch-Site check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbeApp, setCookie, STRONG_SECRET, type ProbeApp } from './helpers.js';

const HTTPS = { 'x-forwarded-proto': 'https' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** The token a page gives this visitor (meta tag), and the visitor's CSRF cookie when one is set. */
async function visit(t: ProbeApp, headers: Record<string, string> = {}) {
  const res = await t.app.inject({ url: '/', headers });
  const token = /<meta name="csrf-token" content="([^"]+)"/.exec(res.body)![1]!;
  const raw = res.headers['set-cookie'];
  const cookie = (Array.isArray(raw) ? raw : [raw]).find((c) => c?.includes('mathsoc_csrf='))?.split(';')[0] ?? '';
  return { token, cookie };
}

describe('production (CSRF always on, even with CSRF_ENABLED=false)', () => {
  let t: ProbeApp;
  beforeAll(async () => {
    t = await createProbeApp('sqlite', {
      APP_ENV: 'production',
      SECRET_KEY: STRONG_SECRET,
      RATELIMIT_ENABLED: 'false',
      CSRF_ENABLED: 'false',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('a form without a token is refused with a clear 403 page', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/__t/echo',
      headers: { ...HTTPS, ...form, accept: 'text/html' },
      payload: 'a=1',
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('missing its security token');
  });

  it('a wrong token is refused; a JSON route answers in JSON', async () => {
    const { cookie } = await visit(t, HTTPS);
    const res = await t.app.inject({
      method: 'POST',
      url: '/__t/echo.json',
      headers: { ...HTTPS, cookie, 'x-csrf-token': 'forged' },
      payload: {},
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: expect.stringContaining('security token') as unknown });
  });

  it("the page's token is accepted as the _csrf field or the X-CSRF-Token header", async () => {
    const { token, cookie } = await visit(t, HTTPS);
    expect(cookie).toMatch(/^__Host-mathsoc_csrf=/);
    const field = await t.app.inject({
      method: 'POST',
      url: '/__t/echo',
      headers: { ...HTTPS, ...form, cookie },
      payload: `_csrf=${encodeURIComponent(token)}`,
    });
    expect(field.statusCode).toBe(200);
    const header = await t.app.inject({
      method: 'POST',
      url: '/__t/echo.json',
      headers: { ...HTTPS, cookie, 'x-csrf-token': token },
      payload: {},
    });
    expect(header.statusCode).toBe(200);
  });

  it("a token is bound to its visitor: another visitor's token does not work", async () => {
    const mine = await visit(t, HTTPS);
    const theirs = await visit(t, HTTPS);
    const res = await t.app.inject({
      method: 'POST',
      url: '/__t/echo.json',
      headers: { ...HTTPS, cookie: mine.cookie, 'x-csrf-token': theirs.token },
      payload: {},
    });
    expect(res.statusCode).toBe(403);
  });

  it('PUT, PATCH and DELETE are checked like POST', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      const res = await t.app.inject({ method, url: '/__t/echo', headers: HTTPS });
      // Refused by the CSRF check before the router's 404 for a method with no route.
      expect(res.statusCode, method).toBe(403);
    }
  });

  it("signed-in users use their session's token, which changes at login", async () => {
    const anon = await visit(t, HTTPS);
    const now = new Date().toISOString();
    const { id } = await t.database.db
      .insertInto('users')
      .values({
        email: 'c@school.example.org',
        first_name: 'C',
        last_name: 'D',
        password_hash: 'x',
        year_group: 9,
        key_stage: 'KS4',
        maths_class: null,
        school_id: null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const login = await t.app.inject({
      method: 'POST',
      url: '/__t/login',
      headers: { ...HTTPS, cookie: anon.cookie },
      payload: { userId: String(id) },
    });
    const session = setCookie(login, '__Host-mathsoc_session')!.split(';')[0]!;
    const cookie = `${anon.cookie}; ${session}`;
    const stale = await t.app.inject({
      method: 'POST',
      url: '/__t/echo.json',
      headers: { ...HTTPS, cookie, 'x-csrf-token': anon.token },
      payload: {},
    });
    expect(stale.statusCode).toBe(403);
    const fresh = await visit(t, { ...HTTPS, cookie });
    const ok = await t.app.inject({
      method: 'POST',
      url: '/__t/echo.json',
      headers: { ...HTTPS, cookie, 'x-csrf-token': fresh.token },
      payload: {},
    });
    expect(ok.statusCode).toBe(200);
  });

  it('a request another site started is refused even with a valid token', async () => {
    const { token, cookie } = await visit(t, { ...HTTPS, host: 'maths.example.org' });
    const send = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/__t/echo.json',
        payload: {},
        headers: { ...HTTPS, host: 'maths.example.org', cookie, 'x-csrf-token': token, ...headers },
      });
    expect((await send({ origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await send({ origin: 'https://maths.example.org.evil.example' })).statusCode).toBe(403);
    expect((await send({ origin: 'null' })).statusCode).toBe(403);
    expect((await send({ 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await send({ origin: 'https://evil.example' })).json<{ error: string }>().error).toContain('another site');
    expect((await send({ origin: 'https://maths.example.org', 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
    expect((await send({})).statusCode).toBe(200);
  });

  it('the Origin is compared with the public host the trusted proxy reports', async () => {
    const { token, cookie } = await visit(t, HTTPS);
    const res = await t.app.inject({
      method: 'POST',
      url: '/__t/echo.json',
      payload: {},
      headers: {
        ...HTTPS,
        host: '10.0.0.5:3000',
        'x-forwarded-host': 'maths.example.org',
        origin: 'https://maths.example.org',
        cookie,
        'x-csrf-token': token,
      },
    });
    expect(res.statusCode).toBe(200);
  });

  it('GET is never checked', async () => {
    expect(
      (await t.app.inject({ url: '/__t/request', headers: { ...HTTPS, origin: 'https://evil.example' } })).statusCode,
    ).toBe(200);
  });
});

describe('development: CSRF on by default', () => {
  let t: ProbeApp;
  beforeAll(async () => {
    t = await createProbeApp('sqlite', { APP_ENV: 'development', RATELIMIT_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a form without a token', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/__t/echo', headers: form, payload: 'a=1' })).statusCode).toBe(
      403,
    );
  });

  it('accepts the token over plain HTTP (cookie without the __Host- prefix)', async () => {
    const { token, cookie } = await visit(t);
    expect(cookie).toMatch(/^mathsoc_csrf=/);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/__t/echo',
          headers: { ...form, cookie },
          payload: `_csrf=${encodeURIComponent(token)}`,
        })
      ).statusCode,
    ).toBe(200);
  });
});

describe('testing: CSRF tokens off by default, the Origin check still on', () => {
  let t: ProbeApp;
  beforeAll(async () => {
    t = await createProbeApp('sqlite');
  });
  afterAll(async () => {
    await t.close();
  });

  it('accepts a form without a token', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/__t/echo', headers: form, payload: 'a=1' })).statusCode).toBe(
      200,
    );
  });

  it('refuses a cross-site request', async () => {
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/__t/echo',
          headers: { ...form, origin: 'https://evil.example' },
          payload: 'a=1',
        })
      ).statusCode,
    ).toBe(403);
  });

  it('CSRF_ENABLED=true switches tokens on', async () => {
    const on = await createProbeApp('sqlite', { CSRF_ENABLED: 'true' });
    try {
      expect(
        (await on.app.inject({ method: 'POST', url: '/__t/echo', headers: form, payload: 'a=1' })).statusCode,
      ).toBe(403);
    } finally {
      await on.close();
    }
  });
});
