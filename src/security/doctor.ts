// The security document's production checklist as code (docs/security.md,
// "Production security checklist"). Each check is a pure
// function of facts gathered elsewhere (src/domain/doctor-facts.ts reads the
// environment, the database and the backup folder) and says ✓ or ✗, what it
// found and, on ✗, how to fix it. A blocking failure makes `mathsoc doctor`
// exit non-zero and stops a production server from starting; an advisory one
// is printed and left to the operator.
import type { Config } from '../config/index.js';
import { PROFILE_VARIABLES, resolveProfile } from '../config/profile.js';
import { NONCE, serialise, cspDirectives } from './csp.js';
import { plural, pluralWord } from '../lib/plural.js';

export interface AdminFact {
  email: string;
  /** The password is one of DEFAULT_ADMIN_PASSWORDS. */
  defaultPassword: boolean;
  /** Still on a one-time password (db:init, reset) that was never changed. */
  mustChangePassword: boolean;
}

/** The mail outbox: messages not sent yet. */
export interface OutboxFact {
  waiting: number;
  /** Waiting, after at least one failed attempt. */
  failing: number;
  /** No longer tried after the last allowed attempt. */
  gaveUp: number;
  lastError: string | null;
}

/** What the session Redis says of its persistence (CONFIG GET appendonly / save). */
export interface SessionRedisFact {
  /** AOF on; null when it could not be read. */
  aof: boolean | null;
  /** The RDB snapshot schedule ('' when off); null when it could not be read. */
  save: string | null;
  /** Why the settings could not be read. */
  error?: string;
}

/** A school's identity provider (single sign-on), as the doctor sees it. */
export interface SsoProviderFact {
  school: string;
  label: string;
  issuer: string;
  enabled: boolean;
  /** The stored client secret opens with this SECRET_KEY. */
  secretReadable: boolean;
}

export interface DoctorFacts {
  config: Config;
  /** The environment the configuration came from (to see what was set on purpose). */
  env: Record<string, string | undefined>;
  inContainer: boolean;
  database: { reachable: boolean; error?: string; pendingMigrations: string[] };
  /** Null when the database could not be read. */
  admins: AdminFact[] | null;
  newestBackup: { file: string; modifiedAt: Date } | null;
  /** Null when the database could not be read. */
  outbox: OutboxFact | null;
  /** Cores this machine offers the server processes. */
  cores: number;
  /** Null when sessions are not kept in Redis. */
  sessionRedis: SessionRedisFact | null;
  /** The schools' sign-in providers; null when the database could not be read (absent: not gathered). */
  ssoProviders?: SsoProviderFact[] | null;
  now: Date;
}

export interface CheckResult {
  id: string;
  /** The checklist item, in the security document's words where it has them. */
  item: string;
  ok: boolean;
  blocking: boolean;
  /** What was found. */
  detail: string;
  /** How to fix a failure. */
  fix?: string;
}

/** Passwords an old install or a hurried admin would have: checked against every admin's hash. */
export const DEFAULT_ADMIN_PASSWORDS = [
  'admin123',
  'admin',
  'administrator',
  'password',
  'password1',
  'password123',
  'Password1',
  'changeme',
  'letmein',
  'welcome1',
  '12345678',
  '123456789',
  'qwerty123',
  'mathsoc',
  'maths123',
  'admin@123',
] as const;

const PLACEHOLDER = /change.?me|secret|example|placeholder|your|dev(elopment)?|test|default|password|xxxx/i;

/** Why a SECRET_KEY is weak, or null when it looks strong. */
export function secretKeyWeakness(key: string, generated: boolean): string | null {
  if (generated || !key) return 'not set (a random key is generated per process, so sessions end at every restart)';
  if (key.length < 32) return `only ${key.length} characters (at least 32 needed)`;
  if (PLACEHOLDER.test(key)) return 'looks like a placeholder or a phrase, not random characters';
  if (new Set(key).size < 12) return `only ${new Set(key).size} different characters: not random enough`;
  return null;
}

