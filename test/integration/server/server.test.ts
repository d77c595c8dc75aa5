// The real entry point as a process: first start on a fresh directory, health
// probes over a socket, and a clean exit on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function startServer(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'server.ts')], {
    cwd: env.CWD ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += String(d);
  });
  child.stderr.on('data', (d) => {
    out += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('server process', () => {
  let dir: string;
  let server: ReturnType<typeof startServer>;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-server-'));
    server = startServer({
      APP_ENV: 'development',
      PORT: String(20000 + (process.pid % 20000)),
      DATABASE_URL: `sqlite:${join(dir, 'first_test.db')}`,
      LOG_FILE: join(dir, 'app.log'),
      UPLOAD_DIR: join(dir, 'uploads'),
      RATELIMIT_ENABLED: 'false',
    });
    await waitFor(() => /running at (http:\/\/\S+)/.test(server.output()));
    base = /running at (http:\/\/\S+)/.exec(server.output())![1]!;
  });

  afterAll(() => {
    server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it("first start creates the database and prints the first admin's one-time password once", () => {
    expect(existsSync(join(dir, 'first_test.db'))).toBe(true);
    expect(server.output()).toMatch(/password: \S{20}/);
    expect(server.output()).not.toContain('admin123');
  });

  it('serves the home page and the probes over HTTP', async () => {
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/ready`)).json()).toEqual({ status: 'ready' });
  });

  it('writes one request log line per request, with a request id and without cookies', async () => {
    await fetch(`${base}/about?from=log-test`, { headers: { cookie: 'mathsoc_session=secret-cookie-value' } });
    const logged = () =>
      readFileSync(join(dir, 'app.log'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('/about?from=log-test'));
    await waitFor(() => existsSync(join(dir, 'app.log')) && logged().length > 0, 5000);
    const log = readFileSync(join(dir, 'app.log'), 'utf8');
    expect(log).not.toContain('secret-cookie-value');
    const lines = logged().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request completed',
      method: 'GET',
      url: '/about?from=log-test',
      statusCode: 200,
    });
    expect(lines[0]!.reqId).toEqual(expect.any(String));
    expect(lines[0]!.responseTimeMs).toEqual(expect.any(Number));
  });

  it('exits cleanly on SIGTERM, finishing in-flight requests', async () => {
    const inFlight = fetch(`${base}/ready`);
    server.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBeLessThan(600);
    expect(await server.exited).toBe(0);
  });
});

describe('production start-up', () => {
  it('refuses to start without SECRET_KEY, with one clear line', async () => {
    const s = startServer({ APP_ENV: 'production', DATABASE_URL: 'sqlite::memory:' });
    const code = await s.exited;
    expect(code).toBe(1);
    expect(s.output().trim().split('\n')).toHaveLength(1);
    expect(s.output()).toContain('SECRET_KEY is required in production');
  });

  it('refuses a SECRET_KEY shorter than 32 characters', async () => {
    const s = startServer({ FLASK_ENV: 'production', SECRET_KEY: 'x'.repeat(31), DATABASE_URL: 'sqlite::memory:' });
    expect(await s.exited).toBe(1);
    expect(s.output()).toContain('SECRET_KEY is too short');
  });
});
