// The security settings' per-profile defaults are the security document's (docs/security.md).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';

const SECRET = 'f3a9c1d27b8e4f60a5d39c2e7b1f8a4d6c0e5b9a2d7f3c1e';
const config = (env: Record<string, string>) => loadConfig({ SECRET_KEY: SECRET, ...env });

describe('security defaults per profile', () => {
  it.each([
    ['development', { force: false, csrf: true, unsafeEval: true }],
    ['testing', { force: false, csrf: false, unsafeEval: true }],
    ['production', { force: true, csrf: true, unsafeEval: false }],
  ] as const)('%s', (profile, expected) => {
    const c = config({ APP_ENV: profile });
    expect({ force: c.https.force, csrf: c.csrf.enabled, unsafeEval: c.csp.allowUnsafeEval }).toEqual(expected);
    // No proxy is believed until the deployment declares one.
    expect(c.proxy).toEqual({ xFor: 0, xProto: 0, xHost: 0, xPort: 0 });
    expect(c.session).toMatchObject({
      storeUri: null,
      idleTimeoutMinutes: 120,
      absoluteTimeoutHours: 24,
      rememberDays: 30,
    });
  });

  it('CSRF cannot be switched off in production', () => {
    expect(config({ APP_ENV: 'production', CSRF_ENABLED: 'false' }).csrf.enabled).toBe(true);
    expect(config({ APP_ENV: 'development', CSRF_ENABLED: 'false' }).csrf.enabled).toBe(false);
    expect(config({ APP_ENV: 'testing', CSRF_ENABLED: 'true' }).csrf.enabled).toBe(true);
  });

  it('SESSION_STORE_URI must be a Redis URL', () => {
    expect(config({ SESSION_STORE_URI: 'redis://127.0.0.1:6379/2' }).session.storeUri).toBe('redis://127.0.0.1:6379/2');
    expect(config({ SESSION_STORE_URI: 'rediss://cache.example.org:6380' }).session.storeUri).toBe(
      'rediss://cache.example.org:6380',
    );
    expect(() => config({ SESSION_STORE_URI: 'memcached://127.0.0.1:11211' })).toThrow(/SESSION_STORE_URI/);
  });

  it('proxy hop counts are bounded whole numbers', () => {
    expect(config({ PROXY_FIX_X_FOR: '2' }).proxy.xFor).toBe(2);
    expect(() => config({ PROXY_FIX_X_FOR: '-1' })).toThrow(/PROXY_FIX_X_FOR/);
    expect(() => config({ PROXY_FIX_X_PROTO: 'yes' })).toThrow(/PROXY_FIX_X_PROTO/);
  });
});
