// Sessions (the role Flask-Login played): a signed, HttpOnly, SameSite=Lax
// cookie holding a random token; the record lives server-side so logout and
// "sign out everywhere" really end sessions. Over HTTPS the cookie is Secure
// and carries the __Host- prefix (no Domain, Path=/, cannot be set by a subdomain).
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RedisSessionStore } from './session-redis.js';
import { DatabaseSessionStore, type Privilege, type SessionRecord, type SessionStore } from './session-store.js';
import type { SessionUser } from './types.js';

/** Reads the user a session belongs to; null when the account no longer exists. */
export type SessionUserLoader = (userId: number) => Promise<SessionUser | null>;

/**
 * Reads a database session record and its user in one statement (null: no
 * such session; `user` null: the account no longer exists).
 */
export type SessionWithUserLoader = (
  sessionId: string,
) => Promise<{ record: SessionRecord; user: SessionUser | null } | null>;

declare module 'fastify' {
  interface FastifyInstance {
    sessions: SessionStore;
    loadSessionUser: SessionUserLoader;
  }
  interface FastifyRequest {
    session: SessionRecord | null;
  }
}

const MINUTE = 60_000;
/** Writing last-seen on every request would turn each page view into a DB write. */
const TOUCH_INTERVAL_MS = MINUTE;
/** How often expired session rows are swept away. */
const PURGE_INTERVAL_MS = 15 * MINUTE;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

function sessionCookieName(request: FastifyRequest): string {
  const base = request.server.config.session.cookieName;
  return request.isSecure ? `__Host-${base}` : base;
}

export function cookieOptions(request: FastifyRequest, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: request.isSecure,
    signed: true,
    ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}),
  };
}

/** Deletes the session cookie. A __Host- cookie is only replaced by one with the same flags (Secure, Path=/). */
function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  const { signed: _signed, ...flags } = cookieOptions(request);
  reply.clearCookie(sessionCookieName(request), flags);
}

const privilegeOf = (user: Pick<SessionUser, 'role'>): Privilege => (user.role === 'student' ? 'user' : user.role);

function readToken(request: FastifyRequest): string | null {
  const raw = request.cookies[sessionCookieName(request)];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value ? unsigned.value : null;
}

function expiry(from: Date, ms: number): string {
  return new Date(from.getTime() + ms).toISOString();
}

function idleMs(app: FastifyInstance, remember: boolean): number {
  const s = app.config.session;
  return remember ? s.rememberDays * 24 * 60 * MINUTE : s.idleTimeoutMinutes * MINUTE;
}

/**
 * Starts a fresh session for the user. Any session the request already had is
 * destroyed first, so a session id planted before login is worthless after it.
 */
export async function logIn(
  request: FastifyRequest,
  reply: FastifyReply,
  userId: number,
  opts: { remember?: boolean } = {},
): Promise<void> {
  const app = request.server;
  if (request.session) await app.sessions.destroy(request.session.id);
  const user = await app.loadSessionUser(userId);
  if (!user) throw new Error(`logIn: there is no user ${userId}`);
  const remember = opts.remember === true;
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const absoluteMs = remember
    ? app.config.session.rememberDays * 24 * 60 * MINUTE
    : app.config.session.absoluteTimeoutHours * 60 * MINUTE;
  const record: SessionRecord = {
    id: hashToken(token),
    userId,
    csrfToken: randomBytes(32).toString('base64url'),
    remember,
    ip: request.clientIp,
    userAgent: (request.headers['user-agent'] ?? '').slice(0, 300) || null,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    idleExpiresAt: expiry(now, idleMs(app, remember)),
    absoluteExpiresAt: expiry(now, absoluteMs),
    privilege: privilegeOf(user),
  };
  await app.sessions.create(record);
  request.session = record;
  request.sessionId = record.id;
  request.user = user;
  reply.setCookie(
    sessionCookieName(request),
    token,
    cookieOptions(request, remember ? Math.floor(absoluteMs / 1000) : undefined),
  );
}

/**
 * Re-issues the session id (after a privilege or password change): a new token
 * and CSRF token, the same user, remember flag and absolute expiry (rotation
 * never lengthens a session). The old id stops working at once.
 */
