import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { CDN_SOURCES, compileCsp, cspDirectives, newNonce, NONCE, serialise } from '../../../src/security/csp.js';

const SECRET = 'f3a9c1d27b8e4f60a5d39c2e7b1f8a4d6c0e5b9a2d7f3c1e';
const config = (env: Record<string, string> = {}) => loadConfig({ SECRET_KEY: SECRET, ...env });
const scriptSrc = (env: Record<string, string>) => cspDirectives(config(env)).get('script-src')!;

describe('CSP dictionary', () => {
  it('is the documented default in production: nonce, strict-dynamic, no unsafe-inline or unsafe-eval for scripts or stylesheets', () => {
    const text = serialise(cspDirectives(config({ APP_ENV: 'production', SERVER_NAME: 'maths.example.org' })));
    expect(text).toBe(
      [
        "default-src 'none'",
        "base-uri 'self'",
        "object-src 'none'",
        "frame-ancestors 'self'",
        `script-src 'self' 'nonce-${NONCE}' 'strict-dynamic'`,
        "script-src-attr 'none'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data: blob:",
        "connect-src 'self' https://maths.example.org",
        "frame-src 'self'",
        "worker-src 'self' blob:",
        "media-src 'self' data: blob:",
        "manifest-src 'self'",
        "form-action 'self'",
        'upgrade-insecure-requests',
        'report-uri /csp-report',
        'report-to csp-endpoint',
      ].join('; '),
    );
  });

  it.each([
    ['development', true],
    ['testing', true],
    ['production', false],
  ] as const)("allows 'unsafe-eval' in %s: %s (the security document's per-profile default)", (profile, allowed) => {
    const src = scriptSrc({ APP_ENV: profile });
    expect(src.includes("'unsafe-eval'")).toBe(allowed);
    expect(src).not.toContain("'unsafe-inline'");
  });

  it("CSP_ALLOW_UNSAFE_EVAL overrides the profile's default", () => {
    expect(scriptSrc({ APP_ENV: 'production', CSP_ALLOW_UNSAFE_EVAL: 'true' })).toContain("'unsafe-eval'");
    expect(scriptSrc({ APP_ENV: 'development', CSP_ALLOW_UNSAFE_EVAL: 'false' })).not.toContain("'unsafe-eval'");
  });

  it('connect-src gains https://SERVER_NAME only when it is set', () => {
    expect(cspDirectives(config({ SERVER_NAME: 'maths.school.org' })).get('connect-src')).toEqual([
      "'self'",
      'https://maths.school.org',
    ]);
    expect(cspDirectives(config()).get('connect-src')).toEqual(["'self'"]);
  });

  it('upgrade-insecure-requests only where HTTPS is enforced (plain-HTTP development keeps working)', () => {
    expect(cspDirectives(config({ APP_ENV: 'development' })).has('upgrade-insecure-requests')).toBe(false);
    expect(cspDirectives(config({ APP_ENV: 'production' })).has('upgrade-insecure-requests')).toBe(true);
  });

  it('CSP_CDN_SOURCES adds the documented CDN allowlist per directive, without polyfill.io', () => {
    const d = cspDirectives(config({ CSP_CDN_SOURCES: 'true' }));
    for (const [directive, sources] of Object.entries(CDN_SOURCES)) {
      for (const s of sources) expect(d.get(directive)).toContain(s);
    }
    expect(d.get('script-src')).toContain('https://cdn.jsdelivr.net');
    expect(d.get('font-src')).toContain('https://fonts.gstatic.com');
    expect(d.get('connect-src')).toContain('https://cke4.ckeditor.com');
    expect(serialise(d)).not.toContain('polyfill.io');
    expect(serialise(cspDirectives(config()))).not.toContain('cdn.jsdelivr.net');
  });

  it('CSP_EXTRA_<DIRECTIVE> appends to a directive', () => {
    const d = cspDirectives(
      config({
        CSP_EXTRA_CONNECT_SRC: 'https://api.example.org, wss://live.example.org',
        CSP_EXTRA_IMG_SRC: 'https://images.example.org',
        CSP_EXTRA_FRAME_SRC: 'https://www.youtube-nocookie.com',
      }),
    );
    expect(d.get('connect-src')).toEqual(["'self'", 'https://api.example.org', 'wss://live.example.org']);
    expect(d.get('img-src')).toEqual(["'self'", 'data:', 'blob:', 'https://images.example.org']);
    expect(d.get('frame-src')).toEqual(["'self'", 'https://www.youtube-nocookie.com']);
  });

  it('refuses a CSP_EXTRA_ for an unknown directive and a source that would smuggle in another directive', () => {
    expect(() => config({ CSP_EXTRA_SCRIPT_SOURCE: 'https://x.org' })).toThrow(/not a CSP directive/);
    expect(() => config({ CSP_EXTRA_IMG_SRC: "https://x.org;script-src 'unsafe-inline'" })).toThrow(/not a CSP source/);
  });

  it('refuses a CSP_REPORT_URI that could end the directive', () => {
    expect(() => config({ CSP_REPORT_URI: '/r; script-src *' })).toThrow(/CSP_REPORT_URI/);
    expect(() => config({ CSP_REPORT_URI: 'http://collector.example.org/r' })).toThrow(/CSP_REPORT_URI/);
    expect(cspDirectives(config({ CSP_REPORT_URI: 'https://collector.example.org/r' })).get('report-uri')).toEqual([
      'https://collector.example.org/r',
    ]);
  });

  it("frame-ancestors follows X_FRAME_OPTIONS=DENY with 'none'", () => {
    expect(cspDirectives(config({ X_FRAME_OPTIONS: 'DENY' })).get('frame-ancestors')).toEqual(["'none'"]);
  });
});