function check(id: string, item: string, blocking: boolean, ok: boolean, detail: string, fix: string): CheckResult {
  return ok ? { id, item, ok, blocking, detail } : { id, item, ok, blocking, detail, fix };
}

function profileNamed(value: string): string | null {
  try {
    return resolveProfile({ APP_ENV: value });
  } catch {
    return null;
  }
}

export function runChecks(f: DoctorFacts): CheckResult[] {
  const c = f.config;
  const results: CheckResult[] = [];

  const weakness = secretKeyWeakness(c.secretKey, c.secretKeyGenerated);
  results.push(
    check(
      'secret-key',
      'Set a strong SECRET_KEY',
      true,
      weakness === null,
      weakness ? `SECRET_KEY is ${weakness}` : `SECRET_KEY has ${c.secretKey.length} random-looking characters`,
      'Set SECRET_KEY to a long random value, e.g. the output of `openssl rand -hex 32`, in the environment or .env.',
    ),
  );

  results.push(
    check(
      'database',
      'Use PostgreSQL instead of SQLite',
      false,
      c.database.dialect === 'postgres',
      c.database.dialect === 'postgres' ? `PostgreSQL database "${c.database.name}"` : `SQLite file ${c.database.url}`,
      'Set DATABASE_URL=postgres://user:password@host:5432/mathsoc (SQLite suits one machine only, and writes one at a time).',
    ),
  );

  // Several processes on one SQLite file work (WAL, busy timeout), but they take turns to write.
  const sqliteShared = c.database.dialect === 'sqlite' && c.ops.instances > 1;
  results.push(
    check(
      'sqlite-processes',
      'One SQLite file, one writer at a time',
      false,
      !sqliteShared,
      sqliteShared
        ? `SQLite with WEB_CONCURRENCY=${c.ops.instances}: the processes share the file safely but write one at a time, and only on this machine`
        : c.database.dialect === 'sqlite'
          ? 'SQLite with one process'
          : 'PostgreSQL: processes write concurrently',
      'Use PostgreSQL (DATABASE_URL=postgres://…) for several processes, or set WEB_CONCURRENCY=1.',
    ),
  );

  // MATH_WORKERS set by hand applies to every process; the default shares the cores (src/web/math-pool.ts).
  const mathSet = Boolean(f.env.MATH_WORKERS?.trim());
  const mathThreads = c.ops.instances * c.math.workers;
  results.push(
    check(
      'math-workers',
      'Math worker threads within the cores',
      false,
      !mathSet || mathThreads <= f.cores,
      mathSet
        ? `MATH_WORKERS=${c.math.workers} in each of ${plural(c.ops.instances, 'process', 'processes')}: ${mathThreads} threads on ${plural(f.cores, 'core')}`
        : `MATH_WORKERS not set: each process takes its share of the ${plural(f.cores, 'core')}`,
      'Lower MATH_WORKERS so that WEB_CONCURRENCY × MATH_WORKERS stays within the cores, or leave it unset.',
    ),
  );

  const redis = f.sessionRedis;
  if (redis) {
    const persists = redis.aof === true || Boolean(redis.save);
    const unread = redis.aof === null && redis.save === null;
    results.push(
      check(
        'session-redis-persistence',
        'Session Redis keeps its data across a restart',
        false,
        persists,
        persists
          ? `${redis.aof ? 'AOF on' : 'AOF off'}${redis.save ? `, RDB snapshots "${redis.save}"` : ''}`
          : unread
            ? `could not read the persistence settings of the session Redis${redis.error ? `: ${redis.error}` : ''}`
            : 'neither AOF (appendonly no) nor RDB snapshots (save ""): a restart of Redis signs everyone out',
        unread
          ? 'Check on the Redis server (or with its provider) that AOF or RDB snapshots are on, on a volume that survives a restart.'
          : 'Set `appendonly yes` (with `appendfsync everysec`) or an RDB `save` schedule in the Redis configuration, on a volume that survives a restart.',
      ),
    );
  }

  const db = f.database;
  results.push(
    check(
      'database-ready',
      'Database reachable and migrated',
      !db.reachable,
      db.reachable && db.pendingMigrations.length === 0,
      !db.reachable
        ? `cannot reach the database${db.error ? `: ${db.error}` : ''}`
        : db.pendingMigrations.length
          ? `migrations not applied: ${db.pendingMigrations.join(', ')}`
          : 'reachable, all migrations applied',
      !db.reachable
        ? 'Check DATABASE_URL, that the database server runs and accepts this host.'
        : 'Run `mathsoc db:migrate` (the server also migrates when it starts).',
    ),
  );

  results.push(
    check(
      'https',
      'Enable HTTPS on your hosting platform',
      true,
      c.https.force,
      c.https.force
        ? `FORCE_HTTPS is on (${c.https.permanent ? '301' : '302'} redirect to https)`
        : 'FORCE_HTTPS is off: pages and cookies may travel unencrypted',
      'Serve the site over HTTPS (usually TLS at the proxy) and set FORCE_HTTPS=true.',
    ),
  );

  results.push(
    check(
      'hsts',
      'HTTP Strict Transport Security on HTTPS responses',
      false,
      c.https.hsts.enabled && c.https.hsts.maxAge >= 15552000,
      c.https.hsts.enabled
        ? `HSTS max-age=${c.https.hsts.maxAge}${c.https.hsts.includeSubDomains ? '; includeSubDomains' : ''}`
        : 'HSTS_ENABLED is false',
      'Set HSTS_ENABLED=true and HSTS_MAX_AGE to at least 15552000 (180 days; the default is one year).',
    ),
  );

  // The variable that decided the profile (any saying production wins).
  const profileVar =
    PROFILE_VARIABLES.find((v) => f.env[v]?.trim() && profileNamed(f.env[v]) === c.profile) ??
    PROFILE_VARIABLES.find((v) => f.env[v]?.trim());
  results.push(
    check(
      'profile',
      'Set FLASK_ENV=production (here: APP_ENV=production)',
      true,
      c.profile === 'production',
      `profile is ${c.profile}${profileVar ? ` (from ${profileVar}=${f.env[profileVar]})` : ' (no profile variable set)'}`,
      'Set APP_ENV=production in the environment of the server.',
    ),
  );

  results.push(
    check(
      'csrf',
      'CSRF protection on every form',
      true,
      c.csrf.enabled,
      c.csrf.enabled ? 'CSRF tokens are verified on every POST/PUT/PATCH/DELETE' : 'CSRF_ENABLED is false',
      'Remove CSRF_ENABLED=false (production always verifies tokens).',
    ),
  );

  // Blocking: without it the HTTPS redirect has no host of its own to send clients to (https.ts).
  results.push(
    check(
      'server-name',
      'Configure SERVER_NAME for your domain',
      true,
      Boolean(c.server.serverName),
      c.server.serverName
        ? `SERVER_NAME=${c.server.serverName}`
        : 'SERVER_NAME is not set: the HTTPS redirect has no host to send clients to and CSP connect-src lacks your domain',
      'Set SERVER_NAME to the public host name, e.g. SERVER_NAME=maths.your-school.org.',
    ),
  );

  const storage = c.rateLimit.storageUri;
  const shared = /^(rediss?|memcached):\/\//.test(storage);
  const instances = c.ops.instances;
  results.push(
    check(
      'ratelimit-storage',
      'Use Redis for rate limiting (RATELIMIT_STORAGE_URI)',
      instances > 1,
      shared || instances === 1,
      shared
        ? `rate-limit counters in ${storage.split('://')[0]}`
        : instances > 1
          ? `memory:// with WEB_CONCURRENCY=${instances}: each process counts alone, so limits are ${instances} times weaker`
          : 'memory:// with one process (counters reset at restart; fine for a single process)',
      'Set RATELIMIT_STORAGE_URI=redis://host:6379 (or memcached://host:11211) so every process shares the counters.',
    ),
  );

  results.push(
    check(
      'ratelimit-enabled',
      'Test rate limiting with expected traffic',
      false,
      c.rateLimit.enabled,
      c.rateLimit.enabled
        ? `enabled: default "${c.rateLimit.default}", login "${c.rateLimit.login}"; measure with \`npm run bench\``
        : 'RATELIMIT_ENABLED is false',
      'Set RATELIMIT_ENABLED=true and check the limits against expected traffic with `npm run bench`.',
    ),
  );

  const scriptExtras = c.csp.extra['script-src'] ?? [];
  const unsafeExtra = scriptExtras.filter((s) => /^'unsafe-(eval|inline|hashes)'$/.test(s));
  const cspOk = c.csp.enabled && !c.csp.reportOnly && !c.csp.allowUnsafeEval && unsafeExtra.length === 0;
  results.push(
    check(
      'csp-unsafe',
      "No 'unsafe-eval' in the Content Security Policy",
      false,
      cspOk,
      !c.csp.enabled
        ? 'CSP_ENABLED is false: no policy is sent'
        : c.csp.reportOnly
          ? 'CSP_REPORT_ONLY is true: violations are reported, not blocked'
          : c.csp.allowUnsafeEval
            ? 'CSP_ALLOW_UNSAFE_EVAL is true: script-src allows eval()'
            : unsafeExtra.length
              ? `CSP_EXTRA_SCRIPT_SRC adds ${unsafeExtra.join(' ')}`
              : "script-src runs only scripts carrying the response's nonce; no eval",
      'Set CSP_ENABLED=true, CSP_REPORT_ONLY=false, CSP_ALLOW_UNSAFE_EVAL=false and drop unsafe keywords from CSP_EXTRA_SCRIPT_SRC.',
    ),
  );

  const policy = serialise(cspDirectives(c)).replace(NONCE, '…');
  results.push({
    id: 'csp-review',
    item: 'Review CSP directives for your needs',
    ok: true,
    blocking: false,
    detail: `${c.csp.reportOnly ? 'Content-Security-Policy-Report-Only' : 'Content-Security-Policy'}: ${policy}`,
  });

  results.push(
    check(
      'log-stdout',
      'Enable LOG_TO_STDOUT if using Docker/Kubernetes',
      false,
      !f.inContainer || c.log.toStdout,
      f.inContainer
        ? c.log.toStdout
          ? 'in a container, logging to stdout'
          : `in a container, logging to ${c.log.file} inside it`
        : `not in a container; logging to ${c.log.toStdout ? 'stdout' : c.log.file}`,
      'Set LOG_TO_STDOUT=true so the container platform collects the logs.',
    ),
  );

  const backup = f.newestBackup;
  const ageHours = backup ? (f.now.getTime() - backup.modifiedAt.getTime()) / 3_600_000 : Infinity;
  results.push(
    check(
      'backups',
      'Set up database backups',
      false,
      ageHours <= c.ops.backupMaxAgeHours,
      backup
        ? `newest backup ${backup.file} is ${plural(Math.max(0, Math.round(ageHours)), 'hour')} old (limit ${c.ops.backupMaxAgeHours})`
        : `no backup in ${c.ops.backupDir}`,
      'Schedule `mathsoc db:backup` (e.g. nightly with cron or a Kubernetes CronJob) and keep copies off the server, or set BACKUP_DIR to where your backups land.',
    ),
  );

  const admins = f.admins;
  const weak = admins?.filter((a) => a.defaultPassword) ?? [];
  results.push(
    check(
      'admin-default-password',
      'Change default admin password from init_db.py',
      true,
      admins !== null && weak.length === 0,
      admins === null
        ? 'could not read the admin accounts'
        : weak.length
          ? `admin accounts with a default or common password: ${weak.map((a) => a.email).join(', ')}`
          : `${plural(admins.length, 'admin account')}, none with a default or common password`,
      admins === null
        ? 'Make the database reachable, then run `mathsoc doctor` again.'
        : 'Run `mathsoc reset-password --email <address>` for each account listed and choose a strong password at the next login.',
    ),
  );

  const pending = admins?.filter((a) => a.mustChangePassword) ?? [];
  results.push(
    check(
      'admin-initial-password',
      'No admin still on an initial one-time password',
      false,
      pending.length === 0,
      pending.length
        ? `not yet changed: ${pending.map((a) => a.email).join(', ')}`
        : 'every admin has chosen their own password',
      'Log in as each account listed and set a new password (or delete unused accounts).',
    ),
  );

  // Advisory: the footer's "Report a problem" should reach a person, not the About page.
  results.push(
    check(
      'report-problem',
      'Say where people report a problem',
      false,
      c.reportProblemUrl !== '/about',
      `"Report a problem" goes to ${c.reportProblemUrl}`,
      'Set REPORT_PROBLEM_URL to an https:// page or a mailto: address that a teacher reads, e.g. mailto:maths@school.example.org.',
    ),
  );

  // Blocking: how many proxies are in front is a fact of the deployment, not something to guess.
  // Too many trusted lets a client choose its own address; too few puts everyone on the proxy's.
  const proxyKeys = ['PROXY_FIX_X_FOR', 'PROXY_FIX_X_PROTO', 'PROXY_FIX_X_HOST', 'PROXY_FIX_X_PORT'] as const;
  const unset = proxyKeys.filter((k) => !f.env[k]?.trim());
  const p = c.proxy;
  results.push(
    check(
      'proxy',
      'Review ProxyFix settings for your deployment',
      true,
      unset.length === 0,
      `${unset.length ? `not declared: ${unset.join(', ')} (believed: none); ` : ''}trusting ${p.xFor}/${p.xProto}/${p.xHost}/${p.xPort} proxy hop(s) for X-Forwarded-For/Proto/Host/Port`,
      'Set each PROXY_FIX_* to the number of proxies in front of the app that add that header: 0 when the app faces the internet directly, 1 behind one TLS-terminating proxy.',
    ),
  );

  // Blocking when addresses must be confirmed: without a mail server no one could finish registering.
  const mail = c.mail;
  const mailBlocking = c.profile === 'production' && mail.requireVerification;
  results.push(
    check(
      'mail-server',
      'Send email through a mail server (SMTP_URL)',
      mailBlocking,
      mail.smtpUrl !== null,
      mail.smtpUrl
        ? `SMTP to ${smtpHost(mail.smtpUrl)}, from ${mail.from}`
        : `SMTP_URL is not set: emails (confirmation and password-reset links) are written as files to ${mail.directory}${
            mailBlocking ? ', while REQUIRE_EMAIL_VERIFICATION is on, so no one could confirm an address' : ''
          }`,
      "Set SMTP_URL=smtps://user:password@mail.your-school.org:465 (or smtp://…:587 with STARTTLS) and MAIL_FROM to an address the school's mail server may send from.",
    ),
  );

  const outbox = f.outbox;
  const stuck = outbox ? outbox.failing + outbox.gaveUp : 0;
  results.push(
    check(
      'mail-outbox',
      'Outbox messages that could not be sent',
      false,
      outbox !== null && stuck === 0,
      outbox === null
        ? 'could not read the outbox'
        : stuck === 0
          ? `no failed messages (${outbox.waiting} waiting to be sent)`
          : `${outbox.failing} failed and will be tried again, ${outbox.gaveUp} given up after every attempt; last error: ${outbox.lastError ?? 'none recorded'}`,
      outbox === null
        ? 'Make the database reachable, then run `mathsoc doctor` again.'
        : 'Check SMTP_URL and that the mail server accepts this host, then run `mathsoc mail:send` (given-up messages are kept in mail_outbox for reference).',
    ),
  );

  if (f.ssoProviders !== undefined) results.push(...ssoChecks(f.ssoProviders, c.profile === 'production'));

  return results;
}

