// An upload that fails after its file was started leaves nothing behind: not
// when writing the file fails part-way (a file size limit smaller than the
// upload, as on a full disk), nor when the database refuses the row (a full
// SQLite database), which also answers 503 like any outage.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { png } from '../../unit/content/sample-files.js';
import { postMultipart } from './multipart.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const hasBash = spawnSync('bash', ['-c', 'ulimit -f 1024']).status === 0;
if (!hasBash)
  console.warn('\n!!!!! SKIPPING: no bash with ulimit here, so a write cut short cannot be staged. !!!!!\n');

describe.runIf(hasBash)('an upload whose file cannot be written completely', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mathsoc-upload-fail-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('removes the partial file, records nothing and answers with an error', async () => {
    // ulimit -f counts 1024-byte blocks in bash: 1 MiB, against a 3 MiB image.
    // The limit holds for root too, so this runs the same on every machine.
    const run = spawnSync(
      'bash',
      [
        '-c',
        'ulimit -f 1024 && exec "$@"',
        'bash',
        process.execPath,
        '--import',
        'tsx',
        join(import.meta.dirname, 'upload-write-child.ts'),
      ],
      {
        cwd: ROOT,
        env: { ...process.env, UPLOAD_DIR: dir, TSX_DISABLE_CACHE: '1' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    const line = run.stdout.trim().split('\n').pop() ?? '';
    expect(line, run.stderr).toMatch(/^\{/);
    const result = JSON.parse(line) as { status: number; body: string; rows: number };
    expect(result.status).toBeGreaterThanOrEqual(500);
    expect(JSON.parse(result.body)).toEqual({ error: expect.any(String) as unknown });
    expect(result.rows).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('an upload the database cannot record', () => {
  let t: TestApp;
  let dir: string;
  let admin: TestClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mathsoc-upload-full-'));
    t = await createTestApp('sqlite', { UPLOAD_DIR: dir, RATELIMIT_ENABLED: 'false' });
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 when the database is full, leaving no file and no row', async () => {
    const sqlite = t.database.sqlite!;
    sqlite.exec('vacuum');
    sqlite.pragma(`max_page_count = ${Number(sqlite.pragma('page_count', { simple: true }))}`);
    // Fill the uploads table's pages with tiny rows until SQLite says it is full.
    const fill = sqlite.prepare(
      "insert into uploads (stored_name, original_name, mime, kind, size, created_at) values (?, '', '', '', 0, '')",
    );
    for (let i = 0; ; i++) {
      try {
        fill.run(`f${i}`);
      } catch (err) {
        expect((err as { code?: string }).code).toBe('SQLITE_FULL');
        break;
      }
    }
    const before = sqlite.prepare('select count(*) as n from uploads').get() as { n: number };
    const res = await postMultipart(
      t,
      admin,
      '/admin/uploads/image',
      {},
      [{ field: 'file', name: 'graph.png', data: png(2, 2, 20_000), type: 'image/png' }],
      { csrf: 'header' },
    );
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.json()).toEqual({ error: 'The site is briefly unavailable. Please try again in a minute.' });
    expect(sqlite.prepare('select count(*) as n from uploads').get()).toEqual(before);
    expect(await readdir(dir)).toEqual([]);
  });
});
