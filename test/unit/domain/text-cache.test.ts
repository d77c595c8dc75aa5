import { describe, expect, it } from 'vitest';
import { TextCache } from '../../../src/lib/text-cache.js';

describe('TextCache', () => {
  it('computes once per input and returns the remembered output after that', () => {
    const cache = new TextCache(1000);
    let calls = 0;
    const upper = (s: string) =>
      cache.remember(s, () => {
        calls += 1;
        return s.toUpperCase();
      });
    expect(upper('abc')).toBe('ABC');
    expect(upper('abc')).toBe('ABC');
    expect(upper('xyz')).toBe('XYZ');
    expect(calls).toBe(2);
  });

  it('holds at most its character budget, dropping the least recently used first', () => {
    const cache = new TextCache(240);
    // Each entry costs 10 + 20 = 30 characters: eight fit.
    const put = (k: string) => cache.remember(k.repeat(10), () => k.toUpperCase().repeat(20));
    for (const k of 'abcdefgh') put(k);
    expect(cache.size).toBe(8);
    put('a'); // a is now the most recently used
    put('i'); // over budget: b, the least recently used, goes
    expect(cache.size).toBe(8);
    expect(cache.heldChars).toBeLessThanOrEqual(240);
    const recomputed: string[] = [];
    for (const k of 'ab')
      cache.remember(k.repeat(10), () => {
        recomputed.push(k);
        return k;
      });
    expect(recomputed).toEqual(['b']);
  });

  it('does not keep an entry larger than an eighth of the budget', () => {
    const cache = new TextCache(800);
    expect(cache.remember('k', () => 'v'.repeat(200))).toHaveLength(200);
    expect(cache.size).toBe(0);
  });
});
