// The real server as several processes (WEB_CONCURRENCY=2) on one SQLite file:
// both workers answer, concurrent answers from signed-in pupils are all
// recorded, a killed worker is replaced while the other keeps serving, and
// SIGTERM drains: a slow request in flight finishes, requests on kept-alive
// connections are answered with `Connection: close` (never 503), exit 0.
// Which process answered is read from the kernel (/proc), not from the app.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { openDatabase, type DatabaseHandle } from '../../../src/db/index.js';
import { createChallenge } from '../../../src/domain/challenges/challenges.js';
import { hashPassword } from '../../../src/domain/accounts/passwords.js';
import { answerOptionsSchema } from '../../../src/math/index.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const PASSWORD = 'correct horse battery staple';

interface Server {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startServer(env: Record<string, string>): Server {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'server.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The socket inode of the server side of the connection from `clientPort` to `serverPort`. */
function serverSocketInode(serverPort: number, clientPort: number): string | null {
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const port = (addr: string) => parseInt(addr.slice(addr.lastIndexOf(':') + 1), 16);
      if (port(cols[1]!) === serverPort && port(cols[2]!) === clientPort) return cols[9]!;
    }
  }
  return null;
}

/** Which of `pids` holds the server side of the connection from `clientPort`. */
function processServing(serverPort: number, clientPort: number, pids: number[]): number | null {
  const inode = serverSocketInode(serverPort, clientPort);
  if (!inode) return null;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  reusedSocket: boolean;
  /** The worker whose socket answered (looked up while the connection is open). */
  pid: number | null;
}

function request(
  port: number,
  opts: {
    agent: http.Agent;
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
    pids?: () => number[];
  },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: opts.headers,
        agent: opts.agent,
      },
      (res) => {
        const pid = opts.pids ? processServing(port, req.socket!.localPort!, opts.pids()) : null;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, reusedSocket: req.reusedSocket, pid }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A browser's cookie jar, reduced to name=value pairs. */