export async function rotateSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const old = request.session;
  if (!old) return;
  const app = request.server;
  const user = await app.loadSessionUser(old.userId);
  if (!user) return logOut(request, reply);
  const token = randomBytes(32).toString('base64url');
  const record: SessionRecord = {
    ...old,
    id: hashToken(token),
    csrfToken: randomBytes(32).toString('base64url'),
    privilege: privilegeOf(user),
  };
  await app.sessions.create(record);
  await app.sessions.destroy(old.id);
  request.session = record;
  request.sessionId = record.id;
  request.user = user;
  const left = Math.floor((Date.parse(record.absoluteExpiresAt) - Date.now()) / 1000);
  reply.setCookie(
    sessionCookieName(request),
    token,
    cookieOptions(request, record.remember ? Math.max(1, left) : undefined),
  );
}

export async function logOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.session) await request.server.sessions.destroy(request.session.id);
  request.session = null;
  request.sessionId = null;
  request.user = null;
  clearSessionCookie(request, reply);
}

/** "Sign out everywhere else": ends every other session of the signed-in user; returns how many. */
export async function signOutEverywhereElse(request: FastifyRequest): Promise<number> {
  if (!request.session) return 0;
  return request.server.sessions.destroyForUser(request.session.userId, request.session.id);
}

export interface SessionPluginOptions {
  store?: SessionStore;
  /** How a session's user is read (the domain layer's query). */
  loadUser: SessionUserLoader;
  /**
   * With the database store: the session and its user in one statement, run on
   * every signed-in request instead of two (the domain layer's query).
   */
  loadSessionWithUser?: SessionWithUserLoader;
}

/** The store SESSION_STORE_URI asks for: Redis when set, else the database. */
async function openSessionStore(app: FastifyInstance): Promise<SessionStore> {
  const uri = app.config.session.storeUri;
  if (!uri) return new DatabaseSessionStore(app.db);
  const store = new RedisSessionStore(uri);
  await store.connect();
  return store;
}

export const sessionPlugin = fp(
  async (app: FastifyInstance, opts: SessionPluginOptions) => {
    app.decorate('sessions', opts.store ?? (await openSessionStore(app)));
    app.decorate('loadSessionUser', opts.loadUser);
    app.decorateRequest('session', null);
    app.decorateRequest('user', null);
    app.decorateRequest('sessionId', null);

    const purge = setInterval(() => {
      app.sessions
        .purgeExpired(new Date().toISOString())
        .catch((err: unknown) => app.log.warn({ err }, 'could not purge expired sessions'));
    }, PURGE_INTERVAL_MS);
    purge.unref();
    app.addHook('onClose', async () => {
      clearInterval(purge);
      await app.sessions.close();
    });

    // Sessions in the database are read with their user in one statement; other
    // stores (Redis) hold the record only, and the user is read after it.
    const joined = opts.loadSessionWithUser;
    // `user` undefined: not read yet.
    const readSession: (id: string) => Promise<{ record: SessionRecord; user?: SessionUser | null } | null> =
      joined && app.sessions instanceof DatabaseSessionStore
        ? joined
        : async (id) => {
            const record = await app.sessions.get(id);
            return record ? { record } : null;
          };

    app.addHook('onRequest', async (request, reply) => {
      const route = request.routeOptions.config;
      if (route?.probe || route?.session === false) return;
      const token = readToken(request);
      if (!token) return;
      const found = await readSession(hashToken(token));
      const record = found?.record ?? null;
      const now = new Date();
      const nowIso = now.toISOString();
      if (!record || record.idleExpiresAt <= nowIso || record.absoluteExpiresAt <= nowIso) {
        if (record) await app.sessions.destroy(record.id);
        clearSessionCookie(request, reply);
        return;
      }
      // An expired session never costs the user query: it is read only now, for the other stores.
      const user = found?.user === undefined ? await app.loadSessionUser(record.userId) : found.user;
      if (!user) {
        await app.sessions.destroy(record.id);
        clearSessionCookie(request, reply);
        return;
      }
      if (record.privilege && record.privilege !== privilegeOf(user)) {
        // Admin or teacher rights granted or revoked since this id was issued: issue a new one.
        request.session = record;
        await rotateSession(request, reply);
        return;
      }
      if (now.getTime() - Date.parse(record.lastSeenAt) > TOUCH_INTERVAL_MS) {
        const idle = expiry(now, idleMs(app, record.remember));
        await app.sessions.touch(record.id, nowIso, idle);
        record.lastSeenAt = nowIso;
        record.idleExpiresAt = idle;
      }
      request.session = record;
      request.sessionId = record.id;
      request.user = user;
    });
  },
  { name: 'mathsoc-session' },
);
