// Liveness and readiness probes. They answer before HTTPS redirects, rate
// limits and sessions (config.probe), so an orchestrator is never throttled,
// redirected or handed a cookie.
import type { FastifyInstance } from 'fastify';
import { pingDatabase } from '../../db/index.js';

const probe = { access: 'public', probe: true, rateLimit: false, json: true } as const;

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  for (const url of ['/health', '/healthz']) {
    app.get(url, { config: probe }, async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      return { status: 'ok' };
    });
  }
  for (const url of ['/ready', '/readyz']) {
    app.get(url, { config: probe }, async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      const ok = await pingDatabase(app.db, 1000);
      if (ok) return { status: 'ready' };
      return reply.code(503).send({ status: 'degraded' });
    });
  }
}
