// Backups: SQLite through its online backup API (consistent while the server
// runs), PostgreSQL through pg_dump/pg_restore when the client tools exist.
import { execFile } from 'node:child_process';
import { mkdirSync, openSync, readSync, closeSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import type { Config } from '../config/index.js';
import type { DatabaseHandle } from '../db/index.js';

const run = promisify(execFile);

export class BackupError extends Error {}

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
      throw new BackupError(`${tool} is not installed. Install the PostgreSQL client tools (Debian: apt-get install postgresql-client) or use your provider's backups.`);
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
  return file;
}

export async function restoreDatabase(config: Config, handle: DatabaseHandle, file: string): Promise<void> {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist.`);
  if (handle.dialect === 'sqlite') {
    if (!header(file, 16).equals(Buffer.from('SQLite format 3\0'))) throw new BackupError(`${file} is not a SQLite backup.`);
    // Copy the backup into the live database through the backup API, page by page, under SQLite's locks.
    const source = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
    try {
      await source.backup(config.database.url);
    } finally {
      source.close();
    }
    return;
  }
  if (!header(file, 5).equals(Buffer.from('PGDMP'))) throw new BackupError(`${file} is not a pg_dump custom-format backup.`);
  await pgTool('pg_restore', ['--clean', '--if-exists', '--no-owner', `--dbname=${config.database.url}`, file]);
}
