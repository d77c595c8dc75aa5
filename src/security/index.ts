// The security pipeline, registered in the order of docs/architecture.md ("The
// request pipeline"; the step numbers below are its). Each concern lives in
// its own module; this file only fixes the order.
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { accessPlugin } from './access.js';
import { cspReportState } from './csp-report.js';
import { cspPlugin } from './csp.js';
import { csrfPlugin } from './csrf.js';
import { headersPlugin } from './headers.js';
import { httpsPlugin } from './https.js';
import { inputHygienePlugin } from './input-hygiene.js';
import { proxyPlugin } from './proxy.js';
import { rateLimitPlugin } from './ratelimit/index.js';
import { sessionPlugin, type SessionPluginOptions } from './session.js';
import type { ErrorPageSender } from './types.js';

/** What the layers above supply: the user query (domain) and the error page (web). */
export interface SecurityOptions extends SessionPluginOptions {
  errorPage: ErrorPageSender;
}

export async function registerSecurity(app: FastifyInstance, opts: SecurityOptions): Promise<void> {
  await app.register(cookie, { secret: app.config.secretKey, hook: 'onRequest' });
  // 1. proxy trust
  await app.register(proxyPlugin);
  app.decorateRequest('cspNonce', '');
  // 2. security headers and 3. CSP with this request's nonce. Set before the HTTPS
  // redirect so that every response, the redirect included, carries them.
  await app.register(headersPlugin);
  await app.register(cspPlugin);
  // 4. HTTPS enforcement (health probes exempt)
  await app.register(httpsPlugin);
  // 5. session, then 7. CSRF and 8. the access guard (preHandler, after body parsing)
  await app.register(sessionPlugin, {
    store: opts.store,
    loadUser: opts.loadUser,
    loadSessionWithUser: opts.loadSessionWithUser,
  });
  // 6. rate limiting, after the session so a signed-in user is keyed by id
  // (docs/decisions/002-rate-limit-after-session.md)
  await app.register(rateLimitPlugin, { errorPage: opts.errorPage });
  await app.register(csrfPlugin);
  await app.register(accessPlugin);
  // 9. control characters in any parameter, query value or body text: 400 before any handler
  await app.register(inputHygienePlugin);
  // Counters for POST /csp-report; the route itself is registered with the other
  // routes (src/web/routes/index.ts), after the error pages exist.
  await app.register(cspReportState);
}
