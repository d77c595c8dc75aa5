import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

// Migrations see an untyped database: they describe history, not today's schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MigrationDb = any;

function isPostgres(db: Kysely<MigrationDb>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** A generated integer primary key on either dialect. */
export function idColumn(db: Kysely<MigrationDb>): {
  type: 'serial' | 'integer';
  build: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
} {
  return isPostgres(db)
    ? { type: 'serial', build: (c) => c.primaryKey() }
    : { type: 'integer', build: (c) => c.primaryKey().autoIncrement() };
}
