import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { detectContainer, newestBackup } from '../../../src/domain/doctor-facts.js';
import {
  blockingFailures,
  doctorReport,
  formatReport,
  runChecks,
  secretKeyWeakness,
  startupCheck,
  type DoctorFacts,
} from '../../../src/security/doctor.js';

const STRONG = 'f3a9c1d27b8e4f60a5d39c2e7b1f8a4d6c0e5b9a2d7f3c1e';
const NOW = new Date('2026-11-26T12:00:00Z');

/** A deployment that follows the whole checklist; each test breaks one thing. */
const GOOD_ENV = {
  APP_ENV: 'production',
  SECRET_KEY: STRONG,
  DATABASE_URL: 'postgres://mathsoc@db:5432/mathsoc',
  SERVER_NAME: 'maths.school.org',
  RATELIMIT_STORAGE_URI: 'redis://redis:6379',
  WEB_CONCURRENCY: '4',
  LOG_TO_STDOUT: 'true',
  PROXY_FIX_X_FOR: '1',
  PROXY_FIX_X_PROTO: '1',
  PROXY_FIX_X_HOST: '1',
  PROXY_FIX_X_PORT: '0',
  SMTP_URL: 'smtps://mathsoc:mail-password@mail.school.org:465',
  REPORT_PROBLEM_URL: 'mailto:maths@school.org',
};

function facts(env: Record<string, string> = {}, over: Partial<DoctorFacts> = {}): DoctorFacts {
  const merged = { ...GOOD_ENV, ...env };
  return {
    config: loadConfig(merged),
    env: merged,
    inContainer: true,
    database: { reachable: true, pendingMigrations: [] },
    admins: [{ email: 'head@school.org', defaultPassword: false, mustChangePassword: false }],
    newestBackup: { file: '/backups/mathsoc-1.pgdump', modifiedAt: new Date(NOW.getTime() - 3 * 3600_000) },
    outbox: { waiting: 0, failing: 0, gaveUp: 0, lastError: null },
    cores: 8,
    sessionRedis: null,
    now: NOW,
    ...over,
  };
}

const result = (f: DoctorFacts, id: string) => {
  const r = runChecks(f).find((x) => x.id === id);
  if (!r) throw new Error(`no check ${id}`);
  return r;
};

