// When the shared store fails (down, unreachable, too slow), requests are
// counted in process memory instead of failing: one warning per outage, then
// the store is probed in the background with exponential backoff and, once it
// answers, counting returns to it. Requests never wait on a dead store and
// never see a 500. With RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=false the
// requests are admitted uncounted during the outage (logged once as an error).
import type { FastifyBaseLogger } from 'fastify';
import type { LimitItem } from './grammar.js';
import type { Backend } from './storage.js';
import { StorageUnavailableError, type MemoryStats, type WindowState, type WindowStore } from './types.js';

export interface FallbackOptions {
  fallbackEnabled: boolean;
  log: FastifyBaseLogger;
  timeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StorageUnavailableError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class FallbackStore implements WindowStore {
  private degraded = false;
  private closed = false;
  private delayMs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly primary: WindowStore,
    private readonly backend: Backend,
    private readonly memory: WindowStore,
    private readonly opts: FallbackOptions,
  ) {
    this.delayMs = opts.initialBackoffMs;
  }

  /** True while counting happens in memory because the shared store failed. */
  get usingFallback(): boolean {
    return this.degraded;
  }

  private failed(err: unknown): void {
    if (this.degraded || this.closed) return;
    this.degraded = true;
    this.delayMs = this.opts.initialBackoffMs;
    const details = { storage: this.backend.kind, err: err instanceof Error ? err.message : String(err) };
    if (this.opts.fallbackEnabled) {
      this.opts.log.warn(details, 'rate-limit storage unavailable: counting in memory until it answers again');
    } else {
      this.opts.log.error(
        details,
        'rate-limit storage unavailable and the in-memory fallback is off: requests are not limited',
      );
    }
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.probe(), this.delayMs);
    this.timer.unref?.();
  }

  private async probe(): Promise<void> {
    this.timer = null;
    try {
      await withTimeout(this.backend.ping(), this.opts.timeoutMs);
    } catch {
      this.delayMs = Math.min(this.delayMs * 2, this.opts.maxBackoffMs);
      this.scheduleProbe();
      return;
    }
    if (this.closed) return;
    this.degraded = false;
    this.opts.log.info({ storage: this.backend.kind }, 'rate-limit storage answers again: counting there');
  }

  private async run(item: LimitItem, op: (store: WindowStore) => Promise<WindowState>): Promise<WindowState> {
    if (!this.degraded) {
      try {
        return await withTimeout(op(this.primary), this.opts.timeoutMs);
      } catch (err) {
        this.failed(err);
      }
    }
    if (this.opts.fallbackEnabled) return op(this.memory);
    return { allowed: true, limit: item.amount, remaining: item.amount, resetAtMs: Date.now() };
  }

  hit(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    return this.run(item, (store) => store.hit(key, item, cost));
  }

  peek(key: string, item: LimitItem, cost = 1): Promise<WindowState> {
    return this.run(item, (store) => store.peek(key, item, cost));
  }

  async clear(key: string, item: LimitItem): Promise<void> {
    // Forget the key everywhere it may be counted; a failing store is an outage, not an error.
    await this.memory.clear(key, item);
    if (this.degraded) return;
    try {
      await withTimeout(this.primary.clear(key, item), this.opts.timeoutMs);
    } catch (err) {
      this.failed(err);
    }
  }

  memoryStats(): MemoryStats | undefined {
    return this.memory.memoryStats?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.primary.close();
    await this.memory.close();
    await this.backend.close();
  }
}
