// Fixed window: the window opens with a key's first hit and every hit in it
// counts, refused ones included (as Flask-Limiter's `limits` does). In Redis
// (one Lua INCR+EXPIRE) and Memcached (INCR/ADD) counting is
// rate-limiter-flexible's, atomic per key, so instances sharing a store never
// admit more than the limit. In memory it is a counter in the bounded key
// table (the library's memory store has no bound and a timer per key).
import { RateLimiterRes, type RateLimiterAbstract, type RateLimiterStoreAbstract } from 'rate-limiter-flexible';
import type { LimitItem } from './grammar.js';
import { KeyTable, type Expiring, type MemoryOptions } from './memory-table.js';
import type { MemoryStats, WindowState, WindowStore } from './types.js';

type Limiter = RateLimiterAbstract | RateLimiterStoreAbstract;

/** Builds the library limiter for one limit item; `keyPrefix` keeps items apart. */
export type LimiterFactory = (opts: { points: number; duration: number; keyPrefix: string }) => Limiter;

export class FixedWindowStore implements WindowStore {
  private readonly limiters = new Map<string, Limiter>();

  constructor(
    private readonly prefix: string,
    private readonly factory: LimiterFactory,
  ) {}

  private limiter(item: LimitItem): Limiter {
    let limiter = this.limiters.get(item.id);
    if (!limiter) {
      limiter = this.factory({
        points: item.amount,
        duration: item.windowSeconds,
        keyPrefix: `${this.prefix}:fw:${item.id}`,
      });
      this.limiters.set(item.id, limiter);
    }
    return limiter;
  }

  private state(item: LimitItem, res: RateLimiterRes, allowed: boolean): WindowState {
    const now = Date.now();
    const msLeft = res.msBeforeNext > 0 ? res.msBeforeNext : 0;
    return {
      allowed,
      limit: item.amount,
      remaining: Math.max(item.amount - res.consumedPoints, 0),
      resetAtMs: now + msLeft,
    };
  }

  async hit(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    try {
      const res = await this.limiter(item).consume(key, cost);
      return this.state(item, res, true);
    } catch (err) {
      // The library rejects with its result object when over the limit, and
      // with an Error when the store failed; only the latter is an outage.
      if (err instanceof RateLimiterRes) return this.state(item, err, false);
      throw err;
    }
  }

  async peek(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    const res = await this.limiter(item).get(key);
    if (!res || res.msBeforeNext <= 0) {
      return { allowed: cost <= item.amount, limit: item.amount, remaining: item.amount, resetAtMs: Date.now() };
    }
    return this.state(item, res, res.consumedPoints + cost <= item.amount);
  }

  async clear(key: string, item: LimitItem): Promise<void> {
    await this.limiter(item).delete(key);
  }

  async close(): Promise<void> {
    this.limiters.clear();
  }
}

interface Counter extends Expiring {
  count: number;
}

export class MemoryFixedWindowStore implements WindowStore {
  private readonly table: KeyTable<Counter>;

  constructor(opts: MemoryOptions) {
    this.table = new KeyTable<Counter>(opts);
  }

  private static state(item: LimitItem, counter: Counter, allowed: boolean): WindowState {
    return {
      allowed,
      limit: item.amount,
      remaining: Math.max(item.amount - counter.count, 0),
      resetAtMs: counter.until,
    };
  }

  async hit(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    const id = `${item.id}:${key}`;
    let counter = this.table.get(id);
    if (!counter) {
      counter = { count: 0, until: Date.now() + item.windowSeconds * 1000 };
      this.table.set(id, counter);
    }
    counter.count += cost;
    return MemoryFixedWindowStore.state(item, counter, counter.count <= item.amount);
  }

  async peek(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    const counter = this.table.get(`${item.id}:${key}`);
    if (!counter)
      return { allowed: cost <= item.amount, limit: item.amount, remaining: item.amount, resetAtMs: Date.now() };
    return MemoryFixedWindowStore.state(item, counter, counter.count + cost <= item.amount);
  }

  async clear(key: string, item: LimitItem): Promise<void> {
    this.table.delete(`${item.id}:${key}`);
  }

  async close(): Promise<void> {
    this.table.close();
  }

  memoryStats(): MemoryStats {
    return this.table.stats();
  }
}
