// A promise face on the `memcached` client, with the one rule the client
// leaves to its callers: Memcached reads a lifetime above 30 days as an
// absolute Unix time, so longer lifetimes ("per year" windows) are sent as
// one. rate-limiter-flexible gets the same client through `forRateLimiter()`.
import { inspect } from 'node:util';
import Memcached from 'memcached';

const MAX_RELATIVE_LIFETIME = 30 * 24 * 60 * 60;

/** The lifetime argument Memcached needs for an item that should live `seconds`. */
function memcachedLifetime(seconds: number, nowMs = Date.now()): number {
  return seconds > MAX_RELATIVE_LIFETIME ? Math.floor(nowMs / 1000) + seconds : seconds;
}

type Callback<T> = (err: unknown, result: T) => void;

/** The client reports some failures as strings or plain objects rather than Errors. */
function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : inspect(err));
}

export interface MemcachedClientOptions {
  /** Milliseconds before a command or connection attempt is given up. */
  timeoutMs: number;
}

export class MemcachedClient {
  readonly raw: Memcached;

  constructor(servers: string[], opts: MemcachedClientOptions) {
    this.raw = new Memcached(servers, {
      timeout: opts.timeoutMs,
      // A burst of requests may find every pooled connection still opening:
      // wait briefly for one rather than fail (20, 40, 80 ms).
      retries: 3,
      factor: 2,
      minTimeout: 20,
      maxTimeout: 200,
      // After a failure the server is skipped for `retry` ms, then tried again.
      // The count of failures must never run out: the client's other recovery
      // path spawns the system `ping` command, which proves nothing about
      // Memcached and crashes the process where `ping` is not installed.
      failures: 1_000_000_000,
      retry: 1000,
      remove: false,
      idle: 0,
    } as Memcached.options);
    // Issues are reported through the failed commands; the default listener would only print them.
    this.raw.on('issue', () => undefined);
    this.raw.on('failure', () => undefined);
  }

  private call<T>(run: (cb: Callback<T>) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      run((err, result) => (err ? reject(asError(err)) : resolve(result)));
    });
  }

  async getNumber(key: string): Promise<number> {
    const value = await this.call<unknown>((cb) => this.raw.get(key, cb));
    const n = Number(value ?? 0);
    return Number.isFinite(n) ? n : 0;
  }

  /** Adds `by` to the counter, creating it with `lifetimeSeconds` when missing; returns the new value. */
  async increment(key: string, by: number, lifetimeSeconds: number): Promise<number> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const value = await this.call<boolean | number>((cb) => this.raw.incr(key, by, cb));
      if (typeof value === 'number') return value;
      const created = await this.call<boolean>((cb) =>
        this.raw.add(key, by, memcachedLifetime(lifetimeSeconds), cb),
      ).catch((err: unknown) => {
        // NOT_STORED: another instance created it first; increment that one.
        if (err instanceof Error && err.message === 'Item is not stored') return false;
        throw err;
      });
      if (created) return by;
    }
    throw new Error(`memcached: could not create counter ${key}`);
  }

  /** Takes `by` back from the counter (never below zero); returns the new value. */
  async decrement(key: string, by: number): Promise<number> {
    const value = await this.call<boolean | number>((cb) => this.raw.decr(key, by, cb));
    return typeof value === 'number' ? value : 0;
  }

  async remove(key: string): Promise<void> {
    await this.call<boolean>((cb) => this.raw.del(key, cb));
  }

  /** Resolves when a server answers. */
  async ping(): Promise<void> {
    await this.call<unknown>((cb) => this.raw.version(cb));
  }

  /** The client as rate-limiter-flexible's Memcached store expects it. */
  forRateLimiter(): object {
    const raw = this.raw;
    return {
      get: (key: string, cb: Callback<unknown>) => raw.get(key, cb),
      set: (key: string, value: unknown, lifetime: number, cb: Callback<boolean>) =>
        raw.set(key, value, memcachedLifetime(lifetime), cb),
      add: (key: string, value: unknown, lifetime: number, cb: Callback<boolean>) =>
        raw.add(key, value, memcachedLifetime(lifetime), cb),
      incr: (key: string, by: number, cb: Callback<boolean | number>) => raw.incr(key, by, cb),
      del: (key: string, cb: Callback<boolean>) => raw.del(key, cb),
    };
  }

  close(): void {
    this.raw.end();
  }
}
