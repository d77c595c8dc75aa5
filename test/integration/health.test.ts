import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe.each(await availableDialects())('health probes and home page on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['/health', '/healthz'])('%s answers 200 {"status":"ok"}', async (url) => {
    const res = await t.client().get(url);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it.each(['/ready', '/readyz'])('%s answers 200 {"status":"ready"} while the database answers', async (url) => {
    const res = await t.client().get(url);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready' });
  });

  it('probes set no cookie', async () => {
    const res = await t.client().get('/ready');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('serves the home page with the stats', async () => {
    await t.createUser();
    const res = await t.client().get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Maths Society');
    expect(res.body).toMatch(/<span class="stat-number">1<\/span> member</);
  });

  it('answers unknown addresses with a 404 page, or JSON when asked', async () => {
    const html = await t.client().get('/no-such-page');
    expect(html.statusCode).toBe(404);
    expect(html.body).toContain('Page not found');
    const json = await t.client().get('/no-such-page', { accept: 'application/json' });
    expect(json.statusCode).toBe(404);
    expect(json.json()).toEqual({ error: expect.any(String) as unknown });
  });
});

describe('readiness when the database is gone', () => {
  it('/ready answers 503 degraded while /health stays 200', async () => {
    const t = await createTestApp('sqlite');
    await t.database.close(); // the connection is closed underneath the running app
    const ready = await t.client().get('/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'degraded' });
    const health = await t.client().get('/health');
    expect(health.statusCode).toBe(200);
    await t.app.close();
  });
});
