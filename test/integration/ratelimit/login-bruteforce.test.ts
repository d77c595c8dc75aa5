// A password-guessing attack on POST /login: one address guessing fast is
// stopped by the per-address limit, many addresses guessing one account are
// stopped by the per-account throttle (for devices the account has not signed
// in from: login-throttle.test.ts), and neither can be shaken off by writing
// an X-Forwarded-For header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestUser } from '../../helpers/app.js';
import { serviceAvailable } from '../../helpers/services.js';
import { deleteRedisKeys, REDIS_URI, uniquePrefix } from './helpers.js';

const storages: Array<[string, string]> = [['memory', 'memory://']];
if (await serviceAvailable('redis')) storages.push(['redis', REDIS_URI]);

describe.each(storages)('login brute force with %s storage', (storage, uri) => {
  const prefix = uniquePrefix(`login-${storage}`);
  let t: TestApp;
  let victim: TestUser;
  let bystander: TestUser;

  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      RATELIMIT_ENABLED: 'true',
      RATELIMIT_STORAGE_URI: uri,
      RATELIMIT_KEY_PREFIX: prefix,
      RATELIMIT_LOGIN: '5 per minute;20 per hour',
      RATELIMIT_LOGIN_ACCOUNT: '10 per hour',
      PROXY_FIX_X_FOR: '1',
    });
    victim = await t.createUser();
    bystander = await t.createUser();
  });
  afterAll(async () => {
    await t?.close();
    if (storage === 'redis') await deleteRedisKeys(uri, prefix);
  });

  const attempt = (forwardedFor: string, email: string, password: string) =>
    t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
      payload: new URLSearchParams({ email, password }).toString(),
    });
  const signedIn = (res: Awaited<ReturnType<typeof attempt>>) =>
    res.statusCode === 303 && res.cookies.some((c) => c.name === t.config.session.cookieName && c.value !== '');

  it('stops one address after five guesses a minute, even with the right password or a forged header', async () => {
    const attacker = '203.0.113.50';
    for (let i = 0; i < 5; i++) {
      const res = await attempt(attacker, victim.email, `wrong-guess-${i}`);
      expect(res.statusCode).toBe(401);
      expect(res.headers['x-ratelimit-limit']).toBe('5');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(4 - i));
    }
    const blocked = await attempt(attacker, victim.email, TEST_PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(signedIn(blocked)).toBe(false);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(blocked.headers['x-ratelimit-remaining']).toBe('0');

    // The trusted proxy appends the real address; anything written before it is the client's own.
    for (const forged of ['10.0.0.1', '10.0.0.2, 10.0.0.3', '127.0.0.1']) {
      const res = await attempt(`${forged}, ${attacker}`, bystander.email, TEST_PASSWORD);
      expect(res.statusCode).toBe(429);
      expect(signedIn(res)).toBe(false);
    }

    // Another address is unaffected.
    expect(signedIn(await attempt('203.0.113.51', bystander.email, TEST_PASSWORD))).toBe(true);
  });

  it('throttles the account for new devices after ten failures from any addresses, while other accounts still log in', async () => {
    const victim = await t.createUser();
    for (let i = 0; i < 10; i++) {
      const res = await attempt(`198.51.100.${10 + i}`, victim.email.toUpperCase(), `guess-${i}`);
      expect(res.statusCode).toBe(401);
    }
    const fresh = '198.51.100.99';
    const throttled = await attempt(fresh, victim.email, TEST_PASSWORD);
    expect(throttled.statusCode).toBe(429);
    expect(signedIn(throttled)).toBe(false);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The address itself is not blocked: its first attempt at another account succeeds.
    expect(signedIn(await attempt(fresh, bystander.email, TEST_PASSWORD))).toBe(true);
  });
});
