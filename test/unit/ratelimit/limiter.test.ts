// Several limits on one thing: which one is counted, which one is reported.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseLimits } from '../../../src/security/ratelimit/grammar.js';
import { MultiLimiter, storageKey, type Decision } from '../../../src/security/ratelimit/limiter.js';
import { retryAfterSeconds, waitInWords } from '../../../src/security/ratelimit/response.js';
import { memoryStore } from '../../../src/security/ratelimit/storage.js';
import type { WindowStore } from '../../../src/security/ratelimit/types.js';

const T0 = Date.parse('2030-01-07T09:00:00.000Z');
const at = (seconds: number) => vi.setSystemTime(T0 + seconds * 1000);

describe.each(['fixed-window', 'moving-window', 'sliding-window-counter'] as const)(
  'several limits with %s',
  (strategy) => {
    let store: WindowStore;
    let limiter: MultiLimiter;
    const login = parseLimits('5 per minute;20 per hour');

    beforeEach(() => {
      vi.useFakeTimers();
      at(0);
      store = memoryStore(strategy);
      limiter = new MultiLimiter(store);
    });
    afterEach(async () => {
      await store.close();
      vi.useRealTimers();
    });

    it('reports the tightest limit while admitting and the breached one when refusing', async () => {
      const first = await limiter.hit('POST /login', 'ip:192.0.2.1', login);
      expect(first.allowed).toBe(true);
      expect(first.item.text).toBe('5 per minute');
      expect(first.state.remaining).toBe(4);
      for (let i = 0; i < 4; i++) await limiter.hit('POST /login', 'ip:192.0.2.1', login);
      const refused = await limiter.hit('POST /login', 'ip:192.0.2.1', login);
      expect(refused.allowed).toBe(false);
      expect(refused.item.text).toBe('5 per minute');
      expect(retryAfterSeconds(refused.state.resetAtMs)).toBeGreaterThan(0);
      expect(retryAfterSeconds(refused.state.resetAtMs)).toBeLessThanOrEqual(120);
    });

    it('stops a slow attacker at the hourly limit', async () => {
      let admitted = 0;
      let last: Decision | undefined;
      // Five attempts every two minutes for an hour: the per-minute limit never bites.
      for (let minute = 0; minute < 60; minute += 2) {
        at(minute * 60);
        for (let i = 0; i < 5; i++) {
          last = await limiter.hit('POST /login', 'ip:192.0.2.1', login);
          if (last.allowed) admitted++;
        }
      }
      expect(admitted).toBe(20);
      expect(last?.item.text).toBe('20 per hour');
      expect(last?.state.remaining).toBe(0);
    });

    it('keeps scopes and clients apart and resets one client', async () => {
      for (let i = 0; i < 5; i++) await limiter.hit('POST /login', 'ip:192.0.2.1', login);
      expect((await limiter.hit('POST /login', 'ip:192.0.2.1', login)).allowed).toBe(false);
      expect((await limiter.hit('POST /login', 'ip:192.0.2.2', login)).allowed).toBe(true);
      expect((await limiter.hit('POST /register', 'ip:192.0.2.1', login)).allowed).toBe(true);
      expect((await limiter.peek('POST /login', 'ip:192.0.2.1', login)).allowed).toBe(false);
      await limiter.reset('POST /login', 'ip:192.0.2.1', login);
      expect((await limiter.peek('POST /login', 'ip:192.0.2.1', login)).allowed).toBe(true);
    });
  },
);

describe('peek over several limits', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports the limit that blocks longest', async () => {
    vi.useFakeTimers();
    at(0);
    const store = memoryStore('fixed-window');
    const limiter = new MultiLimiter(store);
    const items = parseLimits('2 per minute;2 per hour');
    await limiter.hit('s', 'k', items);
    await limiter.hit('s', 'k', items);
    const peek = await limiter.peek('s', 'k', items);
    expect(peek.allowed).toBe(false);
    expect(peek.item.text).toBe('2 per hour');
    expect(peek.state.resetAtMs).toBe(T0 + 3_600_000);
    await store.close();
  });
});

describe('keys and wording', () => {
  it('hashes scope and client into short keys that never collide by concatenation', () => {
    expect(storageKey('a', 'bc')).not.toBe(storageKey('ab', 'c'));
    expect(storageKey('named:login-account', 'x@example.org')).toMatch(/^[0-9a-f]{40}$/);
    expect(storageKey('s', 'k')).toBe(storageKey('s', 'k'));
    // Remembered keys and freshly hashed ones agree, for short and for long identities.
    const long = `${'x'.repeat(400)}@example.org`;
    expect(storageKey('named:login-account', long)).toBe(storageKey('named:login-account', long));
    expect(storageKey('named:login-account', long)).not.toBe(storageKey('named:login-account', `${long}x`));
    const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 40);
    for (let i = 0; i < 2; i++) expect(storageKey('default', '203.0.113.9')).toBe(sha('default\n203.0.113.9'));
  });

  it('says how long to wait in plain words, rounded up', () => {
    expect(waitInWords(1)).toBe('1 second');
    expect(waitInWords(45)).toBe('45 seconds');
    expect(waitInWords(61)).toBe('2 minutes');
    expect(waitInWords(3600)).toBe('1 hour');
    expect(waitInWords(90_000)).toBe('2 days');
    expect(retryAfterSeconds(1000, 1000)).toBe(1);
    expect(retryAfterSeconds(10_500, 1000)).toBe(10);
  });
});
