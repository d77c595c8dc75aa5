// One math-engine worker pool per app, shared by everything that grades or
// normalises answers (challenge submissions, the admin math API). Closed with
// the app, so tests and graceful shutdown leave no worker threads behind.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createMathPool, type MathPool } from '../math/pool.js';

declare module 'fastify' {
  interface FastifyInstance {
    math: MathPool;
  }
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
