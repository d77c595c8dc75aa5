// Entry point: configuration → database ready → buildApp → listen, and a
// graceful shutdown on SIGTERM/SIGINT (stop accepting, finish in-flight
// requests, close the database pool). With WEB_CONCURRENCY above 1 this
// process becomes the supervisor (src/supervisor.ts): it does the one-time
// work (migrations, first admin, the production check) and forks that many
// workers, which run this same file and only serve.
import cluster from 'node:cluster';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config/index.js';
import { openDatabase, type DatabaseHandle } from './db/index.js';
import { gatherFacts } from './domain/doctor-facts.js';
import { prepareDatabase } from './domain/setup.js';
import { createLogger } from './logger.js';
import { startupCheck } from './security/doctor.js';
import { superviseWorkers, type SupervisorEvent } from './supervisor.js';
import { mathThreadsPerProcess } from './web/math-pool.js';

/**
 * After SIGTERM, connections a client (or a proxy such as nginx) keeps alive
 * stay open this long: a request that arrives on one is answered normally,
 * with `Connection: close`, instead of finding the socket gone. Idle ones left
 * after it are closed.
 */
const KEEP_ALIVE_GRACE_MS = 2000;
/** A drain that takes longer than this ends the process with exit code 1. */
const DRAIN_TIMEOUT_MS = 15_000;

/** Why this configuration must not run as several processes, or null when it may. */
function multiProcessProblem(config: Config): string | null {
  const instances = config.ops.instances;
  if (instances <= 1 || !config.rateLimit.enabled) return null;
  if (/^(rediss?|memcached):\/\//.test(config.rateLimit.storageUri)) return null;
  return (
    `WEB_CONCURRENCY=${instances} starts ${instances} processes, but RATELIMIT_STORAGE_URI is ` +
    `${config.rateLimit.storageUri}: each process would count the rate limits on its own, ${instances} times weaker. ` +
    'Set RATELIMIT_STORAGE_URI=redis://host:6379 (or memcached://host:11211) so the processes share the counters, ' +
    'or WEB_CONCURRENCY=1.'
  );
}

async function main(): Promise<void> {
  await loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`mathsoc: configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const instances = config.ops.instances;
  const explicitMath = process.env.MATH_WORKERS?.trim() ? config.math.workers : null;
  config = {
    ...config,
    math: { ...config.math, workers: mathThreadsPerProcess({ explicit: explicitMath, instances }) },
  };

  if (cluster.isWorker) {
    // The primary has prepared the database and run the production check.
    await serve(config, openDatabase(config.database), { announce: false });
    return;
  }

  const problem = multiProcessProblem(config);
  if (problem) {
    console.error(`mathsoc: refusing to start: ${problem}`);
    process.exit(1);
  }

  const database = openDatabase(config.database);
  // First start on the embedded default: create the tables, the default school
  // and the first admin (whose one-time password is printed once, below).
  const firstRun = await prepareDatabase(config, database, { print: (line) => console.log(line) });

  if (config.profile === 'production') {
    // The blocking items of the production checklist (`mathsoc doctor`): refuse to serve on a failure.
    const check = startupCheck(await gatherFacts(config, database));
    for (const line of check.lines) console.error(`mathsoc: ${line}`);
    if (!check.ok) {
      await database.close();
      process.exit(1);
    }
  }

  if (instances === 1) {
    await serve(config, database, { announce: true });
    if (firstRun) console.log('Log in as the admin shown above and change the password when asked.');
    return;
  }

  // The workers open their own connections; the primary only supervises.
  await database.close();
  const logger = createLogger(config);
  const level = (event: SupervisorEvent) =>
    event === 'worker exited unexpectedly' || event === 'worker failed to start' || event.startsWith('worker drain ')
      ? 'error'
      : event === 'worker restarting'
        ? 'warn'
        : 'info';
  const code = await superviseWorkers({
    instances,
    // A key generated for this run (no SECRET_KEY set, development) is shared with
    // the workers, so a cookie or form token one of them signs is good at the others.
    env: config.secretKeyGenerated ? { SECRET_KEY: config.secretKey } : {},
    log: (event, fields = {}) => logger[level(event)]({ supervisor: true, ...fields }, event),
    onListening: () => {
      announce(config, `${instances} processes`);
      if (firstRun) console.log('Log in as the admin shown above and change the password when asked.');
    },
  });
  // The last lines (each worker drained, stopped) are written before the process ends.
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  process.exit(code);
}

function announce(config: Config, processes: string): void {
  const shown = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  console.log(
    `Maths Society is running at http://${shown}:${config.server.port} (${config.profile}, ${config.database.dialect}, ${processes})`,
  );
}

/** Builds the app on an open database, drains it on SIGTERM/SIGINT and listens. */
async function serve(config: Config, database: DatabaseHandle, opts: { announce: boolean }): Promise<void> {
  const app = await buildApp(config, { database });
  app.addHook('onClose', async () => database.close());
  const drain = drainer(app);
  const shutdown = (signal: string) => {
    if (!drain.start()) return;
    app.log.info({ signal, pid: process.pid }, 'shutting down');
    const force = setTimeout(() => process.exit(1), DRAIN_TIMEOUT_MS);
    force.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ host: config.server.host, port: config.server.port });
  if (cluster.isWorker) app.log.info({ pid: process.pid, worker: process.env.MATHSOC_WORKER }, 'worker listening');
  if (opts.announce) announce(config, '1 process');
}

/**
 * Draining without dropping requests. Node's `server.close()` closes idle
 * kept-alive connections at once, so a request a proxy sends on one at that
 * moment meets a closed socket; Fastify (return503OnClosing off, src/app.ts)
 * answers requests arriving on open connections normally with
 * `Connection: close`. Here: responses already under way when draining starts
 * also say `Connection: close`, and idle connections stay open for
 * KEEP_ALIVE_GRACE_MS before they are closed.
 */
function drainer(app: FastifyInstance): { start(): boolean } {
  const server = app.server;
  const pending = new Set<ServerResponse>();
  let draining = false;
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (draining) {
      res.shouldKeepAlive = false;
      return;
    }
    pending.add(res);
    res.once('close', () => pending.delete(res));
  });
  const closeIdle = server.closeIdleConnections.bind(server);
  return {
    start() {
      if (draining) return false;
      draining = true;
      for (const res of pending) if (!res.headersSent) res.shouldKeepAlive = false;
      server.closeIdleConnections = () => {};
      setTimeout(() => {
        closeIdle();
        // Connections that finish their last response later are closed as they go idle.
        setInterval(closeIdle, 250).unref();
      }, KEEP_ALIVE_GRACE_MS).unref();
      return true;
    },
  };
}

main().catch((err: unknown) => {
  console.error('mathsoc: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
