// Both session stores honour one contract: the database store on SQLite and
// PostgreSQL, and the Redis store against the real Redis.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseSessionStore, type SessionRecord, type SessionStore } from '../../src/security/session-store.js';
import { RedisSessionStore } from '../../src/security/session-redis.js';
import { createTestApp } from '../helpers/app.js';
import { availableDialects, createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { serviceAvailable, TEST_REDIS_URL } from '../helpers/services.js';
import { cookiePair, createProbeApp, setCookie } from './helpers.js';

const HOUR = 3600_000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

function record(userId: number, over: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: randomBytes(16).toString('hex'),
    userId,
    csrfToken: randomBytes(16).toString('hex'),
    remember: false,
    ip: '203.0.113.5',
    userAgent: 'Firefox',
    createdAt: iso(0),
    lastSeenAt: iso(0),
    idleExpiresAt: iso(HOUR),
    absoluteExpiresAt: iso(24 * HOUR),
    privilege: 'user',
    ...over,
  };
}

interface Harness {
  store: SessionStore;
  userA: number;
  userB: number;
  close(): Promise<void>;
}

async function databaseHarness(dialect: 'sqlite' | 'postgres'): Promise<Harness> {
  const db: TestDatabase = await createTestDatabase(dialect);
  const ids: number[] = [];
  for (const email of ['a@school.example.org', 'b@school.example.org']) {
    const now = iso(0);
    const row = await db.db
      .insertInto('users')
      .values({
        email,
        first_name: 'A',
        last_name: 'B',
        password_hash: 'x',
        year_group: 9,
        key_stage: 'KS4',
        maths_class: null,
        school_id: null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(row.id);
  }
  return { store: new DatabaseSessionStore(db.db), userA: ids[0]!, userB: ids[1]!, close: () => db.dispose() };
}

async function redisHarness(): Promise<Harness> {
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  const store = new RedisSessionStore(TEST_REDIS_URL, { prefix });
  await store.connect();
  return {
    store,
    userA: 1,
    userB: 2,
    async close() {
      const redis = new Redis(TEST_REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await store.close();
    },
  };
}

const stores: Array<[string, () => Promise<Harness>]> = [];
for (const d of await availableDialects()) stores.push([`database (${d})`, () => databaseHarness(d)]);
if (await serviceAvailable('redis')) stores.push(['redis', redisHarness]);

describe.each(stores)('session store: %s', (_name, make) => {
  let h: Harness;
  beforeAll(async () => {
    h = await make();
  });
  afterAll(async () => {
    await h.close();
  });

  it('creates and reads back a record unchanged', async () => {
    const r = record(h.userA, { remember: true, privilege: 'admin' });
    await h.store.create(r);
    expect(await h.store.get(r.id)).toEqual(r);
    expect(await h.store.get('no-such-id')).toBeNull();
  });

  it('touch moves last-seen and the idle expiry', async () => {
    const r = record(h.userA);
    await h.store.create(r);
    const seen = iso(10_000);
    const idle = iso(2 * HOUR);
    await h.store.touch(r.id, seen, idle);
    expect(await h.store.get(r.id)).toMatchObject({ lastSeenAt: seen, idleExpiresAt: idle });
  });

  it('touch never brings back a destroyed session', async () => {
    const r = record(h.userA);
    await h.store.create(r);
    await h.store.destroy(r.id);
    await h.store.touch(r.id, iso(0), iso(HOUR));
    expect(await h.store.get(r.id)).toBeNull();
  });

  it("lists a user's live sessions, newest activity first, and ends all but one", async () => {
    const older = record(h.userB, { lastSeenAt: iso(-2 * HOUR) });
    const newer = record(h.userB, { lastSeenAt: iso(-HOUR) });
    const other = record(h.userA);
    for (const r of [older, newer, other]) await h.store.create(r);
    expect((await h.store.listForUser(h.userB)).map((r) => r.id)).toEqual([newer.id, older.id]);
    expect(await h.store.destroyForUser(h.userB, newer.id)).toBe(1);
    expect((await h.store.listForUser(h.userB)).map((r) => r.id)).toEqual([newer.id]);
    expect(await h.store.get(other.id)).not.toBeNull();
    expect(await h.store.destroyForUser(h.userB)).toBe(1);
    expect(await h.store.listForUser(h.userB)).toEqual([]);
  });

  it('expired sessions are not listed', async () => {
    const user = h.userB;
    const expired = record(user, { idleExpiresAt: iso(-1000) });
    await h.store.create(expired);
    expect((await h.store.listForUser(user)).map((r) => r.id)).not.toContain(expired.id);
  });
});

describe.runIf(await serviceAvailable('redis'))('Redis specifics', () => {
  it('each record expires by itself at the earlier of its idle and absolute expiry', async () => {
    const prefix = `test:${randomBytes(4).toString('hex')}:`;
    const store = new RedisSessionStore(TEST_REDIS_URL, { prefix });
    await store.connect();
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const r = record(7, { idleExpiresAt: iso(HOUR), absoluteExpiresAt: iso(24 * HOUR) });
      await store.create(r);
      const ttl = await redis.pttl(`${prefix}session:${r.id}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(HOUR);
      const userTtl = await redis.pttl(`${prefix}user-sessions:7`);
      expect(userTtl).toBeGreaterThan(HOUR);
    } finally {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await store.close();
    }
  });

  it('an unreachable SESSION_STORE_URI stops the start with a clear message', async () => {
    await expect(createTestApp('sqlite', { SESSION_STORE_URI: 'redis://127.0.0.1:1' })).rejects.toThrow(
      /SESSION_STORE_URI: cannot reach Redis/,
    );
  });

  it('with SESSION_STORE_URI the app keeps sessions in Redis, not in the database', async () => {
    // Redis database 9 keeps these keys apart from other suites' keys.
    const uri = `${TEST_REDIS_URL.replace(/\/\d*$/, '')}/9`;
    const t = await createProbeApp('sqlite', { SESSION_STORE_URI: uri });
    const redis = new Redis(uri);
    try {
      const now = iso(0);
      const { id: userId } = await t.database.db
        .insertInto('users')
        .values({
          email: 'r@school.example.org',
          first_name: 'Rosalind',
          last_name: 'F',
          password_hash: 'x',
          year_group: 12,
          key_stage: 'KS5',
          maths_class: null,
          school_id: null,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const login = await t.app.inject({ method: 'POST', url: '/__t/login', payload: { userId: String(userId) } });
      const cookie = cookiePair(setCookie(login, 'mathsoc_session'));
      expect(await t.database.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
      const [session] = await t.app.sessions.listForUser(userId);
      expect(await redis.exists(`mathsoc:session:${session!.id}`)).toBe(1);
      expect(
        (await t.app.inject({ url: '/__t/request', headers: { cookie } })).json<{ userId: number | null }>().userId,
      ).toBe(userId);

      await t.app.inject({ method: 'POST', url: '/__t/logout', headers: { cookie } });
      expect(await redis.exists(`mathsoc:session:${session!.id}`)).toBe(0);
      expect(
        (await t.app.inject({ url: '/__t/request', headers: { cookie } })).json<{ userId: number | null }>().userId,
      ).toBeNull();
    } finally {
      await redis.quit();
      await t.close();
    }
  });
});
