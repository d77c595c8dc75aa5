// Backups: SQLite through its online backup API (consistent while the server
// runs), PostgreSQL through pg_dump/pg_restore when the client tools exist.
// Uploaded files come along: with UPLOAD_STORAGE=database they are rows of the
// database itself; with local storage UPLOAD_DIR is copied beside the backup.
import { execFile } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import type { Config } from '../config/index.js';
import type { DatabaseHandle } from '../db/index.js';

const run = promisify(execFile);

class BackupError extends Error {}

function stamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

function header(file: string, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, 0);
    return buf;
  } finally {
    closeSync(fd);
  }
}

async function pgTool(tool: 'pg_dump' | 'pg_restore', args: string[]): Promise<void> {
  try {
    await run(tool, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new BackupError(
        `${tool} is not installed. Install the PostgreSQL client tools (Debian: apt-get install postgresql-client) or use your provider's backups.`,
      );
    }
    throw new BackupError(`${tool} failed: ${(e.stderr ?? e.message).trim().split('\n')[0]}`);
  }
}

export async function backupDatabase(config: Config, handle: DatabaseHandle, out?: string): Promise<string> {
  const ext = handle.dialect === 'sqlite' ? 'sqlite3' : 'pgdump';
  const file = out ?? join(config.ops.backupDir, `mathsoc-${stamp()}.${ext}`);
  mkdirSync(dirname(file), { recursive: true });
  if (handle.dialect === 'sqlite') {
    await handle.sqlite!.backup(file);
  } else {
    await pgTool('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${config.database.url}`]);
  }
  // With local storage the uploaded images and PDFs live outside the database; a
  // backup without them would restore articles whose files are gone. With database
  // storage they are in the backup already, and UPLOAD_DIR is not theirs.
  if (config.uploads.storage === 'local' && existsSync(config.uploads.dir)) {
    cpSync(config.uploads.dir, uploadsCopy(file), { recursive: true });
  }
  return file;
}

/** Where a backup keeps its copy of UPLOAD_DIR: beside the database file. */
const uploadsCopy = (file: string): string => `${file}.uploads`;

/** Puts a backup's copy of UPLOAD_DIR back; returns what the operator should know. */
async function restoreUploads(config: Config, handle: DatabaseHandle, file: string): Promise<string[]> {
  const copy = uploadsCopy(file);
  if (!existsSync(copy)) {
    if (config.uploads.storage === 'database') return [];
    // A backup made with database storage: its files came back inside the database.
    const inDatabase = await handle.db
      .selectFrom('upload_files')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n))
      .catch(() => 0);
    return inDatabase > 0
      ? [
          `The backup holds ${inDatabase} uploaded file(s) in the database, but UPLOAD_STORAGE is local: ` +
            'set UPLOAD_STORAGE=database, or run `mathsoc uploads:migrate --to local`.',
        ]
      : [];
  }
  rmSync(config.uploads.dir, { recursive: true, force: true });
  cpSync(copy, config.uploads.dir, { recursive: true });
  const restored = `Uploaded files restored to ${config.uploads.dir}.`;
  return config.uploads.storage === 'database'
    ? [`${restored} UPLOAD_STORAGE is database: run \`mathsoc uploads:migrate --to database\` to copy them in.`]
    : [restored];
}

/** Replaces the database (and the uploaded files) with a backup; returns notes for the operator. */
export async function restoreDatabase(config: Config, handle: DatabaseHandle, file: string): Promise<string[]> {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist.`);
  if (handle.dialect === 'sqlite') {
    if (!header(file, 16).equals(Buffer.from('SQLite format 3\0')))
      throw new BackupError(`${file} is not a SQLite backup.`);
    // Copy the backup into the live database through the backup API, page by page, under SQLite's locks.
    const source = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
    try {
      await source.backup(config.database.url);
    } finally {
      source.close();
    }
    return restoreUploads(config, handle, file);
  }
  if (!header(file, 5).equals(Buffer.from('PGDMP')))
    throw new BackupError(`${file} is not a pg_dump custom-format backup.`);
  await pgTool('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${config.database.url}`, file]);
  return restoreUploads(config, handle, file);
}
