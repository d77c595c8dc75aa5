// One math-engine worker pool per app, shared by everything that grades or
// normalises answers (challenge submissions, the admin math API). Closed with
// the app, so tests and graceful shutdown leave no worker threads behind.
import { availableParallelism } from 'node:os';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createMathPool, type MathPool } from '../math/pool.js';

declare module 'fastify' {
  interface FastifyInstance {
    math: MathPool;
  }
}

/**
 * Math worker threads for one server process. MATH_WORKERS, when set, is taken
 * as it is. Otherwise the cores are shared between the processes
 * (WEB_CONCURRENCY): each gets its share less one core for its own event loop,
 * at least 1 and at most 4. One process on 2 cores: 1 thread; 2 processes on
 * 2 cores: 1 each; 4 processes on 16 cores: 3 each. Most checks are answered
 * from the pool's verdict cache, so an idle thread costs memory, not CPU.
 */
export function mathThreadsPerProcess(opts: {
  /** MATH_WORKERS, when the operator set it. */
  explicit: number | null;
  instances: number;
  cores?: number;
}): number {
  if (opts.explicit !== null) return opts.explicit;
  const cores = opts.cores ?? availableParallelism();
  return Math.max(1, Math.min(4, Math.floor(cores / Math.max(1, opts.instances)) - 1));
}

export const mathPoolPlugin = fp(
  async (app: FastifyInstance) => {
    const pool = createMathPool({
      timeoutMs: app.config.math.timeoutMs,
      maxThreads: app.config.math.workers,
      logger: app.log,
    });
    app.decorate('math', pool);
    app.addHook('onClose', async () => {
      await pool.close();
    });
  },
  { name: 'mathsoc-math-pool' },
);
