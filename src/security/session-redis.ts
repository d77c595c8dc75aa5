// Session records in Redis (SESSION_STORE_URI=redis://… or rediss://…), for
// deployments that prefer sessions out of the database. Same contract as the
// database store: records keyed by the token's SHA-256, expired by Redis
// itself (the key's TTL is the earlier of the idle and absolute expiry), and a
// per-user set of ids so "sign out everywhere" and the sessions page work.
// With Redis down or hanging, every call fails within about a second with a
// ServiceUnavailableError (503 and Retry-After, logged once as an outage)
// instead of waiting for the client's reconnect back-off.
import { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../lib/outage.js';
import type { SessionRecord, SessionStore } from './session-store.js';

const DEFAULT_PREFIX = 'mathsoc:';
/** How long one command may take before the request is answered 503. */
const COMMAND_TIMEOUT_MS = 1000;
// Replies that mean Redis cannot serve for now (loading its data, a failed
// background save refusing writes, out of memory, a replica), not a bug of ours.
const UNAVAILABLE_REPLY = /^(?:LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY|MISCONF|OOM)\b/;

/** Every failure but a Redis reply about the command itself is the store being unavailable. */
function storeError(err: unknown): unknown {
  const reply = err instanceof Error && err.name === 'ReplyError';
  return reply && !UNAVAILABLE_REPLY.test(err.message) ? err : new ServiceUnavailableError('session store', err);
}

// Extend a key's lifetime to at least ARGV[1] ms (a set outlives its longest session).
const EXTEND_TTL = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1`;

function ttlMs(record: Pick<SessionRecord, 'idleExpiresAt' | 'absoluteExpiresAt'>, now = Date.now()): number {
  const end = Math.min(Date.parse(record.idleExpiresAt), Date.parse(record.absoluteExpiresAt));
  return Math.max(1, end - now);
}

function parse(raw: string | null): SessionRecord | null {
  if (!raw) return null;
  try {
    const r = JSON.parse(raw) as SessionRecord;
    if (typeof r.id !== 'string' || typeof r.userId !== 'number' || typeof r.csrfToken !== 'string') return null;
    return r;
  } catch {
    return null;
  }
}

export class RedisSessionStore implements SessionStore {
  private readonly redis: Redis;
  private readonly sessionKey: (id: string) => string;
  private readonly userKey: (userId: number) => string;

  /** `prefix` namespaces the keys (several sites, or test runs, may share one Redis). */
  constructor(uri: string, opts: { prefix?: string } = {}) {
    const prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.sessionKey = (id) => `${prefix}session:${id}`;
    this.userKey = (userId) => `${prefix}user-sessions:${userId}`;
    this.redis = new Redis(uri, {
      lazyConnect: true,
      connectTimeout: 2000,
      // Fail fast while Redis is away: nothing queued while disconnected, a bound
      // on each command (Redis hanging), at most one retry after a dropped connection.
      enableOfflineQueue: false,
      commandTimeout: COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      // Reconnect every 2 s at most, so the store is back soon after Redis is.
      retryStrategy: (times: number) => Math.min(times * 200, 2000),
    });
    // Connection errors surface on the commands that fail; the client reconnects by itself.
    this.redis.on('error', () => {});
  }

  /** Connects once at start-up, so a wrong SESSION_STORE_URI stops the start with a clear line. */
  async connect(): Promise<void> {
    try {
      await this.redis.connect();
      await this.redis.ping();
    } catch (err) {
      this.redis.disconnect();
      throw new Error(`SESSION_STORE_URI: cannot reach Redis (${err instanceof Error ? err.message : String(err)})`, {
        cause: err,
      });
    }
  }

  /** Runs commands, turning connection failures into ServiceUnavailableError. */
  private async run<T>(commands: () => Promise<T>): Promise<T> {
    try {
      return await commands();
    } catch (err) {
      throw storeError(err);
    }
  }

  async create(record: SessionRecord): Promise<void> {
    const ttl = ttlMs(record);
    const userTtl = Math.max(ttl, Date.parse(record.absoluteExpiresAt) - Date.now());
    await this.run(() =>
      this.redis
        .multi()
        .set(this.sessionKey(record.id), JSON.stringify(record), 'PX', ttl)
        .sadd(this.userKey(record.userId), record.id)
        .eval(EXTEND_TTL, 1, this.userKey(record.userId), String(userTtl))
        .exec()
        .then(failOnError),
    );
  }

  async get(id: string): Promise<SessionRecord | null> {
    return parse(await this.run(() => this.redis.get(this.sessionKey(id))));
  }

  async touch(id: string, lastSeenAt: string, idleExpiresAt: string): Promise<void> {
    const record = await this.get(id);
    if (!record) return;
    const updated = { ...record, lastSeenAt, idleExpiresAt };
    // XX: a session ended meanwhile (logout) must not come back to life.
    await this.run(() => this.redis.set(this.sessionKey(id), JSON.stringify(updated), 'PX', ttlMs(updated), 'XX'));
  }

  async destroy(id: string): Promise<void> {
    const record = await this.get(id);
    const tx = this.redis.multi().del(this.sessionKey(id));
    if (record) tx.srem(this.userKey(record.userId), id);
    await this.run(() => tx.exec().then(failOnError));
  }

  async destroyForUser(userId: number, exceptId?: string | null): Promise<number> {
    const ids = (await this.run(() => this.redis.smembers(this.userKey(userId)))).filter((id) => id !== exceptId);
    if (ids.length === 0) return 0;
    const results = await this.run(() =>
      this.redis
        .multi()
        .del(...ids.map(this.sessionKey))
        .srem(this.userKey(userId), ...ids)
        .exec()
        .then(failOnError),
    );
    return Number(results[0]);
  }

  async listForUser(userId: number): Promise<SessionRecord[]> {
    return this.run(() => this.list(userId));
  }

  private async list(userId: number): Promise<SessionRecord[]> {
    const ids = await this.redis.smembers(this.userKey(userId));
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map(this.sessionKey));
    const now = new Date().toISOString();
    const gone: string[] = [];
    const live: SessionRecord[] = [];
    raws.forEach((raw, i) => {
      const r = parse(raw);
      if (!r) gone.push(ids[i]!);
      else if (r.idleExpiresAt > now && r.absoluteExpiresAt > now) live.push(r);
    });
    if (gone.length) await this.redis.srem(this.userKey(userId), ...gone);
    return live.sort((a, b) => (a.lastSeenAt < b.lastSeenAt ? 1 : a.lastSeenAt > b.lastSeenAt ? -1 : 0));
  }

  /** Redis expires records by itself. */
  async purgeExpired(): Promise<number> {
    return 0;
  }

  async ping(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const pong = this.redis.ping().then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([pong, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.redis.status === 'end') return;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}

function failOnError(results: Array<[Error | null, unknown]> | null): unknown[] {
  if (!results) throw new Error('Redis transaction was aborted');
  for (const [err] of results) if (err) throw err;
  return results.map(([, value]) => value);
}
