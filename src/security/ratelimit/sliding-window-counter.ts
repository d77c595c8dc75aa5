// Sliding window counter: two clock-aligned fixed windows, the previous one
// weighted by how much of it still overlaps the sliding window:
//   weighted = previous × (window − elapsed) / window + current
// A hit of `cost` is admitted when weighted + cost ≤ limit; refused hits are
// not counted (Flask-Limiter's sliding-window-counter). No library provides it,
// so the arithmetic lives here once, in integers (everything multiplied by the
// window length) so memory, Redis and Memcached decide identically.
import type { Redis } from 'ioredis';
import type { LimitItem } from './grammar.js';
import type { MemcachedClient } from './memcached-client.js';
import { KeyTable, type Expiring, type MemoryOptions } from './memory-table.js';
import type { MemoryStats, WindowState, WindowStore } from './types.js';

export interface SlidingCounts {
  previous: number;
  current: number;
}

/** weighted × windowMs, exact in integers. */
function scaledWeight(counts: SlidingCounts, windowMs: number, elapsed: number): number {
  return counts.previous * (windowMs - elapsed) + counts.current * windowMs;
}

/** Whether `cost` more hits fit, given the counts at `now`. */
function slidingAdmits(item: LimitItem, counts: SlidingCounts, now: number, cost: number): boolean {
  const windowMs = item.windowSeconds * 1000;
  return scaledWeight(counts, windowMs, now % windowMs) + cost * windowMs <= item.amount * windowMs;
}

/**
 * The earliest moment at or after `now` when the weighted count is at most
 * `target`, if no further hits are admitted. The previous window's share
 * decays linearly to zero at the end of the current window; after that the
 * current window's count becomes the one decaying.
 */
function whenWeightAtMost(counts: SlidingCounts, windowMs: number, now: number, target: number): number {
  const start = now - (now % windowMs);
  const elapsed = now - start;
  if (scaledWeight(counts, windowMs, elapsed) <= target * windowMs) return now;
  if (counts.current <= target && counts.previous > 0) {
    // previous × (windowMs − e) ≤ (target − current) × windowMs
    const e = windowMs - Math.floor(((target - counts.current) * windowMs) / counts.previous);
    return start + Math.max(e, elapsed);
  }
  // current × (windowMs − e) ≤ target × windowMs, in the next window
  const e = windowMs - Math.floor((target * windowMs) / counts.current);
  return start + windowMs + e;
}

/** The window's state at `now` from the counts after this operation. */
export function slidingWindowState(
  item: LimitItem,
  counts: SlidingCounts,
  now: number,
  cost: number,
  allowed: boolean,
): WindowState {
  const windowMs = item.windowSeconds * 1000;
  const scaled = scaledWeight(counts, windowMs, now % windowMs);
  const remaining = Math.max(Math.floor((item.amount * windowMs - scaled) / windowMs), 0);
  let resetAtMs: number;
  if (scaled === 0) {
    resetAtMs = now;
  } else if (!allowed) {
    resetAtMs =
      cost > item.amount
        ? now - (now % windowMs) + 2 * windowMs
        : whenWeightAtMost(counts, windowMs, now, item.amount - cost);
  } else {
    // Capacity grows by one when the weighted count drops below its next whole step.
    resetAtMs = whenWeightAtMost(counts, windowMs, now, item.amount - remaining - 1);
  }
  return { allowed, limit: item.amount, remaining, resetAtMs };
}

/** Rolls stored counts of window `storedWindow` forward to window `window`. */
function rollCounts(storedWindow: number | null, stored: SlidingCounts, window: number): SlidingCounts {
  if (storedWindow === window) return { ...stored };
  if (storedWindow === window - 1) return { previous: stored.current, current: 0 };
  return { previous: 0, current: 0 };
}

interface Slot extends SlidingCounts, Expiring {
  window: number;
}

export class MemorySlidingWindowStore implements WindowStore {
  private readonly slots: KeyTable<Slot>;

  constructor(opts: MemoryOptions) {
    this.slots = new KeyTable<Slot>(opts);
  }

  private run(key: string, item: LimitItem, cost: number, record: boolean): WindowState {
    const now = Date.now();
    const windowMs = item.windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    const id = `${item.id}:${key}`;
    const slot = this.slots.get(id);
    const counts = rollCounts(slot?.window ?? null, slot ?? { previous: 0, current: 0 }, window);
    const allowed = slidingAdmits(item, counts, now, cost);
    if (allowed && record) {
      counts.current += cost;
      // Its count still weighs in during the next window.
      this.slots.set(id, {
        previous: counts.previous,
        current: counts.current,
        window,
        until: (window + 2) * windowMs,
      });
    }
    return slidingWindowState(item, counts, now, cost, allowed);
  }

  async hit(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    return this.run(key, item, cost, true);
  }