describe('doctor checks', () => {
  it('pass for a deployment that follows the checklist', () => {
    const results = runChecks(facts());
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(formatReport(results).at(-1)).toBe('All checks passed.');
  });

  it("cover every item of the security document's production checklist", () => {
    const items = runChecks(facts())
      .map((r) => r.item)
      .join('\n');
    for (const item of [
      'Set a strong SECRET_KEY',
      'Use PostgreSQL instead of SQLite',
      'Enable HTTPS on your hosting platform',
      'Set FLASK_ENV=production',
      'Configure SERVER_NAME for your domain',
      'Use Redis for rate limiting (RATELIMIT_STORAGE_URI)',
      'Review CSP directives for your needs',
      'Enable LOG_TO_STDOUT if using Docker/Kubernetes',
      'Set up database backups',
      'Change default admin password from init_db.py',
      'Review ProxyFix settings for your deployment',
      'Test rate limiting with expected traffic',
    ])
      expect(items).toContain(item);
  });

  it.each([
    ['secret-key', { APP_ENV: 'development', SECRET_KEY: '' }],
    ['https', { FORCE_HTTPS: 'false' }],
    ['profile', { APP_ENV: 'development' }],
    ['csrf', { APP_ENV: 'development', CSRF_ENABLED: 'false' }],
    ['ratelimit-storage', { RATELIMIT_STORAGE_URI: 'memory://' }],
    ['server-name', { SERVER_NAME: '' }],
    ['proxy', { PROXY_FIX_X_FOR: '' }],
    ['proxy', { PROXY_FIX_X_PROTO: '' }],
    ['proxy', { PROXY_FIX_X_HOST: '' }],
    ['proxy', { PROXY_FIX_X_PORT: '' }],
  ])('%s fails as a blocking check (%o)', (id, env) => {
    const r = result(facts(env), id);
    expect(r).toMatchObject({ ok: false, blocking: true });
    expect(r.fix).toBeTruthy();
  });

  it.each([
    ['database', { DATABASE_URL: 'sqlite:./data/mathsoc.db' }],
    ['csp-unsafe', { CSP_ALLOW_UNSAFE_EVAL: 'true' }],
    ['csp-unsafe', { CSP_REPORT_ONLY: 'true' }],
    ['csp-unsafe', { CSP_ENABLED: 'false' }],
    ['csp-unsafe', { CSP_EXTRA_SCRIPT_SRC: "'unsafe-inline'" }],
    ['log-stdout', { LOG_TO_STDOUT: 'false' }],
    ['ratelimit-enabled', { RATELIMIT_ENABLED: 'false' }],
    ['hsts', { HSTS_ENABLED: 'false' }],
  ])('%s fails as an advisory check (%o)', (id, env) => {
    const r = result(facts(env), id);
    expect(r).toMatchObject({ ok: false, blocking: false });
    expect(r.fix).toBeTruthy();
  });

  it('proxies: 0 is an answer, as long as every PROXY_FIX_* is given', () => {
    const none = { PROXY_FIX_X_FOR: '0', PROXY_FIX_X_PROTO: '0', PROXY_FIX_X_HOST: '0', PROXY_FIX_X_PORT: '0' };
    expect(result(facts(none), 'proxy')).toMatchObject({ ok: true, blocking: true });
    const missing = result(facts({ PROXY_FIX_X_FOR: '', PROXY_FIX_X_PORT: '' }), 'proxy');
    expect(missing.detail).toContain('not declared: PROXY_FIX_X_FOR, PROXY_FIX_X_PORT');
    expect(missing.fix).toContain('0 when');
  });

  it('memory:// rate-limit storage is fine for a single process', () => {
    expect(result(facts({ RATELIMIT_STORAGE_URI: 'memory://', WEB_CONCURRENCY: '1' }), 'ratelimit-storage').ok).toBe(
      true,
    );
  });

  it('SQLite with several processes is a warning (one writer at a time); with one process it is not', () => {
    const shared = result(
      facts({ DATABASE_URL: 'sqlite:./data/mathsoc.db', WEB_CONCURRENCY: '2' }),
      'sqlite-processes',
    );
    expect(shared).toMatchObject({ ok: false, blocking: false });
    expect(shared.detail).toContain('WEB_CONCURRENCY=2');
    expect(shared.detail).toContain('write one at a time');
    expect(
      result(facts({ DATABASE_URL: 'sqlite:./data/mathsoc.db', WEB_CONCURRENCY: '1' }), 'sqlite-processes').ok,
    ).toBe(true);
    expect(result(facts({ WEB_CONCURRENCY: '8' }), 'sqlite-processes').ok).toBe(true);
  });

  it('MATH_WORKERS set by hand warns when the threads of every process exceed the cores', () => {
    const over = result(facts({ WEB_CONCURRENCY: '4', MATH_WORKERS: '3' }, { cores: 8 }), 'math-workers');
    expect(over).toMatchObject({ ok: false, blocking: false });
    expect(over.detail).toBe('MATH_WORKERS=3 in each of 4 processes: 12 threads on 8 cores');
    expect(result(facts({ WEB_CONCURRENCY: '4', MATH_WORKERS: '2' }, { cores: 8 }), 'math-workers').ok).toBe(true);
    expect(result(facts({ WEB_CONCURRENCY: '8' }, { cores: 2 }), 'math-workers').ok).toBe(true);
  });

  it('a session Redis without persistence is a warning; one whose settings cannot be read says so', () => {
    const redisEnv = { SESSION_STORE_URI: 'redis://redis:6379/1' };
    const none = result(facts(redisEnv, { sessionRedis: { aof: false, save: '' } }), 'session-redis-persistence');
    expect(none).toMatchObject({ ok: false, blocking: false });
    expect(none.detail).toContain('appendonly no');
    expect(none.fix).toContain('appendonly yes');
    expect(result(facts(redisEnv, { sessionRedis: { aof: true, save: '' } }), 'session-redis-persistence').ok).toBe(
      true,
    );
    expect(
      result(facts(redisEnv, { sessionRedis: { aof: false, save: '3600 1' } }), 'session-redis-persistence').detail,
    ).toBe('AOF off, RDB snapshots "3600 1"');
    const unread = result(
      facts(redisEnv, { sessionRedis: { aof: null, save: null, error: 'NOPERM' } }),
      'session-redis-persistence',
    );
    expect(unread).toMatchObject({ ok: false, blocking: false });
    expect(unread.detail).toBe('could not read the persistence settings of the session Redis: NOPERM');
    expect(runChecks(facts()).some((r) => r.id === 'session-redis-persistence')).toBe(false);
  });

  it('LOG_TO_STDOUT matters only inside a container', () => {
    expect(result(facts({ LOG_TO_STDOUT: 'false' }, { inContainer: false }), 'log-stdout').ok).toBe(true);
  });

  it('an admin on a default password blocks; one still on a one-time password is advisory', () => {
    const f = facts(
      {},
      {
        admins: [
          { email: 'old@school.org', defaultPassword: true, mustChangePassword: false },
          { email: 'new@school.org', defaultPassword: false, mustChangePassword: true },
        ],
      },
    );
    expect(result(f, 'admin-default-password')).toMatchObject({ ok: false, blocking: true });
    expect(result(f, 'admin-default-password').detail).toContain('old@school.org');
    expect(result(f, 'admin-initial-password')).toMatchObject({ ok: false, blocking: false });
    expect(result(f, 'admin-initial-password').detail).toContain('new@school.org');
  });

  it('an unreachable database blocks, and the admin check cannot pass without it', () => {
    const f = facts({}, { database: { reachable: false, error: 'ECONNREFUSED', pendingMigrations: [] }, admins: null });
    expect(result(f, 'database-ready')).toMatchObject({ ok: false, blocking: true });
    expect(result(f, 'admin-default-password')).toMatchObject({ ok: false, blocking: true });
  });

  it('pending migrations are advisory (the server migrates at start)', () => {
    expect(
      result(
        facts({}, { database: { reachable: true, pendingMigrations: ['002_session_privilege'] } }),
        'database-ready',
      ),
    ).toMatchObject({ ok: false, blocking: false });
  });

  it('backups: missing or older than BACKUP_MAX_AGE_HOURS fail', () => {
    expect(result(facts({}, { newestBackup: null }), 'backups').ok).toBe(false);
    const old = { file: 'b', modifiedAt: new Date(NOW.getTime() - 30 * 3600_000) };
    expect(result(facts({}, { newestBackup: old }), 'backups').ok).toBe(false);
    expect(result(facts({ BACKUP_MAX_AGE_HOURS: '48' }, { newestBackup: old }), 'backups').ok).toBe(true);
  });

  it('warns, without blocking, when "Report a problem" reaches only the About page', () => {
    expect(result(facts({ REPORT_PROBLEM_URL: '' }), 'report-problem')).toMatchObject({
      ok: false,
      blocking: false,
      detail: '"Report a problem" goes to /about',
    });
    expect(result(facts({ REPORT_PROBLEM_URL: '', MAIL_FROM: 'maths@school.org' }), 'report-problem')).toMatchObject({
      ok: true,
      detail: '"Report a problem" goes to mailto:maths@school.org',
    });
  });

  it('no SMTP_URL blocks while addresses must be confirmed, and is advisory otherwise; the password is never shown', () => {
    const blocked = result(facts({ SMTP_URL: '' }), 'mail-server');
    expect(blocked).toMatchObject({ ok: false, blocking: true });
    expect(blocked.detail).toContain('REQUIRE_EMAIL_VERIFICATION');
    expect(result(facts({ SMTP_URL: '', REQUIRE_EMAIL_VERIFICATION: 'false' }), 'mail-server')).toMatchObject({
      ok: false,
      blocking: false,
    });
    const ok = result(facts(), 'mail-server');
    expect(ok.ok).toBe(true);
    expect(ok.detail).toContain('smtps://mail.school.org:465');
    expect(formatReport(runChecks(facts())).join('\n')).not.toContain('mail-password');
  });

  it('failed and given-up outbox messages are a warning with the last error', () => {
    const outbox = { waiting: 3, failing: 2, gaveUp: 1, lastError: 'ECONNREFUSED: connect ECONNREFUSED' };
    const r = result(facts({}, { outbox }), 'mail-outbox');
    expect(r).toMatchObject({ ok: false, blocking: false });
    expect(r.detail).toBe(
      '2 failed and will be tried again, 1 given up after every attempt; last error: ECONNREFUSED: connect ECONNREFUSED',
    );
    expect(startupCheck(facts({}, { outbox })).ok).toBe(true);
    expect(result(facts({}, { outbox: null }), 'mail-outbox').ok).toBe(false);
  });

  it('names the variable that made the profile production', () => {
    expect(result(facts({ APP_ENV: '', FLASK_ENV: 'production' }), 'profile').detail).toContain('FLASK_ENV=production');
  });

  it('shows the effective policy for review', () => {
    expect(result(facts(), 'csp-review').detail).toContain("script-src 'self' 'nonce-…' 'strict-dynamic'");
  });

  it('the report marks failures and gives the fix', () => {
    const results = runChecks(facts({ FORCE_HTTPS: 'false', HSTS_ENABLED: 'false' }));
    const lines = formatReport(results);
    expect(lines).toContain('✗ Enable HTTPS on your hosting platform [blocking]');
    expect(lines).toContain('✗ HTTP Strict Transport Security on HTTPS responses [advisory]');
    expect(lines).toContain('✓ Set a strong SECRET_KEY');
    expect(lines.some((l) => l.startsWith('    fix: Serve the site over HTTPS'))).toBe(true);
    expect(lines.at(-1)).toBe('1 blocking and 1 advisory problem.');
    expect(blockingFailures(results).map((r) => r.id)).toEqual(['https']);
  });

  it('`mathsoc doctor` reports every check and fails on a blocking one', () => {
    const report = doctorReport(facts({ FORCE_HTTPS: 'false' }));
    expect(report.ok).toBe(false);
    expect(report.lines).toEqual(formatReport(report.results));
    expect(doctorReport(facts()).ok).toBe(true);
  });

  it('the start-up check prints only failures: blocking ones with their fix, advisory ones as warnings', () => {
    const check = startupCheck(facts({ FORCE_HTTPS: 'false', HSTS_ENABLED: 'false' }));
    expect(check.ok).toBe(false);
    expect(check.lines).toEqual([
      '✗ Enable HTTPS on your hosting platform: FORCE_HTTPS is off: pages and cookies may travel unencrypted',
      '    fix: Serve the site over HTTPS (usually TLS at the proxy) and set FORCE_HTTPS=true.',
      'warning: HTTP Strict Transport Security on HTTPS responses: HSTS_ENABLED is false',
      'Refusing to start in production: 1 blocking check(s) failed. Run `mathsoc doctor` for the full list.',
    ]);
    expect(startupCheck(facts())).toEqual({ ok: true, lines: [] });
  });
});

