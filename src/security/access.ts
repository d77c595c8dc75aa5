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
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}

const ACCESS = new Set<Access>(['public', 'user', 'admin']);
export const PASSWORD_CHANGE_PATH = '/profile/password';

/** `next` is honoured only for same-site relative paths: no open redirect. */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length > 2000) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u001f\\]/.test(next)) return fallback;
  try {
    const u = new URL(next, 'http://same.invalid');
    if (u.origin !== 'http://same.invalid') return fallback;
    return u.pathname + u.search;
  } catch {
    return fallback;
  }
}

export function wantsJson(request: FastifyRequest): boolean {
  if (request.routeOptions.config?.json) return true;
  if (request.url.startsWith('/api/')) return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export class HttpError extends Error {
  constructor(public statusCode: number, message: string) {
    super(message);
  }
}

function denyAnonymous(request: FastifyRequest, reply: FastifyReply) {
  if (wantsJson(request)) return reply.code(401).send({ error: 'Please log in first.' });
  return reply.redirect(`/login?next=${encodeURIComponent(safeNext(request.url))}`, 302);
}

export const accessPlugin = fp(async (app: FastifyInstance) => {
  app.decorate('routeTable', [] as RouteEntry[]);

  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { access?: Access; csrf?: boolean; probe?: boolean; json?: boolean };
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Fastify adds HEAD twins of GET routes itself; they inherit the GET's declaration.
    if (!config.access || !ACCESS.has(config.access)) {
      throw new Error(`route ${methods.join(',')} ${route.url} does not declare config.access (public, user or admin)`);
    }
    for (const method of methods) {
      app.routeTable.push({
        method,
        url: route.url,
        access: config.access,
        csrf: config.csrf !== false,
        probe: config.probe === true,
        json: config.json === true,
      });
    }
  });

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
    if (user.mustChangePassword && !config.allowDuringPasswordChange) {
      if (wantsJson(request)) return reply.code(403).send({ error: 'You must change your password first.' });
      return reply.redirect(PASSWORD_CHANGE_PATH, 302);
    }
    if (access === 'admin' && !user.isAdmin) throw new HttpError(403, 'This page is for administrators only.');
  });
}, { name: 'mathsoc-access', dependencies: ['mathsoc-session'] });
