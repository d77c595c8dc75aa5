// A response that sets a cookie or carries a form (CSRF) token belongs to one
// visitor: no shared cache may keep it and hand it to the next. Every page
// embeds the token (the layout's csrf-token meta tag), so every HTML page is
// `private, no-store`, anonymous ones included; the hashed bundles under
// /assets keep their year-long cache, and the health probes keep their own
// answer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_DIR } from '../../src/web/assets.js';
import { createTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { availableDialects } from '../helpers/db.js';
import { hit, label, routes, seedData } from './routes.js';

const PRIVATE = 'private, no-store';
const YEAR = 'public, max-age=31536000, immutable';

const setsCookie = (res: LightMyRequestResponse) => res.headers['set-cookie'] !== undefined;
const isHtml = (res: LightMyRequestResponse) => String(res.headers['content-type'] ?? '').includes('text/html');
const cacheControl = (res: LightMyRequestResponse) => String(res.headers['cache-control'] ?? '');

describe.each(await availableDialects())('Cache-Control of responses for one visitor on %s', (dialect) => {
  let t: TestApp;
  const clients: Record<string, TestClient | null> = {};
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await seedData(t);
    clients.admin = t.client();
    await clients.admin.loginAs(await t.createUser({ isAdmin: true }));
    clients.student = t.client();
    await clients.student.loginAs(await t.createUser());
    clients.anonymous = null;
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['/login', '/register', '/'])(
    'a first anonymous visit to %s gets the token cookie and private, no-store',
    async (url) => {
      const res = await t.client().get(url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/<meta name="csrf-token" content="[^"]+"/);
      expect(setsCookie(res)).toBe(true);
      expect(res.headers['cache-control']).toBe(PRIVATE);
    },
  );

  it('a returning anonymous visitor (cookie already set) still gets private, no-store: the page embeds their token', async () => {
    const c = t.client();
    await c.get('/login');
    const again = await c.get('/login');
    expect(setsCookie(again)).toBe(false);
    expect(again.headers['cache-control']).toBe(PRIVATE);
  });

  it('a redirect that only writes the flash cookie is private, no-store', async () => {
    const res = await t.client().post('/logout', {});
    expect(res.statusCode).toBe(303);
    expect(String(res.headers['set-cookie'])).toContain('mathsoc_flash=');
    expect(res.headers['cache-control']).toBe(PRIVATE);
  });

  it.each(['admin', 'student', 'anonymous'])(
    'every route, as %s: each response with Set-Cookie or an HTML body is kept in no cache',
    async (role) => {
      const problems: string[] = [];
      let checked = 0;
      for (const r of routes(t.app)) {
        // Signed-in clients only read: their POSTs (logout, deleting the account) would end the crawl.
        if (role !== 'anonymous' && r.method !== 'GET' && r.method !== 'HEAD') continue;
        const res = await hit(t, clients[role]!, r);
        if (!setsCookie(res) && !isHtml(res)) continue;
        checked += 1;
        const value = cacheControl(res);
        // `private, no-store`, or the plain `no-store` that signed-in pages already had.
        if (value !== PRIVATE && value !== 'no-store')
          problems.push(`${label(r)} → ${res.statusCode}: Cache-Control "${value}"`);
      }
      expect(problems).toEqual([]);
      expect(checked).toBeGreaterThan(10);
    },
  );

  it('hashed bundles keep their year-long cache and set no cookie', async () => {
    const manifest = JSON.parse(readFileSync(join(PUBLIC_DIR, 'assets', 'manifest.json'), 'utf8')) as Record<
      string,
      string
    >;
    for (const client of [t.client(), clients.student!]) {
      const res = await client.get(`/assets/${manifest['site.css']}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe(YEAR);
      expect(setsCookie(res)).toBe(false);
    }
  });

  it('health probes keep their own no-store and set no cookie', async () => {
    for (const url of ['/health', '/healthz', '/ready', '/readyz']) {
      const res = await t.app.inject({ url });
      expect(res.headers['cache-control'], url).toBe('no-store');
      expect(setsCookie(res), url).toBe(false);
    }
  });
});
