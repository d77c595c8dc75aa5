// The in-memory store holds at most RATELIMIT_MEMORY_MAX_KEYS keys, whatever
// the number of clients: the least recently used key goes first, a client
// whose key went starts a fresh window, and evictions are summarised in the
// log rather than written one line each. The clock is vitest's fake one.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseLimits, type LimitItem } from '../../../src/security/ratelimit/grammar.js';
import { memoryStore } from '../../../src/security/ratelimit/storage.js';
import type { WindowStore } from '../../../src/security/ratelimit/types.js';

const T0 = Date.parse('2030-01-07T09:00:00.000Z');
const at = (seconds: number) => vi.setSystemTime(T0 + seconds * 1000);
const item = (text: string): LimitItem => parseLimits(text)[0]!;

interface Line {
  level: 'warn' | 'info';
  obj: Record<string, unknown>;
  msg: string;
}

function recorder() {
  const lines: Line[] = [];
  return {
    lines,
    log: {
      warn: (obj: Record<string, unknown>, msg: string) => {
        lines.push({ level: 'warn', obj, msg });
      },
      info: (obj: Record<string, unknown>, msg: string) => {
        lines.push({ level: 'info', obj, msg });
      },
    },
  };
}

const STRATEGIES = ['fixed-window', 'moving-window', 'sliding-window-counter'] as const;

describe.each(STRATEGIES)('the bounded memory store with %s', (strategy) => {
  let store: WindowStore;
  let rec: ReturnType<typeof recorder>;
  const once = item('1 per hour');

  beforeEach(() => {
    vi.useFakeTimers();
    at(0);
    rec = recorder();
    store = memoryStore(strategy, { maxKeys: 5, log: rec.log });
  });
  afterEach(async () => {
    await store.close();
    vi.useRealTimers();
  });

  it('never holds more keys than its maximum, however many clients come', async () => {
    for (let i = 0; i < 500; i++) {
      await store.hit(`client-${i}`, once);
      expect(store.memoryStats!()!.keys).toBeLessThanOrEqual(5);
    }
    expect(store.memoryStats!()!).toMatchObject({ keys: 5, maxKeys: 5, evictedKeys: 495 });
  });

  it('evicts the least recently used client first; that client starts a fresh window', async () => {
    for (const c of ['a', 'b', 'c', 'd', 'e']) expect((await store.hit(c, once)).allowed).toBe(true);
    // "a" is refused and thereby used again, so "b" is now the oldest.
    expect((await store.hit('a', once)).allowed).toBe(false);
    await store.hit('f', once);
    expect((await store.peek('a', once)).allowed).toBe(false);
    expect((await store.peek('b', once)).allowed).toBe(true);
    expect((await store.hit('b', once)).allowed).toBe(true);
    for (const c of ['c', 'd', 'e', 'f', 'g', 'h']) await store.hit(c, once);
    // Five newer clients have come since "a" was last seen: its window is gone.
    expect(await store.hit('a', once)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('counts keys per limit, so several limits of one client share the bound', async () => {
    const limits = parseLimits('10 per minute;100 per hour;1000 per day');
    for (let i = 0; i < 20; i++) for (const l of limits) await store.hit(`client-${i}`, l);
    expect(store.memoryStats!()!.keys).toBeLessThanOrEqual(5);
  });

  it('forgets expired windows without calling it an eviction', async () => {
    for (const c of ['a', 'b', 'c', 'd', 'e']) await store.hit(c, item('1 per minute'));
    at(3 * 60 * 60);
    for (const c of ['f', 'g', 'h', 'i', 'j']) await store.hit(c, item('1 per minute'));
    expect(store.memoryStats!()!.evictedKeys).toBe(0);
    expect(rec.lines.filter((l) => l.msg.includes('store full'))).toEqual([]);
  });

  it('says at once that the store is full, then sums the evictions up once a minute', async () => {
    for (let i = 0; i < 5; i++) await store.hit(`client-${i}`, once);
    expect(rec.lines).toEqual([]);
    for (let i = 5; i < 105; i++) await store.hit(`client-${i}`, once);
    const full = rec.lines.filter((l) => l.msg.includes('store full'));
    expect(full).toHaveLength(1);
    expect(full[0]).toMatchObject({ level: 'warn', obj: { maxKeys: 5 } });

    await vi.advanceTimersByTimeAsync(60_000);
    const summary = rec.lines.filter((l) => /store full: \d+ keys evicted/.test(l.msg));
    expect(summary).toHaveLength(1);
    expect(summary[0]!.msg).toBe('rate-limit store full: 100 keys evicted in the last minute');
    expect(summary[0]!.obj).toMatchObject({ evicted: 100, maxKeys: 5 });

    // A quiet minute writes nothing; the next eviction is announced at once again.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(rec.lines.filter((l) => /keys evicted/.test(l.msg))).toHaveLength(1);
    await store.hit('late-comer', once);
    expect(rec.lines.filter((l) => l.msg.includes('store full'))).toHaveLength(3);
  });

  it('writes what was evicted since the last summary when it closes', async () => {
    for (let i = 0; i < 12; i++) await store.hit(`client-${i}`, once);
    await vi.advanceTimersByTimeAsync(20_000);
    await store.close();
    const summary = rec.lines.find((l) => /keys evicted/.test(l.msg));
    expect(summary?.msg).toBe('rate-limit store full: 7 keys evicted in the last 20 seconds');
  });
});

describe('the moving window log', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts a long log of hits towards the bound, not as one small key', async () => {
    vi.useFakeTimers();
    at(0);
    const store = memoryStore('moving-window', { maxKeys: 50 });
    const many = item('100000 per day');
    for (let i = 0; i < 20_000; i++) {
      await store.hit('busy', many);
      if (i % 100 === 0) expect(store.memoryStats!()!.keys).toBeLessThanOrEqual(50);
    }
    // 20 000 logged hits cost far more memory than 50 counters: the log was not kept whole.
    expect((await store.peek('busy', many)).remaining).toBeGreaterThan(100_000 - 20_000);
    expect(store.memoryStats!()!.evictedKeys).toBeGreaterThan(0);
    await store.close();
  });
});