class Jar {
  private readonly cookies = new Map<string, string>();
  keep(headers: http.IncomingHttpHeaders): void {
    for (const c of headers['set-cookie'] ?? []) {
      const [pair] = c.split(';', 1);
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const csrfOf = (body: string) => /<meta name="csrf-token" content="([^"]+)"/.exec(body)?.[1] ?? '';

/** The worker pids the supervisor logged as listening, newest last. */
function workerPids(logFile: string): number[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"supervisor":true') && l.includes('"worker listening"'))
    .map((l) => (JSON.parse(l) as { pid: number }).pid);
}

describe('several server processes on one SQLite file', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let logFile: string;
  let database: DatabaseHandle;
  const pupils: Array<{ email: string; jar: Jar; csrf: string }> = [];
  let challengeId: number;
  let boxIds: number[] = [];
  let live: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-processes-'));
    port = 21000 + (process.pid % 20000);
    logFile = join(dir, 'app.log');
    const dbUrl = `sqlite:${join(dir, 'processes.db')}`;
    server = startServer({
      APP_ENV: 'development',
      WEB_CONCURRENCY: '2',
      PORT: String(port),
      DATABASE_URL: dbUrl,
      LOG_FILE: logFile,
      UPLOAD_DIR: join(dir, 'uploads'),
      RATELIMIT_ENABLED: 'false',
    });
    await waitFor(() => /running at/.test(server.output()));
    live = workerPids(logFile);

    // Pupils and a challenge, written beside the running server (WAL lets both use the file).
    database = openDatabase(loadConfig({ APP_ENV: 'development', DATABASE_URL: dbUrl }).database);
    const hash = await hashPassword(PASSWORD);
    const now = new Date().toISOString();
    for (let i = 1; i <= 6; i++) {
      const email = `pupil${i}@school.example.org`;
      await database.db
        .insertInto('users')
        .values({
          email,
          first_name: 'Pupil',
          last_name: `Number${i}`,
          password_hash: hash,
          year_group: 10,
          key_stage: 'KS4',
          maths_class: null,
          school_id: null,
          user_type: 'student',
          is_admin: 0,
          must_change_password: 0,
          email_verified_at: now,
          created_at: now,
          updated_at: now,
          password_changed_at: now,
        })
        .execute();
      pupils.push({ email, jar: new Jar(), csrf: '' });
    }
    challengeId = await createChallenge(
      database.db,
      {
        title: 'Four sums',
        contentHtml: '<p>Add.</p>',
        keyStage: 'KS4',
        releaseAt: new Date(Date.now() - 3_600_000).toISOString(),
        lockAfterHours: null,
        attemptsPerBox: 10,
        // The fifth box is left for the drain test.
        boxes: ['5', '7', '9', '11', '13'].map((answer) => ({
          id: null,
          label: '',
          correctAnswer: answer,
          options: answerOptionsSchema.parse({}),
        })),
      },
      { id: null, email: 'fixture@school.example.org', ip: '127.0.0.1', userAgent: 'test' },
    );
    boxIds = (
      await database.db
        .selectFrom('answer_boxes')
        .select('id')
        .where('challenge_id', '=', challengeId)
        .orderBy('position')
        .execute()
    ).map((r) => r.id);

    // Each pupil signs in through the login form, as a browser does.
    const agent = new http.Agent({ keepAlive: false });
    for (const p of pupils) {
      const form = await request(port, { agent, path: '/login' });
      p.jar.keep(form.headers);
      const body = new URLSearchParams({ email: p.email, password: PASSWORD, _csrf: csrfOf(form.body) }).toString();
      const login = await request(port, {
        agent,
        method: 'POST',
        path: '/login',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: p.jar.header() },
        body,
      });
      expect(login.status).toBe(303);
      p.jar.keep(login.headers);
      const home = await request(port, { agent, path: '/', headers: { cookie: p.jar.header() } });
      p.csrf = csrfOf(home.body);
      expect(p.csrf).not.toBe('');
    }
  }, 120_000);

  afterAll(async () => {
    await database?.close();
    server.child.kill('SIGKILL');
    for (const pid of workerPids(logFile)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const answer = (p: (typeof pupils)[number], agent: http.Agent, boxId: number, value: string) =>
    request(port, {
      agent,
      method: 'POST',
      path: `/challenges/${challengeId}/boxes/${boxId}/answer`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: p.jar.header() },
      body: new URLSearchParams({ answer: value, _csrf: p.csrf }).toString(),
      pids: () => live,
    });

  it('starts two workers, logged with their pids, and both answer requests', async () => {
    expect(live).toHaveLength(2);
    expect(new Set(live).size).toBe(2);
    expect(live).not.toContain(server.child.pid);
    const seen = new Set<number | null>();
    for (let i = 0; i < 20 && seen.size < 2; i++) {
      // A new connection each time: the primary hands connections to the workers in turn.
      const agent = new http.Agent({ keepAlive: true });
      const res = await request(port, { agent, path: '/health', pids: () => live });
      expect(res.status).toBe(200);
      seen.add(res.pid);
      agent.destroy();
    }
    expect([...seen].sort()).toEqual([...live].sort());
  });

  it('records every one of many concurrent answers from several signed-in pupils, across both processes', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 12 });
    const served = new Set<number | null>();
    const statuses: number[] = [];
    // Every pupil works on every box at once: three wrong tries, then the right answer.
    const chains = pupils.flatMap((p) =>
      boxIds.slice(0, 4).map(async (boxId, i) => {
        for (const value of ['1', '2', '3', ['5', '7', '9', '11'][i]!]) {
          const res = await answer(p, agent, boxId, value);
          statuses.push(res.status);
          served.add(res.pid);
        }
      }),
    );
    await Promise.all(chains);
    agent.destroy();
    expect(statuses.filter((s) => s !== 303)).toEqual([]);
    expect(statuses).toHaveLength(pupils.length * 4 * 4);
    expect([...served].sort()).toEqual([...live].sort());

    const count = async (correct: 0 | 1) =>
      Number(
        (
          await database.db
            .selectFrom('submissions')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('challenge_id', '=', challengeId)
            .where('is_correct', '=', correct)
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count(0)).toBe(pupils.length * 4 * 3);
    expect(await count(1)).toBe(pupils.length * 4);
  });

  it('restarts a worker killed with SIGKILL, and the site keeps answering meanwhile', async () => {
    const [victim, survivor] = live as [number, number];
    process.kill(victim, 'SIGKILL');
    await waitFor(() => readFileSync(logFile, 'utf8').includes('"worker exited unexpectedly"'), 10_000);
    for (let i = 0; i < 10; i++) {
      const agent = new http.Agent({ keepAlive: false });
      expect((await request(port, { agent, path: '/health' })).status).toBe(200);
    }
    await waitFor(() => workerPids(logFile).length === 3, 60_000);
    const replacement = workerPids(logFile)[2]!;
    expect([victim, survivor]).not.toContain(replacement);
    live = [survivor, replacement];
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain(`"pid":${victim}`);
    expect(log).toMatch(/"signal":"SIGKILL"/);
    expect(log).toContain('"worker restarting"');
    const seen = new Set<number | null>();
    for (let i = 0; i < 20 && seen.size < 2; i++) {
      const agent = new http.Agent({ keepAlive: true });
      const res = await request(port, { agent, path: '/health', pids: () => live });
      expect(res.status).toBe(200);
      seen.add(res.pid);
      agent.destroy();
    }
    expect([...seen].sort()).toEqual([...live].sort());
  }, 90_000);

  it('SIGTERM drains: a slow request in flight finishes, kept-alive connections get Connection: close, exit 0', async () => {
    const pupil = pupils[0]!;
    // Kept-alive connections to both workers, idle when SIGTERM arrives.
    const agents: http.Agent[] = [];
    const holders = new Set<number | null>();
    for (let i = 0; i < 20 && (holders.size < 2 || agents.length < 4); i++) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const res = await request(port, { agent, path: '/health', pids: () => live });
      expect(res.headers.connection).toBe('keep-alive');
      holders.add(res.pid);
      agents.push(agent);
    }
    expect(holders.size).toBe(2);

    // An answer whose body is still arriving when SIGTERM does.
    const body = new URLSearchParams({ answer: '1', _csrf: pupil.csrf }).toString();
    const slow = net.connect(port, '127.0.0.1');
    let raw = '';
    slow.setEncoding('utf8');
    slow.on('data', (d: string) => (raw += d));
    const slowDone = new Promise<void>((resolve) => slow.on('close', () => resolve()));
    await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
    slow.write(
      `POST /challenges/${challengeId}/boxes/${boxIds[4]}/answer HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        `Content-Type: application/x-www-form-urlencoded\r\nCookie: ${pupil.jar.header()}\r\n` +
        `Content-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    const before = Number(
      (
        await database.db
          .selectFrom('submissions')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

    server.child.kill('SIGTERM');
    // Both workers have begun draining.
    await waitFor(
      () =>
        (readFileSync(logFile, 'utf8').match(/"signal":"SIGTERM","pid":\d+,"msg":"shutting down"/g) ?? []).length === 2,
      5000,
    );
    await new Promise((r) => setTimeout(r, 200));

    // Requests on the kept-alive connections: answered, and told the connection ends.
    const late = await Promise.all(agents.map((agent) => request(port, { agent, path: '/health' })));
    for (const res of late) {
      expect(res.reusedSocket).toBe(true);
      expect(res.status).toBe(200);
      expect(res.headers.connection).toBe('close');
    }

    slow.write(body.slice(10));
    await slowDone;
    expect(raw).toMatch(/^HTTP\/1\.1 303 /);
    expect(raw.toLowerCase()).toContain('connection: close');

    expect(await server.exited).toBe(0);
    const after = Number(
      (
        await database.db
          .selectFrom('submissions')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(after).toBe(before + 1);
    const log = readFileSync(logFile, 'utf8');
    expect(log.match(/"worker drained"/g)).toHaveLength(2);
    expect(log).toMatch(/"msg":"stopped"/);
    expect(log).toMatch(/"code":0,"msg":"stopped"/);
    for (const agent of agents) agent.destroy();
  }, 60_000);
});

describe('several processes that cannot start', () => {
  it('stop the supervisor with exit 1 instead of restarting forever (port taken)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mathsoc-processes-taken-'));
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const s = startServer({
        APP_ENV: 'development',
        WEB_CONCURRENCY: '2',
        HOST: '127.0.0.1',
        PORT: String((taken.address() as net.AddressInfo).port),
        DATABASE_URL: `sqlite:${join(dir, 'taken.db')}`,
        LOG_FILE: join(dir, 'app.log'),
        UPLOAD_DIR: join(dir, 'uploads'),
        RATELIMIT_ENABLED: 'false',
      });
      expect(await s.exited).toBe(1);
      expect(s.output()).toContain('EADDRINUSE');
      expect(readFileSync(join(dir, 'app.log'), 'utf8')).toContain('"worker failed to start"');
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('several processes with rate limits counted in memory', () => {
  it('refuse to start, naming RATELIMIT_STORAGE_URI, and create nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mathsoc-processes-refused-'));
    try {
      const s = startServer({
        APP_ENV: 'development',
        WEB_CONCURRENCY: '2',
        PORT: String(22000 + (process.pid % 20000)),
        DATABASE_URL: `sqlite:${join(dir, 'refused.db')}`,
        LOG_FILE: join(dir, 'app.log'),
        UPLOAD_DIR: join(dir, 'uploads'),
      });
      expect(await s.exited).toBe(1);
      expect(s.output()).toContain('refusing to start');
      expect(s.output()).toContain('RATELIMIT_STORAGE_URI is memory://');
      expect(s.output()).toContain('Set RATELIMIT_STORAGE_URI=redis://');
      expect(existsSync(join(dir, 'refused.db'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
