// Several server processes on one machine (Node's cluster module): the primary
// forks `instances` workers running the same entry script, which share the
// listening port; a worker that dies unexpectedly is started again after a
// back-off; SIGTERM/SIGINT to the primary drains every worker (each one stops
// accepting, finishes its requests and exits 0) before the primary exits.
// Generic: the server (src/server.ts) and the benchmark use it alike. The
// caller decides what a worker does by checking `cluster.isPrimary`.
import cluster, { type Worker } from 'node:cluster';

export type SupervisorEvent =
  | 'worker started'
  | 'worker listening'
  | 'worker exited unexpectedly'
  | 'worker restarting'
  | 'worker failed to start'
  | 'shutting down'
  | 'worker drained'
  | 'worker drain failed'
  | 'worker drain timed out'
  | 'stopped';

export interface SuperviseOptions {
  /** How many worker processes to keep running (at least 1). */
  instances: number;
  /** One line per event; `fields` name the worker (`worker`: its slot, `pid`) and the cause. */
  log: (event: SupervisorEvent, fields?: Record<string, unknown>) => void;
  /** The script the workers run (default: this process's own, `process.argv[1]`). */
  exec?: string;
  /** Its arguments (default: this process's own). */
  args?: string[];
  /** Node's options for the workers (default: this process's own, so `--import tsx` carries over). */
  execArgv?: string[];
  /** Extra environment for every worker, on top of this process's. */
  env?: Record<string, string>;
  /** Wait before the first restart of a slot; doubles with each crash in a row (default 1 s). */
  restartDelayMs?: number;
  /** Longest wait between restarts (default 30 s). */
  maxRestartDelayMs?: number;
  /** A worker up this long has recovered: its slot's next restart waits restartDelayMs again (default 60 s). */
  stableAfterMs?: number;
  /** How long a draining worker may take before it is killed (default 30 s). */
  shutdownTimeoutMs?: number;
  /** Listen for SIGTERM and SIGINT (default true). */
  handleSignals?: boolean;
  /** Aborting it drains the workers, as SIGTERM does. */
  signal?: AbortSignal;
  /** Called once, when every worker has started listening for the first time. */
  onListening?: (address: { address: string; port: number }) => void;
}

interface Slot {
  index: number;
  worker: Worker | null;
  startedAt: number;
  /** Crashes in a row since the slot last stayed up `stableAfterMs`. */
  crashes: number;
  timer: NodeJS.Timeout | null;
  everListened: boolean;
  /** The current worker has started listening. */
  listening: boolean;
}

/** Back-off before restarting a slot after `crashes` crashes in a row (1 → initial, doubling, capped). */
export function restartDelay(crashes: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, crashes - 1));
}

/**
 * Runs in the primary process: forks the workers and keeps them running until
 * SIGTERM/SIGINT (or `signal`). Resolves with the exit code the primary should
 * use: 0 when every worker drained and exited 0, 1 otherwise (a worker failed
 * while draining, or the workers could not start at all).
 */
