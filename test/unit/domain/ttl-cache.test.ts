import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../../src/lib/ttl-cache.js';

describe('TtlCache', () => {
  it('serves one load until it expires, then loads again', async () => {
    let now = 1000;
    const cache = new TtlCache<string, number>(5000, () => now);
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('KS3', load)).toBe(1);
    now += 4999;
    expect(await cache.get('KS3', load)).toBe(1);
    expect(await cache.get('KS4', load)).toBe(2);
    now += 1;
    expect(await cache.get('KS3', load)).toBe(3);
  });

  it('lets concurrent requests share the load in flight', async () => {
    const cache = new TtlCache<string, string>(1000);
    let loads = 0;
    let release!: (v: string) => void;
    const load = () => {
      loads += 1;
      return new Promise<string>((r) => {
        release = r;
      });
    };
    const a = cache.get('k', load);
    const b = cache.get('k', load);
    release('board');
    expect(await Promise.all([a, b])).toEqual(['board', 'board']);
    expect(loads).toBe(1);
  });

  it('does not remember a failed load', async () => {
    const cache = new TtlCache<string, string>(60_000);
    await expect(
      cache.get('k', async () => {
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
    expect(await cache.get('k', async () => 'recovered')).toBe('recovered');
  });

  it('loads on every call with a lifetime of 0', async () => {
    const cache = new TtlCache<string, number>(0);
    let loads = 0;
    await cache.get('k', async () => ++loads);
    await cache.get('k', async () => ++loads);
    expect(loads).toBe(2);
  });
});