/** Single sign-on (ADR 036): every stored client secret opens; no enabled provider over plain http in production. */
function ssoChecks(providers: SsoProviderFact[] | null, production: boolean): CheckResult[] {
  const name = (p: SsoProviderFact) => `${p.label} of ${p.school}`;
  const unreadable = providers?.filter((p) => !p.secretReadable) ?? [];
  const plain = production ? (providers?.filter((p) => p.enabled && !p.issuer.startsWith('https://')) ?? []) : [];
  return [
    check(
      'sso-secrets',
      'Sign-in providers’ client secrets readable',
      false,
      providers !== null && unreadable.length === 0,
      providers === null
        ? 'could not read the sign-in providers'
        : unreadable.length
          ? `client secrets that SECRET_KEY no longer opens (was it changed?): ${unreadable.map(name).join(', ')}; no one can sign in with them`
          : `${plural(providers.length, 'sign-in provider')}, every client secret readable`,
      providers === null
        ? 'Make the database reachable, then run `mathsoc doctor` again.'
        : 'Put the previous SECRET_KEY back, or enter each client secret again: Admin → Schools → Sign-in → Edit.',
    ),
    check(
      'sso-https',
      'Sign-in providers reached over HTTPS',
      false,
      plain.length === 0,
      plain.length
        ? `enabled providers whose issuer is not https: ${plain.map((p) => `${name(p)} (${p.issuer})`).join(', ')}`
        : production
          ? 'every enabled sign-in provider has an https issuer'
          : 'not production: a provider on this machine may use http while testing',
      'Edit each provider listed and give its https:// issuer, or disable it (Admin → Schools → Sign-in).',
    ),
  ];
}

