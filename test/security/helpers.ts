// Helpers for the security suites: the real app with a few extra routes that
// expose what the pipeline decided (client IP, scheme, user) and call the
// session functions the account pages use (logIn, logOut, rotateSession,
// signOutEverywhereElse), so those can be tested through real HTTP.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { logIn, logOut, rotateSession, signOutEverywhereElse } from '../../src/security/session.js';
import { ONE_PROXY } from '../helpers/app.js';
import { createTestDatabase, type Dialect, type TestDatabase } from '../helpers/db.js';

export const STRONG_SECRET = 'f3a9c1d27b8e4f60a5d39c2e7b1f8a4d6c0e5b9a2d7f3c1e';

export interface ProbeApp {
  app: FastifyInstance;
  config: Config;
  database: TestDatabase;
  close(): Promise<void>;
}

/** Test-only routes, registered on this app instance only. */
async function probeRoutes(app: FastifyInstance): Promise<void> {
  const open = { access: 'public', csrf: false } as const;
  app.get('/__t/request', { config: { access: 'public' } }, async (request) => ({
    clientIp: request.clientIp,
    isSecure: request.isSecure,
    publicHost: request.publicHost,
    userId: request.user?.id ?? null,
    isAdmin: request.user?.isAdmin ?? null,
    role: request.user?.role ?? null,
    nonce: request.cspNonce,
  }));
  app.post('/__t/login', { config: open }, async (request, reply) => {
    const body = request.body as { userId: string; remember?: string };
    await logIn(request, reply, Number(body.userId), { remember: body.remember === 'true' });
    return { ok: true };
  });
  app.post('/__t/logout', { config: open }, async (request, reply) => {
    await logOut(request, reply);
    return { ok: true };
  });
  app.post('/__t/rotate', { config: open }, async (request, reply) => {
    await rotateSession(request, reply);
    return { ok: true };
  });
  app.post('/__t/others-out', { config: open }, async (request) => ({ ended: await signOutEverywhereElse(request) }));
  app.post('/__t/echo', { config: { access: 'public' } }, async () => ({ ok: true }));
  app.post('/__t/echo.json', { config: { access: 'public', json: true } }, async () => ({ ok: true }));
  app.get('/__t/user', { config: { access: 'user' } }, async () => ({ ok: true }));
  app.get('/__t/teacher', { config: { access: 'teacher' } }, async () => ({ ok: true }));
  app.get('/__t/admin', { config: { access: 'admin' } }, async () => ({ ok: true }));
  app.get('/__t/admin.json', { config: { access: 'admin', json: true } }, async () => ({ ok: true }));
}

export async function createProbeApp(dialect: Dialect, env: Record<string, string> = {}): Promise<ProbeApp> {
  // One proxy in front, as the suites' forwarded headers assume (the settings' default is none).
  const config = loadConfig({
    APP_ENV: 'testing',
    SECRET_KEY: STRONG_SECRET,
    LOG_LEVEL: 'silent',
    ...ONE_PROXY,
    ...env,
  });
  const database = await createTestDatabase(dialect);
  const app = await buildApp(config, { database, logger: false });
  await app.register(probeRoutes);
  await app.ready();
  return {
    app,
    config,
    database,
    async close() {
      await app.close();
      await database.dispose();
    },
  };
}

/** The Set-Cookie header for `name` (exact), or undefined. */
export function setCookie(res: LightMyRequestResponse, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const all = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return all.find((c) => c.startsWith(`${name}=`));
}

/** name=value of a Set-Cookie header, for sending it back. */
export function cookiePair(header: string | undefined): string {
  if (!header) throw new Error('no Set-Cookie header');
  return header.split(';')[0]!;
}
