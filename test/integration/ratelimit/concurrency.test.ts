// Two app instances on one shared store, hammered at once: together they admit
// exactly the limit, never more (docs/rate-limiting.md: counts are exact across processes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { serviceAvailable } from '../../helpers/services.js';
import { deleteRedisKeys, MEMCACHED_URI, REDIS_URI, uniquePrefix } from './helpers.js';

type Strategy = 'fixed-window' | 'moving-window' | 'sliding-window-counter';

const combos: Array<[Strategy, string, string]> = [];
if (await serviceAvailable('redis')) {
  for (const s of ['fixed-window', 'moving-window', 'sliding-window-counter'] as const)
    combos.push([s, 'redis', REDIS_URI]);
}
if (await serviceAvailable('memcached')) {
  for (const s of ['fixed-window', 'sliding-window-counter'] as const) combos.push([s, 'memcached', MEMCACHED_URI]);
}

const LIMIT = 25;
const REQUESTS = 80;

describe.each(combos)('%s on %s shared by two instances', (strategy, storage, uri) => {
  const prefix = uniquePrefix(`conc-${strategy}-${storage}`);
  const env = {
    RATELIMIT_ENABLED: 'true',
    RATELIMIT_STRATEGY: strategy,
    RATELIMIT_STORAGE_URI: uri,
    RATELIMIT_KEY_PREFIX: prefix,
    RATELIMIT_DEFAULT: `${LIMIT} per hour`,
    RATELIMIT_WRONG_ANSWERS: `${LIMIT} per hour`,
  };
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await createTestApp('sqlite', env);
    b = await createTestApp('sqlite', env);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (storage === 'redis') await deleteRedisKeys(uri, prefix);
  });

  it('admits exactly the limit of concurrent requests from one client', async () => {
    const ip = '198.51.100.40';
    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => (i % 2 ? a : b).client({ ip }).get('/')),
    );
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(REQUESTS - LIMIT);
    expect(a.app.rateLimitStatus().usingFallback).toBe(false);
    expect(b.app.rateLimitStatus().usingFallback).toBe(false);
  });

  it('admits exactly the limit of concurrent named hits for one key', async () => {
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => (i % 2 ? a : b).app.rateLimits.hit('wrong-answer', '4242')),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(LIMIT);
    expect(results.filter((r) => !r.allowed).every((r) => r.retryAfterSeconds >= 1)).toBe(true);
  });
});
