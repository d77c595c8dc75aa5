// UPLOAD_STORAGE=database: uploads go through the app into the database (in
// slices), come back byte for byte from GET /uploads/:name on SQLite and
// PostgreSQL, never touch UPLOAD_DIR, and leave no bytes behind when refused,
// rolled back or deleted. A second app on the same database with another
// UPLOAD_DIR serves the same files.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { recordUpload, storeUploadFile } from '../../../src/domain/content/uploads.js';
import { CHUNK_SIZE } from '../../../src/domain/content/upload-storage.js';
import { createTestApp, ONE_PROXY, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { pdf, png, svg } from '../../unit/content/sample-files.js';
import { postMultipart } from './multipart.js';

describe.each(await availableDialects())('database upload storage on %s', (dialect) => {
  let t: TestApp;
  let dir: string;
  let admin: TestClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mathsoc-upload-db-'));
    t = await createTestApp(dialect, { UPLOAD_STORAGE: 'database', UPLOAD_DIR: dir, MAX_UPLOAD_MB: '2' });
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await t.db.deleteFrom('articles').execute();
    await t.db.deleteFrom('challenges').execute();
    await t.db.deleteFrom('uploads').execute();
  });

  const uploadImage = (name: string, data: Buffer) =>
    postMultipart(t, admin, '/admin/uploads/image', {}, [{ field: 'file', name, data, type: 'image/png' }], {
      csrf: 'header',
    });
  const bytesRows = async () => ({
    files: (await t.db.selectFrom('upload_files').select('stored_name').execute()).length,
    chunks: (await t.db.selectFrom('upload_chunks').select('seq').execute()).length,
  });
  // Larger than two slices, and not a whole number of them.
  const big = png(2, 2, 2 * CHUNK_SIZE + 12_345);

  it('stores an image larger than one slice in the database and serves it back byte for byte', async () => {
    const res = await uploadImage('big graph.png', big);
    expect(res.statusCode).toBe(201);
    const { url } = res.json<{ url: string }>();
    const name = url.slice('/uploads/'.length);
    expect(await readdir(dir)).toEqual([]);
    const file = await t.db.selectFrom('upload_files').selectAll().where('stored_name', '=', name).executeTakeFirst();
    expect(file).toMatchObject({ size: big.length, chunk_size: CHUNK_SIZE });
    const slices = await t.db
      .selectFrom('upload_chunks')
      .select(['seq', 'data'])
      .where('stored_name', '=', name)
      .orderBy('seq')
      .execute();
    expect(slices.map((s) => [s.seq, Buffer.from(s.data).length])).toEqual([
      [0, CHUNK_SIZE],
      [1, CHUNK_SIZE],
      [2, big.length - 2 * CHUNK_SIZE],
    ]);

    const served = await t.client().get(url);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['content-length']).toBe(String(big.length));
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-disposition']).toMatch(/^inline; filename="big graph.png"/);
    expect(served.headers['content-security-policy']).toContain('sandbox');
    expect(served.headers['cache-control']).toBe('private, max-age=3600');
    expect(served.rawPayload.equals(big)).toBe(true);
  });

  it('serves a newsletter PDF from the database, inline and as a download, and deletes its bytes with it', async () => {
    const bigPdf = Buffer.concat([pdf().subarray(0, 9), png(2, 2, CHUNK_SIZE + 1).subarray(8), pdf().subarray(9)]);
    const res = await postMultipart(
      t,
      admin,
      '/admin/articles',
      { type: 'newsletter', title: 'Spring', author_name: 'Ada', content_html: '' },
      [{ field: 'pdf', name: 'spring.pdf', data: bigPdf, type: 'application/pdf' }],
    );
    expect(res.statusCode).toBe(303);
    const upload = await t.db.selectFrom('uploads').selectAll().executeTakeFirstOrThrow();
    const inline = await t.client().get(`/uploads/${upload.stored_name}`);
    expect(inline.statusCode).toBe(200);
    expect(inline.headers['content-type']).toBe('application/pdf');
    expect(inline.rawPayload.equals(bigPdf)).toBe(true);
    const download = await t.client().get(`/uploads/${upload.stored_name}?download=1`);
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="spring.pdf"/);
    expect(download.rawPayload.equals(bigPdf)).toBe(true);
    expect(await bytesRows()).toEqual({ files: 1, chunks: 2 });

    const article = await t.db.selectFrom('articles').select('id').executeTakeFirstOrThrow();
    const deleted = await admin.post(`/admin/articles/${article.id}/delete`, {});
    expect(deleted.statusCode).toBe(303);
    expect(await bytesRows()).toEqual({ files: 0, chunks: 0 });
    expect((await t.client().get(`/uploads/${upload.stored_name}`)).statusCode).toBe(404);
  });

  it('serves a challenge image from the database and drops the old bytes when the image is replaced', async () => {
    const now = new Date().toISOString();
    const challenge = await t.db
      .insertInto('challenges')
      .values({
        title: 'Areas',
        content_html: '<p>Find the area.</p>',
        key_stage: 'KS4',
        release_at: now,
        attempts_per_box: 3,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const setImage = (data: Buffer) =>
      postMultipart(t, admin, `/admin/challenges/${challenge.id}/image`, {}, [
        { field: 'image', name: 'area.png', data, type: 'image/png' },
      ]);
    expect((await setImage(big)).statusCode).toBe(303);
    const served = await admin.get(`/challenges/${challenge.id}/image`);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-length']).toBe(String(big.length));
    expect(served.rawPayload.equals(big)).toBe(true);

    const small = png(3, 3);
    expect((await setImage(small)).statusCode).toBe(303);
    expect((await admin.get(`/challenges/${challenge.id}/image`)).rawPayload.equals(small)).toBe(true);
    expect(await bytesRows()).toEqual({ files: 1, chunks: 1 });
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps no bytes of a refused upload', async () => {
    for (const [name, data] of [
      ['logo.svg', svg()],
      ['huge.png', png(2, 2, 2 * 1024 * 1024)],
      ['../x.png', png()],
    ] as const) {
      const res = await uploadImage(name, data);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(await t.db.selectFrom('uploads').select('id').execute()).toEqual([]);
      expect(await bytesRows()).toEqual({ files: 0, chunks: 0 });
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps no bytes when the transaction that records the upload fails after writing them', async () => {
    const file = await storeUploadFile(t.config.uploads, { buffer: big, originalName: 'a.png', allowed: ['image'] });
    await expect(
      t.db.transaction().execute(async (trx) => {
        await recordUpload(trx, file, null);
        expect((await trx.selectFrom('upload_chunks').select('seq').execute()).length).toBe(3);
        throw new Error('the record that uses the upload was refused');
      }),
    ).rejects.toThrow(/was refused/);
    expect(await t.db.selectFrom('uploads').select('id').execute()).toEqual([]);
    expect(await bytesRows()).toEqual({ files: 0, chunks: 0 });
  });

  it('answers 404 when a recorded upload has no bytes in the database', async () => {
    const { url } = (await uploadImage('g.png', png())).json<{ url: string }>();
    await t.db.deleteFrom('upload_files').execute();
    expect((await t.client().get(url)).statusCode).toBe(404);
  });

  describe('a second server on the same database with its own UPLOAD_DIR', () => {
    let other: FastifyInstance;
    let otherDir: string;
    beforeAll(async () => {
      otherDir = await mkdtemp(join(tmpdir(), 'mathsoc-upload-db-other-'));
      const config = loadConfig({
        APP_ENV: 'testing',
        SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
        LOG_LEVEL: 'silent',
        ...ONE_PROXY,
        UPLOAD_STORAGE: 'database',
        UPLOAD_DIR: otherDir,
      });
      other = await buildApp(config, { database: t.database, logger: false });
      await other.ready();
    });
    afterAll(async () => {
      await other.close();
      await rm(otherDir, { recursive: true, force: true });
    });

    it('serves the file the first one stored', async () => {
      const { url } = (await uploadImage('shared.png', big)).json<{ url: string }>();
      const res = await other.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(big)).toBe(true);
      expect(await readdir(dir)).toEqual([]);
      expect(await readdir(otherDir)).toEqual([]);
    });
  });
});

