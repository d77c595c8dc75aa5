// Liveness and readiness probes. They answer before HTTPS redirects, rate
// limits and sessions (config.probe), so an orchestrator is never throttled,
// redirected or handed a cookie. Ready means the database and the session
// store (Redis, when SESSION_STORE_URI is set) both answer within a second.
import type { FastifyInstance } from 'fastify';
import { pingDatabase } from '../../db/index.js';

const PING_TIMEOUT_MS = 1000;
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
      const answers = await Promise.all([
        pingDatabase(app.db, PING_TIMEOUT_MS),
        app.config.session.storeUri ? app.sessions.ping(PING_TIMEOUT_MS) : true,
      ]);
      if (answers.every(Boolean)) return { status: 'ready' };
      return reply.code(503).send({ status: 'degraded' });
    });
  }
}