describe('secretKeyWeakness', () => {
  it('accepts random keys and refuses missing, short, placeholder and repetitive ones', () => {
    expect(secretKeyWeakness(STRONG, false)).toBeNull();
    expect(secretKeyWeakness(STRONG, true)).toMatch(/not set/);
    expect(secretKeyWeakness('a1b2c3', false)).toMatch(/only 6 characters/);
    expect(secretKeyWeakness('change-me-to-something-long-and-random-please', false)).toMatch(/placeholder/);
    expect(secretKeyWeakness('ab'.repeat(20), false)).toMatch(/different characters/);
  });
});

describe('fact gathering helpers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mathsoc-backups-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the newest non-empty backup file', () => {
    expect(newestBackup(join(dir, 'missing'))).toBeNull();
    writeFileSync(join(dir, 'mathsoc-a.sqlite3'), 'x');
    writeFileSync(join(dir, 'mathsoc-b.pgdump'), 'x');
    writeFileSync(join(dir, 'mathsoc-c.pgdump'), '');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    utimesSync(join(dir, 'mathsoc-a.sqlite3'), new Date('2026-01-01'), new Date('2026-01-01'));
    utimesSync(join(dir, 'mathsoc-b.pgdump'), new Date('2026-02-01'), new Date('2026-02-01'));
    utimesSync(join(dir, 'notes.txt'), new Date('2026-03-01'), new Date('2026-03-01'));
    expect(newestBackup(dir)?.file).toBe(join(dir, 'mathsoc-b.pgdump'));
  });

  it('recognises containers by their marks', () => {
    const none = () => false;
    const noCgroup = () => {
      throw new Error('ENOENT');
    };
    expect(detectContainer({}, none, noCgroup)).toBe(false);
    expect(detectContainer({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }, none, noCgroup)).toBe(true);
    expect(detectContainer({}, (p) => p === '/.dockerenv', noCgroup)).toBe(true);
    expect(detectContainer({}, none, () => '0::/kubepods/besteffort/pod1')).toBe(true);
    expect(detectContainer({}, none, () => '0::/user.slice')).toBe(false);
  });
});
