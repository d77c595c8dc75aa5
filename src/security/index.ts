// The security pipeline, registered in DESIGN.md's order. Each concern lives in
// its own module; this file only fixes the order.
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { accessPlugin } from './access.js';
import { cspReportState } from './csp-report.js';
import { cspPlugin } from './csp.js';
import { csrfPlugin } from './csrf.js';
import { headersPlugin } from './headers.js';
import { httpsPlugin } from './https.js';
import { proxyPlugin } from './proxy.js';
import { rateLimitPlugin } from './ratelimit/index.js';
import { sessionPlugin, type SessionPluginOptions } from './session.js';

export async function registerSecurity(app: FastifyInstance, opts: SessionPluginOptions = {}): Promise<void> {
  await app.register(cookie, { secret: app.config.secretKey, hook: 'onRequest' });
  // 1. proxy trust
  await app.register(proxyPlugin);
  app.decorateRequest('cspNonce', '');
  // 4. security headers and 5. CSP with this request's nonce. Set before the HTTPS
  // redirect so that every response, the redirect included, carries them.
  await app.register(headersPlugin);
  await app.register(cspPlugin);
  // 3. HTTPS enforcement (health probes exempt)
  await app.register(httpsPlugin);
  // 7. session, then CSRF and the access guard (preHandler, after body parsing)
  await app.register(sessionPlugin, opts);
  // 6. rate limiting, after the session so a signed-in user is keyed by id (docs/decisions/002)
  await app.register(rateLimitPlugin);
  await app.register(csrfPlugin);
  await app.register(accessPlugin);
  // Counters for POST /csp-report; the route itself is registered with the other
  // routes (src/web/routes/index.ts), after the error pages exist.
  await app.register(cspReportState);
}
