// Security headers and CSP as a browser behind the production proxy sees them:
// on pages, 404s, 500s and JSON alike; HSTS only over HTTPS; a fresh nonce on
// every response, matching every script tag of the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { createProbeApp, STRONG_SECRET, type ProbeApp } from './helpers.js';

const HTTPS = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.5' };
const PRODUCTION = {
  APP_ENV: 'production',
  SECRET_KEY: STRONG_SECRET,
  SERVER_NAME: 'maths.example.org',
  RATELIMIT_ENABLED: 'false',
};

const FIXED = {
  'x-frame-options': 'SAMEORIGIN',
  'x-content-type-options': 'nosniff',
  'x-xss-protection': '1; mode=block',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

function expectSecurityHeaders(headers: Record<string, unknown>, secure: boolean): void {
  for (const [name, value] of Object.entries(FIXED)) expect(headers[name], name).toBe(value);
  expect(headers['permissions-policy']).toMatch(/camera=\(\).*microphone=\(\).*geolocation=\(\).*browsing-topics=\(\)/);
  expect(headers['x-powered-by']).toBeUndefined();
  expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]{22}==' 'strict-dynamic'/);
  if (secure) expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  else expect(headers['strict-transport-security']).toBeUndefined();
}

const scriptSrc = (csp: unknown) => /script-src ([^;]*)/.exec(String(csp))![1]!;

describe('production profile behind a TLS-terminating proxy', () => {
  let t: ProbeApp;
  beforeAll(async () => {
    t = await createProbeApp('sqlite', PRODUCTION);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a page carries every security header, HSTS and a CSP without unsafe-inline or unsafe-eval for scripts', async () => {
    const res = await t.app.inject({ url: '/', headers: HTTPS });
    expect(res.statusCode).toBe(200);
    expectSecurityHeaders(res.headers, true);
    const src = scriptSrc(res.headers['content-security-policy']);
    expect(src).not.toContain("'unsafe-inline'");
    expect(src).not.toContain("'unsafe-eval'");
    expect(res.headers['content-security-policy']).toContain("connect-src 'self' https://maths.example.org");
    expect(res.headers['reporting-endpoints']).toBe('csp-endpoint="/csp-report"');
  });

  it('a 404 page and a JSON 404 carry them too', async () => {
    for (const accept of ['text/html', 'application/json']) {
      const res = await t.app.inject({ url: '/no-such-page', headers: { ...HTTPS, accept } });
      expect(res.statusCode).toBe(404);
      expectSecurityHeaders(res.headers, true);
    }
  });

  it('a CSRF refusal (403) and a malformed body (400) carry them too', async () => {
    const refused = await t.app.inject({ method: 'POST', url: '/__t/echo', headers: HTTPS, payload: {} });
    expect(refused.statusCode).toBe(403);
    expectSecurityHeaders(refused.headers, true);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/__t/echo',
      headers: { ...HTTPS, 'content-type': 'application/json' },
      payload: '{"x":',
    });
    expect(bad.statusCode).toBe(400);
    expectSecurityHeaders(bad.headers, true);
  });

  it('a malformed URL, answered before any hook runs, carries them too', async () => {
    for (const url of ['/%', '/challenges/%zz']) {
      const res = await t.app.inject({ url, headers: HTTPS });
      expect(res.statusCode).toBe(400);
      for (const [name, value] of Object.entries(FIXED)) expect(res.headers[name], name).toBe(value);
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.json()).toEqual({ error: 'That address is not valid.' });
    }
  });

  it('every response gets a fresh nonce, and it is the one the request saw', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({ url: '/__t/request', headers: HTTPS });
      const header = /'nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))![1]!;
      expect(res.json<{ nonce: string }>().nonce).toBe(header);
      nonces.add(header);
    }
    expect(nonces.size).toBe(5);
  });

  it('health probes get the headers but are never redirected', async () => {
    for (const url of ['/health', '/healthz', '/ready', '/readyz']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('over plain HTTP: a redirect to HTTPS, and no HSTS', async () => {
    const res = await t.app.inject({ url: '/leaderboard?stage=KS4' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('https://maths.example.org/leaderboard?stage=KS4');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('a 500 error page', () => {
  it('carries the security headers and no stack trace', async () => {
    const t = await createTestApp('sqlite', PRODUCTION);
    await t.database.close(); // the home page's queries now fail
    const res = await t.app.inject({ url: '/', headers: HTTPS });
    expect(res.statusCode).toBe(500);
    expectSecurityHeaders(res.headers, true);
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    await t.app.close();
  });
});

describe('development and testing profiles', () => {
  it.each(['development', 'testing'])('%s: HTTP is served, the CSP allows unsafe-eval, no HSTS', async (profile) => {
    const t = await createTestApp('sqlite', { APP_ENV: profile, RATELIMIT_ENABLED: 'false' });
    try {
      const res = await t.app.inject({ url: '/' });
      expect(res.statusCode).toBe(200);
      expectSecurityHeaders(res.headers, false);
      expect(scriptSrc(res.headers['content-security-policy'])).toContain("'unsafe-eval'");
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    } finally {
      await t.close();
    }
  });
});

describe('CSP configuration reaches the header', () => {
  it('CSP_EXTRA_*, CSP_CDN_SOURCES and CSP_REPORT_ONLY', async () => {
    const t = await createTestApp('sqlite', {
      CSP_EXTRA_CONNECT_SRC: 'https://api.example.org',
      CSP_EXTRA_FRAME_SRC: 'https://www.youtube-nocookie.com',
      CSP_CDN_SOURCES: 'true',
      CSP_REPORT_ONLY: 'true',
    });
    try {
      const res = await t.app.inject({ url: '/' });
      expect(res.headers['content-security-policy']).toBeUndefined();
      const csp = String(res.headers['content-security-policy-report-only']);
      expect(csp).toContain("connect-src 'self' https://cdn.jsdelivr.net");
      expect(csp).toMatch(/connect-src [^;]*https:\/\/api\.example\.org/);
      expect(csp).toContain("frame-src 'self' https://www.youtube-nocookie.com");
      expect(csp).toMatch(/style-src [^;]*https:\/\/fonts\.googleapis\.com/);
      expect(csp).not.toContain('polyfill.io');
    } finally {
      await t.close();
    }
  });

  it('HSTS preload and X_FRAME_OPTIONS=DENY', async () => {
    const t = await createTestApp('sqlite', { ...PRODUCTION, HSTS_PRELOAD: 'true', X_FRAME_OPTIONS: 'DENY' });
    try {
      const res = await t.app.inject({ url: '/', headers: HTTPS });
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains; preload');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    } finally {
      await t.close();
    }
  });
});
