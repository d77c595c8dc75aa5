// Proxy trust and HTTPS enforcement through the real pipeline: exactly the
// configured hops are believed, a forged X-Forwarded-For entry never becomes
// the client address, and a TLS-terminating proxy causes no redirect loop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbeApp, STRONG_SECRET, type ProbeApp } from './helpers.js';

const PRODUCTION = {
  APP_ENV: 'production',
  SECRET_KEY: STRONG_SECRET,
  RATELIMIT_ENABLED: 'false',
  SERVER_NAME: 'maths.example.org',
};

async function seen(t: ProbeApp, headers: Record<string, string>) {
  const res = await t.app.inject({ url: '/__t/request', headers });
  expect(res.statusCode).toBe(200);
  return res.json<{ clientIp: string; isSecure: boolean; publicHost: string }>();
}

describe("proxy trust with one hop declared (the probe app's PROXY_FIX_* = 1)", () => {
  let t: ProbeApp;
  beforeAll(async () => {
    t = await createProbeApp('sqlite');
  });
  afterAll(async () => {
    await t.close();
  });

  it('takes the client address, scheme, host and port from the proxy', async () => {
    expect(
      await seen(t, {
        'x-forwarded-for': '203.0.113.5',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'maths.example.org',
        'x-forwarded-port': '8443',
      }),
    ).toEqual(
      expect.objectContaining({ clientIp: '203.0.113.5', isSecure: true, publicHost: 'maths.example.org:8443' }),
    );
  });

  it('a spoofed extra X-Forwarded-For entry from the client never becomes the client address', async () => {
    // The client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended the address it saw.
    expect((await seen(t, { 'x-forwarded-for': '1.1.1.1, 203.0.113.5' })).clientIp).toBe('203.0.113.5');
    expect((await seen(t, { 'x-forwarded-for': '1.1.1.1, 9.9.9.9, 203.0.113.5' })).clientIp).toBe('203.0.113.5');
  });

  it('a forged "https" in front of the proxy\'s own value does not make the request secure', async () => {
    expect((await seen(t, { 'x-forwarded-proto': 'https, http' })).isSecure).toBe(false);
  });

  it('without forwarded headers: the socket address and plain HTTP', async () => {
    expect(await seen(t, {})).toEqual(
      expect.objectContaining({ clientIp: '127.0.0.1', isSecure: false, publicHost: 'localhost' }),
    );
  });

  it('the default port is dropped from the host, as browsers do in Origin', async () => {
    expect(
      (
        await seen(t, {
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'maths.example.org',
          'x-forwarded-port': '443',
        })
      ).publicHost,
    ).toBe('maths.example.org');
    expect((await seen(t, { host: 'maths.example.org:80' })).publicHost).toBe('maths.example.org');
  });

  it('a host header with characters no host has is not echoed', async () => {
    expect((await seen(t, { 'x-forwarded-host': 'evil.example/<script>' })).publicHost).toBe('localhost');
  });
});

