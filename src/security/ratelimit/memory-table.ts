// The in-memory stores keep their windows here: at most RATELIMIT_MEMORY_MAX_KEYS
// keys, least recently used out first (lru-cache), so no number of client
// addresses can exhaust the heap. Evicting a window that is still open
// forgets that client's count (it starts afresh); that is counted and
// reported in the log once at the start of a flood and then once a minute,
// never once per eviction. Expired windows are swept and are no loss.
import { LRUCache } from 'lru-cache';
import { plural } from '../../lib/plural.js';
import type { MemoryStats } from './types.js';

/** What the table writes to the log (the app's pino logger fits). */
export interface EvictionLog {
  warn(obj: object, msg: string): void;
}

export interface MemoryOptions {
  maxKeys: number;
  log?: EvictionLog;
}

export interface Expiring {
  /** Epoch ms after which the entry no longer counts anything. */
  until: number;
}

const REPORT_INTERVAL_MS = 60_000;

function period(ms: number): string {
  if (ms >= REPORT_INTERVAL_MS - 1000) return 'minute';
  const seconds = Math.max(1, Math.round(ms / 1000));
  return plural(seconds, 'second');
}

export class KeyTable<V extends Expiring> {
  private readonly cache: LRUCache<string, V>;
  private readonly timer: ReturnType<typeof setInterval>;
  private evictedTotal = 0;
  private evictedSinceReport = 0;
  private lastReportAt = Date.now();
  /** Whether the current flood has been announced. */
  private announced = false;
  private closed = false;

  /**
   * @param sizeOf how many keys' worth of memory an entry takes (1 for a
   *   counter; a log of hits takes more as it grows).
   */
  constructor(
    private readonly opts: MemoryOptions,
    private readonly sizeOf: (value: V) => number = () => 1,
  ) {
    this.cache = new LRUCache<string, V>({
      max: opts.maxKeys,
      maxSize: opts.maxKeys,
      sizeCalculation: (value) => this.sizeOf(value),
      dispose: (value, _key, reason) => {
        if (reason === 'evict' && value.until > Date.now()) this.evicted();
      },
    });
    this.timer = setInterval(() => {
      this.sweep();
      this.report();
    }, REPORT_INTERVAL_MS);
    this.timer.unref?.();
  }

  private evicted(): void {
    this.evictedTotal++;
    this.evictedSinceReport++;
    if (!this.announced) {
      this.announced = true;
      this.opts.log?.warn(
        { maxKeys: this.opts.maxKeys },
        'rate-limit store full: evicting the least recently used keys (RATELIMIT_MEMORY_MAX_KEYS)',
      );
    }
  }

  private report(): void {
    const now = Date.now();
    const evicted = this.evictedSinceReport;
    if (evicted > 0) {
      this.opts.log?.warn(
        { evicted, maxKeys: this.opts.maxKeys },
        `rate-limit store full: ${evicted} keys evicted in the last ${period(now - this.lastReportAt)}`,
      );
    } else {
      // A quiet interval ends the flood; the next eviction is announced at once.
      this.announced = false;
    }
    this.evictedSinceReport = 0;
    this.lastReportAt = now;
  }

  /** The live entry, or undefined (an expired one is dropped). Counts as a use. */
  get(id: string): V | undefined {
    const value = this.cache.get(id);
    if (value === undefined) return undefined;
    if (value.until <= Date.now()) {
      this.cache.delete(id);
      return undefined;
    }
    return value;
  }

  /** Stores `value` (pass a new object when its size may have changed). */
  set(id: string, value: V): void {
    if (this.sizeOf(value) > this.opts.maxKeys) {
      // Larger than the whole table: it cannot be kept, which forgets its count.
      if (this.cache.delete(id)) this.evicted();
      return;
    }
    this.cache.set(id, value);
  }

  delete(id: string): void {
    this.cache.delete(id);
  }

  /** Drops every expired entry. */
  sweep(): void {
    const now = Date.now();
    const expired: string[] = [];
    for (const [id, value] of this.cache.entries()) if (value.until <= now) expired.push(id);
    for (const id of expired) this.cache.delete(id);
  }

  stats(): MemoryStats {
    return { keys: this.cache.calculatedSize, maxKeys: this.opts.maxKeys, evictedKeys: this.evictedTotal };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    if (this.evictedSinceReport > 0) this.report();
    this.cache.clear();
  }
}
