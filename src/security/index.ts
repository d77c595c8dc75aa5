// The security pipeline, registered in DESIGN.md's order. Each concern lives in
// its own module; this file only fixes the order.
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { accessPlugin } from './access.js';
import { csrfPlugin } from './csrf.js';
import { proxyPlugin } from './proxy.js';
import { sessionPlugin, type SessionPluginOptions } from './session.js';

export async function registerSecurity(app: FastifyInstance, opts: SessionPluginOptions = {}): Promise<void> {
  await app.register(cookie, { secret: app.config.secretKey, hook: 'onRequest' });
  // 1. proxy trust
  await app.register(proxyPlugin);
  app.decorateRequest('cspNonce', '');
  // 7. session, then CSRF and the access guard (preHandler, after body parsing)
  await app.register(sessionPlugin, opts);
  await app.register(csrfPlugin);
  await app.register(accessPlugin);
}
