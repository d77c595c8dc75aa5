// Configuration: one typed object built from the environment. Every key, its
// per-profile default and its meaning is listed in .env.example; the defaults
// below are the security document's values for each profile (docs/security.md).
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ConfigError, resolveProfile, type Profile } from './profile.js';

export { ConfigError, resolveProfile, type Profile } from './profile.js';

type Env = Record<string, string | undefined>;

/** Per-profile default: [development, testing, production]. */
type PerProfile<T> = readonly [T, T, T];
const pick = <T>(profile: Profile, v: PerProfile<T>): T =>
  v[profile === 'development' ? 0 : profile === 'testing' ? 1 : 2];

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

function bool(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const v = raw.toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new ConfigError(`${key}="${raw}" is not a boolean (use true or false)`);
}

function int(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const parsed = z.coerce.number().int().min(min).max(max).safeParse(raw);
  if (!/^-?\d+$/.test(raw) || !parsed.success) {
    throw new ConfigError(`${key}="${raw}" must be a whole number from ${min} to ${max}`);
  }
  return parsed.data;
}

function str(env: Env, key: string, fallback: string): string {
  const raw = env[key];
  return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
}

function oneOf<T extends string>(env: Env, key: string, allowed: readonly T[], fallback: T): T {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${key}="${raw}" must be one of: ${allowed.join(', ')}`);
  }
  return raw as T;
}

/** An IANA zone such as Europe/London: admins enter and read release times in it. */
function timeZone(env: Env, key: string, fallback: string): string {
  const value = str(env, key, fallback);
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: value });
  } catch {
    throw new ConfigError(`${key}="${value}" is not a time zone name (e.g. Europe/London)`);
  }
  return value;
}

function domain(env: Env, key: string, fallback: string): string {
  const value = str(env, key, fallback).toLowerCase().replace(/^@/, '');
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(value)) throw new ConfigError(`${key}="${value}" is not an email domain`);
  return value;
}

export const CSP_DIRECTIVES = [
  'default-src',
  'base-uri',
  'object-src',
  'frame-ancestors',
  'frame-src',
  'script-src',
  'script-src-attr',
  'style-src',
  'font-src',
  'img-src',
  'connect-src',
  'worker-src',
  'media-src',
  'form-action',
  'manifest-src',
  'child-src',
] as const;
export type CspDirective = (typeof CSP_DIRECTIVES)[number];

export const RATELIMIT_STRATEGIES = ['fixed-window', 'moving-window', 'sliding-window-counter'] as const;
export type RateLimitStrategy = (typeof RATELIMIT_STRATEGIES)[number];

/** Keys the in-memory rate-limit store holds at most (about 40 MB; docs/rate-limiting.md). */
export const DEFAULT_MEMORY_MAX_KEYS = 200_000;

export type KeyStage = 'KS3' | 'KS4' | 'KS5';
export const KEY_STAGES: readonly KeyStage[] = ['KS3', 'KS4', 'KS5'];

export interface DatabaseConfig {
  dialect: 'sqlite' | 'postgres';
  /** For sqlite: file path (or ":memory:"); for postgres: the connection URL. */
  url: string;
  /** Database name, used by the production-database guards. */
  name: string;
}

export interface Config {
  profile: Profile;
  secretKey: string;
  /** True when SECRET_KEY was not given and one was generated for this process. */
  secretKeyGenerated: boolean;
  database: DatabaseConfig;
  server: { host: string; port: number; serverName: string | null };
  log: { toStdout: boolean; level: string; file: string };
  https: {
    force: boolean;
    permanent: boolean;
    hsts: { enabled: boolean; maxAge: number; includeSubDomains: boolean; preload: boolean };
  };
  headers: {
    /**
     * Always true from loadConfig: no setting turns the security headers off.
     * Only a program that builds its own Config (the benchmark's "security off"
     * comparison, bench/lib/app-config.ts) sets it false.
     */
    enabled: boolean;
    xssProtection: string;
    frameOptions: string;
    referrerPolicy: string;
    permissionsPolicy: string;
  };
  csp: {
    enabled: boolean;
    allowUnsafeEval: boolean;
    cdnSources: boolean;
    reportOnly: boolean;
    reportUri: string;
    extra: Partial<Record<CspDirective, string[]>>;
  };
  rateLimit: {
    enabled: boolean;
    default: string;
    defaultAuthenticated: string;
    storageUri: string;
    /** Prefix of every key in the shared store (several sites may share one Redis). */
    keyPrefix: string;
    strategy: RateLimitStrategy;
    /** Upper bound of keys in memory (memory:// storage and the outage fallback). */
    memoryMaxKeys: number;
    headersEnabled: boolean;
    inMemoryFallback: boolean;
    login: string;
    /** Forms that check a signed-in user's current password (per account). */
    passwordConfirm: string;
    /** Login attempts against one account from devices it has not signed in from, any address. */
    loginAccountFailures: string;
    /** Login attempts against one account from one address (or one known device). */
    loginPairFailures: string;
    /** How long a device stays known to an account after signing in to it. */
    knownDeviceDays: number;
    register: string;
    wrongAnswers: string;
    cspReport: string;
    mathApi: string;
    /** Forms that send an email link (password reset, confirmation again), per client address. */
    emailLinks: string;
    /** Emails with a link sent to one address, whoever asks: so no address can be flooded. */
    emailAddress: string;
  };
  csrf: { enabled: boolean };
  proxy: { xFor: number; xProto: number; xHost: number; xPort: number };
  session: {
    storeUri: string | null;
    cookieName: string;
    idleTimeoutMinutes: number;
    absoluteTimeoutHours: number;
    rememberDays: number;
  };
  uploads: {
    /** Where file bytes live: one machine's directory, or the database that every machine shares. */
    storage: 'local' | 'database';
    dir: string;
    maxMb: number;
    /** Largest image accepted, in millions of pixels (what decoding it takes in memory, not its file size). */
    maxImageMegapixels: number;
  };
  accounts: {
    passwordMinLength: number;
    adminPasswordMinLength: number;
    passwordMaxLength: number;
    keyStageByYear: Record<number, KeyStage>;
    /** Days a leaver's archived account is kept before `mathsoc leavers:purge` removes it (ADR 035). */
    leaverRetentionDays: number;
  };
  school: { defaultName: string; defaultDomain: string; timeZone: string };
  /** Where the footer's "Report a problem" link goes: an https:// page, a mailto: address or a page of this site. */
  reportProblemUrl: string;
  leaderboard: { topN: number };
  /**
   * Seconds that what every visitor sees alike (the home page's data, the public
   * leaderboard's top, totals and activity) is served from memory; 0 = every
   * request reads the database.
   */
  publicCache: { seconds: number };
  math: {
    timeoutMs: number;
    /** Worker threads checking answers (each holds its own engine, about 50 MB). */
    workers: number;
  };
  ops: { instances: number; backupDir: string; backupMaxAgeHours: number };
  mail: {
    /** smtp:// or smtps:// with optional user:password; null: messages are written to `directory`. */
    smtpUrl: string | null;
    /** The From header: "Name <address>" or a bare address. */
    from: string;
    /** New and changed addresses must be confirmed through an emailed link before they count. */
    requireVerification: boolean;
    /** Where .eml files go when no SMTP_URL is set. */
    directory: string;
  };
}

const KNOWN_PREFIXES = [
  'RATELIMIT_',
  'CSP_',
  'HSTS_',
  'SESSION_',
  'PROXY_FIX_',
  'FORCE_HTTPS',
  'CSRF_',
  'SMTP_',
  'MAIL_',
];

const KNOWN_KEYS = new Set([
  'RATELIMIT_ENABLED',
  'RATELIMIT_DEFAULT',
  'RATELIMIT_DEFAULT_AUTHENTICATED',
  'RATELIMIT_STORAGE_URI',
  'RATELIMIT_STRATEGY',
  'RATELIMIT_HEADERS_ENABLED',
  'RATELIMIT_IN_MEMORY_FALLBACK_ENABLED',
  'RATELIMIT_LOGIN',
  'RATELIMIT_LOGIN_ACCOUNT',
  'RATELIMIT_REGISTER',
  'RATELIMIT_WRONG_ANSWERS',
  'RATELIMIT_CSP_REPORT',
  'RATELIMIT_MATH_API',
  'RATELIMIT_KEY_PREFIX',
  'RATELIMIT_MEMORY_MAX_KEYS',
  'RATELIMIT_PASSWORD_CONFIRM',
  'RATELIMIT_LOGIN_PAIR',
  'RATELIMIT_LOGIN_KNOWN_DEVICE_DAYS',
  'RATELIMIT_EMAIL_LINKS',
  'RATELIMIT_EMAIL_ADDRESS',
  'CSP_ENABLED',
  'CSP_ALLOW_UNSAFE_EVAL',
  'CSP_CDN_SOURCES',
  'CSP_REPORT_ONLY',
  'CSP_REPORT_URI',
  'HSTS_ENABLED',
  'HSTS_MAX_AGE',
  'HSTS_INCLUDE_SUBDOMAINS',
  'HSTS_PRELOAD',
  'SESSION_STORE_URI',
  'SESSION_COOKIE_NAME',
  'SESSION_IDLE_TIMEOUT_MINUTES',
  'SESSION_ABSOLUTE_TIMEOUT_HOURS',
  'SESSION_REMEMBER_DAYS',
  'PROXY_FIX_X_FOR',
  'PROXY_FIX_X_PROTO',
  'PROXY_FIX_X_HOST',
  'PROXY_FIX_X_PORT',
  'FORCE_HTTPS',
  'FORCE_HTTPS_PERMANENT',
  'CSRF_ENABLED',
  'SMTP_URL',
  'MAIL_FROM',
  'MAIL_DIRECTORY',
]);

function checkUnknownKeys(env: Env): void {
  for (const key of Object.keys(env)) {
    if (KNOWN_KEYS.has(key)) continue;
    if (key.startsWith('CSP_EXTRA_')) {
      const directive = key.slice('CSP_EXTRA_'.length).toLowerCase().replace(/_/g, '-');
      if (!(CSP_DIRECTIVES as readonly string[]).includes(directive)) {
        throw new ConfigError(`${key}: "${directive}" is not a CSP directive this platform knows`);
      }
      continue;
    }
    if (KNOWN_PREFIXES.some((p) => key.startsWith(p))) {
      throw new ConfigError(`${key} is not a known setting (see .env.example)`);
    }
  }
}

export function databaseFromEnv(env: Env, profile: Profile): DatabaseConfig {
  let url = env.DATABASE_URL?.trim();
  const type = env.DATABASE_TYPE?.trim().toLowerCase();
  if (!url && type) {
    if (type === 'sqlite') {
      url = `sqlite:${str(env, 'DB_NAME', './data/mathsoc.db')}`;
    } else if (type === 'postgresql' || type === 'postgres') {
      const user = encodeURIComponent(str(env, 'DB_USERNAME', 'postgres'));
      const pass = env.DB_PASSWORD ? `:${encodeURIComponent(env.DB_PASSWORD)}` : '';
      const host = str(env, 'DB_HOST', '127.0.0.1');
      const port = str(env, 'DB_PORT', '5432');
      const name = encodeURIComponent(str(env, 'DB_NAME', 'mathsoc'));
      url = `postgres://${user}${pass}@${host}:${port}/${name}`;
    } else {
      throw new ConfigError(`DATABASE_TYPE="${type}" must be sqlite or postgresql`);
    }
  }
  url ||= profile === 'testing' ? 'sqlite::memory:' : 'sqlite:./data/mathsoc.db';
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '') || './data/mathsoc.db';
    const name =
      file === ':memory:'
        ? ':memory:'
        : file
            .split('/')
            .pop()!
            .replace(/\.(db|sqlite3?)$/, '');
    return { dialect: 'sqlite', url: file, name };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let name: string;
    try {
      name = decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid postgres:// URL');
    }
    return { dialect: 'postgres', url, name };
  }
  throw new ConfigError('DATABASE_URL must start with sqlite: or postgres://');
}

