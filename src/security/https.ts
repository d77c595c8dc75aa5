// HTTPS enforcement (FORCE_HTTPS): a request that did not arrive over HTTPS —
// by the socket, or by X-Forwarded-Proto from a trusted proxy hop (proxy.ts) —
// is redirected to the same address over HTTPS. Health probes are never
// redirected: an orchestrator probing over plain HTTP must see the real answer.
// The redirect's host is SERVER_NAME (required in production by the doctor),
// never one the client named: without SERVER_NAME only this machine's own names
// are redirected, and any other Host is answered 400.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/index.js';
import { HttpError } from './access.js';

const SAFE = new Set(['GET', 'HEAD']);
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
const ANY_ADDRESS = new Set(['', '0.0.0.0', '::', '[::]']);

export const UNKNOWN_HOST_MESSAGE = 'This site is not served at that address. Open it by its published address.';

/** 302 (or 301 when permanent) for GET/HEAD; 307/308 otherwise so a form is re-sent, not turned into a GET. */
export function redirectStatus(config: Config, method: string): 301 | 302 | 307 | 308 {
  const permanent = config.https.permanent;
  if (SAFE.has(method)) return permanent ? 301 : 302;
  return permanent ? 308 : 307;
}

/**
 * The host a redirect may name when SERVER_NAME is not set: this machine's own
 * names (localhost, 127.x.x.x, [::1], or HOST when it is a name, not "any
 * address"), without the port. Null for any other host.
 */
export function ownHost(config: Config, publicHost: string): string | null {
  const name = publicHost.toLowerCase().replace(/:\d+$/, '');
  if (LOOPBACK.test(name)) return name;
  const bound = config.server.host.trim().toLowerCase();
  return !ANY_ADDRESS.has(bound) && name === bound ? name : null;
}

/**
 * Where to send the client: SERVER_NAME when set; otherwise the request's host
 * only if it is one of this machine's own names (ownHost). Null when there is
 * no host we may name.
 */
export function httpsUrl(config: Config, request: Pick<FastifyRequest, 'publicHost' | 'url'>): string | null {
  const host = config.server.serverName ?? ownHost(config, request.publicHost);
  if (!host) return null;
  const path = request.url.startsWith('/') ? request.url : '/';
  return `https://${host}${path}`;
}

export const httpsPlugin = fp(
  async (app: FastifyInstance) => {
    const config = app.config;
    if (!config.https.force) return;
    let warnedLoop = false;
    let warnedHost = false;
    app.addHook('onRequest', async (request, reply) => {
      if (request.isSecure || request.routeOptions.config?.probe) return;
      const forwarded = request.headers['x-forwarded-proto'];
      if (!warnedLoop && typeof forwarded === 'string' && /\bhttps\b/i.test(forwarded)) {
        // The classic redirect loop: the proxy says https but we do not believe it.
        warnedLoop = true;
        request.log.warn(
          { xForwardedProto: forwarded, proxyFixXProto: config.proxy.xProto },
          'redirecting to HTTPS although X-Forwarded-Proto says https: PROXY_FIX_X_PROTO does not match the proxies in front of the app (see docs/security.md, "HTTPS redirect loop")',
        );
      }
      const target = httpsUrl(config, request);
      if (!target) {
        if (!warnedHost) {
          warnedHost = true;
          request.log.warn(
            { host: request.publicHost },
            'refused to redirect to HTTPS: SERVER_NAME is not set and the request names a host other than this machine (see docs/security.md, "HTTPS redirect answers 400")',
          );
        }
        throw new HttpError(400, UNKNOWN_HOST_MESSAGE);
      }
      return reply.redirect(target, redirectStatus(config, request.method));
    });
  },
  { name: 'mathsoc-https', dependencies: ['mathsoc-proxy'] },
);
