// buildApp(config): the whole platform as a Fastify instance, used by the
// server and by tests (app.inject). Plugins are registered in the order of
// the request pipeline (docs/architecture.md, "The request pipeline").
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import type { Config } from './config/index.js';
import { openDatabase, type DatabaseHandle } from './db/index.js';
import { loadSessionUser, loadSessionWithUser } from './domain/accounts/session-user.js';
import { AccessLogController, createLogger } from './logger.js';
import { frameworkErrorHandler, privateResponsesPlugin } from './security/headers.js';
import { registerSecurity } from './security/index.js';
import type { SessionStore } from './security/session-store.js';
import { compressionPlugin } from './web/compression.js';
import { registerErrorHandlers, sendError } from './web/errors.js';
import { flashPlugin } from './web/flash.js';
import { mailSenderPlugin } from './web/mail-sender.js';
import { mathPoolPlugin } from './web/math-pool.js';
import { multipartPlugin } from './web/multipart.js';
import { renderPlugin } from './web/render.js';
import { registerRoutes } from './web/routes/index.js';
import './web/types.js';

export interface BuildOptions {
  /** An already-open database (tests share one per file); otherwise opened from config. */
  database?: DatabaseHandle;
  /** Replace the logger (tests pass false to keep output quiet). */
  logger?: boolean;
  sessionStore?: SessionStore;
}

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const database = opts.database ?? openDatabase(config.database);
  const ownsDatabase = !opts.database;

  const options: FastifyHttpOptions<Server> = {
    loggerInstance: opts.logger === false ? undefined : createLogger(config),
    logger: opts.logger === false ? false : undefined,
    genReqId: () => randomUUID(),
    logController: new AccessLogController(),
    // Proxy headers are interpreted by src/security/proxy.ts, with exact hop counts.
    trustProxy: false,
    bodyLimit: 1024 * 1024,
    // While draining (src/server.ts), requests on open connections are answered, with Connection: close.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // Malformed URLs are answered before any hook: give them the security headers too.
    frameworkErrors: frameworkErrorHandler(config),
  };
  const app: FastifyInstance = Fastify(options);

  app.decorate('config', config);
  app.decorate('database', database);
  app.decorate('db', database.db);
  if (ownsDatabase) app.addHook('onClose', async () => database.close());

  await registerSecurity(app, {
    store: opts.sessionStore,
    loadUser: (userId) => loadSessionUser(database.db, userId),
    loadSessionWithUser: (sessionId) => loadSessionWithUser(database.db, sessionId),
    errorPage: sendError,
  });
  await app.register(flashPlugin);
  await app.register(renderPlugin);
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  await app.register(multipartPlugin);
  await app.register(mathPoolPlugin);
  await app.register(mailSenderPlugin);
  // Before the routes, so each one compresses what it sends (pages, error pages, assets).
  await app.register(compressionPlugin);
  // Before the routes: each route plugin keeps the error handler that was set
  // when it was registered, so setting it afterwards would leave Fastify's default.
  registerErrorHandlers(app);
  await registerRoutes(app);
  // Last, so its onSend hook sees every cookie set before the response leaves.
  await app.register(privateResponsesPlugin);
  return app;
}
