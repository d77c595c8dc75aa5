// The `mathsoc` commands, run as real processes against real databases.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../src/domain/accounts/passwords.js';
import { serviceAvailable, TEST_DATABASE_URL } from '../../helpers/services.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', '..', 'bin', 'mathsoc.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function mathsoc(args: string[], env: Record<string, string>, input?: string): Promise<Result> {
  const child = run(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...env },
    timeout: 30_000,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  } else {
    child.child.stdin?.end();
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('mathsoc CLI on SQLite', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-cli-'));
    env = {
      APP_ENV: 'development',
      DATABASE_URL: `sqlite:${join(dir, 'dev_test.db')}`,
      BACKUP_DIR: join(dir, 'backups'),
      UPLOAD_DIR: join(dir, 'uploads'),
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const users = () => {
    const db = new SqliteDatabase(join(dir, 'dev_test.db'), { readonly: true });
    try {
      return db
        .prepare('select email, is_admin, must_change_password, password_hash from users order by id')
        .all() as Array<{ email: string; is_admin: number; must_change_password: number; password_hash: string }>;
    } finally {
      db.close();
    }
  };

  it('db:init creates the default school and an admin with a generated one-time password, printed once', async () => {
    const res = await mathsoc(['db:init'], env);
    expect(res.code).toBe(0);
    const m = /One-time password \(shown only now\): (\S+)/.exec(res.stdout);
    expect(m).not.toBeNull();
    expect(m![1]).not.toBe('admin123');
    expect(m![1]!.length).toBeGreaterThanOrEqual(20);
    const [admin] = users();
    expect(admin).toMatchObject({ email: 'admin@school.example.org', is_admin: 1, must_change_password: 1 });
    expect(await verifyPassword(admin!.password_hash, m![1]!)).toBe(true);
  });

  it('db:init a second time changes nothing', async () => {
    const res = await mathsoc(['db:init'], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('already has an admin');
    expect(users()).toHaveLength(1);
  });

  it('create-admin adds an admin and refuses duplicates', async () => {
    const res = await mathsoc(['create-admin', '--email', 'Head@School.example.org'], env);
    expect(res.code).toBe(0);
    expect(users().map((u) => u.email)).toContain('head@school.example.org');
    const again = await mathsoc(['create-admin', '--email', 'head@school.example.org'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  it('reset-password sets a new one-time password that must be changed, and ends emailed reset links', async () => {
    // A reset link asked for earlier, still unused and an hour from expiry.
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const db = new SqliteDatabase(join(dir, 'dev_test.db'));
    try {
      db.prepare(
        `insert into email_tokens (user_id, purpose, token_hash, new_email, created_at, expires_at)
         select id, 'reset-password', 'cli-test-hash', email, ?, ? from users where email = 'head@school.example.org'`,
      ).run(new Date().toISOString(), later);
    } finally {
      db.close();
    }
    const res = await mathsoc(['reset-password', '--email', 'head@school.example.org'], env);
    expect(res.code).toBe(0);
    const password = /One-time password \(shown only now\): (\S+)/.exec(res.stdout)![1]!;
    const head = users().find((u) => u.email === 'head@school.example.org')!;
    expect(head.must_change_password).toBe(1);
    expect(await verifyPassword(head.password_hash, password)).toBe(true);
    const check = new SqliteDatabase(join(dir, 'dev_test.db'), { readonly: true });
    try {
      const link = check.prepare(`select expires_at from email_tokens where token_hash = 'cli-test-hash'`).get() as {
        expires_at: string;
      };
      expect(Date.parse(link.expires_at)).toBeLessThanOrEqual(Date.now());
    } finally {
      check.close();
    }
    const unknown = await mathsoc(['reset-password', '--email', 'nobody@school.example.org'], env);
    expect(unknown.code).toBe(1);
  });

  it('db:backup and db:restore round-trip the data and the uploaded files', async () => {
    const backup = join(dir, 'backups', 'b.sqlite3');
    mkdirSync(join(dir, 'uploads'), { recursive: true });
    writeFileSync(join(dir, 'uploads', 'kept.pdf'), '%PDF-1.4 kept');
    expect((await mathsoc(['db:backup', '--out', backup], env)).code).toBe(0);
    expect((await mathsoc(['create-admin', '--email', 'later@school.example.org'], env)).code).toBe(0);
    writeFileSync(join(dir, 'uploads', 'later.pdf'), '%PDF-1.4 later');
    rmSync(join(dir, 'uploads', 'kept.pdf'));
    expect(users()).toHaveLength(3);
    const restored = await mathsoc(['db:restore', '--from', backup], env);
    expect(restored.code).toBe(0);
    expect(users()).toHaveLength(2);
    expect(readdirSync(join(dir, 'uploads'))).toEqual(['kept.pdf']);
  });

  it('db:restore refuses a file that is not a backup', async () => {
    const res = await mathsoc(['db:restore', '--from', CLI], env);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('not a SQLite backup');
  });

  it('db:restore refuses to run in production without --force', async () => {
    const prod = { ...env, APP_ENV: 'production', SECRET_KEY: 'k'.repeat(40) };
    const res = await mathsoc(['db:restore', '--from', join(dir, 'backups', 'b.sqlite3')], prod);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Refusing to restore over a production database without --force');
  });

  it('production db:init requires --email and a strong password, never a default', async () => {
    const prodEnv = {
      APP_ENV: 'production',
      SECRET_KEY: 'k'.repeat(40),
      DATABASE_URL: `sqlite:${join(dir, 'prod_test.db')}`,
    };
    const noEmail = await mathsoc(['db:init'], prodEnv);
    expect(noEmail.code).toBe(1);
    expect(noEmail.stderr).toContain('needs --email');
    const weak = await mathsoc(['db:init', '--email', 'it@school.example.org'], prodEnv, 'admin123\n');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/at least 12 characters/);
    const ok = await mathsoc(['db:init', '--email', 'it@school.example.org'], prodEnv, 'tidy-orbit-lantern-quartz-9\n');
    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toContain('tidy-orbit');
  });

  it('a configuration error stops with one clear line', async () => {
    const res = await mathsoc(['db:migrate'], { ...env, FORCE_HTTPS: 'perhaps' });
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('FORCE_HTTPS="perhaps" is not a boolean');
  });
});

describe.runIf(await serviceAvailable('postgres'))('mathsoc CLI on PostgreSQL', () => {
  const name = `cli_test_${process.pid}`;
  const base = new URL(TEST_DATABASE_URL);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const env = () => ({ APP_ENV: 'development', DATABASE_URL: url.toString() });
  let dir: string;

  async function admin(q: string) {
    const c = new pg.Client({ connectionString: base.toString() });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  }
  async function emails(): Promise<string[]> {
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      return (await c.query('select email from users order by id')).rows.map((r: { email: string }) => r.email);
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-cli-pg-'));
    await admin(`drop database if exists ${name}`);
    await admin(`create database ${name}`);
  });
  afterAll(async () => {
    await admin(`drop database if exists ${name}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates, initialises, backs up with pg_dump and restores with pg_restore', async () => {
    expect((await mathsoc(['db:init'], env())).code).toBe(0);
    expect(await emails()).toEqual(['admin@school.example.org']);
    const file = join(dir, 'b.pgdump');
    const backup = await mathsoc(['db:backup', '--out', file], env());
    if (backup.stderr.includes('is not installed')) {
      // No client tools: the command must say so clearly instead of failing obscurely.
      expect(backup.code).toBe(1);
      return;
    }
    expect(backup.code).toBe(0);
    expect((await mathsoc(['create-admin', '--email', 'x@school.example.org'], env())).code).toBe(0);
    expect(await emails()).toHaveLength(2);
    const restore = await mathsoc(['db:restore', '--from', file], env());
    expect(restore.code).toBe(0);
    expect(await emails()).toEqual(['admin@school.example.org']);
  });
});
