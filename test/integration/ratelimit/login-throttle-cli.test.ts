// `mathsoc reset-password`, run as a real process while the server counts
// failed logins, lifts the login throttles of that account at once — even
// with memory:// storage, which no other process can reach.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/index.js';
import { hashPassword } from '../../../src/domain/accounts/passwords.js';
import { TEST_PASSWORD, TestClient } from '../../helpers/app.js';
import { availableDialects, createTestDatabase } from '../../helpers/db.js';
import { serviceAvailable } from '../../helpers/services.js';
import { deleteRedisKeys, REDIS_URI, uniquePrefix } from './helpers.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', '..', 'bin', 'mathsoc.js');
const SECRET_KEY = 'test-secret-key-that-is-long-enough-0123456789';

const storages: Array<[string, string]> = [['memory', 'memory://']];
if (await serviceAvailable('redis')) storages.push(['redis', REDIS_URI]);
const combos = (await availableDialects()).flatMap((d) => storages.map(([s, uri]) => [d, s, uri] as const));

describe.each(combos)('mathsoc reset-password and the login throttles (%s, %s storage)', (dialect, storage, uri) => {
  const prefix = uniquePrefix(`throttle-cli-${storage}`);
  let dir: string;
  let databaseUrl: string;
  let handle: DatabaseHandle & { dispose?: () => Promise<void> };
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-throttle-'));
    if (dialect === 'sqlite') {
      // The command line needs the same database: a file, not memory.
      const file = join(dir, 'throttle_test.db');
      databaseUrl = `sqlite:${file}`;
      handle = openDatabase({ dialect: 'sqlite', url: file, name: file });
      await migrateToLatest(handle.db);
    } else {
      handle = await createTestDatabase('postgres');
      databaseUrl = handle.config.url;
    }
    const config = loadConfig({
      APP_ENV: 'testing',
      SECRET_KEY,
      LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl,
      RATELIMIT_ENABLED: 'true',
      RATELIMIT_STORAGE_URI: uri,
      RATELIMIT_KEY_PREFIX: prefix,
      PROXY_FIX_X_FOR: '1',
      RATELIMIT_LOGIN: '1000 per minute',
      RATELIMIT_LOGIN_PAIR: '3 per hour',
      RATELIMIT_LOGIN_ACCOUNT: '5 per hour',
    });
    app = await buildApp(config, { database: handle, logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await (handle?.dispose ? handle.dispose() : handle?.close());
    if (storage === 'redis') await deleteRedisKeys(uri, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  const address = () => {
    n += 1;
    return `192.0.2.${n}`;
  };
  const login = (ip: string, email: string, password: string) =>
    new TestClient(app, { ip }).post('/login', { email, password }, { csrf: false });

  it('lets the owner sign in right after the reset, from the attacked address and from a new one', async () => {
    const email = `owner-${prefix}@school.example.org`;
    const now = new Date().toISOString();
    await handle.db
      .insertInto('users')
      .values({
        email,
        first_name: 'Olive',
        last_name: 'Owner',
        password_hash: await hashPassword(TEST_PASSWORD),
        year_group: 9,
        key_stage: 'KS4',
        maths_class: null,
        school_id: null,
        user_type: 'student',
        is_admin: 0,
        must_change_password: 0,
        created_at: now,
        updated_at: now,
        password_changed_at: now,
      })
      .execute();

    const attacker = address();
    for (let i = 0; i < 3; i++) expect((await login(attacker, email, `guess ${i}`)).statusCode).toBe(401);
    for (let i = 0; i < 2; i++) expect((await login(address(), email, `more ${i}`)).statusCode).toBe(401);
    expect((await login(attacker, email, TEST_PASSWORD)).statusCode).toBe(429);
    expect((await login(address(), email, TEST_PASSWORD)).statusCode).toBe(429);

    const { stdout } = await run(process.execPath, [CLI, 'reset-password', '--email', email], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        LOG_LEVEL: 'silent',
        APP_ENV: 'development',
        SECRET_KEY,
        DATABASE_URL: databaseUrl,
      },
      timeout: 60_000,
    });
    const password = /One-time password \(shown only now\): (\S+)/.exec(stdout)![1]!;

    const fresh = await login(address(), email, password);
    expect(fresh.statusCode).toBe(303);
    expect(fresh.headers.location).toBe('/profile/password');
    expect((await login(attacker, email, password)).statusCode).toBe(303);
  }, 90_000);
});
