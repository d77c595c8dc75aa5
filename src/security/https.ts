// HTTPS enforcement (FORCE_HTTPS): a request that did not arrive over HTTPS —
// by the socket, or by X-Forwarded-Proto from a trusted proxy hop (proxy.ts) —
// is redirected to the same address over HTTPS. Health probes are never
// redirected: an orchestrator probing over plain HTTP must see the real answer.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/index.js';

const SAFE = new Set(['GET', 'HEAD']);

/** 302 (or 301 when permanent) for GET/HEAD; 307/308 otherwise so a form is re-sent, not turned into a GET. */
export function redirectStatus(config: Config, method: string): 301 | 302 | 307 | 308 {
  const permanent = config.https.permanent;
  if (SAFE.has(method)) return permanent ? 301 : 302;
  return permanent ? 308 : 307;
}

/**
 * Where to send the client. SERVER_NAME, when set, is the only host we redirect
 * to (no Host-header reflection); otherwise the request's host without its
 * plain-HTTP port.
 */
export function httpsUrl(config: Config, request: Pick<FastifyRequest, 'publicHost' | 'url'>): string {
  const host = config.server.serverName ?? request.publicHost.replace(/:\d+$/, '');
  const path = request.url.startsWith('/') ? request.url : '/';
  return `https://${host}${path}`;
}

export const httpsPlugin = fp(async (app: FastifyInstance) => {
  const config = app.config;
  if (!config.https.force) return;
  let warned = false;
  app.addHook('onRequest', async (request, reply) => {
    if (request.isSecure || request.routeOptions.config?.probe) return;
    const forwarded = request.headers['x-forwarded-proto'];
    if (!warned && typeof forwarded === 'string' && /\bhttps\b/i.test(forwarded)) {
      // The classic redirect loop: the proxy says https but we do not believe it.
      warned = true;
      request.log.warn({ xForwardedProto: forwarded, proxyFixXProto: config.proxy.xProto },
        'redirecting to HTTPS although X-Forwarded-Proto says https: PROXY_FIX_X_PROTO does not match the proxies in front of the app (see docs/security.md, "HTTPS redirect loop")');
    }
    return reply.redirect(httpsUrl(config, request), redirectStatus(config, request.method));
  });
}, { name: 'mathsoc-https', dependencies: ['mathsoc-proxy'] });