/** "7-8:KS3,9-11:KS4,12-13:KS5" → {7:'KS3', …}. */
export function parseKeyStageMap(raw: string): Record<number, KeyStage> {
  const map: Record<number, KeyStage> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d{1,2})(?:-(\d{1,2}))?:(KS[345])$/i.exec(part);
    if (!m) throw new ConfigError(`KEY_STAGE_YEARS: "${part}" should look like 7-8:KS3`);
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    for (let y = from; y <= to; y++) map[y] = m[3]!.toUpperCase() as KeyStage;
  }
  for (let y = 7; y <= 13; y++) {
    if (!map[y]) throw new ConfigError(`KEY_STAGE_YEARS gives no key stage for Year ${y}`);
  }
  return map;
}

function cspExtra(env: Env): Config['csp']['extra'] {
  const extra: Config['csp']['extra'] = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('CSP_EXTRA_') || !value?.trim()) continue;
    const directive = key.slice('CSP_EXTRA_'.length).toLowerCase().replace(/_/g, '-') as CspDirective;
    const sources = value.split(/[\s,]+/).filter(Boolean);
    for (const s of sources) {
      // A source list entry may not smuggle in another directive.
      if (/[;\n\r]/.test(s)) throw new ConfigError(`${key}: "${s}" is not a CSP source`);
    }
    extra[directive] = sources;
  }
  return extra;
}

