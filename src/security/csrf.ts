// CSRF protection for every unsafe method (POST/PUT/PATCH/DELETE):
// - a synchroniser token: the session's own random token for signed-in users;
//   for visitors, an HMAC (keyed by SECRET_KEY) of a random value held in a
//   signed cookie, so login and registration forms are protected too;
// - an Origin / Sec-Fetch-Site check that refuses requests another site started
//   (in every profile, even where CSRF_ENABLED=false switches the token off).
// The token travels in the `_csrf` form field or the `X-CSRF-Token` header.
//
// Pages never carry the token itself, only a masked copy: base64url(mask ‖
// mask XOR token) with a fresh random mask each time it is written (the meta
// tag, every hidden field), as Rails and Django do. The bytes therefore differ
// in every response and every form, so compressing a page next to text an
// attacker chose reveals nothing about the token (BREACH), and pages can be
// compressed (docs/decisions/028-masked-csrf-tokens-and-compressed-pages.md).
// Only masked tokens are accepted: the bare token never leaves the server.
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

/** A masked token is base64url without padding; anything longer than this is not one of ours. */
const MASKED_SHAPE = /^[A-Za-z0-9_-]{2,512}$/;

/** The form a page carries: base64url(mask ‖ mask XOR token), with a fresh mask on every call. */
export function maskToken(token: string): string {
  const bytes = Buffer.from(token, 'utf8');
  const masked = Buffer.allocUnsafe(bytes.length * 2);
  randomBytes(bytes.length).copy(masked, 0);
  for (let i = 0; i < bytes.length; i++) masked[bytes.length + i] = masked[i]! ^ bytes[i]!;
  return masked.toString('base64url');
}

/** The token inside a masked one; null when `sent` is not a well-formed masked token. */
export function unmaskToken(sent: string): Buffer | null {
  if (!MASKED_SHAPE.test(sent)) return null;
  const masked = Buffer.from(sent, 'base64url');
  // Only the canonical spelling: a character changed in the unused low bits is a different token.
  if (masked.length === 0 || masked.length % 2 !== 0 || masked.toString('base64url') !== sent) return null;
  const half = masked.length / 2;
  const token = Buffer.allocUnsafe(half);
  for (let i = 0; i < half; i++) token[i] = masked[i]! ^ masked[half + i]!;
  return token;
}

/** Whether `sent` is a masking of `expected`, compared in constant time. */
function matchesToken(sent: string, expected: string): boolean {
  const token = unmaskToken(sent);
  const want = Buffer.from(expected, 'utf8');
  return token !== null && token.length === want.length && timingSafeEqual(token, want);
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
  if (!matchesToken(sent, expectedToken(request))) {
    throw new CsrfError('The form’s security token has expired or is wrong. Reload the page and try again.');
  }
}

export const csrfPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('csrfToken', function (this: FastifyRequest) {
      return maskToken(expectedToken(this));
    });
    app.addHook('onRequest', async (request, reply) => {
      request.csrfToken = () => maskToken(expectedToken(request, reply));
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
