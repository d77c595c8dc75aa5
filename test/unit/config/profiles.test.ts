import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveProfile } from '../../../src/config/index.js';

const PROD = { APP_ENV: 'production', SECRET_KEY: 'p'.repeat(40) };

describe('profile resolution', () => {
  it('defaults to development', () => {
    expect(resolveProfile({})).toBe('development');
  });
  it.each([
    [{ APP_ENV: 'testing' }, 'testing'],
    [{ FLASK_ENV: 'production' }, 'production'],
    [{ APP_ENVIRONMENT: 'production' }, 'production'],
    [{ ENV: 'prod' }, 'production'],
    [{ NODE_ENV: 'production' }, 'production'],
    [{ NODE_ENV: 'test' }, 'testing'],
  ])('%o → %s', (env, profile) => {
    expect(resolveProfile(env)).toBe(profile);
  });
  it('any variable saying production wins over the others', () => {
    expect(resolveProfile({ APP_ENV: 'development', FLASK_ENV: 'production' })).toBe('production');
    expect(resolveProfile({ APP_ENV: 'testing', NODE_ENV: 'production' })).toBe('production');
  });
  it('refuses an unknown profile name with one clear line', () => {
    expect(() => resolveProfile({ APP_ENV: 'staging' })).toThrow(/APP_ENV="staging" is not a profile/);
  });
});

describe('per-profile defaults stated by the security document', () => {
  const dev = loadConfig({ APP_ENV: 'development' });
  const test = loadConfig({ APP_ENV: 'testing' });
  const prod = loadConfig(PROD);

  it('HTTPS enforcement: false, false, true', () => {
    expect([dev.https.force, test.https.force, prod.https.force]).toEqual([false, false, true]);
  });
  it("'unsafe-eval' allowed: true, true, false", () => {
    expect([dev.csp.allowUnsafeEval, test.csp.allowUnsafeEval, prod.csp.allowUnsafeEval]).toEqual([true, true, false]);
  });
  it('rate limiting: enabled, disabled, enabled', () => {
    expect([dev.rateLimit.enabled, test.rateLimit.enabled, prod.rateLimit.enabled]).toEqual([true, false, true]);
  });
  it('CSRF: enabled, disabled, enabled', () => {
    expect([dev.csrf.enabled, test.csrf.enabled, prod.csrf.enabled]).toEqual([true, false, true]);
  });
  it('CSRF cannot be switched off in production', () => {
    expect(loadConfig({ ...PROD, CSRF_ENABLED: 'false' }).csrf.enabled).toBe(true);
  });
  it('rate-limit defaults are the documented values', () => {
    expect(prod.rateLimit.default).toBe('3000 per minute;6000 per hour;20000 per day');
    expect(prod.rateLimit.login).toBe('1500 per minute;4500 per hour;15000 per day');
    expect(prod.rateLimit.register).toBe('300 per minute;1500 per hour;5000 per day');
    expect(prod.rateLimit.passwordConfirm).toBe('5 per minute;20 per hour');
    expect(prod.rateLimit.memoryMaxKeys).toBe(200_000);
    expect(prod.rateLimit.storageUri).toBe('memory://');
    expect(prod.rateLimit.strategy).toBe('fixed-window');
    expect(prod.rateLimit.headersEnabled).toBe(true);
  });
  it('HSTS: one year with subdomains, no preload unless asked', () => {
    expect(prod.https.hsts).toEqual({ enabled: true, maxAge: 31536000, includeSubDomains: true, preload: false });
  });
  it('headers: the documented values', () => {
    expect(prod.headers.xssProtection).toBe('1; mode=block');
    expect(prod.headers.frameOptions).toBe('SAMEORIGIN');
    expect(prod.headers.referrerPolicy).toBe('strict-origin-when-cross-origin');
  });
  it('proxy trust: no proxy believed until the deployment declares how many there are', () => {
    for (const c of [dev, test, prod]) expect(c.proxy).toEqual({ xFor: 0, xProto: 0, xHost: 0, xPort: 0 });
  });
  it('embedded SQLite by default, in memory for tests', () => {
    expect(dev.database).toMatchObject({ dialect: 'sqlite', url: './data/mathsoc.db' });
    expect(test.database).toMatchObject({ dialect: 'sqlite', url: ':memory:' });
  });
});

