// Async API for the web layer: the engine runs in worker threads with a hard timeout
// and a heap limit, so no answer can block the event loop or exhaust memory.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { LIMITS } from './limits.js';
import { answerOptionsSchema, type AnswerOptionsInput } from './options.js';
import { HOSTILE_REASONS, type CheckResult, type NormalizeResult, type Reason } from './types.js';
import type { WorkerTask } from './worker.js';

/** The subset of a pino logger the pool uses. */
export interface MathLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface MathPoolOptions {
  /** Hard limit on running time per check, in ms (default 250). */
  timeoutMs?: number;
  logger?: MathLogger;
  /** Worker threads (default: available cores, at most 4). */
  maxThreads?: number;
  /** Old-generation heap per worker, in MB (default 64). */
  maxHeapMb?: number;
  /** Checks waiting for a free worker before new ones are refused with reason "busy" (default 1000). */
  maxQueue?: number;
  /** How long a check may wait for a worker before it gives up with reason "busy" (default 10 s). */
  queueTimeoutMs?: number;
  /**
   * Verdicts kept for repeated (expected, submitted, options) checks, least recently
   * used first out (default 2000; 0 keeps none). The engine is deterministic, and
   * students of a school type the same few answers, so most checks are repeats.
   */
  verdictCacheEntries?: number;
  /** Enables test-only worker operations (`testSpin`, `testOutOfMemory`). Never set in the app. */
  allowTestOperations?: boolean;
}