/** One year: the least max-age the browsers' preload list accepts (hstspreload.org). */
export const HSTS_PRELOAD_MIN_AGE = 31536000;

function hsts(env: Env): Config['https']['hsts'] {
  const h = {
    enabled: bool(env, 'HSTS_ENABLED', true),
    maxAge: int(env, 'HSTS_MAX_AGE', HSTS_PRELOAD_MIN_AGE, 0, 63072000),
    includeSubDomains: bool(env, 'HSTS_INCLUDE_SUBDOMAINS', true),
    preload: bool(env, 'HSTS_PRELOAD', false),
  };
  // The preload list rejects a weaker header; sending "preload" with one would only mislead.
  if (h.preload) {
    const weaker = !h.enabled
      ? 'HSTS_ENABLED=true'
      : !h.includeSubDomains
        ? 'HSTS_INCLUDE_SUBDOMAINS=true'
        : h.maxAge < HSTS_PRELOAD_MIN_AGE
          ? `HSTS_MAX_AGE of at least ${HSTS_PRELOAD_MIN_AGE} (one year); it is ${h.maxAge}`
          : null;
    if (weaker)
      throw new ConfigError(`HSTS_PRELOAD=true needs ${weaker} (the browsers' preload list accepts nothing weaker)`);
  }
  return h;
}