describe('proxy trust with two hops (CDN in front of a load balancer)', () => {
  let t: ProbeApp;
  beforeAll(async () => {
    t = await createProbeApp('sqlite', { PROXY_FIX_X_FOR: '2', PROXY_FIX_X_PROTO: '2' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('takes the entry the outer proxy wrote, and ignores the header when it is too short', async () => {
    expect((await seen(t, { 'x-forwarded-for': '1.1.1.1, 203.0.113.5, 10.0.0.7' })).clientIp).toBe('203.0.113.5');
    expect((await seen(t, { 'x-forwarded-for': '10.0.0.7' })).clientIp).toBe('127.0.0.1');
    expect((await seen(t, { 'x-forwarded-proto': 'https, http' })).isSecure).toBe(true);
  });
});

describe('no proxy (all PROXY_FIX_* = 0)', () => {
  let t: ProbeApp;
  beforeAll(async () => {
    t = await createProbeApp('sqlite', {
      PROXY_FIX_X_FOR: '0',
      PROXY_FIX_X_PROTO: '0',
      PROXY_FIX_X_HOST: '0',
      PROXY_FIX_X_PORT: '0',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('believes no forwarded header at all', async () => {
    expect(
      await seen(t, {
        'x-forwarded-for': '203.0.113.5',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-port': '1',
      }),
    ).toEqual(expect.objectContaining({ clientIp: '127.0.0.1', isSecure: false, publicHost: 'localhost' }));
  });
});

describe('HTTPS enforcement in production', () => {
  let t: ProbeApp;
  beforeAll(async () => {
    t = await createProbeApp('sqlite', PRODUCTION);
  });
  afterAll(async () => {
    await t.close();
  });

  it('redirects plain HTTP with 302 to the same address over HTTPS', async () => {
    const res = await t.app.inject({ url: '/__t/request?a=1&b=2', headers: { host: 'maths.example.org' } });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('https://maths.example.org/__t/request?a=1&b=2');
  });

  it('a form sent over plain HTTP is redirected with 307, keeping its method', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/__t/echo',
      headers: { host: 'maths.example.org' },
      payload: {},
    });
    expect(res.statusCode).toBe(307);
  });

  it('no redirect loop behind a TLS-terminating proxy: X-Forwarded-Proto https from the trusted hop is believed', async () => {
    const res = await t.app.inject({ url: '/__t/request', headers: { 'x-forwarded-proto': 'https' } });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ isSecure: boolean }>().isSecure).toBe(true);
  });

  it('health probes over plain HTTP are answered, not redirected', async () => {
    for (const url of ['/health', '/healthz', '/ready', '/readyz']) {
      expect((await t.app.inject({ url })).statusCode, url).toBe(200);
    }
  });
});

describe('HTTPS enforcement options', () => {
  it('FORCE_HTTPS_PERMANENT answers 301 (308 for forms); SERVER_NAME is the only redirect target', async () => {
    const t = await createProbeApp('sqlite', {
      ...PRODUCTION,
      FORCE_HTTPS_PERMANENT: 'true',
      SERVER_NAME: 'maths.example.org',
    });
    try {
      const get = await t.app.inject({ url: '/x', headers: { host: 'evil.example' } });
      expect(get.statusCode).toBe(301);
      expect(get.headers.location).toBe('https://maths.example.org/x');
      expect((await t.app.inject({ method: 'POST', url: '/__t/echo', payload: {} })).statusCode).toBe(308);
    } finally {
      await t.close();
    }
  });

  it('SERVER_NAME is the host of the redirect whatever Host or X-Forwarded-Host say', async () => {
    const t = await createProbeApp('sqlite', PRODUCTION);
    try {
      for (const headers of [
        { host: 'evil.example' },
        { 'x-forwarded-host': 'evil.example' },
        { host: 'evil.example', 'x-forwarded-host': 'evil.example:8080' },
      ]) {
        const res = await t.app.inject({ url: '/a/b?c=1', headers });
        expect(res.statusCode).toBe(302);
        expect(res.headers.location).toBe('https://maths.example.org/a/b?c=1');
      }
    } finally {
      await t.close();
    }
  });

  it("with PROXY_FIX_X_PROTO=0 the proxy's https is not believed (the misconfiguration behind redirect loops)", async () => {
    const t = await createProbeApp('sqlite', { ...PRODUCTION, PROXY_FIX_X_PROTO: '0' });
    try {
      expect((await t.app.inject({ url: '/', headers: { 'x-forwarded-proto': 'https' } })).statusCode).toBe(302);
    } finally {
      await t.close();
    }
  });

  it.each(['development', 'testing'])('%s serves plain HTTP without redirecting', async (profile) => {
    const t = await createProbeApp('sqlite', { APP_ENV: profile, RATELIMIT_ENABLED: 'false' });
    try {
      expect((await t.app.inject({ url: '/__t/request' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('HTTPS redirect without SERVER_NAME (FORCE_HTTPS in development)', () => {
  let t: ProbeApp;
  beforeAll(async () => {
    t = await createProbeApp('sqlite', {
      APP_ENV: 'development',
      FORCE_HTTPS: 'true',
      RATELIMIT_ENABLED: 'false',
      HOST: 'maths.lan',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    [{ host: 'evil.example' }],
    [{ host: 'evil.example:3000' }],
    [{ host: 'localhost.evil.example' }],
    [{ host: 'localhost', 'x-forwarded-host': 'evil.example' }],
  ])('never sends the client to a host it named itself (%o): 400, no redirect', async (headers) => {
    const res = await t.app.inject({ url: '/x?y=1', headers: { accept: 'text/html', ...headers } });
    expect(res.statusCode).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.body).not.toContain('evil.example');
  });

  it.each([
    ['localhost:3000', 'https://localhost/x?y=1'],
    ['127.0.0.1:3000', 'https://127.0.0.1/x?y=1'],
    ['[::1]:3000', 'https://[::1]/x?y=1'],
    ['maths.lan:3000', 'https://maths.lan/x?y=1'],
  ])("redirects the machine's own names (Host: %s → %s)", async (host, location) => {
    const res = await t.app.inject({ url: '/x?y=1', headers: { host } });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(location);
  });
});
