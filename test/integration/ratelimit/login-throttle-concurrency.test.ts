// Password guesses fired all at once at two app instances sharing one store:
// together they check exactly as many passwords as the login throttles allow,
// never more (each attempt is counted before its password is checked).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { createTestApp, TestClient, type TestApp, type TestUser } from '../../helpers/app.js';
import { serviceAvailable } from '../../helpers/services.js';
import { deleteRedisKeys, MEMCACHED_URI, REDIS_URI, uniquePrefix } from './helpers.js';

const combos: Array<[string, string, string]> = [];
if (await serviceAvailable('redis')) {
  for (const s of ['fixed-window', 'moving-window'] as const) combos.push([s, 'redis', REDIS_URI]);
}
if (await serviceAvailable('memcached')) combos.push(['fixed-window', 'memcached', MEMCACHED_URI]);

const PAIR_LIMIT = 4;
const ACCOUNT_LIMIT = 7;
const GUESSES = 30;

describe.each(combos)('concurrent password guesses, %s on %s, two instances', (strategy, storage, uri) => {
  const prefix = uniquePrefix(`login-conc-${storage}`);
  let t: TestApp;
  let second: FastifyInstance;

  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      RATELIMIT_ENABLED: 'true',
      RATELIMIT_STRATEGY: strategy,
      RATELIMIT_STORAGE_URI: uri,
      RATELIMIT_KEY_PREFIX: prefix,
      PROXY_FIX_X_FOR: '1',
      RATELIMIT_LOGIN: '1000 per minute',
      RATELIMIT_LOGIN_PAIR: `${PAIR_LIMIT} per hour`,
      RATELIMIT_LOGIN_ACCOUNT: `${ACCOUNT_LIMIT} per hour`,
    });
    // A second server process's view: its own limiter and connections, the same database and store.
    second = await buildApp(t.config, { database: t.database, logger: false });
    await second.ready();
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
    if (storage === 'redis') await deleteRedisKeys(uri, prefix);
  });

  let n = 0;
  const guess = (user: TestUser, ip: string, i: number) =>
    new TestClient(i % 2 ? t.app : second, { ip }).post(
      '/login',
      { email: user.email, password: `guess ${i}` },
      { csrf: false },
    );
  const tally = (codes: number[]) => ({
    checked: codes.filter((c) => c === 401).length,
    refused: codes.filter((c) => c === 429).length,
  });

  it('checks exactly the per-address number of guesses from one address', async () => {
    const user = await t.createUser();
    const ip = `203.0.113.${++n}`;
    const codes = (await Promise.all(Array.from({ length: GUESSES }, (_, i) => guess(user, ip, i)))).map(
      (r) => r.statusCode,
    );
    expect(tally(codes)).toEqual({ checked: PAIR_LIMIT, refused: GUESSES - PAIR_LIMIT });
  });

  it('checks exactly the per-account number of guesses from many addresses', async () => {
    const user = await t.createUser();
    const codes = (
      await Promise.all(Array.from({ length: GUESSES }, (_, i) => guess(user, `198.18.${n}.${i + 1}`, i)))
    ).map((r) => r.statusCode);
    n += 1;
    expect(tally(codes)).toEqual({ checked: ACCOUNT_LIMIT, refused: GUESSES - ACCOUNT_LIMIT });
  });
});
