// Which database the benchmark uses, and the guards that keep it from ever
// touching real data: a benchmark database is one the generator created (it
// carries a marker row in `settings`) or an empty one, and on PostgreSQL its
// name must say "bench" or "test".
import { existsSync, rmSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { databaseFromEnv, resolveProfile, type DatabaseConfig } from '../../src/config/index.js';
import { looksLikeTestDatabase } from '../../src/db/index.js';

const DEFAULT_BENCH_DATABASE = 'sqlite:./data/bench.db';
/** Key of the marker row the generator writes into `settings`. */
export const MARKER_KEY = 'bench.dataset';

export interface DatasetMarker {
  users: number;
  submissions: number;
  challenges: number;
  articles: number;
  seed: number;
  generatedAt: string;
  counts: Record<string, number>;
  seconds: number;
}

export class BenchTargetError extends Error {}

/** The database from DATABASE_URL, or the default benchmark SQLite file. */
export function benchDatabase(env: Record<string, string | undefined> = process.env): DatabaseConfig {
  if (resolveProfile(env) === 'production') {
    throw new BenchTargetError(
      'refusing to run: the environment says production. The benchmark writes to its database; point DATABASE_URL at a dedicated benchmark database and unset APP_ENV.',
    );
  }
  const url = env.DATABASE_URL?.trim() || DEFAULT_BENCH_DATABASE;
  const config = databaseFromEnv({ DATABASE_URL: url }, 'development');
  if (config.dialect === 'sqlite' && config.url === ':memory:') {
    throw new BenchTargetError(
      'the benchmark needs a database file that the server process can open: use sqlite:./data/bench.db or a postgres:// URL',
    );
  }
  if (config.dialect === 'postgres' && !/bench/i.test(config.name) && !looksLikeTestDatabase(config)) {
    throw new BenchTargetError(
      `refusing to use PostgreSQL database "${config.name}": its name must contain "bench" or "test" (e.g. postgres://postgres@127.0.0.1:5432/mathsoc_bench)`,
    );
  }
  return config;
}

export function describeDatabase(config: DatabaseConfig): string {
  if (config.dialect === 'sqlite') return `SQLite ${config.url}`;
  const u = new URL(config.url);
  return `PostgreSQL ${u.host}${u.pathname}`;
}

type State = { kind: 'missing' } | { kind: 'empty' } | { kind: 'bench'; marker: DatasetMarker } | { kind: 'foreign' };

async function sqliteState(file: string): Promise<State> {
  if (!existsSync(file)) return { kind: 'missing' };
  const conn = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const tables = conn
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
      .all() as { name: string }[];
    if (tables.length === 0) return { kind: 'empty' };
    if (!tables.some((t) => t.name === 'settings')) return { kind: 'foreign' };
    const row = conn.prepare('select value from settings where key = ?').get(MARKER_KEY) as
      { value: string } | undefined;
    return row ? { kind: 'bench', marker: JSON.parse(row.value) as DatasetMarker } : { kind: 'foreign' };
  } finally {
    conn.close();
  }
}

async function withPg<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function postgresState(url: string): Promise<State> {
  try {
    return await withPg(url, async (client) => {
      const tables = await client.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
      );
      if (tables.rowCount === 0) return { kind: 'empty' };
      if (!tables.rows.some((t) => t.table_name === 'settings')) return { kind: 'foreign' };
      const row = await client.query<{ value: string }>('select value from settings where key = $1', [MARKER_KEY]);
      return row.rows[0]
        ? { kind: 'bench', marker: JSON.parse(row.rows[0].value) as DatasetMarker }
        : { kind: 'foreign' };
    });
  } catch (err) {
    if ((err as { code?: string }).code === '3D000') return { kind: 'missing' };
    throw err;
  }
}

async function databaseState(config: DatabaseConfig): Promise<State> {
  return config.dialect === 'sqlite' ? sqliteState(config.url) : postgresState(config.url);
}

/** The marker of the dataset in the database, or null when it holds none. */
export async function existingDataset(config: DatabaseConfig): Promise<DatasetMarker | null> {
  const state = await databaseState(config);
  if (state.kind === 'foreign') {
    throw new BenchTargetError(
      `${describeDatabase(config)} holds data that the benchmark generator did not create; refusing to use it`,
    );
  }
  return state.kind === 'bench' ? state.marker : null;
}

/**
 * Empties the benchmark database so a new dataset can be generated: removes the
 * SQLite file, or drops and recreates the current PostgreSQL schema (creating
 * the database first when it does not exist). Refuses anything it did not create.
 */
export async function resetDatabase(config: DatabaseConfig): Promise<void> {
  const state = await databaseState(config);
  if (state.kind === 'foreign') {
    throw new BenchTargetError(
      `${describeDatabase(config)} holds data that the benchmark generator did not create; refusing to overwrite it`,
    );
  }
  if (config.dialect === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${config.url}${suffix}`, { force: true });
    return;
  }
  if (state.kind === 'missing') {
    const maintenance = new URL(config.url);
    maintenance.pathname = '/postgres';
    maintenance.search = '';
    await withPg(maintenance.toString(), (client) =>
      client.query(`create database "${config.name.replace(/"/g, '""')}"`),
    );
    return;
  }
  await withPg(config.url, async (client) => {
    const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
    const schema = `"${rows[0]!.schema.replace(/"/g, '""')}"`;
    await client.query(`drop schema ${schema} cascade`);
    await client.query(`create schema ${schema}`);
  });
}