  async peek(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    return this.run(key, item, cost, false);
  }

  async clear(key: string, item: LimitItem): Promise<void> {
    this.slots.delete(`${item.id}:${key}`);
  }

  async close(): Promise<void> {
    this.slots.close();
  }

  memoryStats(): MemoryStats {
    return this.slots.stats();
  }
}

// One hash per key: the window number and both counts, rolled forward and
// checked in one script, timed by the Redis server's clock.
const SLIDING_WINDOW_LUA = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local record = ARGV[4] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local w = math.floor(now / window)
local h = redis.call('HMGET', KEYS[1], 'w', 'cur', 'prev')
local sw = tonumber(h[1])
local cur = tonumber(h[2]) or 0
local prev = tonumber(h[3]) or 0
if sw == nil then cur = 0; prev = 0
elseif sw == w - 1 then prev = cur; cur = 0
elseif sw ~= w then cur = 0; prev = 0 end
local elapsed = now - w * window
local allowed = prev * (window - elapsed) + (cur + cost) * window <= limit * window
if allowed and record then
  cur = cur + cost
  redis.call('HSET', KEYS[1], 'w', string.format('%d', w), 'cur', cur, 'prev', prev)
  redis.call('PEXPIRE', KEYS[1], 2 * window)
end
if allowed then allowed = 1 else allowed = 0 end
return {allowed, prev, cur, now}
`;

type SlidingWindowRedis = Redis & {
  mathsocSlidingWindow(key: string, limit: number, windowMs: number, cost: number, record: string): Promise<number[]>;
};

export class RedisSlidingWindowStore implements WindowStore {
  private readonly redis: SlidingWindowRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('mathsocSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
    this.redis = redis as SlidingWindowRedis;
  }

  private redisKey(key: string, item: LimitItem): string {
    return `${this.prefix}:swc:${item.id}:${key}`;
  }

  private async run(key: string, item: LimitItem, cost: number, record: boolean): Promise<WindowState> {
    const [allowed, previous, current, serverNow] = await this.redis.mathsocSlidingWindow(
      this.redisKey(key, item),
      item.amount,
      item.windowSeconds * 1000,
      cost,
      record ? '1' : '0',
    );
    const state = slidingWindowState(item, { previous: previous!, current: current! }, serverNow!, cost, allowed === 1);
    return { ...state, resetAtMs: state.resetAtMs + (Date.now() - serverNow!) };
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

/**
 * Memcached has no scripts: one counter per clock-aligned window, incremented
 * first and taken back when the weighted count went over. Concurrent hits can
 * then only be refused too eagerly, never admitted beyond the limit: an
 * admitted hit is never taken back, so the counter never drops below the hits
 * admitted. Windows are numbered by this process's clock, so instances should
 * keep time (NTP).
 */
export class MemcachedSlidingWindowStore implements WindowStore {
  constructor(
    private readonly client: MemcachedClient,
    private readonly prefix: string,
  ) {}

  private counterKey(key: string, item: LimitItem, window: number): string {
    return `${this.prefix}:swc:${item.id}:${key}:${window}`;
  }

  private async counts(key: string, item: LimitItem, window: number): Promise<SlidingCounts> {
    const [previous, current] = await Promise.all([
      this.client.getNumber(this.counterKey(key, item, window - 1)),
      this.client.getNumber(this.counterKey(key, item, window)),
    ]);
    return { previous, current };
  }

  async hit(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    const now = Date.now();
    const windowMs = item.windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    const currentKey = this.counterKey(key, item, window);
    // One round trip: read the previous window while counting into the current one,
    // which lives through its own window and the next (where it is "previous").
    const [previous, current] = await Promise.all([
      this.client.getNumber(this.counterKey(key, item, window - 1)),
      this.client.increment(currentKey, cost, 2 * item.windowSeconds),
    ]);
    if (slidingAdmits(item, { previous, current: current - cost }, now, cost)) {
      return slidingWindowState(item, { previous, current }, now, cost, true);
    }
    const undone = await this.client.decrement(currentKey, cost);
    return slidingWindowState(item, { previous, current: undone }, now, cost, false);
  }

  async peek(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    const now = Date.now();
    const window = Math.floor(now / (item.windowSeconds * 1000));
    const counts = await this.counts(key, item, window);
    return slidingWindowState(item, counts, now, cost, slidingAdmits(item, counts, now, cost));
  }

  async clear(key: string, item: LimitItem): Promise<void> {
    const window = Math.floor(Date.now() / (item.windowSeconds * 1000));
    await Promise.all([
      this.client.remove(this.counterKey(key, item, window - 1)),
      this.client.remove(this.counterKey(key, item, window)),
    ]);
  }

  async close(): Promise<void> {
    // The connection belongs to the storage backend, which closes it.
  }
}
