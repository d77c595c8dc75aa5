// The arithmetic of each strategy on the in-memory store, with the clock under
// the test's control (vitest's fake Date and timers, which the stores read).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseLimits, type LimitItem } from '../../../src/security/ratelimit/grammar.js';
import { memoryStore } from '../../../src/security/ratelimit/storage.js';
import { slidingWindowState } from '../../../src/security/ratelimit/sliding-window-counter.js';
import type { WindowStore } from '../../../src/security/ratelimit/types.js';

// A minute boundary, so clock-aligned windows start exactly here.
const T0 = Date.parse('2030-01-07T09:00:00.000Z');
const at = (seconds: number) => vi.setSystemTime(T0 + seconds * 1000);
const item = (text: string): LimitItem => parseLimits(text)[0]!;

let store: WindowStore;
const KEY = 'client-1';

async function hits(n: number, limit: LimitItem, cost = 1) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await store.hit(KEY, limit, cost));
  return out;
}

beforeEach(() => {
  vi.useFakeTimers();
  at(0);
});
afterEach(async () => {
  await store.close();
  vi.useRealTimers();
});

describe('fixed window', () => {
  beforeEach(() => {
    store = memoryStore('fixed-window');
  });
  const three = item('3 per minute');

  it('admits the limit, then refuses until the window that opened with the first hit ends', async () => {
    at(15);
    const admitted = await hits(3, three);
    expect(admitted.map((s) => [s.allowed, s.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    for (const s of admitted) expect(s.resetAtMs).toBe(T0 + 75_000);
    at(74.999);
    const refused = await store.hit(KEY, three);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 3, resetAtMs: T0 + 75_000 });
    at(75);
    const next = await store.hit(KEY, three);
    expect(next).toMatchObject({ allowed: true, remaining: 2, resetAtMs: T0 + 135_000 });
  });

  it('counts refused hits and the full cost of each hit', async () => {
    expect(await store.hit(KEY, three, 2)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await store.hit(KEY, three, 2)).toMatchObject({ allowed: false, remaining: 0 });
    // The refused cost-2 hit was counted (as Flask-Limiter does), so even one more is refused.
    expect((await store.hit(KEY, three, 1)).allowed).toBe(false);
  });

  it('peeks without counting and forgets on clear', async () => {
    for (let i = 0; i < 5; i++) expect(await store.peek(KEY, three)).toMatchObject({ allowed: true, remaining: 3 });
    await hits(3, three);
    expect(await store.peek(KEY, three)).toMatchObject({ allowed: false, remaining: 0, resetAtMs: T0 + 60_000 });
    expect(await store.peek(KEY, three, 0)).toMatchObject({ allowed: true });
    await store.clear(KEY, three);
    expect(await store.hit(KEY, three)).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('keeps keys and limit items apart', async () => {
    await hits(3, three);
    expect((await store.hit('client-2', three)).allowed).toBe(true);
    expect((await store.hit(KEY, item('3 per hour'))).allowed).toBe(true);
  });
});

describe('moving window', () => {
  beforeEach(() => {
    store = memoryStore('moving-window');
  });
  const three = item('3 per minute');

  it('frees one slot as each hit leaves the last minute', async () => {
    at(0);
    await store.hit(KEY, three);
    at(10);
    await store.hit(KEY, three);
    at(20);
    expect(await store.hit(KEY, three)).toMatchObject({ allowed: true, remaining: 0, resetAtMs: T0 + 60_000 });
    at(30);
    expect(await store.hit(KEY, three)).toMatchObject({ allowed: false, remaining: 0, resetAtMs: T0 + 60_000 });
    at(59.999);
    expect((await store.hit(KEY, three)).allowed).toBe(false);
    at(60);
    // The hit from 0 s has left; the oldest is now the one from 10 s.
    expect(await store.hit(KEY, three)).toMatchObject({ allowed: true, remaining: 0, resetAtMs: T0 + 70_000 });
    at(65);
    expect(await store.hit(KEY, three)).toMatchObject({ allowed: false, resetAtMs: T0 + 70_000 });
  });

  it('does not record refused hits', async () => {
    await hits(3, three);
    at(30);
    for (let i = 0; i < 10; i++) expect((await store.hit(KEY, three)).allowed).toBe(false);
    at(60);
    // Ten refusals at 30 s would otherwise fill the window until 90 s.
    expect(await store.hit(KEY, three)).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('waits for enough hits to leave before a larger cost fits', async () => {
    at(0);
    await store.hit(KEY, three);
    at(10);
    await store.hit(KEY, three);
    at(20);
    await store.hit(KEY, three);
    at(30);
    // Cost 2 needs the hits from 0 s and 10 s gone: at 70 s.
    expect(await store.hit(KEY, three, 2)).toMatchObject({ allowed: false, resetAtMs: T0 + 70_000 });
    at(60);
    expect((await store.hit(KEY, three, 2)).allowed).toBe(false);
    at(70);
    expect(await store.hit(KEY, three, 2)).toMatchObject({ allowed: true, remaining: 0, resetAtMs: T0 + 80_000 });
  });

  it('never admits a cost above the limit', async () => {
    expect(await store.hit(KEY, three, 4)).toMatchObject({ allowed: false, remaining: 3, resetAtMs: T0 + 60_000 });
  });

  it('peeks without counting and forgets on clear', async () => {
    expect(await store.peek(KEY, three)).toMatchObject({ allowed: true, remaining: 3, resetAtMs: T0 });
    await hits(3, three);
    expect(await store.peek(KEY, three)).toMatchObject({ allowed: false, remaining: 0 });
    await store.clear(KEY, three);
    expect(await store.peek(KEY, three)).toMatchObject({ allowed: true, remaining: 3 });
  });
});

describe('sliding window counter', () => {
  beforeEach(() => {
    store = memoryStore('sliding-window-counter');
  });
  const ten = item('10 per minute');

  it('weights the previous window by its remaining overlap', async () => {
    at(30);
    const first = await hits(10, ten);
    expect(first.every((s) => s.allowed)).toBe(true);
    expect(first[9]).toMatchObject({ remaining: 0 });
    // 10 × (60 − e)/60 + 1 ≤ 10 once e ≥ 6 s into the next window.
    expect(await store.hit(KEY, ten)).toMatchObject({ allowed: false, remaining: 0, resetAtMs: T0 + 66_000 });
    at(60);
    expect((await store.hit(KEY, ten)).allowed).toBe(false);
    at(65.999);
    expect((await store.hit(KEY, ten)).allowed).toBe(false);
    at(66);
    expect(await store.hit(KEY, ten)).toMatchObject({ allowed: true, remaining: 0 });
    expect((await store.hit(KEY, ten)).allowed).toBe(false);
    at(90);
    // 10 × 30/60 + 1 = 6 → four more fit.
    expect((await store.peek(KEY, ten)).remaining).toBe(4);
    const later = await hits(5, ten);
    expect(later.map((s) => s.allowed)).toEqual([true, true, true, true, false]);
  });

  it('forgets a window two windows back entirely', async () => {
    at(10);
    await hits(10, ten);
    at(120);
    expect(await store.peek(KEY, ten)).toMatchObject({ allowed: true, remaining: 10, resetAtMs: T0 + 120_000 });
  });

  it('reports when the next slot frees while still admitting', async () => {
    at(30);
    // One hit decays fully only when it is no longer in the previous window: at 120 s.
    expect(await store.hit(KEY, ten)).toMatchObject({ allowed: true, remaining: 9, resetAtMs: T0 + 120_000 });
    at(60);
    await hits(8, ten);
    // previous 1, current 8: weighted 9 at 60 s; the previous hit's share falls below 1 right after.
    at(75);
    const s = await store.peek(KEY, ten);
    expect(s.remaining).toBe(1);
    expect(s.resetAtMs).toBe(T0 + 120_000);
  });

  it('does not count refused hits and charges the full cost', async () => {
    at(0);
    await hits(4, ten, 2);
    expect(await store.hit(KEY, ten, 3)).toMatchObject({ allowed: false, remaining: 2 });
    expect(await store.hit(KEY, ten, 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('computes remaining and the reset exactly from the counts', () => {
    const limit = item('10 per minute');
    // previous 7, current 3 at 20 s into the window: weighted = 7 × 40/60 + 3 = 7.67 → 2 left.
    const now = T0 + 20_000;
    const s = slidingWindowState(limit, { previous: 7, current: 3 }, now, 1, true);
    expect(s.remaining).toBe(2);
    // Capacity grows to 3 when 7 × (60 − e)/60 + 3 ≤ 7 → e ≥ 25.72 s.
    expect(s.resetAtMs).toBe(T0 + 25_715);
    const blocked = slidingWindowState(limit, { previous: 12, current: 4 }, now, 1, false);
    // 12 × (60 − e)/60 + 4 ≤ 9 → e ≥ 35 s.
    expect(blocked).toMatchObject({ remaining: 0, resetAtMs: T0 + 35_000 });
  });
});
