// How limits attach to the real routes: defaults, per-route declarations,
// exemptions, the client key after proxy trust, and the switches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase } from '../../helpers/db.js';

const on = (env: Record<string, string> = {}) => ({
  RATELIMIT_ENABLED: 'true',
  RATELIMIT_DEFAULT: '3 per hour',
  RATELIMIT_REGISTER: '2 per hour',
  RATELIMIT_CSP_REPORT: '4 per minute',
  ...env,
});

const get = (t: TestApp, url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
  t.app.inject({ method, url, headers });

describe('route limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', on());
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts each route on its own', async () => {
    const ip = { 'x-forwarded-for': '192.0.2.60' };
    for (let i = 0; i < 3; i++) expect((await get(t, '/', ip)).statusCode).toBe(200);
    expect((await get(t, '/', ip)).statusCode).toBe(429);
    const login = await get(t, '/login', ip);
    expect(login.statusCode).toBe(200);
    expect(login.headers['x-ratelimit-remaining']).toBe('2');
  });

  it('counts HEAD together with GET', async () => {
    const ip = { 'x-forwarded-for': '192.0.2.61' };
    expect((await get(t, '/', ip, 'HEAD')).statusCode).toBe(200);
    expect((await get(t, '/', ip, 'HEAD')).statusCode).toBe(200);
    expect((await get(t, '/', ip)).statusCode).toBe(200);
    expect((await get(t, '/', ip)).statusCode).toBe(429);
  });

  it('lets a route declare its own limit instead of the default', async () => {
    const headers = { 'x-forwarded-for': '192.0.2.62', 'content-type': 'application/x-www-form-urlencoded' };
    const register = () => t.app.inject({ method: 'POST', url: '/register', headers, payload: 'email=x' });
    for (let i = 0; i < 2; i++) {
      const res = await register();
      expect(res.statusCode).toBe(400);
      expect(res.headers['x-ratelimit-limit']).toBe('2');
    }
    const refused = await register();
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('2 per hour');
    // The registration page itself keeps the default.
    expect((await get(t, '/register', { 'x-forwarded-for': '192.0.2.62' })).headers['x-ratelimit-limit']).toBe('3');
  });

  it('limits /csp-report and answers it in JSON', async () => {
    const report = JSON.stringify({
      'csp-report': { 'document-uri': 'http://localhost/', 'violated-directive': 'script-src' },
    });
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/csp-report',
        payload: report,
        headers: { 'x-forwarded-for': '192.0.2.63', 'content-type': 'application/csp-report' },
      });
    for (let i = 0; i < 4; i++) expect((await send()).statusCode).toBeLessThan(300);
    const refused = await send();
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({
      error: expect.stringContaining('4 per minute') as unknown,
      retryAfter: expect.any(Number) as unknown,
    });
  });

  it('makes unknown addresses share one counter, so probing for pages is limited too', async () => {
    const ip = { 'x-forwarded-for': '192.0.2.64' };
    expect((await get(t, '/no-such-page-1', ip)).statusCode).toBe(404);
    expect((await get(t, '/no-such-page-2', ip)).statusCode).toBe(404);
    expect((await get(t, '/wp-admin.php', ip)).statusCode).toBe(404);
    expect((await get(t, '/.env', ip)).statusCode).toBe(429);
  });
});

describe('the math API', () => {
  it('gets RATELIMIT_MATH_API on every route under /api/math/ that declares no limit of its own', async () => {
    const config = loadConfig({
      APP_ENV: 'testing',
      SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
      LOG_LEVEL: 'silent',
      ...on({ RATELIMIT_MATH_API: '2 per minute' }),
    });
    const database = await createTestDatabase('sqlite');
    const app = await buildApp(config, { database, logger: false });
    try {
      app.post('/api/math/limit-check', { config: { access: 'public', csrf: false, json: true } }, async () => ({
        ok: true,
      }));
      app.post(
        '/api/math/own-limit',
        { config: { access: 'public', csrf: false, json: true, rateLimit: '1 per minute' } },
        async () => ({ ok: true }),
      );
      await app.ready();
      const call = (url: string) =>
        app.inject({ method: 'POST', url, headers: { 'x-forwarded-for': '192.0.2.70' }, payload: {} });
      expect((await call('/api/math/limit-check')).headers['x-ratelimit-limit']).toBe('2');
      expect((await call('/api/math/limit-check')).statusCode).toBe(200);
      const refused = await call('/api/math/limit-check');
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ error: expect.stringContaining('2 per minute') as unknown });
      expect((await call('/api/math/own-limit')).headers['x-ratelimit-limit']).toBe('1');
    } finally {
      await app.close();
      await database.dispose();
    }
  });
});

describe('the client key behind proxies', () => {
  it('trusts only the configured hops of X-Forwarded-For', async () => {
    const t = await createTestApp('sqlite', on({ PROXY_FIX_X_FOR: '1' }));
    try {
      const real = '198.51.100.70';
      for (let i = 0; i < 3; i++) expect((await get(t, '/', { 'x-forwarded-for': real })).statusCode).toBe(200);
      for (const forged of ['10.1.1.1', '203.0.113.9, 10.1.1.2']) {
        expect((await get(t, '/', { 'x-forwarded-for': `${forged}, ${real}` })).statusCode).toBe(429);
      }
      expect((await get(t, '/', { 'x-forwarded-for': '198.51.100.71' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('ignores X-Forwarded-For entirely when no proxy is declared', async () => {
    const t = await createTestApp('sqlite', on({ PROXY_FIX_X_FOR: '0' }));
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await get(t, '/', { 'x-forwarded-for': `203.0.113.${i}` })).statusCode);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await t.close();
    }
  });
});

describe('switches', () => {
  it('sends no rate-limit headers when RATELIMIT_HEADERS_ENABLED=false, but still says when to retry', async () => {
    const t = await createTestApp('sqlite', on({ RATELIMIT_HEADERS_ENABLED: 'false' }));
    try {
      const ip = { 'x-forwarded-for': '192.0.2.80' };
      for (let i = 0; i < 3; i++) {
        const res = await get(t, '/', ip);
        expect(res.statusCode).toBe(200);
        expect(Object.keys(res.headers).filter((h) => h.startsWith('x-ratelimit'))).toEqual([]);
      }
      const refused = await get(t, '/', ip);
      expect(refused.statusCode).toBe(429);
      expect(Object.keys(refused.headers).filter((h) => h.startsWith('x-ratelimit'))).toEqual([]);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    } finally {
      await t.close();
    }
  });

  it('limits nothing when RATELIMIT_ENABLED is off (the testing default), and named limits always allow', async () => {
    const t = await createTestApp('sqlite', { RATELIMIT_DEFAULT: '1 per hour', RATELIMIT_LOGIN_ACCOUNT: '1 per hour' });
    try {
      for (let i = 0; i < 5; i++) {
        const res = await get(t, '/', { 'x-forwarded-for': '192.0.2.90' });
        expect(res.statusCode).toBe(200);
        expect(res.headers['x-ratelimit-limit']).toBeUndefined();
      }
      for (let i = 0; i < 3; i++) {
        expect(await t.app.rateLimits.hit('login-account', 'a@school.example.org')).toMatchObject({
          allowed: true,
          limit: 1,
        });
      }
      expect((await t.app.rateLimits.peek('login-account', 'a@school.example.org')).allowed).toBe(true);
      expect(t.app.rateLimitStatus()).toMatchObject({ enabled: false });
    } finally {
      await t.close();
    }
  });
});