/** A path on this site or an https:// URL; nothing that could end the directive. */
function reportUri(value: string): string {
  if (!/^(\/|https:\/\/)[^\s;,"']*$/.test(value)) {
    throw new ConfigError(`CSP_REPORT_URI="${value}" must be a path such as /csp-report or an https:// URL`);
  }
  return value;
}

function sessionStoreUri(value: string | null): string | null {
  if (value && !/^rediss?:\/\/\S+$/.test(value)) {
    throw new ConfigError('SESSION_STORE_URI must be empty (sessions in the database) or a redis:// or rediss:// URL');
  }
  return value;
}

/**
 * smtp://user:pass@host:587 (STARTTLS when the server offers it) or smtps://…
 * (TLS from the first byte). Errors never repeat the URL: it may hold a password.
 */
function smtpUrl(raw: string | undefined): string | null {
  const value = raw?.trim() ?? '';
  if (value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('SMTP_URL is not a valid URL (smtp://user:password@host:587 or smtps://…)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new ConfigError(`SMTP_URL must start with smtp:// or smtps:// (it starts with ${url.protocol}//)`);
  if (!url.hostname) throw new ConfigError('SMTP_URL names no host (smtp://user:password@host:587)');
  return value;
}

/** The SMTP URL with its password replaced, for anything that prints settings. */
export function redactSmtpUrl(value: string | null): string | null {
  if (value === null) return null;
  try {
    const url = new URL(value);
    if (url.password) url.password = 'redacted';
    return url.toString();
  } catch {
    return '[unparseable]';
  }
}

/** "Name <address@host>" or "address@host"; no line breaks (they would start a new header). */
function mailFrom(env: Env): string {
  const value = str(env, 'MAIL_FROM', 'Maths Society <no-reply@localhost>');
  const ok = /^(?:[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/.test(value);
  if (!ok) throw new ConfigError(`MAIL_FROM="${value}" must be an address or "Name <address>"`);
  return value;
}

/**
 * REPORT_PROBLEM_URL: an https:// address or mailto:address. Unset, it is the
 * MAIL_FROM address, unless that is a no-reply or localhost address nobody
 * reads; then the About page, which says who runs the society.
 */
export function reportProblemUrl(env: Env, from: string): string {
  const value = env.REPORT_PROBLEM_URL?.trim();
  if (value) {
    const mail = /^mailto:([^\s@<>?,;]+@[^\s@<>?,;]+\.[^\s@<>?,;]+)$/i.exec(value);
    if (mail) return `mailto:${mail[1]}`;
    let url: URL | null;
    try {
      url = new URL(value);
    } catch {
      url = null;
    }
    if (url && url.protocol === 'https:' && url.hostname && !url.username && !url.password) return url.toString();
    throw new ConfigError(
      `REPORT_PROBLEM_URL="${value}" must be an https:// address or mailto: followed by an email address`,
    );
  }
  const address = (/<([^<>]+)>/.exec(from)?.[1] ?? from).trim();
  const [local = '', host = ''] = address.split('@');
  const unread =
    /^(no-?reply|do-?not-?reply)$/i.test(local) || /^localhost$|\.(local|localhost|invalid|example)$/i.test(host);
  return unread ? '/about' : `mailto:${address}`;
}

export function loadConfig(env: Env = process.env): Config {
  const profile = resolveProfile(env);
  checkUnknownKeys(env);
  const prod = profile === 'production';

  let secretKey = env.SECRET_KEY ?? '';
  let secretKeyGenerated = false;
  if (prod) {
    if (!secretKey) throw new ConfigError('SECRET_KEY is required in production (at least 32 random characters)');
    if (secretKey.length < 32)
      throw new ConfigError(
        `SECRET_KEY is too short for production (${secretKey.length} characters, need at least 32)`,
      );
  } else if (!secretKey) {
    // Development and tests: a fresh random key per process is safe (sessions simply reset).
    secretKey = cryptoRandom();
    secretKeyGenerated = true;
  }

  const serverName = env.SERVER_NAME?.trim() || null;
  if (serverName && !/^[a-z0-9.-]+(:\d+)?$/i.test(serverName)) {
    throw new ConfigError(`SERVER_NAME="${serverName}" must be a host name such as maths.example.org`);
  }

  const level = oneOf(
    env,
    'LOG_LEVEL',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
    pick(profile, ['info', 'warn', 'info'] as const),
  );

  return {
    profile,
    secretKey,
    secretKeyGenerated,
    database: databaseFromEnv(env, profile),
    server: {
      host: str(env, 'HOST', '127.0.0.1'),
      port: int(env, 'PORT', 3000, 0, 65535),
      serverName,
    },
    log: {
      toStdout: bool(env, 'LOG_TO_STDOUT', false),
      level,
      file: str(env, 'LOG_FILE', './logs/app.log'),
    },
    https: {
      force: bool(env, 'FORCE_HTTPS', pick(profile, [false, false, true])),
      permanent: bool(env, 'FORCE_HTTPS_PERMANENT', false),
      hsts: hsts(env),
    },
    headers: {
      enabled: true,
      xssProtection: str(env, 'X_XSS_PROTECTION', '1; mode=block'),
      frameOptions: oneOf(env, 'X_FRAME_OPTIONS', ['SAMEORIGIN', 'DENY'] as const, 'SAMEORIGIN'),
      referrerPolicy: str(env, 'REFERRER_POLICY', 'strict-origin-when-cross-origin'),
      permissionsPolicy: str(
        env,
        'PERMISSIONS_POLICY',
        'camera=(), microphone=(), geolocation=(), browsing-topics=(), payment=(), usb=()',
      ),
    },
    csp: {
      enabled: bool(env, 'CSP_ENABLED', true),
      allowUnsafeEval: bool(env, 'CSP_ALLOW_UNSAFE_EVAL', pick(profile, [true, true, false])),
      cdnSources: bool(env, 'CSP_CDN_SOURCES', false),
      reportOnly: bool(env, 'CSP_REPORT_ONLY', false),
      reportUri: reportUri(str(env, 'CSP_REPORT_URI', '/csp-report')),
      extra: cspExtra(env),
    },
    rateLimit: {
      enabled: bool(env, 'RATELIMIT_ENABLED', pick(profile, [true, false, true])),
      // Anonymous limits count per address, and a whole school shares one (NAT):
      // sized in docs/rate-limiting.md, "A school is one address".
      default: str(env, 'RATELIMIT_DEFAULT', '3000 per minute;6000 per hour;20000 per day'),
      defaultAuthenticated: str(env, 'RATELIMIT_DEFAULT_AUTHENTICATED', '2000 per day;500 per hour'),
      storageUri: str(env, 'RATELIMIT_STORAGE_URI', 'memory://'),
      keyPrefix: str(env, 'RATELIMIT_KEY_PREFIX', 'mathsoc-rl'),
      strategy: oneOf(env, 'RATELIMIT_STRATEGY', RATELIMIT_STRATEGIES, 'fixed-window'),
      memoryMaxKeys: int(env, 'RATELIMIT_MEMORY_MAX_KEYS', DEFAULT_MEMORY_MAX_KEYS, 10, 2_000_000),
      headersEnabled: bool(env, 'RATELIMIT_HEADERS_ENABLED', true),
      inMemoryFallback: bool(env, 'RATELIMIT_IN_MEMORY_FALLBACK_ENABLED', true),
      login: str(env, 'RATELIMIT_LOGIN', '1500 per minute;4500 per hour;15000 per day'),
      passwordConfirm: str(env, 'RATELIMIT_PASSWORD_CONFIRM', '5 per minute;20 per hour'),
      loginAccountFailures: str(env, 'RATELIMIT_LOGIN_ACCOUNT', '10 per hour;50 per day'),
      loginPairFailures: str(env, 'RATELIMIT_LOGIN_PAIR', '5 per 15 minutes;20 per day'),
      knownDeviceDays: int(env, 'RATELIMIT_LOGIN_KNOWN_DEVICE_DAYS', 365, 1, 3650),
      register: str(env, 'RATELIMIT_REGISTER', '300 per minute;1500 per hour;5000 per day'),
      wrongAnswers: str(env, 'RATELIMIT_WRONG_ANSWERS', '10 per minute'),
      cspReport: str(env, 'RATELIMIT_CSP_REPORT', '100 per minute'),
      mathApi: str(env, 'RATELIMIT_MATH_API', '60 per minute'),
      emailLinks: str(env, 'RATELIMIT_EMAIL_LINKS', '30 per minute;200 per hour;1000 per day'),
      emailAddress: str(env, 'RATELIMIT_EMAIL_ADDRESS', '3 per 15 minutes;10 per day'),
    },
    // Production always verifies CSRF tokens; the switch only exists for the other profiles.
    csrf: { enabled: prod ? true : bool(env, 'CSRF_ENABLED', pick(profile, [true, false, true])) },
    proxy: {
      // Every profile believes no proxy until told how many there are: trusting a
      // hop that is not there lets any client choose its own address and scheme.
      xFor: int(env, 'PROXY_FIX_X_FOR', 0, 0, 10),
      xProto: int(env, 'PROXY_FIX_X_PROTO', 0, 0, 10),
      xHost: int(env, 'PROXY_FIX_X_HOST', 0, 0, 10),
      xPort: int(env, 'PROXY_FIX_X_PORT', 0, 0, 10),
    },
    session: {
      storeUri: sessionStoreUri(env.SESSION_STORE_URI?.trim() || null),
      cookieName: str(env, 'SESSION_COOKIE_NAME', 'mathsoc_session'),
      idleTimeoutMinutes: int(env, 'SESSION_IDLE_TIMEOUT_MINUTES', 120, 1, 60 * 24 * 30),
      absoluteTimeoutHours: int(env, 'SESSION_ABSOLUTE_TIMEOUT_HOURS', 24, 1, 24 * 365),
      rememberDays: int(env, 'SESSION_REMEMBER_DAYS', 30, 1, 365),
    },
    uploads: {
      storage: oneOf(env, 'UPLOAD_STORAGE', ['local', 'database'] as const, 'local'),
      dir: str(env, 'UPLOAD_DIR', profile === 'testing' ? './data/test-uploads' : './data/uploads'),
      maxMb: int(env, 'MAX_UPLOAD_MB', 20, 1, 500),
      maxImageMegapixels: int(env, 'MAX_IMAGE_MEGAPIXELS', 40, 1, 1000),
    },
    accounts: {
      passwordMinLength: int(env, 'PASSWORD_MIN_LENGTH', 8, 8, 128),
      adminPasswordMinLength: int(env, 'ADMIN_PASSWORD_MIN_LENGTH', 12, 8, 128),
      passwordMaxLength: int(env, 'PASSWORD_MAX_LENGTH', 256, 64, 4096),
      keyStageByYear: parseKeyStageMap(str(env, 'KEY_STAGE_YEARS', '7-8:KS3,9-11:KS4,12-13:KS5')),
      leaverRetentionDays: int(env, 'LEAVER_RETENTION_DAYS', 365, 1, 3650),
    },
    school: {
      defaultName: str(env, 'DEFAULT_SCHOOL_NAME', 'Maths Society School'),
      defaultDomain: domain(env, 'DEFAULT_SCHOOL_DOMAIN', 'school.example.org'),
      timeZone: timeZone(env, 'SCHOOL_TIMEZONE', 'Europe/London'),
    },
    reportProblemUrl: reportProblemUrl(env, mailFrom(env)),
    leaderboard: { topN: int(env, 'LEADERBOARD_TOP_N', 20, 1, 500) },
    publicCache: { seconds: int(env, 'PUBLIC_CACHE_SECONDS', pick(profile, [0, 0, 5]), 0, 300) },
    math: {
      timeoutMs: int(env, 'MATH_TIMEOUT_MS', 250, 50, 10000),
      // One core stays with the web server's own thread.
      workers: int(env, 'MATH_WORKERS', Math.max(1, Math.min(4, availableParallelism() - 1)), 1, 64),
    },
    ops: {
      // Server processes on this machine: one in development and testing; in production one per
      // core, at most 8 (each holds its own caches and database pool).
      instances: int(env, 'WEB_CONCURRENCY', prod ? Math.min(8, availableParallelism()) : 1, 1, 64),
      backupDir: str(env, 'BACKUP_DIR', './data/backups'),
      backupMaxAgeHours: int(env, 'BACKUP_MAX_AGE_HOURS', 26, 1, 24 * 365),
    },
    mail: {
      smtpUrl: smtpUrl(env.SMTP_URL),
      from: mailFrom(env),
      requireVerification: bool(env, 'REQUIRE_EMAIL_VERIFICATION', pick(profile, [false, false, true])),
      directory: str(env, 'MAIL_DIRECTORY', profile === 'testing' ? './data/test-mail' : './data/mail'),
    },
  };
}

function cryptoRandom(): string {
  // Imported lazily so this module stays usable in any context.
  return globalThis.crypto
    .getRandomValues(new Uint8Array(32))
    .reduce((s, b) => s + b.toString(16).padStart(2, '0'), '');
}

/** Load `.env` (when present) into process.env without overriding real variables. */
export async function loadDotEnv(path = '.env'): Promise<void> {
  const { existsSync } = await import('node:fs');
  if (!existsSync(path)) return;
  const dotenv = await import('dotenv');
  dotenv.config({ path, override: false, quiet: true });
}
