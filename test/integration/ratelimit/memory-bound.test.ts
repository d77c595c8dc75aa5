// The in-memory store under a flood of client addresses, through the real
// app: it never holds more than RATELIMIT_MEMORY_MAX_KEYS keys, the client
// whose key was evicted starts afresh, the log sums the evictions up, and an
// IPv6 host cannot mint fresh keys by changing the last 64 bits of its address.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { createTestDatabase } from '../../helpers/db.js';
import { eventually } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(env: Record<string, string>): Promise<FastifyInstance> {
  const config = loadConfig({
    APP_ENV: 'testing',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    LOG_LEVEL: 'info',
    RATELIMIT_ENABLED: 'true',
    PROXY_FIX_X_FOR: '1',
    ...env,
  });
  const database = await createTestDatabase('sqlite');
  const app = await buildApp(config, { database });
  await app.ready();
  cleanups.push(async () => {
    await stop(app);
    await database.dispose();
  });
  return app;
}

const closed = new WeakSet<FastifyInstance>();
async function stop(app: FastifyInstance): Promise<void> {
  if (closed.has(app)) return;
  closed.add(app);
  await app.close();
}

function logFile(): string {
  const file = join(tmpdir(), `mathsoc-rl-bound-${randomBytes(5).toString('hex')}.log`);
  cleanups.push(() => rmSync(file, { force: true }));
  return file;
}

function logLines(file: string): Array<{ level: number; msg: string; evicted?: number; maxKeys?: number }> {
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

const get = (app: FastifyInstance, ip: string, url = '/') =>
  app.inject({ method: 'GET', url, headers: { 'x-forwarded-for': ip } });

describe('the in-memory rate-limit store under a flood of addresses', () => {
  it('holds at most its maximum of keys; an evicted client starts a fresh window; the log counts evictions', async () => {
    const log = logFile();
    const app = await start({ RATELIMIT_MEMORY_MAX_KEYS: '40', RATELIMIT_DEFAULT: '2 per hour', LOG_FILE: log });
    expect((await get(app, '198.51.100.1')).statusCode).toBe(200);
    expect((await get(app, '198.51.100.1')).statusCode).toBe(200);
    expect((await get(app, '198.51.100.1')).statusCode).toBe(429);

    const statuses = new Set<number>();
    for (let i = 0; i < 300; i++) {
      statuses.add((await get(app, `10.${i >> 8}.${i & 255}.7`)).statusCode);
      expect(app.rateLimitStatus().memory!.keys).toBeLessThanOrEqual(40);
    }
    expect([...statuses]).toEqual([200]);
    expect(app.rateLimitStatus().memory).toMatchObject({ maxKeys: 40, evictedKeys: expect.any(Number) as unknown });
    expect(app.rateLimitStatus().memory!.evictedKeys).toBeGreaterThanOrEqual(260);

    // 300 newer clients pushed the refused one out: it is counted from zero again.
    const again = await get(app, '198.51.100.1');
    expect(again.statusCode).toBe(200);
    expect(again.headers['x-ratelimit-remaining']).toBe('1');

    await eventually('the "store full" warning', () =>
      logLines(log).some((l) => l.level === 40 && l.msg.includes('rate-limit store full')),
    );
    // One warning for the flood, not one per eviction.
    expect(logLines(log).filter((l) => l.msg.includes('rate-limit store full'))).toHaveLength(1);
    await stop(app);
    await eventually('the eviction count', () =>
      logLines(log).some((l) => /rate-limit store full: \d+ keys evicted in the last/.test(l.msg)),
    );
    const summary = logLines(log).find((l) => /keys evicted/.test(l.msg))!;
    expect(summary.evicted).toBeGreaterThanOrEqual(260);
    expect(summary.maxKeys).toBe(40);
  });

  it('counts IPv6 clients by their /64 network, and IPv4-mapped addresses as IPv4', async () => {
    const app = await start({ RATELIMIT_DEFAULT: '3 per hour' });
    const remaining = async (ip: string) => (await get(app, ip)).headers['x-ratelimit-remaining'];
    expect(await remaining('2001:db8:aa:1::1')).toBe('2');
    expect(await remaining('2001:db8:aa:1:ffff:eeee:dddd:cccc')).toBe('1');
    expect(await remaining('2001:0DB8:00AA:0001:0:0:0:2')).toBe('0');
    expect((await get(app, '2001:db8:aa:1:1234::9')).statusCode).toBe(429);
    // The neighbouring /64 is another client.
    expect(await remaining('2001:db8:aa:2::1')).toBe('2');
    // An IPv4 client seen through an IPv6 socket is the same client.
    expect(await remaining('203.0.113.77')).toBe('2');
    expect(await remaining('::ffff:203.0.113.77')).toBe('1');
  });

  it('refuses a maximum that is not a whole number in range, naming the setting', () => {
    const env = { APP_ENV: 'testing', SECRET_KEY: 'x'.repeat(40) };
    for (const bad of ['0', '-5', 'lots', '1e99']) {
      expect(() => loadConfig({ ...env, RATELIMIT_MEMORY_MAX_KEYS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ...env, RATELIMIT_MEMORY_MAX_KEYS: bad })).toThrow('RATELIMIT_MEMORY_MAX_KEYS');
    }
    expect(loadConfig({ ...env, RATELIMIT_MEMORY_MAX_KEYS: '250000' }).rateLimit.memoryMaxKeys).toBe(250_000);
  });
});
