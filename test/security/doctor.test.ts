// `mathsoc doctor` and the production start-up check against real databases
// and as real processes: exit codes, the ✓/✗ report, and a server that
// refuses to start on a blocking failure but starts (HTTPS-only) without one.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherFacts } from '../../src/domain/doctor-facts.js';
import { runChecks } from '../../src/security/doctor.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { availableDialects } from '../helpers/db.js';
import { STRONG_SECRET } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');

function run(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
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

describe.each(await availableDialects())('doctor facts from a real %s database', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { APP_ENV: 'production', SECRET_KEY: STRONG_SECRET });
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds an admin whose password is a well-known default, and one still on a one-time password', async () => {
    await t.createUser({ isAdmin: true, email: 'old@school.example.org', password: 'admin123' });
    await t.createUser({
      isAdmin: true,
      email: 'new@school.example.org',
      mustChangePassword: true,
      password: 'a long and unguessable passphrase',
    });
    await t.createUser({ isAdmin: false, email: 'student@school.example.org', password: 'password' });
    const facts = await gatherFacts(t.config, t.database, { APP_ENV: 'production' });
    expect(facts.database).toEqual({ reachable: true, pendingMigrations: [] });
    expect(facts.admins).toEqual([
      { email: 'old@school.example.org', defaultPassword: true, mustChangePassword: false },
      { email: 'new@school.example.org', defaultPassword: false, mustChangePassword: true },
    ]);
    const results = runChecks(facts);
    expect(results.find((r) => r.id === 'admin-default-password')).toMatchObject({ ok: false, blocking: true });
    expect(results.find((r) => r.id === 'admin-initial-password')).toMatchObject({ ok: false, blocking: false });
  });

  it('reports an unreachable database as a blocking failure', async () => {
    const other = await createTestApp(dialect, { APP_ENV: 'production', SECRET_KEY: STRONG_SECRET });
    await other.database.close();
    const facts = await gatherFacts(other.config, other.database, {});
    expect(facts.database.reachable).toBe(false);
    expect(runChecks(facts).find((r) => r.id === 'database-ready')).toMatchObject({ ok: false, blocking: true });
    await other.app.close().catch(() => {});
  });
});

describe('as processes', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-doctor-'));
    env = {
      APP_ENV: 'production',
      SECRET_KEY: STRONG_SECRET,
      DATABASE_URL: `sqlite:${join(dir, 'doctor_test.db')}`,
      LOG_FILE: join(dir, 'app.log'),
      BACKUP_DIR: join(dir, 'backups'),
      UPLOAD_DIR: join(dir, 'uploads'),
      SERVER_NAME: 'maths.example.org',
      // One TLS-terminating proxy that adds X-Forwarded-For and X-Forwarded-Proto.
      PROXY_FIX_X_FOR: '1',
      PROXY_FIX_X_PROTO: '1',
      PROXY_FIX_X_HOST: '0',
      PROXY_FIX_X_PORT: '0',
      // A mail server, as production needs while REQUIRE_EMAIL_VERIFICATION is on (nothing is sent here).
      SMTP_URL: 'smtp://127.0.0.1:2525',
      // One process: several would need shared rate-limit counters (RATELIMIT_STORAGE_URI).
      WEB_CONCURRENCY: '1',
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('`mathsoc doctor` exits 0 when no blocking check fails, listing every item with ✓ or ✗', async () => {
    const p = run(['src/cli/index.ts', 'doctor'], env);
    expect(await p.exited).toBe(0);
    const out = p.output();
    expect(out).toContain('✓ Set a strong SECRET_KEY');
    expect(out).toContain('✓ Enable HTTPS on your hosting platform');
    expect(out).toContain('✗ Use PostgreSQL instead of SQLite [advisory]');
    expect(out).toContain('✗ Set up database backups [advisory]');
    expect(out).toMatch(/0 blocking and \d+ advisory problem/);
  });

  it('`mathsoc doctor` exits 1 on a blocking failure and says how to fix it', async () => {
    const p = run(['src/cli/index.ts', 'doctor'], {
      ...env,
      FORCE_HTTPS: 'false',
      SECRET_KEY: 'a'.repeat(20) + 'b'.repeat(20),
    });
    expect(await p.exited).toBe(1);
    const out = p.output();
    expect(out).toContain('✗ Enable HTTPS on your hosting platform [blocking]');
    expect(out).toContain('fix: Serve the site over HTTPS');
    expect(out).toContain('✗ Set a strong SECRET_KEY [blocking]');
    expect(out).toContain('blocking checks failed');
  });

  it('the production server refuses to start on a blocking failure, with clear lines', async () => {
    const p = run(['src/server.ts'], { ...env, PORT: '0', SECRET_KEY: 'x'.repeat(40) });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('✗ Set a strong SECRET_KEY');
    expect(p.output()).toContain('fix: Set SECRET_KEY to a long random value');
    expect(p.output()).toContain('Refusing to start in production');
  });

  it('the production server refuses to start without SERVER_NAME or without the number of proxies in front', async () => {
    const { SERVER_NAME: _name, PROXY_FIX_X_FOR: _for, ...undeclared } = env;
    const p = run(['src/server.ts'], { ...undeclared, PORT: '0' });
    // A server that starts anyway is stopped here, not left behind.
    const timer = setTimeout(() => p.child.kill('SIGTERM'), 20_000);
    const code = await p.exited.finally(() => clearTimeout(timer));
    expect(code).toBe(1);
    expect(p.output()).toContain('✗ Configure SERVER_NAME for your domain: SERVER_NAME is not set');
    expect(p.output()).toContain('✗ Review ProxyFix settings for your deployment: not declared: PROXY_FIX_X_FOR');
    expect(p.output()).toContain('Refusing to start in production: 2 blocking check(s) failed');
  });

  it('without one it starts: probes answer over HTTP, pages redirect to HTTPS, and HTTPS via the proxy is served', async () => {
    const port = String(30000 + (process.pid % 20000));
    const p = run(['src/server.ts'], { ...env, PORT: port });
    try {
      const end = Date.now() + 30_000;
      while (!/running at/.test(p.output())) {
        if (Date.now() > end) throw new Error(`server did not start:\n${p.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(p.output()).toMatch(/warning: Use PostgreSQL instead of SQLite/);
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/health`, { redirect: 'manual' })).status).toBe(200);
      const page = await fetch(`${base}/`, { redirect: 'manual' });
      expect(page.status).toBe(302);
      expect(page.headers.get('location')).toBe('https://maths.example.org/');
      expect(page.headers.get('strict-transport-security')).toBeNull();
      const secure = await fetch(`${base}/`, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
      expect(secure.status).toBe(200);
      expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(secure.headers.get('content-security-policy')).not.toMatch(/script-src[^;]*unsafe-(eval|inline)/);
      expect(secure.headers.get('set-cookie')).toMatch(
        /^__Host-mathsoc_csrf=.*; Path=\/; HttpOnly; Secure; SameSite=Lax/,
      );
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});
