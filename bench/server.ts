// The benchmarked server: the real app (buildApp) in the production profile on
// the benchmark database, listening on a free loopback port. Started by
// bench/run.ts as a child process (so its memory can be read from /proc and
// the load generator does not share its event loop); talks to it over IPC:
//   → { type: 'ready', port, pid, pids }                 once listening (pids: the serving processes)
//   ← { type: 'sessions', userIds }  → { type: 'sessions', sessions: [{ userId, cookie, csrf }] }
//   ← { type: 'stop' }                                   closes the app and exits
//
// With BENCH_PROCESSES=N above 1 it runs as `WEB_CONCURRENCY=N npm start`
// does: this process supervises N workers (src/supervisor.ts, Node's cluster)
// that share the port, each with its share of the math threads; it relays the
// messages above to the first worker and answers `stop` by draining them all.
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { openDatabase } from '../src/db/index.js';
import { maskToken } from '../src/security/csrf.js';
import { hashToken } from '../src/security/session.js';
import { superviseWorkers } from '../src/supervisor.js';
import { mathThreadsPerProcess } from '../src/web/math-pool.js';
import { benchAppConfig, type SecurityMode } from './lib/app-config.js';
import { BENCH_USER_AGENT } from './lib/fixtures.js';

export interface BenchSession {
  userId: number;
  /** Cookie header value (the session cookie as a browser over HTTPS sends it). */
  cookie: string;
  csrf: string;
}

export type ServerMessage =
  | { type: 'ready'; port: number; pid: number; pids: number[] }
  | { type: 'sessions'; sessions: BenchSession[] }
  | { type: 'error'; message: string };

export type ParentMessage = { type: 'sessions'; userIds: number[] } | { type: 'stop' };

function send(message: ServerMessage): void {
  process.send?.(message);
}

const processes = Math.max(1, Number(process.env.BENCH_PROCESSES ?? '1') || 1);

/** The primary of a several-process server: supervises the workers, relays run.ts's messages. */
async function supervise(): Promise<void> {
  const workers = new Map<Worker, number>();
  let listening = 0;
  let port = 0;
  const stopping = new AbortController();
  const code = superviseWorkers({
    instances: processes,
    // Failures go to stderr, which run.ts shows when the server does not start.
    log: (event, fields = {}) => {
      if (event !== 'worker started' && event !== 'worker listening') console.error(event, JSON.stringify(fields));
    },
    // Every worker signs cookies with the same key, as they do under one SECRET_KEY in production.
    env: { BENCH_SECRET_KEY: randomBytes(32).toString('hex') },
    handleSignals: false,
    signal: stopping.signal,
  });
  let relay: ((m: ServerMessage) => void) | null = null;
  cluster.on('message', (worker, m: ServerMessage) => {
    if (m.type === 'ready') {
      workers.set(worker, m.pid);
      port = m.port;
      listening += 1;
      if (listening === processes) send({ type: 'ready', port, pid: process.pid, pids: [...workers.values()] });
    } else if (m.type === 'error' && listening < processes) {
      send(m);
    } else {
      relay?.(m);
    }
  });
  process.on('message', (raw: ParentMessage) => {
    if (raw.type === 'sessions') {
      const first = [...workers.keys()].find((w) => w.isConnected());
      if (!first) return send({ type: 'error', message: 'no worker is running' });
      relay = (m) => {
        relay = null;
        send(m);
      };
      first.send(raw);
    } else if (raw.type === 'stop') {
      stopping.abort();
    }
  });
  process.on('disconnect', () => stopping.abort());
  process.exit(await code);
}

async function main(): Promise<void> {
  if (processes > 1 && cluster.isPrimary) return supervise();
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) throw new Error('BENCH_DATABASE_URL is not set');
  const security = (process.env.BENCH_SECURITY ?? 'on') as SecurityMode;
  const settings = process.env.BENCH_SETTINGS ? (JSON.parse(process.env.BENCH_SETTINGS) as Record<string, string>) : {};
  const benchConfig = benchAppConfig({
    databaseUrl,
    security,
    logFile: process.env.BENCH_SERVER_LOG ?? '/dev/null',
    logLevel: process.env.BENCH_LOG_LEVEL,
    secretKey: process.env.BENCH_SECRET_KEY,
    settings: { ...settings, WEB_CONCURRENCY: String(processes) },
  });
  // The math threads are shared out between the processes as src/server.ts does.
  const explicit = settings.MATH_WORKERS?.trim() ? benchConfig.math.workers : null;
  const config = {
    ...benchConfig,
    math: { ...benchConfig.math, workers: mathThreadsPerProcess({ explicit, instances: processes }) },
  };
  const database = openDatabase(config.database);
  const app = await buildApp(config, { database });
  app.addHook('onClose', async () => database.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');

  // Requests arrive with X-Forwarded-Proto: https, so the cookie carries the __Host- prefix.
  const cookieName = `__Host-${config.session.cookieName}`;
  const createSessions = async (userIds: number[]): Promise<BenchSession[]> => {
    const out: BenchSession[] = [];
    const now = new Date();
    const later = (hours: number) => new Date(now.getTime() + hours * 3_600_000).toISOString();
    for (const userId of userIds) {
      const token = randomBytes(32).toString('base64url');
      const csrf = randomBytes(32).toString('base64url');
      // The record logIn() would write; created directly so the benchmark needs no login round trip.
      await app.sessions.create({
        id: hashToken(token),
        userId,
        csrfToken: csrf,
        remember: false,
        ip: '127.0.0.1',
        userAgent: BENCH_USER_AGENT,
        createdAt: now.toISOString(),
        lastSeenAt: now.toISOString(),
        idleExpiresAt: later(2),
        absoluteExpiresAt: later(24),
        privilege: 'user',
      });
      // Forms carry the token masked (src/security/csrf.ts); any masking of it is accepted.
      out.push({ userId, cookie: `${cookieName}=${app.signCookie(token)}`, csrf: maskToken(csrf) });
    }
    return out;
  };

  process.on('message', (raw: ParentMessage) => {
    if (raw.type === 'sessions') {
      createSessions(raw.userIds).then(
        (sessions) => send({ type: 'sessions', sessions }),
        (err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
      );
    } else if (raw.type === 'stop') {
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    }
  });
  // The parent going away must not leave a server behind.
  process.on('disconnect', () => {
    void app.close().finally(() => process.exit(0)); // exits either way
  });
  // Draining on SIGTERM, as the supervisor asks each worker to.
  process.once('SIGTERM', () => {
    void app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  send({ type: 'ready', port: address.port, pid: process.pid, pids: [process.pid] });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  console.error(err);
  process.exit(1);
});
