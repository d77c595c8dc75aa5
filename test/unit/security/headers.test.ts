import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { helmetOptions, hstsValue } from '../../../src/security/headers.js';
import { httpsUrl, redirectStatus } from '../../../src/security/https.js';

const SECRET = 'f3a9c1d27b8e4f60a5d39c2e7b1f8a4d6c0e5b9a2d7f3c1e';
const config = (env: Record<string, string> = {}) => loadConfig({ SECRET_KEY: SECRET, ...env });

describe('HSTS value', () => {
  it('is max-age=31536000; includeSubDomains by default, preload optional', () => {
    expect(hstsValue(config())).toBe('max-age=31536000; includeSubDomains');
    expect(hstsValue(config({ HSTS_PRELOAD: 'true' }))).toBe('max-age=31536000; includeSubDomains; preload');
    expect(hstsValue(config({ HSTS_MAX_AGE: '600', HSTS_INCLUDE_SUBDOMAINS: 'false' }))).toBe('max-age=600');
    expect(hstsValue(config({ HSTS_ENABLED: 'false' }))).toBeNull();
  });

  it('HSTS_PRELOAD=true with a year or more and includeSubDomains: the header browsers preload from', () => {
    expect(hstsValue(config({ APP_ENV: 'production', HSTS_PRELOAD: 'true', HSTS_MAX_AGE: '63072000' }))).toBe(
      'max-age=63072000; includeSubDomains; preload',
    );
  });

  // hstspreload.org refuses such a header, and sending "preload" with it would only mislead.
  it.each([
    [
      { HSTS_MAX_AGE: '15768000' },
      /HSTS_PRELOAD=true needs HSTS_MAX_AGE of at least 31536000 \(one year\); it is 15768000/,
    ],
    [{ HSTS_INCLUDE_SUBDOMAINS: 'false' }, /HSTS_PRELOAD=true needs HSTS_INCLUDE_SUBDOMAINS=true/],
    [{ HSTS_ENABLED: 'false' }, /HSTS_PRELOAD=true needs HSTS_ENABLED=true/],
  ])('refuses to start with HSTS_PRELOAD=true and a weaker header: %o', (weaker, message) => {
    expect(() => config({ APP_ENV: 'production', HSTS_PRELOAD: 'true', ...weaker })).toThrow(ConfigError);
    expect(() => config({ APP_ENV: 'production', HSTS_PRELOAD: 'true', ...weaker })).toThrow(message);
    // Without preload the same header is allowed.
    expect(() => config({ APP_ENV: 'production', ...weaker })).not.toThrow();
  });
});

describe('helmet options', () => {
  it('match the security document', () => {
    const o = helmetOptions(config());
    expect(o.xFrameOptions).toEqual({ action: 'sameorigin' });
    expect(o.referrerPolicy).toEqual({ policy: ['strict-origin-when-cross-origin'] });
    expect(o.crossOriginResourcePolicy).toEqual({ policy: 'same-origin' });
    expect(o.crossOriginOpenerPolicy).toEqual({ policy: 'same-origin' });
    // Set by our own hooks: per-request (HSTS, CSP) or with the security document's value (X-XSS-Protection).
    expect(o.strictTransportSecurity).toBe(false);
    expect(o.contentSecurityPolicy).toBe(false);
    expect(o.xXssProtection).toBe(false);
  });

  it('X_FRAME_OPTIONS=DENY is honoured', () => {
    expect(helmetOptions(config({ X_FRAME_OPTIONS: 'DENY' })).xFrameOptions).toEqual({ action: 'deny' });
  });
});

describe('HTTPS redirect', () => {
  it('uses 302, or 301 with FORCE_HTTPS_PERMANENT; 307/308 keep the method of a form', () => {
    expect(redirectStatus(config(), 'GET')).toBe(302);
    expect(redirectStatus(config(), 'HEAD')).toBe(302);
    expect(redirectStatus(config(), 'POST')).toBe(307);
    expect(redirectStatus(config({ FORCE_HTTPS_PERMANENT: 'true' }), 'GET')).toBe(301);
    expect(redirectStatus(config({ FORCE_HTTPS_PERMANENT: 'true' }), 'POST')).toBe(308);
  });

  it('targets SERVER_NAME when set, whatever host the request names', () => {
    expect(
      httpsUrl(config({ SERVER_NAME: 'maths.school.org' }), { publicHost: 'evil.example:80', url: '/a?b=1' }),
    ).toBe('https://maths.school.org/a?b=1');
    expect(
      httpsUrl(config({ SERVER_NAME: 'maths.school.org' }), { publicHost: 'localhost', url: '//evil.example/' }),
    ).toBe('https://maths.school.org//evil.example/');
  });

  it("without SERVER_NAME: only this machine's own names, without the HTTP port; no host for any other", () => {
    expect(httpsUrl(config(), { publicHost: 'localhost:8080', url: '/x' })).toBe('https://localhost/x');
    expect(httpsUrl(config(), { publicHost: '127.0.0.1:3000', url: '/x' })).toBe('https://127.0.0.1/x');
    expect(httpsUrl(config({ HOST: 'maths.lan' }), { publicHost: 'maths.lan:3000', url: '/x' })).toBe(
      'https://maths.lan/x',
    );
    expect(httpsUrl(config(), { publicHost: 'maths.school.org:8080', url: '/x' })).toBeNull();
    expect(httpsUrl(config({ HOST: '0.0.0.0' }), { publicHost: '0.0.0.0', url: '/x' })).toBeNull();
    expect(httpsUrl(config(), { publicHost: 'localhost.evil.example', url: '/x' })).toBeNull();
  });
});