export function superviseWorkers(options: SuperviseOptions): Promise<number> {
  if (!cluster.isPrimary) throw new Error('superviseWorkers runs in the primary process only');
  const instances = Math.max(1, Math.floor(options.instances));
  const initialDelay = options.restartDelayMs ?? 1000;
  const maxDelay = options.maxRestartDelayMs ?? 30_000;
  const stableAfter = options.stableAfterMs ?? 60_000;
  const shutdownTimeout = options.shutdownTimeoutMs ?? 30_000;
  const log = options.log;

  cluster.setupPrimary({
    exec: options.exec ?? process.argv[1],
    args: options.args ?? process.argv.slice(2),
    execArgv: options.execArgv ?? process.execArgv,
  });

  const slots: Slot[] = Array.from({ length: instances }, (_, index) => ({
    index,
    worker: null,
    startedAt: 0,
    crashes: 0,
    timer: null,
    everListened: false,
    listening: false,
  }));
  const slotOf = new Map<Worker, Slot>();
  let stopping = false;
  let failed = false;
  let announced = false;

  return new Promise<number>((resolve) => {
    const signals: NodeJS.Signals[] = options.handleSignals === false ? [] : ['SIGTERM', 'SIGINT'];
    const onSignal = (sig: NodeJS.Signals) => stop(sig);
    for (const sig of signals) process.on(sig, onSignal);
    const onAbort = () => stop('abort');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    function fork(slot: Slot): void {
      slot.timer = null;
      const worker = cluster.fork({ ...options.env, MATHSOC_WORKER: String(slot.index + 1) });
      slot.worker = worker;
      slot.startedAt = Date.now();
      slot.listening = false;
      slotOf.set(worker, slot);
      log('worker started', { worker: slot.index + 1, pid: worker.process.pid });
      worker.on('listening', (address) => {
        slot.everListened = true;
        slot.listening = true;
        log('worker listening', { worker: slot.index + 1, pid: worker.process.pid, port: address.port });
        if (!announced && slots.every((s) => s.everListened)) {
          announced = true;
          options.onListening?.({ address: address.address, port: address.port });
        }
      });
      worker.on('exit', (code, signal) => exited(worker, code, signal));
    }

    function exited(worker: Worker, code: number | null, signal: string | null): void {
      const slot = slotOf.get(worker);
      slotOf.delete(worker);
      if (!slot || slot.worker !== worker) return;
      slot.worker = null;
      const pid = worker.process.pid;
      if (stopping) {
        // A worker still starting has nothing to drain: SIGTERM's default action ends it.
        const stoppedBeforeServing = !slot.listening && signal === 'SIGTERM';
        if (code === 0 || stoppedBeforeServing) log('worker drained', { worker: slot.index + 1, pid });
        else {
          failed = true;
          log('worker drain failed', { worker: slot.index + 1, pid, code, signal });
        }
        finishIfDone();
        return;
      }
      // A worker that never listened, before any worker ever did, cannot start
      // (port taken, bad configuration): restarting would only repeat that.
      if (!slot.everListened && !slots.some((s) => s.everListened)) {
        log('worker failed to start', { worker: slot.index + 1, pid, code, signal });
        failed = true;
        stop('start failure');
        return;
      }
      const upMs = Date.now() - slot.startedAt;
      slot.crashes = upMs >= stableAfter ? 1 : slot.crashes + 1;
      const delayMs = restartDelay(slot.crashes, initialDelay, maxDelay);
      log('worker exited unexpectedly', { worker: slot.index + 1, pid, code, signal, upMs });
      log('worker restarting', { worker: slot.index + 1, delayMs, crashesInARow: slot.crashes });
      slot.timer = setTimeout(() => fork(slot), delayMs);
    }

    let killTimer: NodeJS.Timeout | null = null;
    function stop(reason: string): void {
      if (stopping) return;
      stopping = true;
      log('shutting down', { reason, workers: slots.filter((s) => s.worker).length });
      for (const slot of slots) {
        if (slot.timer) clearTimeout(slot.timer);
        slot.timer = null;
        // Each worker drains on its own SIGTERM handler (the same path as a single process).
        slot.worker?.process.kill('SIGTERM');
      }
      killTimer = setTimeout(() => {
        for (const slot of slots) {
          if (!slot.worker) continue;
          failed = true;
          log('worker drain timed out', { worker: slot.index + 1, pid: slot.worker.process.pid });
          slot.worker.process.kill('SIGKILL');
        }
      }, shutdownTimeout);
      finishIfDone();
    }

    function finishIfDone(): void {
      if (!stopping || slots.some((s) => s.worker)) return;
      if (killTimer) clearTimeout(killTimer);
      for (const sig of signals) process.off(sig, onSignal);
      options.signal?.removeEventListener('abort', onAbort);
      const code = failed ? 1 : 0;
      log('stopped', { code });
      resolve(code);
    }

    for (const slot of slots) fork(slot);
  });
}
