// Security headers on every response (the role Flask-Talisman played), errors
// and 404s included: @fastify/helmet sets the fixed ones at onRequest, so they
// are on the response whatever later produces it. Three headers are ours:
// - Strict-Transport-Security only on secure requests (a browser ignores it over
//   plain HTTP, and sending it there would only mislead);
// - X-XSS-Protection with the security document's value (docs/security.md;
//   helmet only sends "0");
// - Permissions-Policy, which helmet does not know.
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config/index.js';

type ReferrerToken =
  | 'no-referrer'
  | 'no-referrer-when-downgrade'
  | 'origin'
  | 'origin-when-cross-origin'
  | 'same-origin'
  | 'strict-origin'
  | 'strict-origin-when-cross-origin'
  | 'unsafe-url'
  | '';

/** Options for helmet: the fixed headers, configured to the security document. */
export function helmetOptions(config: Config): FastifyHelmetOptions {
  return {
    global: true,
    // Built by csp.ts from one dictionary, with a per-request nonce.
    contentSecurityPolicy: false,
    // Depends on the request's scheme: set below.
    strictTransportSecurity: false,
    xXssProtection: false,
    xFrameOptions: { action: config.headers.frameOptions === 'DENY' ? 'deny' : 'sameorigin' },
    xContentTypeOptions: true,
    referrerPolicy: {
      policy: config.headers.referrerPolicy
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean) as ReferrerToken[],
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    // Would block the self-hosted fonts and PDFs in some browsers for no gain here.
    crossOriginEmbedderPolicy: false,
    originAgentCluster: true,
    xDnsPrefetchControl: { allow: false },
    xDownloadOptions: true,
    xPermittedCrossDomainPolicies: { permittedPolicies: 'none' },
    xPoweredBy: true,
  };
}

/** The Strict-Transport-Security value, or null when HSTS is off. */
export function hstsValue(config: Config): string | null {
  const h = config.https.hsts;
  if (!h.enabled) return null;
  let value = `max-age=${h.maxAge}`;
  if (h.includeSubDomains) value += '; includeSubDomains';
  if (h.preload) value += '; preload';
  return value;
}

export const headersPlugin = fp(
  async (app: FastifyInstance) => {
    // Off only in the benchmark's "security off" comparison (config.headers.enabled has no setting).
    if (!app.config.headers.enabled) return;
    await app.register(helmet, helmetOptions(app.config));
    const hsts = hstsValue(app.config);
    const fixed: Record<string, string> = {
      'x-xss-protection': app.config.headers.xssProtection,
      'permissions-policy': app.config.headers.permissionsPolicy,
    };
    for (const [name, value] of Object.entries(fixed)) {
      // Caught at start-up rather than as a failure on every response.
      if (/[^\t\x20-\x7e]/.test(value))
        throw new Error(`${name} header value contains characters a header cannot carry`);
    }
    app.addHook('onRequest', async (request, reply) => {
      reply.headers(fixed);
      if (hsts && request.isSecure) reply.header('strict-transport-security', hsts);
    });
  },
  { name: 'mathsoc-headers', dependencies: ['mathsoc-proxy'] },
);

/** For a response that belongs to one visitor: no cache, shared or the browser's, keeps it. */
export const PRIVATE_NO_STORE = 'private, no-store';

/**
 * Cache-Control for responses that set a cookie or carry a form token. Every
 * HTML page embeds the visitor's CSRF token (the layout's csrf-token meta tag
 * and its forms), so every page counts, anonymous ones included: a shared cache
 * must not hand one visitor's token (or cookie) to the next. A value that
 * already says no-store is kept; anything else is replaced, a public max-age
 * included. Health probes keep their own answer. Registered after the routes
 * (app.ts), so its onSend hook runs last and sees every Set-Cookie, the flash
 * cookie written in onSend included.
 */
export const privateResponsesPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.routeOptions.config?.probe) return payload;
      const html = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
      if (!html && !reply.hasHeader('set-cookie')) return payload;
      const current = String(reply.getHeader('cache-control') ?? '');
      if (current !== 'no-store' && current !== PRIVATE_NO_STORE) reply.header('cache-control', PRIVATE_NO_STORE);
      return payload;
    });
  },
  { name: 'mathsoc-private-responses' },
);

/**
 * Fastify answers a malformed URL ("/%") before any hook runs; this handler
 * (Fastify's `frameworkErrors` option) gives that answer the same headers and
 * a plain JSON message. The CSP is the strictest possible: the body is not a page.
 */
export function frameworkErrorHandler(config: Config) {
  const headers: Record<string, string> = {
    'x-frame-options': config.headers.frameOptions,
    'x-content-type-options': 'nosniff',
    'x-xss-protection': config.headers.xssProtection,
    'referrer-policy': config.headers.referrerPolicy,
    'permissions-policy': config.headers.permissionsPolicy,
    'cross-origin-resource-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cache-control': 'no-store',
  };
  return (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 400;
    reply
      .headers(headers)
      .code(status)
      .type('application/json; charset=utf-8')
      .send({ error: status >= 500 ? 'The server hit a problem.' : 'That address is not valid.' });
  };
}