describe('compiled policy', () => {
  it('puts the nonce into script-src and nowhere else', () => {
    const csp = compileCsp(config({ APP_ENV: 'production' }));
    const value = csp.render('abc123==');
    expect(value).toContain("script-src 'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(value.match(/nonce-/g)).toHaveLength(1);
    expect(value).not.toContain(NONCE);
    expect(csp.render('other')).toContain("'nonce-other'");
  });

  it('CSP_REPORT_ONLY switches the header name', () => {
    expect(compileCsp(config()).headerName).toBe('content-security-policy');
    expect(compileCsp(config({ CSP_REPORT_ONLY: 'true' })).headerName).toBe('content-security-policy-report-only');
  });
});

describe('nonces', () => {
  it('are 128 random bits, never repeated, also across refills of the random pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const nonce = newNonce();
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
      seen.add(nonce);
    }
    expect(seen.size).toBe(2_000);
  });
});

describe('styles without unsafe-inline (Observatory: CSP implemented with no unsafe)', () => {
  const stylesOf = (env: Record<string, string>) => {
    const d = cspDirectives(config(env));
    // style-src-elem falls back to style-src when absent, as browsers do.
    return { src: d.get('style-src') ?? [], elem: d.get('style-src-elem') ?? d.get('style-src') ?? [] };
  };

  it.each(['development', 'testing', 'production'])(
    "%s: neither style-src nor style-src-elem allows 'unsafe-inline' or data:",
    (profile) => {
      const { src, elem } = stylesOf({ APP_ENV: profile });
      for (const list of [src, elem]) {
        expect(list).not.toContain("'unsafe-inline'");
        expect(list).not.toContain('data:');
        expect(list).toContain("'self'");
      }
    },
  );

  it("the CDN allowlist adds style hosts, never 'unsafe-inline'", () => {
    const { src, elem } = stylesOf({ APP_ENV: 'production', CSP_CDN_SOURCES: 'true' });
    expect(src).toContain('https://fonts.googleapis.com');
    expect(elem).toContain('https://fonts.googleapis.com');
    expect([...src, ...elem]).not.toContain("'unsafe-inline'");
  });

  it("default-src is 'none': every kind of resource the pages load has its own directive", () => {
    const d = cspDirectives(config({ APP_ENV: 'production' }));
    expect(d.get('default-src')).toEqual(["'none'"]);
    for (const directive of [
      'script-src',
      'style-src',
      'font-src',
      'img-src',
      'connect-src',
      'frame-src',
      'worker-src',
      'media-src',
      'manifest-src',
    ]) {
      expect(d.get(directive), directive).toContain("'self'");
    }
  });

  it("an extra source replaces a directive's 'none' instead of sitting beside it", () => {
    const d = cspDirectives(
      config({ CSP_EXTRA_OBJECT_SRC: 'https://media.example.org', CSP_EXTRA_CHILD_SRC: 'https://x.example.org' }),
    );
    expect(d.get('object-src')).toEqual(['https://media.example.org']);
    expect(d.get('child-src')).toEqual(['https://x.example.org']);
  });
});
