// Several machines serving one site: a real nginx in front of two app
// instances, each with its own upload directory, sharing one PostgreSQL
// database and one Redis (sessions and rate limits), with uploads kept in the
// database. What a school would notice is checked from outside: a sign-in made
// on one instance holds on the other, a picture uploaded through one is served
// by the other, a rate limit counts requests to both once, a completion on one
// reaches the other's public board within PUBLIC_CACHE_SECONDS, an instance
// that dies under load costs at most the requests it had in flight, and a
// rolling restart (SIGTERM, start again, one after the other) costs none.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChallenge } from '../../../src/domain/challenges/challenges.js';
import { hashPassword } from '../../../src/domain/accounts/passwords.js';
import { answerOptionsSchema } from '../../../src/math/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { REQUIRE_SERVICES, serviceAvailable, TEST_DATABASE_URL, TEST_REDIS_URL } from '../../helpers/services.js';
import { png } from '../../unit/content/sample-files.js';
import { freePort } from '../ratelimit/helpers.js';
import { startInstance, type Instance } from './instance.js';
import { nginxInstalled, NGINX_PATH, startNginx, type Nginx } from './nginx.js';

const PASSWORD = 'correct horse battery staple';
const LOGIN_LIMIT = 4;

const haveNginx = nginxInstalled();
if (!haveNginx) {
  const msg = `nginx is not at ${NGINX_PATH} (apt-get install nginx, or set NGINX_PATH)`;
  if (REQUIRE_SERVICES) throw new Error(`${msg} and REQUIRE_SERVICES=1`);
  console.warn(`\n!!!!! SKIPPING THE MULTI-INSTANCE TEST: ${msg}. !!!!!\n`);
}
const haveServices = haveNginx && (await serviceAvailable('postgres')) && (await serviceAvailable('redis'));

/** A browser, reduced to its cookie jar and the page's form token. */
class Browser {
  private readonly cookies = new Map<string, string>();
  csrf = '';

  /** `from`: the client address a proxy in front would report (X-Forwarded-For). */
  constructor(private readonly from?: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { cookie: this.cookieHeader(), ...(this.from ? { 'x-forwarded-for': this.from } : {}), ...extra };
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';', 1);
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(base: string, path: string): Promise<{ status: number; body: string }> {
    const res = await fetch(base + path, { headers: this.headers(), redirect: 'manual' });
    this.keep(res);
    const body = await res.text();
    const token = /<meta name="csrf-token" content="([^"]+)"/.exec(body)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, body };
  }

  async post(base: string, path: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: new URLSearchParams({ ...fields, _csrf: this.csrf }).toString(),
      redirect: 'manual',
    });
    this.keep(res);
    return { status: res.status, body: await res.text() };
  }

  async upload(base: string, path: string, file: Buffer, name: string): Promise<{ status: number; body: string }> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(file)], { type: 'image/png' }), name);
    const res = await fetch(base + path, {
      method: 'POST',
      headers: this.headers({ 'x-csrf-token': this.csrf }),
      body: form,
      redirect: 'manual',
    });
    this.keep(res);
    return { status: res.status, body: await res.text() };
  }

  async signIn(base: string, email: string, password = PASSWORD): Promise<number> {
    await this.get(base, '/login');
    const res = await this.post(base, '/login', { email, password });
    if (res.status === 303) await this.get(base, '/');
    return res.status;
  }
}

/**
 * Requests through nginx from `connections` clients with kept-alive
 * connections, until `stop` is called; every status is counted.
 */
