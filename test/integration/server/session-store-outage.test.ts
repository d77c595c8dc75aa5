// A Redis session store that goes away: a throwaway redis-server of this test's
// own, stopped (SIGSTOP: it hangs), killed and started again. Signed-in
// requests fail fast with 503, anonymous pages keep working, /ready reports
// the store, and the app reconnects by itself.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { REQUIRE_SERVICES } from '../../helpers/services.js';
import { createLoggedApp, insertUser, UNAVAILABLE, waitFor, type LoggedApp } from './outage-helpers.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer) {
  if (REQUIRE_SERVICES) throw new Error('redis-server is not installed and REQUIRE_SERVICES=1');
  console.warn(
    '\n!!!!! SKIPPING: redis-server is not installed, so the session-store outage suite cannot run. !!!!!\n',
  );
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('data', (d) => done(String(d).startsWith('+PONG')));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('error', () => done(false));
  });

/** A redis-server without persistence, like one whose data is lost on restart. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await waitFor(() => answers(port), 10_000, 50);
  return child;
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await run();
  return { value, ms: Date.now() - started };
}

describe.runIf(hasRedisServer)('the Redis session store going away', () => {
  let port: number;
  let redis: ChildProcess;
  let handle: TestDatabase;
  let logged: LoggedApp;
  let signedIn: TestClient;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    handle = await createTestDatabase('sqlite');
    logged = await createLoggedApp(handle, {
      SESSION_STORE_URI: `redis://127.0.0.1:${port}`,
      RATELIMIT_ENABLED: 'false',
    });
    signedIn = new TestClient(logged.app);
    await signedIn.loginAs({ id: await insertUser(handle.db) });
  });
  afterAll(async () => {
    redis?.kill('SIGCONT');
    redis?.kill('SIGKILL');
    await logged?.close();
    await handle?.dispose();
  });

  const expectFastOutage = async (url: string, accept?: string) => {
    const { value: res, ms } = await timed(() => signedIn.get(url, accept ? { accept } : {}));
    expect(res.statusCode).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    if (accept) expect(res.json()).toEqual({ error: UNAVAILABLE });
    else expect(res.body).toContain(UNAVAILABLE);
    // The session client's timeouts, not its reconnect back-off, decide how long a request waits.
    expect(ms).toBeLessThan(5000);
  };

  const expectDegraded = async () => {
    for (const url of ['/ready', '/readyz']) {
      const { value: res, ms } = await timed(() => signedIn.get(url));
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'degraded' });
      expect(ms).toBeLessThan(2500);
    }
  };

  it('serves signed-in pages while Redis answers', async () => {
    expect((await signedIn.get('/profile')).statusCode).toBe(200);
    expect((await signedIn.get('/ready')).json()).toEqual({ status: 'ready' });
  });

  it('reports degraded on /ready and /readyz within about a second while Redis hangs', async () => {
    redis.kill('SIGSTOP');
    await expectDegraded();
  });

  it('answers signed-in requests 503 quickly while Redis hangs', async () => {
    await expectFastOutage('/profile');
    await expectFastOutage('/leaderboard', 'application/json');
  });

  it('carries on with the same session once Redis answers again', async () => {
    redis.kill('SIGCONT');
    await waitFor(async () => (await signedIn.get('/profile')).statusCode === 200);
  });

  it('reports degraded while Redis is down', async () => {
    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    await expectDegraded();
  });

  it('answers signed-in requests 503 while Redis is down, and keeps anonymous pages, static files and /health working', async () => {
    await expectFastOutage('/profile');
    await expectFastOutage('/');
    await expectFastOutage('/no-such-page');
    const anonymous = new TestClient(logged.app);
    expect((await anonymous.get('/login')).statusCode).toBe(200);
    expect((await anonymous.get('/')).statusCode).toBe(200);
    expect((await signedIn.get('/favicon.svg')).statusCode).toBe(200);
    expect((await signedIn.get('/health')).statusCode).toBe(200);
  });

  it('logs the session store outage once, without a stack trace per request', async () => {
    const started = await waitFor(() => {
      const lines = logged.log().filter((l) => l.outage === 'started');
      return lines.length ? lines : null;
    });
    expect(started.map((l) => l.service)).toEqual(['session store']);
    expect(logged.log().filter((l) => l.err?.stack)).toEqual([]);
  });

  it('reconnects by itself when Redis returns; a store without persistence has signed everyone out', async () => {
    redis = await startRedis(port);
    await waitFor(async () => (await signedIn.get('/ready')).statusCode === 200);
    const res = await signedIn.get('/profile');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toMatch(/^\/login/);
  });
});
