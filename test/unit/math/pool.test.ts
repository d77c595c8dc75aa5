// The worker pool: same verdicts as in process, a hard timeout that replaces the worker,
// a heap limit, logging of hostile input, and recovery afterwards.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAnswer, normalizeAnswer } from '../../../src/math/index.js';
import { createMathPool, type MathLogger, type MathPool } from '../../../src/math/pool.js';

interface Pair {
  id: string;
  expected: string;
  submitted: string;
  equivalent: boolean;
}
const corpus = JSON.parse(
  readFileSync(new URL('../../fixtures/math/dev-corpus.json', import.meta.url), 'utf8'),
) as Pair[];

function recordingLogger(): MathLogger & {
  lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }>;
} {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  return {
    lines,
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

describe('math pool', () => {
  const logger = recordingLogger();
  let pool: MathPool;

  beforeAll(async () => {
    pool = createMathPool({ timeoutMs: 250, logger, allowTestOperations: true, maxThreads: 2 });
    await pool.check('1', '1'); // let a worker boot (tsx registration) before timing anything
  });
  afterAll(async () => {
    await pool.close();
  });

  it('gives the same verdicts as the in-process engine on the whole corpus', async () => {
    const results = await Promise.all(corpus.map((p) => pool.check(p.expected, p.submitted)));
    results.forEach((r, i) => {
      const p = corpus[i] as Pair;
      expect(r.equivalent, p.id).toBe(p.equivalent);
      expect(r).toEqual(checkAnswer(p.expected, p.submitted));
    });
  });

  it('normalizes and validates options', async () => {
    expect(await pool.normalize('3\\frac{1}{2}')).toEqual(normalizeAnswer('3\\frac{1}{2}'));
    expect(await pool.check('0.5', '1/2', { tolerance: { type: 'sigfigs', value: 2 } })).toMatchObject({
      equivalent: true,
    });
    expect(await pool.check('1', '1', { tolerance: { type: 'sigfigs', value: -1 } } as never)).toMatchObject({
      equivalent: false,
      reason: 'invalid-options',
    });
  });

  it('logs hostile input and answers "not equivalent"', async () => {
    const r = await pool.check('2', '\\input{/etc/passwd}');
    expect(r).toMatchObject({ equivalent: false, reason: 'forbidden-command' });
    expect(logger.lines.some((l) => l.level === 'warn' && l.obj.reason === 'forbidden-command')).toBe(true);
  });

  it('stops a check at the hard timeout, replaces the worker and keeps working', async () => {
    const t = performance.now();
    const r = await pool.testSpin(10_000);
    const elapsed = performance.now() - t;
    expect(r).toMatchObject({ equivalent: false, reason: 'timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(240);
    expect(elapsed).toBeLessThan(5_000); // far less than the 10 s the task wanted
    expect(logger.lines.some((l) => l.obj.reason === 'timeout')).toBe(true);

    // The pool recovers: correct verdicts right after, including while the worker is replaced.
    const after = await Promise.all([pool.check('x^2-4', '(x-2)(x+2)'), pool.check('\\frac{1}{3}', '0.333')]);
    expect(after.map((a) => a.equivalent)).toEqual([true, false]);
    expect(await pool.check('y=2x+1', '2x+1=y')).toMatchObject({ equivalent: true });
  });

  it('does not count time spent waiting in the queue against a check', async () => {
    // Eight 80 ms tasks on two workers: the checks queued behind them wait about 320 ms,
    // longer than the 250 ms timeout, yet each task runs for a third of it (room for a busy machine).
    const spins = [1, 2, 3, 4, 5, 6, 7, 8].map(() => pool.testSpin(80));
    const t = performance.now();
    const queued = await Promise.all([pool.check('4', '2+2'), pool.check('x', 'x')]);
    const waited = performance.now() - t;
    expect(queued.map((q) => q.reason)).toEqual(['equivalent', 'equivalent']);
    expect(waited).toBeGreaterThan(250);
    expect((await Promise.all(spins)).map((r) => r.reason)).toEqual(Array(8).fill('equivalent'));
  });

  it('grades a repeated answer from its verdict cache, even while every worker is busy', async () => {
    const p = createMathPool({ timeoutMs: 2_000, maxThreads: 1, allowTestOperations: true });
    try {
      const first = await p.check('x^2-1', '(x-1)(x+1)');
      expect(first).toMatchObject({ equivalent: true, reason: 'equivalent' });
      const order: string[] = [];
      const spin = p.testSpin(300).then(() => order.push('spin'));
      const repeated = p.check('x^2-1', '(x-1)(x+1)').then((r) => {
        order.push('repeated');
        return r;
      });
      const fresh = p.check('x^2-9', '(x-3)(x+3)').then(() => order.push('fresh'));
      await Promise.all([spin, repeated, fresh]);
      // The repeat did not wait for the worker; a new pair had to queue behind the spin.
      expect(order).toEqual(['repeated', 'spin', 'fresh']);
      expect(await repeated).toEqual(first);
      // Options are part of what is cached: another tolerance is another question.
      expect(await p.check('0.5', '0.49', { tolerance: { type: 'absolute', value: 0.1 } })).toMatchObject({
        equivalent: true,
      });
      expect(await p.check('0.5', '0.49')).toMatchObject({ equivalent: false });
    } finally {
      await p.close();
    }
  });

  it('never reuses a verdict that came from a busy pool', async () => {
    // The queue is looked at when the running time would first be checked (100 ms here).
    const p = createMathPool({ timeoutMs: 100, maxThreads: 1, queueTimeoutMs: 50, allowTestOperations: true });
    try {
      await p.check('1', '1'); // a booted worker
      const spin = p.testSpin(1_000);
      expect(await p.check('12', '3 \\times 4')).toMatchObject({ equivalent: false, reason: 'busy' });
      await spin;
      // On a loaded machine the replacement worker may still be booting: ask again until
      // the pool has a worker free. A cached "busy" would never turn into a verdict.
      let again = await p.check('12', '3 \\times 4');
      for (let i = 0; i < 50 && again.reason === 'busy'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        again = await p.check('12', '3 \\times 4');
      }
      expect(again).toMatchObject({ equivalent: true, reason: 'equivalent' });
    } finally {
      await p.close();
    }
  });

  it('refuses work after close', async () => {
    const p = createMathPool({ timeoutMs: 250 });
    await p.close();
    expect(await p.check('1', '1')).toMatchObject({ equivalent: false, reason: 'busy' });
  });
});

describe('math pool limits', () => {
  it('kills a worker that exceeds its heap limit and recovers', async () => {
    const logger = recordingLogger();
    const pool = createMathPool({ timeoutMs: 20_000, maxHeapMb: 32, maxThreads: 1, logger, allowTestOperations: true });
    try {
      const r = await pool.testOutOfMemory();
      expect(r).toMatchObject({ equivalent: false });
      expect(['worker-error', 'timeout']).toContain(r.reason);
      expect(logger.lines.length).toBeGreaterThan(0);
      expect(await pool.check('\\frac{2}{4}', '0.5')).toMatchObject({ equivalent: true });
    } finally {
      await pool.close();
    }
  });

  it('refuses test-only operations unless enabled', async () => {
    const pool = createMathPool({ timeoutMs: 250, maxThreads: 1 });
    try {
      expect(await pool.testSpin(10)).toMatchObject({ equivalent: false, reason: 'worker-error' });
      expect(await pool.check('1', '1')).toMatchObject({ equivalent: true });
    } finally {
      await pool.close();
    }
  });
});

describe('determinism across processes', () => {
  it('gives identical results in a fresh Node process', () => {
    const pairs: Array<[string, string]> = [
      ['x^2+7x+12', '(x+3)(x+4)'],
      ['\\cos^2x', '1-\\sin^2x'],
      ['y=4x-6', '2y=8x-12'],
      ['2<x<9', '9>x>2'],
      ['\\frac{\\sqrt{3}}{3}', '\\tan\\left(30^{\\circ}\\right)'],
      ['x=4, x=-1', '-1, 4'],
      ['\\pi', '3.1416'],
      ['2\\,\\mathrm{km}', '2000\\,\\mathrm{m}'],
    ];
    const child = fileURLToPath(new URL('./determinism-child.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', child, JSON.stringify(pairs)], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(pairs.map(([e, s]) => checkAnswer(e, s)));
  });
});
