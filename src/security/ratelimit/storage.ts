// RATELIMIT_STORAGE_URI × RATELIMIT_STRATEGY → the store that counts. Memory,
// Redis (ioredis) and Memcached (memcached) connections are opened here; the
// combinations Flask-Limiter refuses are refused here, at start-up.
import { Redis } from 'ioredis';
import { RateLimiterMemcache, RateLimiterRedis } from 'rate-limiter-flexible';
import { ConfigError, DEFAULT_MEMORY_MAX_KEYS, type RateLimitStrategy } from '../../config/index.js';
import { FixedWindowStore, MemoryFixedWindowStore } from './fixed-window.js';
import { MemcachedClient } from './memcached-client.js';
import type { MemoryOptions } from './memory-table.js';
import { MemoryMovingWindowStore, RedisMovingWindowStore } from './moving-window.js';
import {
  MemcachedSlidingWindowStore,
  MemorySlidingWindowStore,
  RedisSlidingWindowStore,
} from './sliding-window-counter.js';
import type { WindowStore } from './types.js';

export type StorageSpec =
  { kind: 'memory' } | { kind: 'redis'; url: string } | { kind: 'memcached'; servers: string[] };

/**
 * Milliseconds a store command may take before it counts as an outage. Generous:
 * a dead store fails fast (refused or closed connection); this only catches a
 * hung one, and must not mistake a busy event loop for an outage.
 */
export const COMMAND_TIMEOUT_MS = 2500;

function memcachedServers(uri: string): string[] {
  const list = uri.slice('memcached://'.length).replace(/\/$/, '');
  if (!list) throw new ConfigError(`RATELIMIT_STORAGE_URI="${uri}" names no Memcached server (memcached://host:11211)`);
  return list.split(',').map((part) => {
    const server = part.trim();
    const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(server);
    const port = m?.[2] === undefined ? 11211 : Number(m[2]);
    if (!m || port < 1 || port > 65535) {
      throw new ConfigError(`RATELIMIT_STORAGE_URI: "${server}" is not a Memcached server (host:port)`);
    }
    return `${m[1]}:${port}`;
  });
}

export function parseStorageUri(uri: string): StorageSpec {
  const value = uri.trim();
  if (value === 'memory://' || value === 'memory') return { kind: 'memory' };
  if (/^rediss?:\/\//i.test(value)) {
    try {
      const u = new URL(value);
      if (!u.hostname) throw new Error('no host');
    } catch {
      throw new ConfigError(`RATELIMIT_STORAGE_URI is not a valid Redis URL (redis://host:6379/0 or rediss://…)`);
    }
    return { kind: 'redis', url: value };
  }
  if (/^memcached:\/\//i.test(value)) return { kind: 'memcached', servers: memcachedServers(value) };
  throw new ConfigError(
    `RATELIMIT_STORAGE_URI="${value.replace(/\/\/[^@/]*@/, '//…@')}" must start with memory://, redis://, rediss:// or memcached://`,
  );
}

export function checkCombination(spec: StorageSpec, strategy: RateLimitStrategy): void {
  if (spec.kind === 'memcached' && strategy === 'moving-window') {
    throw new ConfigError(
      'RATELIMIT_STRATEGY=moving-window is not supported with Memcached storage (it cannot keep a hit log atomically); ' +
        'use fixed-window or sliding-window-counter, or Redis storage',
    );
  }
}

export function checkKeyPrefix(prefix: string): void {
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(prefix)) {
    throw new ConfigError(`RATELIMIT_KEY_PREFIX="${prefix}" may only use letters, digits and . _ : - (at most 64)`);
  }
}

/** A store in this process's memory, holding at most `opts.maxKeys` keys. */
export function memoryStore(
  strategy: RateLimitStrategy,
  opts: MemoryOptions = { maxKeys: DEFAULT_MEMORY_MAX_KEYS },
): WindowStore {
  switch (strategy) {
    case 'fixed-window':
      return new MemoryFixedWindowStore(opts);
    case 'moving-window':
      return new MemoryMovingWindowStore(opts);
    case 'sliding-window-counter':
      return new MemorySlidingWindowStore(opts);
  }
}

/** A live connection to a shared store. */
export interface Backend {
  kind: 'redis' | 'memcached';
  /** Resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenedStorage {
  store: WindowStore;
  backend: Backend | null;
}

function openRedis(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    // Never queue commands while disconnected: a request must not wait for Redis.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  });
  // Failures surface through the commands; without a listener ioredis prints them.
  client.on('error', () => undefined);
  return client;
}

export async function openStorage(
  spec: StorageSpec,
  strategy: RateLimitStrategy,
  prefix: string,
  memory: MemoryOptions,
): Promise<OpenedStorage> {
  checkCombination(spec, strategy);
  if (spec.kind === 'memory') return { store: memoryStore(strategy, memory), backend: null };

  if (spec.kind === 'redis') {
    const client = openRedis(spec.url);
    // An unreachable Redis at start-up is an outage like any other: the
    // fallback serves until it answers. ioredis keeps reconnecting meanwhile.
    await client.connect().catch(() => undefined);
    const backend: Backend = {
      kind: 'redis',
      ping: async () => {
        await client.ping();
      },
      close: async () => {
        client.disconnect();
      },
    };
    let store: WindowStore;
    if (strategy === 'fixed-window') {
      store = new FixedWindowStore(
        prefix,
        (opts) =>
          new RateLimiterRedis({
            ...opts,
            storeClient: client,
            rejectIfRedisNotReady: true,
          }),
      );
    } else if (strategy === 'moving-window') {
      store = new RedisMovingWindowStore(client, prefix);
    } else {
      store = new RedisSlidingWindowStore(client, prefix);
    }
    return { store, backend };
  }

  const client = new MemcachedClient(spec.servers, { timeoutMs: COMMAND_TIMEOUT_MS });
  // Open the first connection now rather than on the first request; a failure is handled like Redis's.
  await client.ping().catch(() => undefined);
  const backend: Backend = {
    kind: 'memcached',
    ping: () => client.ping(),
    close: async () => client.close(),
  };
  const store: WindowStore =
    strategy === 'fixed-window'
      ? new FixedWindowStore(
          prefix,
          (opts) => new RateLimiterMemcache({ ...opts, storeClient: client.forRateLimiter() }),
        )
      : new MemcachedSlidingWindowStore(client, prefix);
  return { store, backend };
}