describe('database upload storage when the database fills up mid-file', () => {
  let t: TestApp;
  let admin: TestClient;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mathsoc-upload-db-full-'));
    t = await createTestApp('sqlite', { UPLOAD_STORAGE: 'database', UPLOAD_DIR: dir, RATELIMIT_ENABLED: 'false' });
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 and keeps neither the record nor any slice', async () => {
    const sqlite = t.database.sqlite!;
    sqlite.exec('vacuum');
    // Room for the small rows (the record, its file row, the audit entry), not for a slice of 256 KiB.
    sqlite.pragma(`max_page_count = ${Number(sqlite.pragma('page_count', { simple: true })) + 4}`);
    const res = await postMultipart(
      t,
      admin,
      '/admin/uploads/image',
      {},
      [{ field: 'file', name: 'graph.png', data: png(2, 2, CHUNK_SIZE + 10), type: 'image/png' }],
      { csrf: 'header' },
    );
    expect(res.statusCode).toBe(503);
    expect(sqlite.prepare('select count(*) as n from uploads').get()).toEqual({ n: 0 });
    expect(sqlite.prepare('select count(*) as n from upload_files').get()).toEqual({ n: 0 });
    expect(sqlite.prepare('select count(*) as n from upload_chunks').get()).toEqual({ n: 0 });
    expect(await readdir(dir)).toEqual([]);
  });
});
