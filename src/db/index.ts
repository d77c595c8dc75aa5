// One Kysely instance per process, on SQLite (embedded default) or PostgreSQL.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  sql,
  type DatabaseConnection,
  type Driver,
  type LogEvent,
  type MigrationResultSet,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/index.js';
import { unavailability } from '../lib/outage.js';
import { migrations } from './migrations/index.js';
import { cachingStatements } from './statement-cache.js';
import type { Database } from './schema.js';

export type { Database } from './schema.js';
export type Db = Kysely<Database>;
/** The database or an open transaction: for writes that belong to a caller's transaction. */
export type DbOrTrx = Kysely<Database> | Transaction<Database>;

// COUNT(*) and BIGINT come back from pg as strings; every count we make fits a JS number.
pg.types.setTypeParser(20, (v) => Number(v));

export interface DatabaseHandle {
  db: Db;
  dialect: DatabaseConfig['dialect'];
  config: DatabaseConfig;
  /** The raw better-sqlite3 connection (SQLite only), for the online backup API. */
  sqlite: SqliteDatabase.Database | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Called with the SQL of every statement the app runs (the statement-count tests and the benchmark count them). */
  onQuery?: (sql: string) => void;
}

export function openDatabase(config: DatabaseConfig, opts: OpenOptions = {}): DatabaseHandle {
  const onQuery = opts.onQuery;
  const log = onQuery
    ? (event: LogEvent) => {
        if (event.level === 'query') onQuery(event.query.sql);
      }
    : undefined;
  if (config.dialect === 'sqlite') {
    if (config.url !== ':memory:') mkdirSync(dirname(config.url), { recursive: true });
    const conn = new SqliteDatabase(config.url);
    if (config.url !== ':memory:') conn.pragma('journal_mode = WAL');
    conn.pragma('foreign_keys = ON');
    conn.pragma('busy_timeout = 5000');
    conn.pragma('synchronous = NORMAL');
    const dialect = writingFromTheStart(new SqliteDialect({ database: cachingStatements(conn) }));
    // On SQLITE_FULL, SQLITE_IOERR and the like SQLite may end the transaction itself.
    const db = new Kysely<Database>({ dialect: keepingTheCause(dialect, async () => conn.inTransaction), log });
    return { db, dialect: 'sqlite', config, sqlite: conn, close: () => db.destroy() };
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: 10,
    // Generous: a burst of requests on a busy machine must queue, not fail.
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
  });
  // A client losing its server must not crash the process (an 'error' event with no
  // listener is thrown); the query in flight, or the next one, reports the failure instead.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  // A rollback on a connection that is gone fails too; the pool discards that connection.
  const db = new Kysely<Database>({ dialect: keepingTheCause(new PostgresDialect({ pool }), null), log });
  return { db, dialect: 'postgres', config, sqlite: null, close: () => db.destroy() };
}

/**
 * Several processes may share one SQLite file (WEB_CONCURRENCY). A transaction
 * that begins deferred and reads first cannot wait for the write lock later:
 * SQLite answers SQLITE_BUSY (or SQLITE_BUSY_SNAPSHOT) at once, whatever the
 * busy timeout. BEGIN IMMEDIATE takes the write lock at the start, waiting up to
 * busy_timeout for it, so concurrent writers queue instead of failing.
 */
function writingFromTheStart(dialect: SqliteDialect): SqliteDialect {
  const createDriver = dialect.createDriver.bind(dialect);
  dialect.createDriver = (): Driver => {
    const driver = createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  };
  return dialect;
}

/**
 * Kysely rolls a failed transaction back and rethrows what failed, but when the
 * rollback fails too, its error replaces the one that mattered: a full disk was
 * logged as "cannot rollback - no transaction is active", a dropped connection
 * as "Client … is not queryable". So the rollback is skipped when `needed` says
 * there is no transaction left, and a rollback that fails because the
 * connection itself is gone is ignored: either way the original error is thrown.
 */
function keepingTheCause<T extends SqliteDialect | PostgresDialect>(
  dialect: T,
  needed: (() => Promise<boolean>) | null,
): T {
  const createDriver = dialect.createDriver.bind(dialect);
  dialect.createDriver = (): Driver => {
    const driver = createDriver();
    const rollback = driver.rollbackTransaction.bind(driver);
    driver.rollbackTransaction = async (connection: DatabaseConnection) => {
      if (needed && !(await needed())) return;
      try {
        await rollback(connection);
      } catch (err) {
        if (!unavailability(err)) throw err;
      }
    };
    return driver;
  };
  return dialect;
}

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  // Kysely looks for its bookkeeping tables in every schema of a PostgreSQL
  // database; pin them to ours, or another schema's tables (a second deployment,
  // a parallel test run) are mistaken for ours.
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const result = await retryOnVanishedSchema(() => migrator.migrateToLatest());
  // Kysely hands back whatever the migration threw.
  if (result.error)
    throw result.error instanceof Error ? result.error : new Error('migration failed', { cause: result.error });
  return result;
}

/**
 * Kysely's migrator lists the tables of every schema it may use. When another
 * schema is dropped at that moment (another deployment, a parallel test run),
 * PostgreSQL answers "schema … does not exist" (3F000), or "relation
 * other_schema.table does not exist" (42P01) for a table it was describing:
 * that is about someone else's schema, so look again (a few times). Migrations
 * run in a transaction on PostgreSQL, so a failed attempt left nothing behind.
 */
const VANISHED = new Set(['3F000', '42P01']);

export async function retryOnVanishedSchema(run: () => Promise<MigrationResultSet>): Promise<MigrationResultSet> {
  for (let attempt = 1; ; attempt++) {
    const result = await run();
    const code = (result.error as { code?: string } | undefined)?.code;
    if (code === undefined || !VANISHED.has(code) || attempt >= 5) return result;
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}

/** `SELECT 1` bounded by a timeout: the readiness probe's question. */
export async function pingDatabase(db: Db, timeoutMs = 1000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = sql`select 1 as ok`.execute(db).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const nowIso = (): string => new Date().toISOString();

/** Database names that may be wiped by tests and destructive commands without --force. */
export function looksLikeTestDatabase(config: DatabaseConfig): boolean {
  return config.name === ':memory:' || /(^|[_-])test($|[_-])|^test/i.test(config.name);
}
