// Sessions remember the privilege they were created with ("admin" or "user"),
// so a session whose user gained or lost admin rights is given a new id on its
// next request (session id rotation on privilege change). Null for sessions
// created before this column existed: they are left alone.
import type { Kysely } from 'kysely';
import type { MigrationDb } from './helpers.js';

export async function up(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('privilege', 'text').execute();
}

export async function down(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('privilege').execute();
}
