// Test databases: SQLite in memory, or a private schema in the real PostgreSQL
// test database, so test files can run in parallel without seeing each other.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config/index.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/db/index.js';
import { serviceAvailable, TEST_DATABASE_URL } from './services.js';

export type Dialect = 'sqlite' | 'postgres';

export interface TestDatabase extends DatabaseHandle {
  /** Drops the private schema (PostgreSQL) and closes the pool. */
  dispose(): Promise<void>;
}

export async function createTestDatabase(
  dialect: Dialect,
  opts: { migrate?: boolean; onQuery?: (sql: string) => void } = {},
): Promise<TestDatabase> {
  let config: DatabaseConfig;
  let schema: string | null = null;
  if (dialect === 'sqlite') {
    config = { dialect: 'sqlite', url: ':memory:', name: ':memory:' };
  } else {
    schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    config = { dialect: 'postgres', url: url.toString(), name: url.pathname.slice(1) || 'test' };
  }
  const handle = openDatabase(config, { onQuery: opts.onQuery });
  if (opts.migrate !== false) await migrateToLatest(handle.db);
  return {
    ...handle,
    async dispose() {
      await handle.close();
      if (schema) {
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
    },
  };
}

/** The dialects to run a suite on: SQLite always, PostgreSQL when it is there (or required). */
export async function availableDialects(): Promise<Dialect[]> {
  return (await serviceAvailable('postgres')) ? ['sqlite', 'postgres'] : ['sqlite'];
}

/**
 * The tables of this database handle's own schema. (Kysely's introspection lists every schema
 * of the database, and fails when a parallel test drops one of them at that moment.)
 */
export async function ownTables(handle: Pick<DatabaseHandle, 'db' | 'dialect'>): Promise<string[]> {
  const rows =
    handle.dialect === 'postgres'
      ? (
          await sql<{ name: string }>`select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(handle.db)
        ).rows
      : (
          await sql<{ name: string }>`select name from sqlite_master
        where type = 'table' and name not like 'sqlite_%'`.execute(handle.db)
        ).rows;
  return rows.map((r) => r.name).sort();
}