function load(port: number, connections: number, paths: string[]) {
  const statuses: number[] = [];
  const errors: string[] = [];
  let running = true;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  // "POST /path": a form sent without its token. nginx never retries a POST on another
  // instance, so one refused or cut off by a restarting instance would reach the client.
  const one = (target: string) =>
    new Promise<void>((resolve) => {
      const [method, path] = target.startsWith('POST ') ? ['POST', target.slice(5)] : ['GET', target];
      const headers = method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {};
      const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          statuses.push(res.statusCode ?? 0);
          resolve();
        });
      });
      req.on('error', (err) => {
        errors.push(err.message);
        resolve();
      });
      req.end(method === 'POST' ? 'answer=1' : undefined);
    });
  const clients = Array.from({ length: connections }, async (_, i) => {
    for (let n = i; running; n++) await one(paths[n % paths.length]!);
  });
  return {
    statuses,
    errors,
    count: () => statuses.length,
    async stop() {
      running = false;
      await Promise.all(clients);
      agent.destroy();
    },
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!haveServices)('two instances behind nginx, one PostgreSQL, one Redis', () => {
  let dir: string;
  let database: TestDatabase;
  let nginx: Nginx;
  const instances: Record<'A' | 'B', Instance | null> = { A: null, B: null };
  const ports = { A: 0, B: 0, nginx: 0 };
  const env = (name: 'A' | 'B'): Record<string, string> => {
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return {
      APP_ENV: 'development',
      WEB_CONCURRENCY: '1',
      SECRET_KEY: secretKey,
      DATABASE_URL: url.toString(),
      SESSION_STORE_URI: TEST_REDIS_URL,
      RATELIMIT_STORAGE_URI: TEST_REDIS_URL,
      RATELIMIT_KEY_PREFIX: `mathsoc-multi-${schema}`,
      RATELIMIT_LOGIN: `${LOGIN_LIMIT} per minute`,
      RATELIMIT_DEFAULT: '100000 per minute',
      PROXY_FIX_X_FOR: '1',
      PROXY_FIX_X_PROTO: '1',
      PROXY_FIX_X_HOST: '1',
      UPLOAD_STORAGE: 'database',
      UPLOAD_DIR: join(dir, `uploads-${name}`),
      MAIL_DIRECTORY: join(dir, `mail-${name}`),
      LOG_FILE: join(dir, `app-${name}.log`),
      PUBLIC_CACHE_SECONDS: '1',
    };
  };
  let schema = '';
  const secretKey = randomBytes(32).toString('hex');
  let challengeId = 0;
  let boxId = 0;
  const base = (name: 'A' | 'B' | 'nginx') => `http://127.0.0.1:${ports[name]}`;
  const start = async (name: 'A' | 'B') => {
    instances[name] = await startInstance(name, ports[name], env(name));
  };
  /** What nginx said about the requests that failed, for the message of a failed check. */
  const failures = () =>
    [
      ...nginx
        .errorLog()
        .filter((l) => !/\[(notice|info)\]/.test(l))
        .slice(0, 12),
      ...nginx
        .accessLog()
        .filter((l) => l.startsWith('5'))
        .slice(0, 12),
    ].join('\n');
  const stop = async (name: 'A' | 'B', signal: NodeJS.Signals) => {
    const instance = instances[name]!;
    instance.child.kill(signal);
    const code = await instance.exited;
    instances[name] = null;
    return code;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-multi-'));
    // The schema is made and migrated once, before either instance starts, as a deployment's
    // release step (`mathsoc db:migrate`) does.
    database = await createTestDatabase('postgres');
    schema = /search_path=(\w+)/.exec(decodeURIComponent(database.config.url))![1]!;
    const hash = await hashPassword(PASSWORD);
    const now = new Date().toISOString();
    const person = (email: string, first: string, admin: boolean) => ({
      email,
      first_name: first,
      last_name: 'Tester',
      password_hash: hash,
      year_group: admin ? null : 10,
      key_stage: admin ? null : ('KS4' as const),
      maths_class: null,
      school_id: null,
      user_type: admin ? ('admin' as const) : ('student' as const),
      is_admin: admin ? 1 : 0,
      must_change_password: 0,
      email_verified_at: now,
      created_at: now,
      updated_at: now,
      password_changed_at: now,
    });
    await database.db
      .insertInto('users')
      .values([
        person('admin@school.example.org', 'Ada', true),
        person('pupil@school.example.org', 'Zanzibar', false),
        person('limited@school.example.org', 'Limited', false),
      ])
      .execute();
    challengeId = await createChallenge(
      database.db,
      {
        title: 'One sum',
        contentHtml: '<p>What is 6 × 7?</p>',
        keyStage: 'KS4',
        releaseAt: new Date(Date.now() - 3_600_000).toISOString(),
        lockAfterHours: null,
        attemptsPerBox: 5,
        boxes: [{ id: null, label: '', correctAnswer: '42', options: answerOptionsSchema.parse({}) }],
      },
      { id: null, email: 'fixture@school.example.org', ip: '127.0.0.1', userAgent: 'test' },
    );
    boxId = (
      await database.db
        .selectFrom('answer_boxes')
        .select('id')
        .where('challenge_id', '=', challengeId)
        .executeTakeFirstOrThrow()
    ).id;

    ports.A = await freePort();
    ports.B = await freePort();
    ports.nginx = await freePort();
    await Promise.all([start('A'), start('B')]);
    nginx = await startNginx(join(dir, 'nginx'), ports.nginx, [ports.A, ports.B]);
  }, 180_000);

  afterAll(async () => {
    await nginx?.stop();
    for (const name of ['A', 'B'] as const) instances[name]?.child.kill('SIGKILL');
    await database?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('nginx passes requests to both instances', async () => {
    for (let i = 0; i < 6; i++) expect((await fetch(`${base('nginx')}/health`)).status).toBe(200);
    const upstreams = new Set(
      nginx
        .accessLog()
        .filter((l) => l.includes('/health'))
        .map((l) => l.split(' ')[2]),
    );
    expect(upstreams).toEqual(new Set([`127.0.0.1:${ports.A}`, `127.0.0.1:${ports.B}`]));
  });

  it('a sign-in made on one instance holds on the other', async () => {
    const pupil = new Browser();
    expect(await pupil.signIn(base('A'), 'pupil@school.example.org')).toBe(303);
    const profile = await pupil.get(base('B'), '/profile');
    expect(profile.status).toBe(200);
    expect(profile.body).toContain('pupil@school.example.org');
    // …and a form the other instance served is accepted: the form token is the session's.
    await pupil.get(base('B'), `/challenges/${challengeId}`);
    const wrong = await pupil.post(base('A'), `/challenges/${challengeId}/boxes/${boxId}/answer`, { answer: '41' });
    expect(wrong.status).toBe(303);
  });

  it('a picture uploaded through one instance is served by the other, byte for byte', async () => {
    const admin = new Browser();
    expect(await admin.signIn(base('A'), 'admin@school.example.org')).toBe(303);
    await admin.get(base('A'), '/admin');
    // Larger than one stored slice of the database storage.
    const picture = png(64, 64, 400 * 1024);
    const res = await admin.upload(base('A'), '/admin/uploads/image', picture, 'diagram.png');
    expect(res.status).toBe(201);
    const { url } = JSON.parse(res.body) as { url: string };
    const served = await fetch(base('B') + url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(picture)).toBe(true);
    // And through nginx, whichever instance answers.
    for (let i = 0; i < 2; i++) {
      const viaProxy = await fetch(base('nginx') + url);
      expect(Buffer.from(await viaProxy.arrayBuffer()).equals(picture)).toBe(true);
    }
  });

  it('counts a rate limit once across both instances', async () => {
    // One client of its own, as the proxy reports it, so no earlier sign-in counts.
    const visitor = new Browser('192.0.2.44');
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT + 2; i++) {
      const target = base(i % 2 === 0 ? 'A' : 'B');
      await visitor.get(target, '/login');
      statuses.push(
        (await visitor.post(target, '/login', { email: 'limited@school.example.org', password: 'not the password' }))
          .status,
      );
    }
    // Each instance alone saw at most three tries: only a shared count reaches the limit.
    expect(statuses.slice(0, LOGIN_LIMIT)).not.toContain(429);
    expect(statuses.slice(LOGIN_LIMIT)).toEqual([429, 429]);
    // Another address is not held back by it, on either instance.
    for (const target of [base('A'), base('B')]) {
      const other = new Browser('198.51.100.24');
      await other.get(target, '/login');
      expect((await other.post(target, '/login', { email: 'limited@school.example.org', password: 'no' })).status).toBe(
        401,
      );
    }
  });

  it('a completion on one instance reaches the other instance’s public board within PUBLIC_CACHE_SECONDS', async () => {
    const onBoard = async () =>
      (await fetch(`${base('B')}/leaderboard?ks=KS4`).then((r) => r.text())).includes('Zanzibar');
    expect(await onBoard()).toBe(false);
    const pupil = new Browser();
    expect(await pupil.signIn(base('A'), 'pupil@school.example.org')).toBe(303);
    await pupil.get(base('A'), `/challenges/${challengeId}`);
    const right = await pupil.post(base('A'), `/challenges/${challengeId}/boxes/${boxId}/answer`, { answer: '42' });
    expect(right.status).toBe(303);
    const answered = Date.now();
    await until('the board on B shows the pupil', onBoard, 10_000);
    // One cache period, plus the time a loaded machine takes to render the page.
    expect(Date.now() - answered).toBeLessThan(1000 + 3000);
  });

  it('a rolling restart under load (SIGTERM, start again, one instance after the other) gives no 5xx', async () => {
    const traffic = load(ports.nginx, 8, ['/', '/challenges', '/leaderboard?ks=KS4', 'POST /logout', '/health']);
    await until('some traffic has gone through', () => traffic.count() > 50);
    for (const name of ['A', 'B'] as const) {
      expect(await stop(name, 'SIGTERM')).toBe(0);
      const during = traffic.count();
      await until(`traffic flows while ${name} is down`, () => traffic.count() > during + 50);
      const logged = nginx.accessLog().length;
      await start(name);
      // As an operator's script would, move on only once nginx sends the restarted instance
      // traffic again (it keeps a failed upstream out for fail_timeout).
      await until(`nginx sends ${name} traffic again`, () =>
        nginx
          .accessLog()
          .slice(logged)
          .some((l) => l.startsWith('200 ') && l.endsWith(`127.0.0.1:${ports[name]} "GET / HTTP/1.1"`)),
      );
    }
    await traffic.stop();
    expect(traffic.errors).toEqual([]);
    expect(
      traffic.statuses.filter((s) => s >= 500),
      failures(),
    ).toEqual([]);
    expect(traffic.statuses.length).toBeGreaterThan(300);
  }, 180_000);

  it('an instance killed under load costs at most the requests it had in flight', async () => {
    const connections = 8;
    const traffic = load(ports.nginx, connections, ['/', '/challenges', '/leaderboard?ks=KS4', '/health']);
    await until('some traffic has gone through', () => traffic.count() > 100);
    await stop('B', 'SIGKILL');
    const during = traffic.count();
    await until('traffic flows on the instance left', () => traffic.count() > during + 400);
    await traffic.stop();
    expect(traffic.errors).toEqual([]);
    // No more failures than requests that could have been in flight on the killed instance
    // (nginx retries a request that found it gone on the other one).
    expect(traffic.statuses.filter((s) => s >= 500).length, failures()).toBeLessThanOrEqual(connections);
    expect(traffic.statuses.filter((s) => s === 200).length).toBeGreaterThan(300);
  }, 120_000);
});
