// `mathsoc uploads:migrate --to database|local`, and backups with database
// storage, run as real processes on SQLite and PostgreSQL: every file copied
// byte for byte, a second run copies nothing, an interrupted copy is finished
// by the next run, a missing source file is reported without stopping the
// others, and the source is never deleted.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/index.js';
import { saveUpload } from '../../../src/domain/content/uploads.js';
import { CHUNK_SIZE, DatabaseUploadStorage } from '../../../src/domain/content/upload-storage.js';
import { pdf, png } from '../../unit/content/sample-files.js';
import { serviceAvailable, TEST_DATABASE_URL } from '../../helpers/services.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', '..', 'bin', 'mathsoc.js');

async function mathsoc(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const dialects = [
  { dialect: 'sqlite' as const, available: true },
  { dialect: 'postgres' as const, available: await serviceAvailable('postgres') },
];

describe.each(dialects.filter((d) => d.available))('uploads:migrate on $dialect', ({ dialect }) => {
  const pgName = `uploads_migrate_test_${process.pid}`;
  let dir: string;
  let databaseUrl: string;
  let handle: DatabaseHandle;
  const files = { big: png(2, 2, CHUNK_SIZE + 1000), small: png(3, 3), doc: pdf() };
  const names: Record<keyof typeof files, string> = { big: '', small: '', doc: '' };
  let lostName = '';

  const env = (storage: 'local' | 'database', uploadDir = join(dir, 'uploads')) => ({
    APP_ENV: 'development',
    DATABASE_URL: databaseUrl,
    UPLOAD_DIR: uploadDir,
    UPLOAD_STORAGE: storage,
    BACKUP_DIR: join(dir, 'backups'),
  });
  const inDatabase = async (name: string) => {
    const opened = await new DatabaseUploadStorage(handle.db).open(name);
    if (!opened) return null;
    const chunks: Buffer[] = [];
    for await (const c of opened.stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  async function pgAdmin(q: string) {
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-uploads-migrate-'));
    if (dialect === 'postgres') {
      await pgAdmin(`drop database if exists ${pgName}`);
      await pgAdmin(`create database ${pgName}`);
      const url = new URL(TEST_DATABASE_URL);
      url.pathname = `/${pgName}`;
      databaseUrl = url.toString();
    } else {
      databaseUrl = `sqlite:${join(dir, 'dev_test.db')}`;
    }
    const config = loadConfig(env('local'));
    handle = openDatabase(config.database);
    await migrateToLatest(handle.db);
    // Files uploaded while UPLOAD_STORAGE was local, and one whose file was lost since.
    for (const key of Object.keys(files) as Array<keyof typeof files>) {
      const row = await saveUpload(
        handle.db,
        { buffer: files[key], originalName: `${key}.bin`, allowed: ['image', 'pdf'], createdBy: null },
        config.uploads,
      );
      names[key] = row.stored_name;
    }
    const lost = await saveUpload(
      handle.db,
      { buffer: png(4, 4), originalName: 'lost.png', allowed: ['image'], createdBy: null },
      config.uploads,
    );
    lostName = lost.stored_name;
    rmSync(join(dir, 'uploads', lostName));
  });
  afterAll(async () => {
    await handle.close();
    if (dialect === 'postgres') await pgAdmin(`drop database if exists ${pgName}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies every file into the database, reports the missing one, and deletes nothing', async () => {
    const res = await mathsoc(['uploads:migrate', '--to', 'database'], env('local'));
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(`missing  ${lostName}`);
    expect(res.stdout).toMatch(
      /Uploads: 4 recorded, 3 copied \([\d.]+ MB, sizes and SHA-256 checked\), 0 already there, 1 missing from the source, 0 failed\./,
    );
    expect(res.stdout).toContain(`Nothing was deleted from the directory ${join(dir, 'uploads')}.`);
    expect(res.stdout).toContain('Now set UPLOAD_STORAGE=database and restart the server');
    expect(res.stderr).toContain('1 file(s) are not in the database');
    for (const key of Object.keys(files) as Array<keyof typeof files>) {
      expect((await inDatabase(names[key]))?.equals(files[key])).toBe(true);
      expect(readFileSync(join(dir, 'uploads', names[key])).equals(files[key])).toBe(true);
    }
    expect(await inDatabase(lostName)).toBeNull();
    const slices = await handle.db
      .selectFrom('upload_chunks')
      .select('seq')
      .where('stored_name', '=', names.big)
      .execute();
    expect(slices).toHaveLength(2);
  });

  it('copies nothing the second time, and finishes a copy that is not there yet', async () => {
    const again = await mathsoc(['uploads:migrate', '--to', 'database'], env('database'));
    expect(again.stdout).toMatch(/Uploads: 4 recorded, 0 copied .*, 3 already there, 1 missing/);
    expect(again.stdout).toContain('UPLOAD_STORAGE is already database.');

    // The record of the lost file goes; one file's bytes are not in the database yet.
    await handle.db.deleteFrom('uploads').where('stored_name', '=', lostName).execute();
    await handle.db.deleteFrom('upload_files').where('stored_name', '=', names.small).execute();
    const resumed = await mathsoc(['uploads:migrate', '--to', 'database'], env('database'));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(
      /Uploads: 3 recorded, 1 copied .*, 2 already there, 0 missing from the source, 0 failed\./,
    );
    expect((await inDatabase(names.small))?.equals(files.small)).toBe(true);
  });

  it('copies every file back to an empty directory, byte for byte, keeping the database copy', async () => {
    const back = join(dir, 'uploads-back');
    const res = await mathsoc(['uploads:migrate', '--to', 'local'], env('database', back));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(
      /Uploads: 3 recorded, 3 copied .*, 0 already there, 0 missing from the source, 0 failed\./,
    );
    expect(res.stdout).toContain('Nothing was deleted from the database.');
    expect(res.stdout).toContain('Now set UPLOAD_STORAGE=local');
    expect(readdirSync(back).sort()).toEqual(Object.values(names).sort());
    for (const key of Object.keys(files) as Array<keyof typeof files>) {
      expect(readFileSync(join(back, names[key])).equals(files[key])).toBe(true);
      expect((await inDatabase(names[key]))?.equals(files[key])).toBe(true);
    }
    const again = await mathsoc(['uploads:migrate', '--to', 'local'], env('local', back));
    expect(again.stdout).toMatch(/Uploads: 3 recorded, 0 copied .*, 3 already there/);
    expect(again.stdout).toContain('UPLOAD_STORAGE is already local.');
  });

  it('refuses an unknown storage and changes nothing', async () => {
    const res = await mathsoc(['uploads:migrate', '--to', 's3'], env('database'));
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--to must be "database" or "local", not "s3".');
  });

  it('backs up with database storage: the files travel inside the database backup', async () => {
    const file = join(dir, 'backups', dialect === 'sqlite' ? 'b.sqlite3' : 'b.pgdump');
    const backup = await mathsoc(['db:backup', '--out', file], env('database', join(dir, 'empty-dir')));
    if (backup.stderr.includes('is not installed')) return; // no pg_dump here: cli.test.ts covers that message
    expect(backup.code, backup.stderr).toBe(0);
    expect(readdirSync(join(dir, 'backups'))).toEqual([file.split('/').pop()]);
    await handle.db.deleteFrom('uploads').execute();
    expect(await inDatabase(names.big)).toBeNull();
    const restore = await mathsoc(['db:restore', '--from', file], env('database', join(dir, 'empty-dir')));
    expect(restore.code, restore.stderr).toBe(0);
    // Restored where UPLOAD_STORAGE is local, the operator is told where the files are.
    const asLocal = await mathsoc(['db:restore', '--from', file], env('local', join(dir, 'empty-dir')));
    expect(asLocal.code, asLocal.stderr).toBe(0);
    expect(asLocal.stdout).toContain(
      'The backup holds 3 uploaded file(s) in the database, but UPLOAD_STORAGE is local: set UPLOAD_STORAGE=database',
    );
    if (dialect === 'postgres') {
      // pg_restore recreated the tables: open a fresh pool.
      await handle.close();
      handle = openDatabase(loadConfig(env('database')).database);
    }
    for (const key of Object.keys(files) as Array<keyof typeof files>) {
      expect((await inDatabase(names[key]))?.equals(files[key])).toBe(true);
    }
  });
});
