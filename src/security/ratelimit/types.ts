// The one interface every strategy × storage combination implements, so the
// request hook, the named limits and the outage fallback never care which
// algorithm or backend is counting.
import type { LimitItem } from './grammar.js';

export interface WindowState {
  /** hit: whether this hit was admitted; peek: whether a hit of that cost would be. */
  allowed: boolean;
  limit: number;
  /** Further single hits the window admits right now. */
  remaining: number;
  /**
   * Epoch milliseconds at which the window next makes room: when refused, the
   * moment a hit of the same cost fits again; otherwise when capacity next grows
   * (fixed window ends, oldest hit leaves the moving window, weighted count drops).
   */
  resetAtMs: number;
}

/** How full an in-memory store is; `keys` counts key-sized units of memory. */
export interface MemoryStats {
  keys: number;
  maxKeys: number;
  /** Windows still open that were dropped to make room, since start. */
  evictedKeys: number;
}

export interface WindowStore {
  /** Counts `cost` hits against `item` for `key` (when the strategy admits them). */
  hit(key: string, item: LimitItem, cost?: number): Promise<WindowState>;
  /** The state of the window without counting anything. */
  peek(key: string, item: LimitItem, cost?: number): Promise<WindowState>;
  /** Forgets every hit of `key` against `item`. */
  clear(key: string, item: LimitItem): Promise<void>;
  close(): Promise<void>;
  /** In-memory stores (and a shared store's in-memory fallback) only. */
  memoryStats?(): MemoryStats | undefined;
}

export class StorageUnavailableError extends Error {
  override name = 'StorageUnavailableError';
}
