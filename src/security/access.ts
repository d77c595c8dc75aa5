// Deny by default: every route declares who may call it (`config.access`), a
// route that does not is refused at start-up, and one preHandler enforces the
// declaration for all of them. The route table it records drives the security
// test matrices, so new routes are covered without editing the tests.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Access } from './types.js';

export interface RouteEntry {
  method: string;
  url: string;
  access: Access;
  csrf: boolean;
  probe: boolean;
  json: boolean;
  allowUnverified: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}

const ACCESS = new Set<Access>(['public', 'user', 'teacher', 'admin']);
export const PASSWORD_CHANGE_PATH = '/profile/password';
/** Where a signed-in account with an unconfirmed address is sent: "check your inbox", with "send the link again". */
export const CHECK_INBOX_PATH = '/check-your-inbox';
/** Where a pupil with no school year (made by a sign-in with a school account) answers it, once (ADR 031). */
export const WELCOME_PATH = '/welcome';

const SAME_ORIGIN = 'https://same-origin.invalid';
const LONGEST_TARGET = 4000;

/** "%2F" → "/", repeatedly, as a proxy or a second decoding step might; malformed escapes stay. */
function percentDecoded(text: string): string {
  let out = text;
  for (let i = 0; i < 5; i++) {
    const next = out.replace(/%([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === out) break;
    out = next;
  }
  return out;
}

/** Starts with exactly one slash and, with its dot segments resolved, still does and stays here. */
function sameSitePath(path: string): boolean {
  if (!/^\/(?![/\\])/.test(path)) return false;
  try {
    const u = new URL(path, `${SAME_ORIGIN}/`);
    return u.origin === SAME_ORIGIN && /^\/(?![/\\])/.test(u.pathname);
  } catch {
    return false;
  }
}

/**
 * The one function that chooses a redirect target from a value the client
 * sent (`next` after login, the page behind the login-required redirect).
 * The path is normalised as a browser would (dot segments resolved, so
 * "/.//evil.example" becomes "//evil.example") and then must still start with
 * exactly one slash, also after percent-decoding ("/%2F%2Fevil.example",
 * "/%5Cevil.example"), and resolve to this site. Anything else is the fallback.
 */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length > 2000) return fallback;
  // Browsers drop tabs and newlines inside a URL and read "\" as "/": refuse them rather than guess.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  if (!next.startsWith('/') || next.startsWith('//')) return fallback;
  let target: string;
  try {
    const u = new URL(next, `${SAME_ORIGIN}/`);
    if (u.origin !== SAME_ORIGIN) return fallback;
    target = u.pathname + u.search;
  } catch {
    return fallback;
  }
  if (target.length > LONGEST_TARGET || !sameSitePath(target)) return fallback;
  // The same checks on the path as a server that decodes it would see it: "/%2e%2e%2f%2fx" is "/..//x".
  const decoded = percentDecoded(target.split('?')[0]!);
  // eslint-disable-next-line no-control-regex -- as above, once decoded
  if (/[\u0000-\u001f\u007f\\]/.test(decoded) || !sameSitePath(decoded)) return fallback;
  // A Location header is resolved the same way: reading the answer again must change nothing.
  const again = new URL(target, `${SAME_ORIGIN}/`);
  if (again.origin !== SAME_ORIGIN || again.pathname + again.search !== target) return fallback;
  return target;
}

export function wantsJson(request: FastifyRequest): boolean {
  if (request.routeOptions.config?.json) return true;
  if (request.url.startsWith('/api/')) return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export class HttpError extends Error {
  constructor(
    public statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

const UNVERIFIED = 'Confirm your email address first: open the link we sent you.';

function denyAnonymous(request: FastifyRequest, reply: FastifyReply) {
  if (wantsJson(request)) return reply.code(401).send({ error: 'Please log in first.' });
  return reply.redirect(`/login?next=${encodeURIComponent(safeNext(request.url))}`, 302);
}

export const accessPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('routeTable', [] as RouteEntry[]);

    app.addHook('onRoute', (route) => {
      const config = (route.config ?? {}) as {
        access?: Access;
        csrf?: boolean;
        probe?: boolean;
        json?: boolean;
        allowUnverified?: boolean;
      };
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      // Fastify adds HEAD twins of GET routes itself; they inherit the GET's declaration.
      if (!config.access || !ACCESS.has(config.access)) {
        throw new Error(
          `route ${methods.join(',')} ${route.url} does not declare config.access (public, user, teacher or admin)`,
        );
      }
      for (const method of methods) {
        app.routeTable.push({
          method,
          url: route.url,
          access: config.access,
          csrf: config.csrf !== false,
          probe: config.probe === true,
          json: config.json === true,
          allowUnverified: config.allowUnverified === true,
        });
      }
    });

    const requireVerification = app.config.mail.requireVerification;
    app.addHook('preHandler', async (request, reply) => {
      const config = request.routeOptions.config;
      const access = config?.access;
      if (!access) return; // 404 handler: nothing to protect
      const user = request.user;
      // Any page for a signed-in user shows who they are (and their CSRF token): never
      // store it in a shared or browser cache. Handlers serving static files override this.
      if (user || config.personal) reply.header('cache-control', 'no-store');
      if (access === 'public') return;
      if (!user) return denyAnonymous(request, reply);
      // An account whose address is not confirmed may only see "check your inbox" and ask for
      // the link again: no answers, no competitions, no profile, no admin area — unless a route
      // says otherwise. Off when the site does not require confirmed addresses.
      if (!user.emailVerified && requireVerification && !config.allowUnverified) {
        if (wantsJson(request)) return reply.code(403).send({ error: UNVERIFIED });
        return reply.redirect(CHECK_INBOX_PATH, 302);
      }
      if (user.mustChangePassword && !config.allowDuringPasswordChange) {
        if (wantsJson(request)) return reply.code(403).send({ error: 'You must change your password first.' });
        return reply.redirect(PASSWORD_CHANGE_PATH, 302);
      }
      // A pupil without a school year has no key stage, board or challenges: they say it first.
      if (user.role === 'student' && user.yearGroup === null && !config.allowWithoutYear) {
        if (wantsJson(request)) return reply.code(403).send({ error: 'Choose your school year first.' });
        const back = request.method === 'GET' ? safeNext(request.url, '') : '';
        return reply.redirect(back ? `${WELCOME_PATH}?next=${encodeURIComponent(back)}` : WELCOME_PATH, 302);
      }
      if (access === 'admin' && user.role !== 'admin')
        throw new HttpError(403, 'This page is for administrators only.');
      if (access === 'teacher' && user.role === 'student') {
        throw new HttpError(403, 'This page is for teachers and administrators only.');
      }
    });
  },
  { name: 'mathsoc-access', dependencies: ['mathsoc-session'] },
);