describe('SECRET_KEY', () => {
  it('is required in production', () => {
    expect(() => loadConfig({ APP_ENV: 'production' })).toThrow(/SECRET_KEY is required in production/);
  });
  it('must have at least 32 characters in production', () => {
    expect(() => loadConfig({ APP_ENV: 'production', SECRET_KEY: 'short' })).toThrow(/too short.*5 characters/);
  });
  it('is generated per process outside production', () => {
    const a = loadConfig({ APP_ENV: 'development' });
    const b = loadConfig({ APP_ENV: 'development' });
    expect(a.secretKeyGenerated).toBe(true);
    expect(a.secretKey).toHaveLength(64);
    expect(a.secretKey).not.toBe(b.secretKey);
  });
});

describe('malformed and unknown values stop the start', () => {
  it.each([
    [{ FORCE_HTTPS: 'maybe' }, /FORCE_HTTPS="maybe" is not a boolean/],
    [{ PORT: 'eighty' }, /PORT="eighty" must be a whole number/],
    [{ PORT: '70000' }, /PORT="70000"/],
    [{ RATELIMIT_STRATEGY: 'token-bucket' }, /RATELIMIT_STRATEGY="token-bucket" must be one of/],
    [{ RATELIMIT_STORGE_URI: 'redis://x' }, /RATELIMIT_STORGE_URI is not a known setting/],
    [{ CSP_EXTRA_SCRIPT_SOURCE: 'x' }, /not a CSP directive/],
    [{ CSP_EXTRA_IMG_SRC: 'https://a.example;script-src *' }, /is not a CSP source/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with sqlite: or postgres:\/\//],
    [{ KEY_STAGE_YEARS: '7-8:KS3' }, /no key stage for Year 9/],
    [{ SERVER_NAME: 'evil.example/<script>' }, /SERVER_NAME/],
  ])('%o', (env, message) => {
    expect(() => loadConfig({ APP_ENV: 'development', ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ APP_ENV: 'development', ...env })).toThrow(message);
  });
});

describe('database settings', () => {
  it('accepts the legacy DATABASE_TYPE with DB_* parts', () => {
    const c = loadConfig({
      APP_ENV: 'development',
      DATABASE_TYPE: 'postgresql',
      DB_USERNAME: 'maths',
      DB_PASSWORD: 'p@ss word',
      DB_HOST: 'db.internal',
      DB_NAME: 'mathsoc',
    });
    expect(c.database.dialect).toBe('postgres');
    expect(c.database.name).toBe('mathsoc');
    expect(c.database.url).toBe('postgres://maths:p%40ss%20word@db.internal:5432/mathsoc');
  });
  it('DATABASE_URL wins over DATABASE_TYPE', () => {
    const c = loadConfig({ APP_ENV: 'development', DATABASE_URL: 'postgres://u@h/x', DATABASE_TYPE: 'sqlite' });
    expect(c.database).toMatchObject({ dialect: 'postgres', name: 'x' });
  });
  it('maps school years to key stages (default map: GCSE from Year 9)', () => {
    const c = loadConfig({ APP_ENV: 'development' });
    expect([7, 8, 9, 10, 11, 12, 13].map((y) => c.accounts.keyStageByYear[y])).toEqual([
      'KS3',
      'KS3',
      'KS4',
      'KS4',
      'KS4',
      'KS5',
      'KS5',
    ]);
    const custom = loadConfig({ APP_ENV: 'development', KEY_STAGE_YEARS: '7-9:KS3,10-11:KS4,12-13:KS5' });
    expect(custom.accounts.keyStageByYear[9]).toBe('KS3');
  });
});
