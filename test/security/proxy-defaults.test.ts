// With nothing declared — the README's quick start — no X-Forwarded-* header
// is believed: a client cannot choose its own address (and so walk past the
// per-address limits), claim HTTPS or name the host.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { availableDialects, createTestDatabase, type TestDatabase } from '../helpers/db.js';

describe.each(await availableDialects())("the quick start's settings on %s", (dialect) => {
  let app: FastifyInstance;
  let database: TestDatabase;
  beforeAll(async () => {
    // What `npm start` runs with when nothing is configured (development profile).
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    database = await createTestDatabase(dialect);
    app = await buildApp(config, { database, logger: false });
    app.get('/__t/request', { config: { access: 'public' } }, async (request) => ({
      clientIp: request.clientIp,
      isSecure: request.isSecure,
      publicHost: request.publicHost,
    }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await database.dispose();
  });

  it('believes no forwarded header', async () => {
    const res = await app.inject({
      url: '/__t/request',
      headers: {
        'x-forwarded-for': '203.0.113.5',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-port': '8443',
      },
    });
    expect(res.json()).toEqual({ clientIp: '127.0.0.1', isSecure: false, publicHost: 'localhost' });
  });

  it('a new X-Forwarded-For on every try does not escape the login limit', async () => {
    const page = await app.inject({ url: '/login' });
    const token = /<meta name="csrf-token" content="([^"]+)"/.exec(page.body)![1]!;
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const statuses: number[] = [];
    const remaining: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/login',
        headers: {
          cookie,
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': `198.51.100.${i + 1}`,
        },
        payload: new URLSearchParams({
          _csrf: token,
          email: `nobody${i}@school.example.org`,
          password: 'not the password',
        }).toString(),
      });
      statuses.push(res.statusCode);
      remaining.push(Number(res.headers['x-ratelimit-remaining']));
    }
    // Every try counts against the same address, whatever address it claims.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    const perMinute = Number(app.config.rateLimit.login.split(/[;,|]/)[0]!.trim().split(/\s|\//)[0]);
    expect(remaining).toEqual([1, 2, 3, 4, 5, 6].map((n) => perMinute - n));
  });
});
