// The shared store dies mid-traffic and comes back. Each test runs its own
// Redis or Memcached server on a free loopback port, so stopping it disturbs
// no other suite.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { REQUIRE_SERVICES } from '../../helpers/services.js';
import { binaryExists, countRedisKeys, eventually, freePort, PrivateServer, uniquePrefix } from './helpers.js';

type Kind = 'redis' | 'memcached';
const kinds: Kind[] = [];
for (const [kind, binary] of [
  ['redis', 'redis-server'],
  ['memcached', 'memcached'],
] as const) {
  if (await binaryExists(binary)) kinds.push(kind);
  else if (REQUIRE_SERVICES) throw new Error(`${binary} is not installed and REQUIRE_SERVICES=1`);
  else console.warn(`\n!!!!! SKIPPING the ${kind} outage tests: ${binary} is not installed. !!!!!\n`);
}

interface Instance {
  app: FastifyInstance;
  database: TestDatabase;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const config = loadConfig({
    APP_ENV: 'testing',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    LOG_LEVEL: 'info',
    ...env,
  });
  const database = await createTestDatabase('sqlite');
  const app = await buildApp(config, { database });
  await app.ready();
  const instance = { app, database };
  cleanups.push(async () => {
    await app.close();
    await database.dispose();
  });
  return instance;
}

async function startServer(kind: Kind): Promise<PrivateServer> {
  const port = await freePort();
  const server = kind === 'redis' ? PrivateServer.redis(port) : PrivateServer.memcached(port);
  await server.start();
  cleanups.push(() => server.stop());
  return server;
}

function logFile(): string {
  const file = join(tmpdir(), `mathsoc-ratelimit-${randomBytes(5).toString('hex')}.log`);
  cleanups.push(() => rmSync(file, { force: true }));
  return file;
}

function logLines(file: string): Array<{ level: number; msg: string }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

const WARN = 40;
const isOutageWarning = (l: { level: number; msg: string }) =>
  l.level === WARN && l.msg.includes('rate-limit storage unavailable');

async function get(instance: Instance, ip: string, url = '/'): Promise<number> {
  const res = await instance.app.inject({ method: 'GET', url, headers: { 'x-forwarded-for': ip } });
  return res.statusCode;
}

describe.each(kinds)('an outage of the %s store', (kind) => {
  it('falls back to memory with no 5xx, warns once, then returns to the shared store', async () => {
    const server = await startServer(kind);
    const uri = kind === 'redis' ? `redis://127.0.0.1:${server.port}` : `memcached://127.0.0.1:${server.port}`;
    const prefix = uniquePrefix(`outage-${kind}`);
    const log = logFile();
    const env = {
      RATELIMIT_ENABLED: 'true',
      RATELIMIT_STORAGE_URI: uri,
      RATELIMIT_KEY_PREFIX: prefix,
      RATELIMIT_DEFAULT: '4 per hour',
    };
    const a = await startInstance({ ...env, LOG_FILE: log });
    const statuses: number[] = [];
    const track = async (instance: Instance, ip: string, url?: string) => {
      const status = await get(instance, ip, url);
      statuses.push(status);
      return status;
    };

    // Healthy: counts live in the shared store, so a second instance sees them.
    for (let i = 0; i < 4; i++) expect(await track(a, '192.0.2.1')).toBe(200);
    const b = await startInstance(env);
    expect(await track(b, '192.0.2.1')).toBe(429);
    if (kind === 'redis') expect(await countRedisKeys(uri, prefix)).toBeGreaterThan(0);

    // The store dies: requests keep being answered and limited, from memory.
    await server.stop();
    const during: number[] = [];
    for (let i = 0; i < 8; i++) during.push(await track(a, '192.0.2.2'));
    expect(during).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
    expect(await track(a, '192.0.2.3', '/health')).toBe(200);
    expect(a.app.rateLimitStatus()).toMatchObject({ storage: kind, usingFallback: true });
    expect(await a.app.rateLimits.hit('login-account', 'pupil@school.example.org')).toMatchObject({ allowed: true });
    await eventually('the outage warning in the log', () => logLines(log).some(isOutageWarning));
    for (let i = 0; i < 5; i++) await track(a, '192.0.2.4');
    expect(logLines(log).filter(isOutageWarning)).toHaveLength(1);

    // The store returns: after a backoff probe, counting goes back to it.
    await server.start();
    await eventually('the instance to leave the fallback', () => !a.app.rateLimitStatus().usingFallback, 60_000);
    await eventually('the recovery note in the log', () => logLines(log).some((l) => l.msg.includes('answers again')));
    const c = await startInstance(env);
    for (let i = 0; i < 4; i++) expect(await track(a, '192.0.2.5')).toBe(200);
    expect(await track(c, '192.0.2.5')).toBe(429);
    if (kind === 'redis') expect(await countRedisKeys(uri, prefix)).toBeGreaterThan(0);

    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
});

describe.each(kinds)('a %s store that is down when the server starts', (kind) => {
  it('serves from memory at once and moves to the store when it comes up', async () => {
    const port = await freePort();
    const server = kind === 'redis' ? PrivateServer.redis(port) : PrivateServer.memcached(port);
    cleanups.push(() => server.stop());
    const uri = kind === 'redis' ? `redis://127.0.0.1:${port}` : `memcached://127.0.0.1:${port}`;
    const env = {
      RATELIMIT_ENABLED: 'true',
      RATELIMIT_STORAGE_URI: uri,
      RATELIMIT_KEY_PREFIX: uniquePrefix(`late-${kind}`),
      RATELIMIT_DEFAULT: '2 per hour',
    };
    const a = await startInstance(env);
    expect([await get(a, '192.0.2.20'), await get(a, '192.0.2.20'), await get(a, '192.0.2.20')]).toEqual([
      200, 200, 429,
    ]);
    expect(a.app.rateLimitStatus().usingFallback).toBe(true);

    await server.start();
    await eventually('the instance to reach the store', () => !a.app.rateLimitStatus().usingFallback, 60_000);
    const b = await startInstance(env);
    expect([await get(a, '192.0.2.21'), await get(a, '192.0.2.21')]).toEqual([200, 200]);
    expect(await get(b, '192.0.2.21')).toBe(429);
  });
});

describe.each(kinds.filter((k) => k === 'redis'))('an outage of the %s store with the fallback off', (kind) => {
  it('admits requests uncounted, never with a 5xx, and logs the outage once as an error', async () => {
    const server = await startServer(kind);
    const log = logFile();
    const a = await startInstance({
      RATELIMIT_ENABLED: 'true',
      RATELIMIT_STORAGE_URI: `redis://127.0.0.1:${server.port}`,
      RATELIMIT_KEY_PREFIX: uniquePrefix('outage-open'),
      RATELIMIT_DEFAULT: '2 per hour',
      RATELIMIT_IN_MEMORY_FALLBACK_ENABLED: 'false',
      LOG_FILE: log,
    });
    expect(await get(a, '192.0.2.9')).toBe(200);
    await server.stop();
    const during: number[] = [];
    for (let i = 0; i < 5; i++) during.push(await get(a, '192.0.2.9'));
    expect(during).toEqual([200, 200, 200, 200, 200]);
    await eventually('the outage error in the log', () =>
      logLines(log).some((l) => l.level === 50 && l.msg.includes('requests are not limited')),
    );
    expect(logLines(log).filter((l) => l.msg.includes('rate-limit storage unavailable'))).toHaveLength(1);
  });
});