/** The mail server's host and port, never its credentials. */
function smtpHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(unreadable SMTP_URL)';
  }
}

export const blockingFailures = (results: CheckResult[]): CheckResult[] => results.filter((r) => !r.ok && r.blocking);

/** Human-readable lines: ✓/✗, the item, what was found, and the fix for each failure. */
export function formatReport(results: CheckResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const mark = r.ok ? '✓' : '✗';
    const tag = !r.ok ? (r.blocking ? ' [blocking]' : ' [advisory]') : '';
    lines.push(`${mark} ${r.item}${tag}`);
    lines.push(`    ${r.detail}`);
    if (!r.ok && r.fix) lines.push(`    fix: ${r.fix}`);
  }
  const blocking = blockingFailures(results).length;
  const advisory = results.filter((r) => !r.ok && !r.blocking).length;
  lines.push('');
  lines.push(
    blocking === 0 && advisory === 0
      ? 'All checks passed.'
      : `${blocking} blocking and ${advisory} advisory ${pluralWord(advisory, 'problem')}.`,
  );
  return lines;
}

/** `mathsoc doctor`: every check, as a report; `ok` false on a blocking failure. */
export function doctorReport(facts: DoctorFacts): { results: CheckResult[]; lines: string[]; ok: boolean } {
  const results = runChecks(facts);
  return { results, lines: formatReport(results), ok: blockingFailures(results).length === 0 };
}

/**
 * The production start-up check: the blocking items of the checklist. Returns
 * the lines to print; `ok` false means the server must not start.
 */
export function startupCheck(facts: DoctorFacts): { ok: boolean; lines: string[] } {
  const results = runChecks(facts);
  const failures = blockingFailures(results);
  const advisory = results.filter((r) => !r.ok && !r.blocking);
  const lines: string[] = [];
  for (const r of failures) lines.push(`✗ ${r.item}: ${r.detail}`, `    fix: ${r.fix ?? ''}`);
  for (const r of advisory) lines.push(`warning: ${r.item}: ${r.detail}`);
  if (failures.length)
    lines.push(
      `Refusing to start in production: ${failures.length} blocking check(s) failed. Run \`mathsoc doctor\` for the full list.`,
    );
  return { ok: failures.length === 0, lines };
}
