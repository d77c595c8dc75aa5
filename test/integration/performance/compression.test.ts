// Compressed pages: every HTML page (error pages included) comes back in
// brotli or gzip when the browser offers it, decodes to the page a browser
// without compression gets, and says Vary: accept-encoding either way. What
// is compressed already (uploaded images) and what was asked for plainly is
// sent as it is.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { png } from '../../unit/content/sample-files.js';
import { STRONG_SECRET } from '../../security/helpers.js';
import { seedData } from '../../security/routes.js';
import { postMultipart } from '../content/multipart.js';

const DECODE: Record<string, (body: Buffer) => Buffer> = { br: brotliDecompressSync, gzip: gunzipSync };

/** The page with what differs in every response (masked tokens, CSP nonces) taken out. */
function stable(html: string): string {
  return html
    .replace(/(name="csrf-token" content=|name="_csrf" value=)"[^"]+"/g, '$1"TOKEN"')
    .replace(/nonce="[^"]+"/g, 'nonce="NONCE"');
}

function decoded(res: LightMyRequestResponse): string {
  const encoding = String(res.headers['content-encoding']);
  return DECODE[encoding]!(res.rawPayload).toString('utf8');
}

function variesOnEncoding(res: LightMyRequestResponse): boolean {
  return String(res.headers.vary ?? '')
    .split(',')
    .some((v) => v.trim().toLowerCase() === 'accept-encoding');
}

describe.each(await availableDialects())('compressed pages on %s', (dialect) => {
  let t: TestApp;
  let student: TestClient;
  let admin: TestClient;
  let pages: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp(dialect, {
      APP_ENV: 'production',
      SECRET_KEY: STRONG_SECRET,
      RATELIMIT_ENABLED: 'false',
      SERVER_NAME: 'localhost',
    });
    await seedData(t);
    const challenge = await t.db.selectFrom('challenges').select('id').executeTakeFirstOrThrow();
    const article = await t.db
      .selectFrom('articles')
      .select('id')
      .where('type', '=', 'article')
      .executeTakeFirstOrThrow();
    pages = {
      home: '/',
      'challenge list': '/challenges',
      'challenge page': `/challenges/${challenge.id}`,
      leaderboard: '/leaderboard?ks=KS4',
      article: `/articles/${article.id}`,
    };
    student = t.client({ https: true });
    await student.loginAs(await t.createUser({ keyStage: 'KS4', yearGroup: 10 }));
    admin = t.client({ https: true });
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends each page in brotli or gzip as offered, decoding to the same HTML as the plain page', async () => {
    // Signed in, and a visitor on the page that reflects part of the address.
    const visits = [
      ...Object.entries(pages).map(([name, url]) => [name, url, student] as const),
      ['login', '/login?next=%2Fchallenges', t.client({ https: true })] as const,
    ];
    for (const [name, url, client] of visits) {
      const plain = await client.get(url);
      expect(plain.statusCode, name).toBe(200);
      expect(plain.headers['content-type'], name).toContain('text/html');
      expect(plain.headers['content-encoding'], name).toBeUndefined();
      expect(variesOnEncoding(plain), name).toBe(true);
      for (const [offer, encoding] of [
        ['gzip, deflate, br', 'br'],
        ['br', 'br'],
        ['gzip', 'gzip'],
        ['gzip;q=1, br;q=0.5', 'gzip'],
      ] as const) {
        const res = await client.get(url, { 'accept-encoding': offer });
        expect(res.statusCode, `${name} ${offer}`).toBe(200);
        expect(res.headers['content-encoding'], `${name} ${offer}`).toBe(encoding);
        expect(variesOnEncoding(res), `${name} ${offer}`).toBe(true);
        expect(res.headers['cache-control'], name).toMatch(/no-store/);
        expect(res.rawPayload.length, name).toBeLessThan(plain.rawPayload.length * 0.6);
        expect(stable(decoded(res)), `${name} ${offer}`).toBe(stable(plain.body));
      }
    }
  });

  it('sends nothing compressed without Accept-Encoding, or with identity only', async () => {
    const asked: Array<Record<string, string>> = [
      {},
      { 'accept-encoding': 'identity' },
      { 'accept-encoding': 'br;q=0, gzip;q=0' },
    ];
    for (const headers of asked) {
      const res = await student.get('/challenges', headers);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.body).toContain('<html');
      expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    }
  });

  it('compresses the error pages: not found and the refused form', async () => {
    const notFound = await student.get('/no/such/page', { 'accept-encoding': 'br' });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.headers['content-encoding']).toBe('br');
    expect(Number(notFound.headers['content-length'])).toBe(notFound.rawPayload.length);
    expect(variesOnEncoding(notFound)).toBe(true);
    expect(decoded(notFound)).toContain('There is nothing at this address');
    const plainNotFound = await student.get('/no/such/page');
    expect(plainNotFound.headers['content-encoding']).toBeUndefined();
    expect(stable(decoded(notFound))).toBe(stable(plainNotFound.body));

    const refused = await student.post(
      '/profile/sessions/revoke-others',
      {},
      { csrf: 'forged', headers: { 'accept-encoding': 'gzip' } },
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-encoding']).toBe('gzip');
    expect(decoded(refused)).toContain('security token');
  });

  it('sends an uploaded image as it is: its format is compressed already', async () => {
    const image = png(2, 2, 8000);
    const up = await postMultipart(
      t,
      admin,
      '/admin/uploads/image',
      {},
      [{ field: 'file', name: 'graph.png', data: image, type: 'image/png' }],
      { csrf: 'header', headers: { 'x-forwarded-proto': 'https' } },
    );
    expect(up.statusCode).toBe(201);
    const served = await admin.get(up.json<{ url: string }>().url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['content-encoding']).toBeUndefined();
    expect(served.rawPayload.equals(image)).toBe(true);
  });

  it('the token read from a compressed page is accepted', async () => {
    const page = await student.get('/profile/sessions', { 'accept-encoding': 'br' });
    const token = /<meta name="csrf-token" content="([^"]+)"/.exec(decoded(page))![1]!;
    const res = await student.post(
      '/profile/sessions/revoke-others',
      {},
      { csrf: token, headers: { 'accept-encoding': 'br' } },
    );
    expect(res.statusCode).toBe(303);
  });
});
