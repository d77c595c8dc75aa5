// CSRF protection for every unsafe method (POST/PUT/PATCH/DELETE):
// - a synchroniser token: the session's own random token for signed-in users;
//   for visitors, an HMAC (keyed by SECRET_KEY) of a random value held in a
//   signed cookie, so login and registration forms are protected too;
// - an Origin / Sec-Fetch-Site check that refuses requests another site started
//   (in every profile, even where CSRF_ENABLED=false switches the token off).
// The token travels in the `_csrf` form field or the `X-CSRF-Token` header.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { cookieOptions } from './session.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

class CsrfError extends Error {
  statusCode = 403;
  code = 'CSRF';
}

function anonCookieName(request: FastifyRequest): string {
  return request.isSecure ? '__Host-mathsoc_csrf' : 'mathsoc_csrf';
}

function anonToken(secret: string, seed: string): string {
  return createHmac('sha256', secret).update(`csrf:${seed}`).digest('base64url');
}

function readAnonSeed(request: FastifyRequest): string | null {
  const raw = request.cookies[anonCookieName(request)];
  if (!raw) return null;
  const u = request.unsignCookie(raw);
  return u.valid && u.value ? u.value : null;
}

/** The token this request's forms must send back. */
function expectedToken(request: FastifyRequest, reply?: FastifyReply): string {
  if (request.session) return request.session.csrfToken;
  let seed = readAnonSeed(request);
  if (!seed) {
    seed = randomBytes(24).toString('base64url');
    if (reply) reply.setCookie(anonCookieName(request), seed, cookieOptions(request));
    // Keep it for this request so several forms on one page share a token.
    request.cookies[anonCookieName(request)] = reply ? reply.signCookie(seed) : seed;
  }
  return anonToken(request.server.config.secretKey, seed);
}

function sentToken(request: FastifyRequest): string | null {
  const header = request.headers['x-csrf-token'];
  if (typeof header === 'string' && header) return header;
  const body = request.body as Record<string, unknown> | null | undefined;
  const field = body && typeof body === 'object' ? body._csrf : undefined;
  if (typeof field === 'string') return field;
  // @fastify/multipart with attachFieldsToBody gives { value } objects.
  if (field && typeof field === 'object' && typeof (field as { value?: unknown }).value === 'string') {
    return (field as { value: string }).value;
  }
  return null;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function checkOrigin(request: FastifyRequest): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return false;
  const origin = request.headers.origin;
  if (!origin) return true; // older browsers and non-browser clients: the token still decides
  if (origin === 'null') return false;
  try {
    return new URL(origin).host.toLowerCase() === request.publicHost;
  } catch {
    return false;
  }
}

function verifyOrigin(request: FastifyRequest): void {
  if (!checkOrigin(request)) throw new CsrfError('This form was sent from another site, so it was refused.');
}

function verifyToken(request: FastifyRequest): void {
  const sent = sentToken(request);
  if (!sent) throw new CsrfError('The form is missing its security token. Reload the page and try again.');
  if (!sameToken(sent, expectedToken(request))) {
    throw new CsrfError('The form’s security token has expired or is wrong. Reload the page and try again.');
  }
}

export const csrfPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('csrfToken', function (this: FastifyRequest) {
      return expectedToken(this);
    });
    app.addHook('onRequest', async (request, reply) => {
      request.csrfToken = () => expectedToken(request, reply);
    });
    app.addHook('preHandler', async (request) => {
      if (!UNSAFE.has(request.method) || request.routeOptions.config?.csrf === false) return;
      // The Origin check costs nothing and hinders no test, so it runs in every profile;
      // the token check follows CSRF_ENABLED (always on in production).
      verifyOrigin(request);
      if (app.config.csrf.enabled) verifyToken(request);
    });
  },
  { name: 'mathsoc-csrf', dependencies: ['mathsoc-session'] },
);
