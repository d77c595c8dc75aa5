// The configuration the benchmarked server runs with: the production profile
// as a deployment would have it (the server's own environment and .env are not
// read), with two deliberate changes:
// - the rate limits are raised so that the benchmark measures the pages and
//   not the limiter turning 50 connections from one address away (the limiter
//   still runs and counts every request);
// - for the "security off" comparison, the switchable parts of the security
//   layer are turned off on the Config object (no setting can do that in the
//   production profile): see securityOff() and docs/performance.md.
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config/index.js';

export type SecurityMode = 'on' | 'off';

const GENEROUS = '1000000 per minute';

export function benchAppConfig(opts: {
  databaseUrl: string;
  security: SecurityMode;
  logFile: string;
  logLevel?: string;
  /** The key cookies are signed with (the processes of one server share it); random when absent. */
  secretKey?: string;
  /** Settings to try (`npm run bench -- --config PUBLIC_CACHE_SECONDS=0`), as in .env. */
  settings?: Record<string, string>;
}): Config {
  const config = loadConfig({
    SECRET_KEY: opts.secretKey ?? randomBytes(32).toString('hex'),
    DATABASE_URL: opts.databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_FILE: opts.logFile,
    LOG_LEVEL: opts.logLevel ?? 'info',
    RATELIMIT_DEFAULT: GENEROUS,
    RATELIMIT_DEFAULT_AUTHENTICATED: GENEROUS,
    RATELIMIT_WRONG_ANSWERS: GENEROUS,
    RATELIMIT_LOGIN: GENEROUS,
    RATELIMIT_LOGIN_ACCOUNT: GENEROUS,
    // The load generator plays one TLS-terminating proxy (X-Forwarded-For and -Proto).
    PROXY_FIX_X_FOR: '1',
    PROXY_FIX_X_PROTO: '1',
    ...opts.settings,
    // Always the production profile, whatever the settings say.
    APP_ENV: 'production',
  });
  return opts.security === 'off' ? securityOff(config) : config;
}

/**
 * "Security off": every part of the security layer that can be switched off
 * without breaking the pages — the response headers (helmet's set,
 * X-XSS-Protection, Permissions-Policy), HSTS, the Content-Security-Policy,
 * the HTTPS redirect, rate limiting, and CSRF token checks. What stays: cookie
 * parsing and the session lookup (pages need to know who is asking), the
 * anonymous CSRF token that pages with forms embed, the access guard, and the
 * escaping of every view.
 */
function securityOff(config: Config): Config {
  return {
    ...config,
    headers: { ...config.headers, enabled: false },
    https: { ...config.https, force: false, hsts: { ...config.https.hsts, enabled: false } },
    csp: { ...config.csp, enabled: false },
    rateLimit: { ...config.rateLimit, enabled: false },
    csrf: { enabled: false },
  };
}
