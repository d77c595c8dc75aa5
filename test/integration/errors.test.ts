// Error pages: HTML or JSON by Accept, never a stack trace or internal message
// in production, and a failed request leaves no half-written data behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { HttpError } from '../../src/security/access.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

async function appWithFailingRoutes(profile: 'production' | 'development') {
  const database = await createTestDatabase('sqlite');
  const config = loadConfig({
    APP_ENV: profile,
    SECRET_KEY: 's'.repeat(40),
    LOG_LEVEL: 'silent',
    FORCE_HTTPS: 'false',
  });
  const app = await buildApp(config, { database, logger: false });
  app.get('/test-boom', { config: { access: 'public' } }, async () => {
    throw new Error('internal detail: connection string postgres://user:pw@db');
  });
  app.get('/test-bad', { config: { access: 'public' } }, async () => {
    throw new HttpError(400, 'The year must be between 7 and 13.');
  });
  app.get('/test-half-write', { config: { access: 'public' } }, async () => {
    await app.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('settings')
        .values({ key: 'half', value: 'written', updated_at: new Date().toISOString() })
        .execute();
      throw new Error('failure after the first write');
    });
  });
  await app.ready();
  return { app, database };
}

describe('error pages in production', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let database: TestDatabase;
  beforeAll(async () => ({ app, database } = await appWithFailingRoutes('production')));
  afterAll(async () => {
    await app.close();
    await database.dispose();
  });

  it('a 500 page shows neither the message nor a stack trace', async () => {
    const res = await app.inject({ url: '/test-boom', headers: { 'x-forwarded-proto': 'https' } });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Something went wrong');
    expect(res.body).not.toContain('internal detail');
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('a 500 in JSON says as little', async () => {
    const res = await app.inject({
      url: '/test-boom',
      headers: { accept: 'application/json', 'x-forwarded-proto': 'https' },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json<{ error: string }>().error).not.toContain('internal detail');
  });

  it('a 400 shows its clear message', async () => {
    const res = await app.inject({ url: '/test-bad', headers: { 'x-forwarded-proto': 'https' } });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The year must be between 7 and 13.');
  });

  it('a malformed body is a 400, not a 500', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/csp-report-does-not-matter',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      payload: '{"a":',
    });
    expect([400, 403, 404]).toContain(res.statusCode);
  });

  it('a failing transaction leaves nothing behind', async () => {
    const res = await app.inject({ url: '/test-half-write', headers: { 'x-forwarded-proto': 'https' } });
    expect(res.statusCode).toBe(500);
    const rows = await database.db.selectFrom('settings').selectAll().where('key', '=', 'half').execute();
    expect(rows).toEqual([]);
  });
});

describe('error pages in development', () => {
  it('show the message to help the developer', async () => {
    const { app, database } = await appWithFailingRoutes('development');
    const res = await app.inject({ url: '/test-boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain('internal detail');
    await app.close();
    await database.dispose();
  });
});
