// Every strategy on every storage it supports, through the real app: the
// limit is admitted exactly, then 429 with the headers a client relies on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { serviceAvailable } from '../../helpers/services.js';
import { deleteRedisKeys, MEMCACHED_URI, REDIS_URI, uniquePrefix } from './helpers.js';

type Strategy = 'fixed-window' | 'moving-window' | 'sliding-window-counter';
const STRATEGIES: Strategy[] = ['fixed-window', 'moving-window', 'sliding-window-counter'];

const combos: Array<[Strategy, string, string]> = STRATEGIES.map((s) => [s, 'memory', 'memory://']);
if (await serviceAvailable('redis'))
  combos.push(...STRATEGIES.map((s): [Strategy, string, string] => [s, 'redis', REDIS_URI]));
if (await serviceAvailable('memcached')) {
  // Moving window on Memcached is refused at start-up (see config.test.ts).
  combos.push(['fixed-window', 'memcached', MEMCACHED_URI], ['sliding-window-counter', 'memcached', MEMCACHED_URI]);
}

const HOUR = 3600;
const nowSeconds = () => Date.now() / 1000;

describe.each(combos)('%s on %s storage', (strategy, storage, uri) => {
  const prefix = uniquePrefix(`${strategy}-${storage}`);
  const env = {
    RATELIMIT_ENABLED: 'true',
    RATELIMIT_STRATEGY: strategy,
    RATELIMIT_STORAGE_URI: uri,
    RATELIMIT_KEY_PREFIX: prefix,
    RATELIMIT_DEFAULT: '5 per hour',
    RATELIMIT_DEFAULT_AUTHENTICATED: '8 per hour',
    RATELIMIT_LOGIN_ACCOUNT: '3 per hour',
    RATELIMIT_WRONG_ANSWERS: '2 per year',
  };
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('sqlite', env);
  });
  afterAll(async () => {
    await t?.close();
    if (storage === 'redis') await deleteRedisKeys(uri, prefix);
  });

  it('admits exactly the default limit, then answers 429 with the headers', async () => {
    const client = t.client({ ip: '203.0.113.10' });
    for (let i = 0; i < 5; i++) {
      const res = await client.get('/');
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('5');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(4 - i));
      const reset = Number(res.headers['x-ratelimit-reset']);
      expect(reset).toBeGreaterThanOrEqual(Math.floor(nowSeconds()));
      expect(reset).toBeLessThanOrEqual(Math.ceil(nowSeconds()) + 2 * HOUR);
      expect(res.headers['retry-after']).toBeUndefined();
    }
    const refused = await client.get('/');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toContain('text/html');
    expect(refused.headers['x-ratelimit-limit']).toBe('5');
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2 * HOUR);
    // Reset and Retry-After describe the same moment.
    expect(Math.abs(Number(refused.headers['x-ratelimit-reset']) - (nowSeconds() + retryAfter))).toBeLessThanOrEqual(2);
    expect(refused.body).toContain('Too many requests');
    expect(refused.body).toContain('5 per hour');
    expect(refused.body).toMatch(/Please wait \d+ (minute|hour)s? and try again/);

    const json = await client.get('/', { accept: 'application/json' });
    expect(json.statusCode).toBe(429);
    expect(json.json()).toMatchObject({
      error: expect.stringContaining('too many requests') as unknown,
      retryAfter: expect.any(Number) as unknown,
    });
  });

  it('limits each client address on its own', async () => {
    const other = t.client({ ip: '203.0.113.11' });
    const res = await other.get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-remaining']).toBe('4');
  });

  it('never limits health probes or static assets', async () => {
    const client = t.client({ ip: '203.0.113.12' });
    for (let i = 0; i < 12; i++) {
      const probe = await client.get(i % 2 ? '/health' : '/ready');
      expect(probe.statusCode).toBe(200);
      expect(probe.headers['x-ratelimit-limit']).toBeUndefined();
      const asset = await client.get('/favicon.svg');
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });

  it('counts a signed-in user by account, against the authenticated default, from any address', async () => {
    const user = await t.createUser();
    const atSchool = t.client({ ip: '203.0.113.20' });
    const atHome = t.client({ ip: '203.0.113.21' });
    await atSchool.loginAs(user);
    await atHome.loginAs(user);
    for (let i = 0; i < 8; i++) {
      const res = await (i % 2 ? atHome : atSchool).get('/');
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('8');
    }
    expect((await atHome.get('/')).statusCode).toBe(429);
    // The anonymous counter of the same address is untouched.
    const anonymous = await t.client({ ip: '203.0.113.20' }).get('/');
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.headers['x-ratelimit-limit']).toBe('5');
  });

  it('keeps named per-account limits, case-insensitively, until reset', async () => {
    const email = `Pupil-${prefix}@School.example.org`;
    for (let i = 0; i < 3; i++) {
      const r = await t.app.rateLimits.hit('login-account', email);
      expect(r).toMatchObject({ allowed: true, limit: 3, remaining: 2 - i, retryAfterSeconds: 0 });
    }
    const over = await t.app.rateLimits.hit('login-account', email.toLowerCase());
    expect(over.allowed).toBe(false);
    expect(over.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    const peek = await t.app.rateLimits.peek('login-account', ` ${email.toUpperCase()} `);
    expect(peek).toMatchObject({ allowed: false, remaining: 0 });
    expect(peek.resetEpochSeconds).toBeGreaterThan(nowSeconds());
    // Another account is not affected.
    expect((await t.app.rateLimits.peek('login-account', `other-${prefix}@school.example.org`)).allowed).toBe(true);
    await t.app.rateLimits.reset('login-account', email);
    expect(await t.app.rateLimits.peek('login-account', email)).toMatchObject({ allowed: true, remaining: 3 });
  });

  it('keeps windows longer than 30 days (Memcached reads such lifetimes as dates)', async () => {
    const user = `year-${prefix}`;
    expect((await t.app.rateLimits.hit('wrong-answer', user)).allowed).toBe(true);
    expect((await t.app.rateLimits.hit('wrong-answer', user)).allowed).toBe(true);
    const third = await t.app.rateLimits.hit('wrong-answer', user);
    expect(third).toMatchObject({ allowed: false, limit: 2, remaining: 0 });
    expect(third.retryAfterSeconds).toBeGreaterThan(30 * 24 * 3600);
  });

  if (storage !== 'memory') {
    it('shares the counts with another instance on the same store', async () => {
      const second = await createTestApp('sqlite', env);
      try {
        const ip = '203.0.113.30';
        for (let i = 0; i < 5; i++) expect((await t.client({ ip }).get('/')).statusCode).toBe(200);
        const elsewhere = await second.client({ ip }).get('/');
        expect(elsewhere.statusCode).toBe(429);
        expect(second.app.rateLimitStatus()).toMatchObject({ storage, strategy, usingFallback: false });
      } finally {
        await second.close();
      }
    });
  }
});
