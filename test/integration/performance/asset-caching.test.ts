// What browsers are told about keeping static files: the content-hashed
// bundles under /assets for a year without asking again, everything whose
// name does not change with its content only for a day, and never a missing
// file for long.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_DIR } from '../../../src/web/assets.js';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';

const YEAR = 'public, max-age=31536000, immutable';
const DAY = 'public, max-age=86400';

describe('static file caching', () => {
  let t: TestApp;
  let visitor: TestClient;
  let student: TestClient;
  const manifest = JSON.parse(readFileSync(join(PUBLIC_DIR, 'assets', 'manifest.json'), 'utf8')) as Record<
    string,
    string
  >;
  const chunk = readdirSync(join(PUBLIC_DIR, 'assets', 'chunks')).find((f) => f.endsWith('.js'));

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    visitor = t.client();
    student = t.client();
    await student.loginAs(await t.createUser());
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends every hashed bundle with a one-year immutable Cache-Control, to visitors and signed-in users', async () => {
    const hashed = [...Object.values(manifest), ...(chunk ? [`chunks/${chunk}`] : [])];
    expect(hashed.some((f) => f.endsWith('.js')) && hashed.some((f) => f.endsWith('.css'))).toBe(true);
    for (const file of hashed) {
      for (const client of [visitor, student]) {
        const res = await client.get(`/assets/${file}`);
        expect(res.statusCode, file).toBe(200);
        expect(res.headers['cache-control'], file).toBe(YEAR);
      }
    }
  });

  it('keeps the year on a revalidation answered with 304', async () => {
    const url = `/assets/${manifest['site.css']}`;
    const first = await visitor.get(url);
    const again = await visitor.get(url, { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.headers['cache-control']).toBe(YEAR);
  });

  it('caches files whose name does not change with their content for a day only', async () => {
    const font = readdirSync(join(PUBLIC_DIR, 'assets', 'fonts')).find((f) => f.endsWith('.woff2'));
    for (const url of ['/favicon.svg', '/assets/manifest.json', `/assets/fonts/${font}`]) {
      const res = await visitor.get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe(DAY);
    }
  });

  it('never tells a browser to keep a missing asset', async () => {
    const res = await visitor.get('/assets/editor-AAAAAAAA.js');
    expect(res.statusCode).toBe(404);
    expect(String(res.headers['cache-control'] ?? '')).not.toMatch(/max-age=[1-9]|immutable/);
  });
});
