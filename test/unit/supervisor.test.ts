import { describe, expect, it } from 'vitest';
import { restartDelay } from '../../src/supervisor.js';
import { mathThreadsPerProcess } from '../../src/web/math-pool.js';

describe('restart back-off', () => {
  it('waits 1 s after a first crash, doubling with each crash in a row, never more than the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => restartDelay(n, 1000, 30_000))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });
});

describe('math threads per process', () => {
  it('share the cores between the processes, one core each for the event loop, 1 to 4 threads', () => {
    expect(mathThreadsPerProcess({ explicit: null, instances: 1, cores: 2 })).toBe(1);
    expect(mathThreadsPerProcess({ explicit: null, instances: 2, cores: 2 })).toBe(1);
    expect(mathThreadsPerProcess({ explicit: null, instances: 1, cores: 16 })).toBe(4);
    expect(mathThreadsPerProcess({ explicit: null, instances: 4, cores: 16 })).toBe(3);
    expect(mathThreadsPerProcess({ explicit: null, instances: 8, cores: 8 })).toBe(1);
  });

  it('take MATH_WORKERS as it is when set', () => {
    expect(mathThreadsPerProcess({ explicit: 6, instances: 8, cores: 2 })).toBe(6);
  });
});
