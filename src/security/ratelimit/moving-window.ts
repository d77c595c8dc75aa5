// Moving window (a sliding log): a hit is admitted when fewer than `limit` hits
// happened in the last window; refused hits are not recorded (Flask-Limiter's
// moving window). rate-limiter-flexible has no such log, so it is written here,
// in memory and as one Redis Lua script (atomic, timed by the Redis server's
// clock so every instance agrees). Memcached cannot hold it atomically and is
// refused at start-up, as Flask-Limiter refuses it.
import type { Redis } from 'ioredis';
import type { LimitItem } from './grammar.js';
import { KeyTable, type Expiring, type MemoryOptions } from './memory-table.js';
import type { MemoryStats, WindowState, WindowStore } from './types.js';

/** What one evaluation of the log found (after recording an admitted hit). */
export interface MovingWindowFacts {
  allowed: boolean;
  /** Hits in the window after this operation. */
  count: number;
  now: number;
  /** Oldest hit still in the window (-1 when empty). */
  oldest: number;
  /** When refused: the newest of the hits that must leave before `cost` fits (-1 if none can). */
  blocking: number;
}

function movingWindowState(item: LimitItem, facts: MovingWindowFacts, cost: number): WindowState {
  const windowMs = item.windowSeconds * 1000;
  const remaining = Math.max(item.amount - facts.count, 0);
  let resetAtMs: number;
  if (facts.allowed) {
    resetAtMs = facts.oldest >= 0 ? facts.oldest + windowMs : facts.now;
  } else {
    // A cost larger than the whole limit never fits; report a full window.
    resetAtMs = cost > item.amount || facts.blocking < 0 ? facts.now + windowMs : facts.blocking + windowMs;
  }
  return { allowed: facts.allowed, limit: item.amount, remaining, resetAtMs };
}

interface Log extends Expiring {
  /** Hit times, oldest first. */
  hits: number[];
}

/**
 * Logged hits that take about as much memory as one key (a hit is an 8-byte
 * number; a key with its entry is measured in docs/rate-limiting.md), so a
 * long log counts towards RATELIMIT_MEMORY_MAX_KEYS by its length.
 */
const HITS_PER_KEY = 16;

const logSize = (log: Log): number => 1 + Math.floor(log.hits.length / HITS_PER_KEY);

export class MemoryMovingWindowStore implements WindowStore {
  private readonly logs: KeyTable<Log>;

  constructor(opts: MemoryOptions) {
    this.logs = new KeyTable<Log>(opts, logSize);
  }

  private run(key: string, item: LimitItem, cost: number, record: boolean): WindowState {
    const now = Date.now();
    const windowMs = item.windowSeconds * 1000;
    const id = `${item.id}:${key}`;
    let hits = this.logs.get(id)?.hits ?? [];
    let expired = 0;
    while (expired < hits.length && hits[expired]! <= now - windowMs) expired++;
    if (expired) hits.splice(0, expired);
    const allowed = hits.length + cost <= item.amount;
    if (allowed && record) {
      // Most logs hold one hit: an array of exactly that size (push would reserve 17).
      if (hits.length === 0) hits = new Array<number>(cost).fill(now);
      else for (let i = 0; i < cost; i++) hits.push(now);
    }
    // A fresh entry each time, so the table weighs the log at its new length.
    if (hits.length) this.logs.set(id, { hits, until: hits[hits.length - 1]! + windowMs });
    else this.logs.delete(id);
    const count = hits.length;
    const mustLeave = count + cost - item.amount;
    return movingWindowState(
      item,
      {
        allowed,
        count,
        now,
        oldest: count ? hits[0]! : -1,
        blocking: !allowed && mustLeave >= 1 && mustLeave <= count ? hits[mustLeave - 1]! : -1,
      },
      cost,
    );
  }

  async hit(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    return this.run(key, item, cost, true);
  }

  async peek(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    return this.run(key, item, cost, false);
  }

  async clear(key: string, item: LimitItem): Promise<void> {
    this.logs.delete(`${item.id}:${key}`);
  }

  async close(): Promise<void> {
    this.logs.close();
  }

  memoryStats(): MemoryStats {
    return this.logs.stats();
  }
}

// The log is a Redis sorted set of hit times. Members are "time-ordinal":
// within one millisecond the count only grows, so a member never repeats.
const MOVING_WINDOW_LUA = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local record = ARGV[4] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = count + cost <= limit
local oldest = -1
if count > 0 then oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]) end
local blocking = -1
if allowed and record then
  for i = 1, cost do
    redis.call('ZADD', KEYS[1], now, string.format('%d-%d', now, count + i))
  end
  redis.call('PEXPIRE', KEYS[1], window)
  if count == 0 then oldest = now end
  count = count + cost
elseif not allowed then
  local mustLeave = count + cost - limit
  if mustLeave >= 1 and mustLeave <= count then
    blocking = tonumber(redis.call('ZRANGE', KEYS[1], mustLeave - 1, mustLeave - 1, 'WITHSCORES')[2])
  end
end
if allowed then allowed = 1 else allowed = 0 end
return {allowed, count, now, oldest, blocking}
`;

type MovingWindowRedis = Redis & {
  mathsocMovingWindow(key: string, limit: number, windowMs: number, cost: number, record: string): Promise<number[]>;
};

export class RedisMovingWindowStore implements WindowStore {
  private readonly redis: MovingWindowRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('mathsocMovingWindow', { numberOfKeys: 1, lua: MOVING_WINDOW_LUA });
    this.redis = redis as MovingWindowRedis;
  }

  private redisKey(key: string, item: LimitItem): string {
    return `${this.prefix}:mw:${item.id}:${key}`;
  }

  private async run(key: string, item: LimitItem, cost: number, record: boolean): Promise<WindowState> {
    const [allowed, count, serverNow, oldest, blocking] = await this.redis.mathsocMovingWindow(
      this.redisKey(key, item),
      item.amount,
      item.windowSeconds * 1000,
      cost,
      record ? '1' : '0',
    );
    // Redis timed the log; report times on this process's clock.
    const shift = Date.now() - serverNow!;
    const state = movingWindowState(
      item,
      {
        allowed: allowed === 1,
        count: count!,
        now: serverNow!,
        oldest: oldest!,
        blocking: blocking!,
      },
      cost,
    );
    return { ...state, resetAtMs: state.resetAtMs + shift };
  }

  hit(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    return this.run(key, item, cost, true);
  }

  peek(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    return this.run(key, item, cost, false);
  }

  async clear(key: string, item: LimitItem): Promise<void> {
    await this.redis.del(this.redisKey(key, item));
  }

  async close(): Promise<void> {
    // The connection belongs to the storage backend, which closes it.
  }
}
