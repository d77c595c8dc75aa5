// Runs inside a pool thread (loaded through worker.mjs). Each task marks its start in a
// shared buffer so the pool's timeout counts running time only, not time in the queue.
import { workerData } from 'node:worker_threads';
import { checkWithOptions, normalizeAnswer } from './engine.js';
import { DEFAULT_ENGINE_OPTIONS } from './defaults.js';
import type { AnswerOptions } from './options.js';
import type { CheckResult, NormalizeResult } from './types.js';

export type WorkerTask =
  | { op: 'check'; expected: string; submitted: string; options: AnswerOptions; started: SharedArrayBuffer }
  | { op: 'normalize'; expression: string; started: SharedArrayBuffer }
  /** Test-only: busy-loops, to prove the hard timeout. Refused unless the pool allows it. */
  | { op: 'test-spin'; ms: number; started: SharedArrayBuffer }
  /** Test-only: allocates without bound, to prove the memory limit. */
  | { op: 'test-oom'; started: SharedArrayBuffer };

const allowTestOps = (workerData as { allowTestOperations?: boolean } | null)?.allowTestOperations === true;

export default function runTask(task: WorkerTask): CheckResult | NormalizeResult {
  Atomics.store(new BigInt64Array(task.started), 0, BigInt(Date.now()));
  switch (task.op) {
    case 'check':
      return checkWithOptions(task.expected, task.submitted, task.options);
    case 'normalize':
      return normalizeAnswer(task.expression);
    case 'test-spin': {
      if (!allowTestOps) throw new Error('test operations are disabled');
      const end = Date.now() + task.ms;
      while (Date.now() < end) {
        // Deliberately blocking: only the pool's hard timeout can stop this.
      }
      return checkWithOptions('1', '1', DEFAULT_ENGINE_OPTIONS);
    }
    case 'test-oom': {
      if (!allowTestOps) throw new Error('test operations are disabled');
      const hoard: number[][] = [];
      for (;;) hoard.push(new Array<number>(1_000_000).fill(hoard.length));
    }
  }
}