export interface MathPool {
  check(expected: string, submitted: string, options?: AnswerOptionsInput): Promise<CheckResult>;
  normalize(expression: string): Promise<NormalizeResult>;
  close(): Promise<void>;
  /** Test-only: a task that busy-loops for `ms`; resolves like a timed-out check. */
  testSpin(ms: number): Promise<CheckResult>;
  /** Test-only: a task that allocates until the heap limit kills its worker. */
  testOutOfMemory(): Promise<CheckResult>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type TaskInput = DistributiveOmit<WorkerTask, 'started'>;
type Outcome<T> = { ok: true; value: T } | { ok: false; reason: Reason; detail: string };

const WORKER_URL = new URL('./worker.mjs', import.meta.url);

/**
 * Verdicts that depend on this moment (a busy pool, a slow machine, a failing
 * worker) rather than on the inputs are never reused.
 */
const TRANSIENT_REASONS: ReadonlySet<Reason> = new Set<Reason>(['timeout', 'busy', 'worker-error', 'internal-error']);

function clip(s: unknown): string {
  return typeof s === 'string' ? s.slice(0, 120) : '';
}

export function createMathPool(options: MathPoolOptions = {}): MathPool {
  const timeoutMs = options.timeoutMs ?? 250;
  const queueTimeoutMs = options.queueTimeoutMs ?? 10_000;
  const logger = options.logger;
  const maxThreads = options.maxThreads ?? Math.max(1, Math.min(4, availableParallelism()));
  const piscina = new Piscina({
    filename: WORKER_URL.href,
    minThreads: 1,
    maxThreads,
    maxQueue: options.maxQueue ?? 1000,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    workerData: { allowTestOperations: options.allowTestOperations === true },
  });
  let closed = false;
  const cacheLimit = Math.max(0, options.verdictCacheEntries ?? 2000);
  const verdicts = new Map<string, CheckResult>();

  /**
   * Runs one task. The timer first waits for the worker to report that it started (a
   * queued task or a worker still booting is not "slow"), then allows `timeoutMs` of
   * running time; past that the task is aborted, which terminates and replaces its worker.
   */
  function run<T>(task: TaskInput): Promise<Outcome<T>> {
    if (closed) return Promise.resolve({ ok: false, reason: 'busy', detail: 'the math pool is closed' });
    const started = new SharedArrayBuffer(8);
    const startedAt = new BigInt64Array(started);
    const controller = new AbortController();
    const submittedAt = Date.now();
    let why: 'timeout' | 'queue' | null = null;
    let timer: NodeJS.Timeout | undefined;
    const tick = (): void => {
      const t = Number(Atomics.load(startedAt, 0));
      const now = Date.now();
      if (t === 0) {
        if (now - submittedAt >= queueTimeoutMs) {
          why = 'queue';
          controller.abort();
        } else {
          timer = setTimeout(tick, Math.min(timeoutMs, queueTimeoutMs - (now - submittedAt)));
        }
      } else if (now - t >= timeoutMs) {
        why = 'timeout';
        controller.abort();
      } else {
        timer = setTimeout(tick, timeoutMs - (now - t));
      }
    };
    timer = setTimeout(tick, timeoutMs);
    return piscina
      .run({ ...task, started }, { signal: controller.signal })
      .then(
        (value: T): Outcome<T> => ({ ok: true, value }),
        (err: unknown): Outcome<T> => {
          if (why === 'timeout') return { ok: false, reason: 'timeout', detail: `no verdict within ${timeoutMs} ms` };
          if (closed) return { ok: false, reason: 'busy', detail: 'the math pool is closed' };
          if (why === 'queue' || (err instanceof Error && /queue/i.test(err.message))) {
            return { ok: false, reason: 'busy', detail: 'the math engine is busy' };
          }
          return { ok: false, reason: 'worker-error', detail: err instanceof Error ? err.message : 'worker failed' };
        },
      )
      .finally(() => clearTimeout(timer));
  }

  function failedCheck(reason: Reason, detail: string): CheckResult {
    return {
      equivalent: false,
      reason,
      detail,
      kind: null,
      normalizedExpected: null,
      normalizedSubmitted: null,
      form: null,
    };
  }

  function report(reason: Reason, detail: string, fields: Record<string, unknown>): void {
    if (reason === 'worker-error' || reason === 'internal-error')
      logger?.error({ reason, detail, ...fields }, 'math engine failure');
    else if (HOSTILE_REASONS.has(reason) || reason === 'busy')
      logger?.warn({ reason, detail, ...fields }, 'math answer rejected');
  }

  async function check(expected: string, submitted: string, opts?: AnswerOptionsInput): Promise<CheckResult> {
    // Options are validated here, so the workers need not load zod.
    const parsed = answerOptionsSchema.safeParse(opts ?? {});
    if (!parsed.success) return failedCheck('invalid-options', parsed.error.issues[0]?.message ?? 'bad options');
    // Only inputs of answer size are kept (longer ones are refused by the engine anyway),
    // so the cache stays within about cacheLimit × 2 × 500 characters.
    const cacheable =
      cacheLimit > 0 && expected.length <= LIMITS.maxInputLength && submitted.length <= LIMITS.maxInputLength;
    const key = cacheable ? JSON.stringify([expected, submitted, parsed.data]) : null;
    const known = key === null ? undefined : verdicts.get(key);
    let res: CheckResult;
    if (known) {
      // Most recently used last, so the first key is the one to evict.
      verdicts.delete(key!);
      verdicts.set(key!, known);
      res = { ...known };
    } else {
      const out = await run<CheckResult>({ op: 'check', expected, submitted, options: parsed.data });
      res = out.ok ? out.value : failedCheck(out.reason, out.detail);
      if (key !== null && !TRANSIENT_REASONS.has(res.reason)) {
        verdicts.set(key, { ...res });
        if (verdicts.size > cacheLimit) verdicts.delete(verdicts.keys().next().value!);
      }
    }
    // Hostile input is logged every time it is sent, cached or not.
    if (!res.equivalent) report(res.reason, res.detail, { expected: clip(expected), submitted: clip(submitted) });
    return res;
  }

  async function normalize(expression: string): Promise<NormalizeResult> {
    const out = await run<NormalizeResult>({ op: 'normalize', expression });
    if (out.ok) {
      if (out.value.error) report(out.value.error, out.value.detail, { expression: clip(expression) });
      return out.value;
    }
    report(out.reason, out.detail, { expression: clip(expression) });
    return {
      original: typeof expression === 'string' ? expression : '',
      normalized: null,
      kind: null,
      error: out.reason,
      detail: out.detail,
    };
  }

  async function testTask(task: TaskInput): Promise<CheckResult> {
    const out = await run<CheckResult>(task);
    const res = out.ok ? out.value : failedCheck(out.reason, out.detail);
    if (!res.equivalent) report(res.reason, res.detail, { op: task.op });
    return res;
  }

  return {
    check,
    normalize,
    testSpin: (ms: number) => testTask({ op: 'test-spin', ms }),
    testOutOfMemory: () => testTask({ op: 'test-oom' }),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      verdicts.clear();
      await piscina.destroy();
    },
  };
}
