// Outages answer like outages: with the database unreachable or full, every
// page that needs it answers 503 with Retry-After and a plain page (or JSON),
// what needs no database keeps working, the log says so once when it starts
// and once when it ends (never a stack trace per request), nothing is
// half-written, and the app recovers by itself.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/index.js';
import { TestClient } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { serviceAvailable, TEST_DATABASE_URL } from '../../helpers/services.js';
import {
  createLoggedApp,
  insertUser,
  Relay,
  UNAVAILABLE,
  waitFor,
  type LoggedApp,
  type LogLine,
} from './outage-helpers.js';

const outageLines = (log: LogLine[], phase: string) => log.filter((l) => l.outage === phase);
/** The log's lines for an outage phase, once there is one. */
const awaitOutage = (logged: LoggedApp, phase: string) =>
  waitFor(() => (outageLines(logged.log(), phase).length ? outageLines(logged.log(), phase) : null));

function expectOutagePage(res: { statusCode: number; headers: Record<string, unknown>; body: string }, json = false) {
  expect(res.statusCode).toBe(503);
  const retry = Number(res.headers['retry-after']);
  expect(retry).toBeGreaterThanOrEqual(1);
  expect(retry).toBeLessThanOrEqual(60);
  if (json) expect(JSON.parse(res.body)).toEqual({ error: UNAVAILABLE });
  else expect(res.body).toContain(UNAVAILABLE);
  expect(res.body).not.toMatch(/ECONNREFUSED|stack|at .*\.ts:\d+/);
}

describe.runIf(await serviceAvailable('postgres'))('a PostgreSQL outage', () => {
  const target = new URL(TEST_DATABASE_URL);
  const relay = new Relay({ host: target.hostname, port: Number(target.port || 5432) });
  let schema: TestDatabase;
  let logged: LoggedApp;
  let signedIn: TestClient;
  let closeDatabase: () => Promise<void>;

  beforeAll(async () => {
    await relay.start();
    schema = await createTestDatabase('postgres');
    const url = new URL(schema.config.url);
    url.port = String(relay.port);
    const database = openDatabase({ ...schema.config, url: url.toString() });
    closeDatabase = () => database.close();
    logged = await createLoggedApp(database, { RATELIMIT_ENABLED: 'false' });
    signedIn = new TestClient(logged.app);
    await signedIn.loginAs({ id: await insertUser(schema.db) });
    expect((await signedIn.get('/profile')).statusCode).toBe(200);
  });
  afterAll(async () => {
    await logged?.close();
    await closeDatabase?.();
    await relay.stop();
    await schema?.dispose();
  });

  it('answers 503 with Retry-After and the outage page, in HTML or JSON, while the database is unreachable', async () => {
    await relay.stop();
    const anonymous = new TestClient(logged.app);
    for (let i = 0; i < 10; i++) {
      expectOutagePage(await signedIn.get('/profile'));
      expectOutagePage(await anonymous.get('/'));
      expectOutagePage(await anonymous.get('/leaderboard', { accept: 'application/json' }), true);
    }
  });

  it('keeps serving what needs no database: the probes, static files and pages without data', async () => {
    expect((await signedIn.get('/health')).statusCode).toBe(200);
    expect((await signedIn.get('/favicon.svg')).statusCode).toBe(200);
    expect((await new TestClient(logged.app).get('/login')).statusCode).toBe(200);
    const ready = await signedIn.get('/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'degraded' });
  });

  it('logs the outage once when it starts, not an error with a stack trace per request', async () => {
    const started = await awaitOutage(logged, 'started');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ service: 'database' });
    // The pool's open connection is cut first, then new ones are refused.
    expect(started[0]!.code).toMatch(/^(ECONNREFUSED|Connection terminated unexpectedly)$/);
    const log = logged.log();
    expect(log.filter((l) => l.level >= 50)).toHaveLength(1);
    expect(log.filter((l) => l.err?.stack)).toEqual([]);
  });

  it('recovers by itself when the database returns, and logs the end once with the count', async () => {
    await relay.start();
    await waitFor(async () => (await signedIn.get('/profile')).statusCode === 200);
    const ended = await awaitOutage(logged, 'ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ service: 'database' });
    expect(ended[0]!.refused).toBeGreaterThanOrEqual(30);
    expect(outageLines(logged.log(), 'started')).toHaveLength(1);
  });
});

describe('a full SQLite database', () => {
  let handle: TestDatabase;
  let logged: LoggedApp;
  let admin: TestClient;
  let adminId: number;

  beforeAll(async () => {
    handle = await createTestDatabase('sqlite');
    logged = await createLoggedApp(handle, { RATELIMIT_ENABLED: 'false' });
    adminId = await insertUser(handle.db, true);
    admin = new TestClient(logged.app);
    await admin.loginAs({ id: adminId });
  });
  afterAll(async () => {
    await logged?.close();
    await handle?.dispose();
  });

  const counts = async () => ({
    announcements: Number(
      (await sql<{ n: number }>`select count(*) as n from announcements`.execute(handle.db)).rows[0]!.n,
    ),
    audit: Number((await sql<{ n: number }>`select count(*) as n from audit_log`.execute(handle.db)).rows[0]!.n),
  });
  // Larger than the free space of any page: the write needs new pages.
  const post = () =>
    admin.post('/admin/announcements', {
      title: 'Half-term puzzle hunt',
      content_html: `<p>${'Bring a pencil and a friend. '.repeat(3000)}</p>`,
    });

  it('answers 503 with the outage page, writes nothing, and logs SQLITE_FULL rather than a failed rollback', async () => {
    const sqlite = handle.sqlite!;
    sqlite.exec('vacuum');
    // No page beyond those in use: SQLite answers SQLITE_FULL, as on a full disk.
    sqlite.pragma(`max_page_count = ${Number(sqlite.pragma('page_count', { simple: true }))}`);
    const before = await counts();
    expectOutagePage(await post());
    expect(await counts()).toEqual(before);
    const started = await awaitOutage(logged, 'started');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ service: 'database', code: 'SQLITE_FULL' });
    expect(JSON.stringify(logged.log())).not.toContain('cannot rollback');
    // Pages that only read keep working.
    expect((await admin.get('/admin/announcements')).statusCode).toBe(200);
  });

  it('works again once there is room, and logs the end of the outage', async () => {
    handle.sqlite!.pragma('max_page_count = 1073741823');
    const res = await post();
    expect(res.statusCode).toBe(303);
    expect((await counts()).announcements).toBe(1);
    const ended = await awaitOutage(logged, 'ended');
    expect(ended[0]).toMatchObject({ service: 'database', refused: 1 });
  });
});
