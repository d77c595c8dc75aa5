// /ready against a PostgreSQL that goes away and comes back. A TCP relay sits
// between the app and the real server so the outage is this test's alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { openDatabase } from '../../../src/db/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { serviceAvailable, TEST_DATABASE_URL } from '../../helpers/services.js';
import { Relay } from '../server/outage-helpers.js';

describe.runIf(await serviceAvailable('postgres'))('readiness during a PostgreSQL outage', () => {
  const target = new URL(TEST_DATABASE_URL);
  const relay = new Relay({ host: target.hostname, port: Number(target.port || 5432) });
  let app: Awaited<ReturnType<typeof buildApp>>;
  let schema: TestDatabase;

  beforeAll(async () => {
    await relay.start();
    // A private, migrated schema; the app reaches it through the relay.
    schema = await createTestDatabase('postgres');
    const url = new URL(schema.config.url);
    url.port = String(relay.port);
    const config = loadConfig({ APP_ENV: 'testing', DATABASE_URL: url.toString(), LOG_LEVEL: 'silent' });
    const database = openDatabase(config.database);
    app = await buildApp(config, { database, logger: false });
    app.addHook('onClose', async () => database.close());
  });
  afterAll(async () => {
    await app?.close();
    await relay.stop();
    await schema?.dispose();
  });

  const probe = async (url: string) => {
    const started = Date.now();
    const res = await app.inject({ method: 'GET', url });
    return { status: res.statusCode, body: res.json<unknown>(), ms: Date.now() - started };
  };

  it('is ready while the database answers', async () => {
    expect((await probe('/ready')).status).toBe(200);
  });

  it('answers 503 degraded within 2 s when the database is unreachable, while /health stays 200', async () => {
    await relay.stop();
    const ready = await probe('/ready');
    expect(ready).toMatchObject({ status: 503, body: { status: 'degraded' } });
    expect(ready.ms).toBeLessThan(2000);
    expect((await probe('/health')).status).toBe(200);
  });

  it('answers 503 when the database hangs instead of answering', async () => {
    relay.mode = 'blackhole';
    await relay.start();
    const ready = await probe('/readyz');
    expect(ready).toMatchObject({ status: 503, body: { status: 'degraded' } });
    expect(ready.ms).toBeLessThan(2500);
    await relay.stop();
  });

  it('recovers when the database comes back', async () => {
    relay.mode = 'forward';
    await relay.start();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await probe('/ready')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });
});
