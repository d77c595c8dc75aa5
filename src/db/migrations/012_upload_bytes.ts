// Uploaded files kept in the database (UPLOAD_STORAGE=database), so every
// machine serves the same files and a database backup holds them. One row per
// file (size, SHA-256) and its bytes in slices of at most 256 KiB, so a file
// is written and served a slice at a time. Both hang off the upload's record:
// deleting the `uploads` row deletes the bytes in the same statement.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { MigrationDb } from './helpers.js';

export async function up(db: Kysely<MigrationDb>): Promise<void> {
  const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? sql`bytea` : sql`blob`;
  await db.schema
    .createTable('upload_files')
    .addColumn('stored_name', 'text', (c) => c.primaryKey().references('uploads.stored_name').onDelete('cascade'))
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('chunk_size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('upload_chunks')
    .addColumn('stored_name', 'text', (c) => c.notNull().references('upload_files.stored_name').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint('upload_chunks_pk', ['stored_name', 'seq'])
    .execute();
}

export async function down(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema.dropTable('upload_chunks').ifExists().execute();
  await db.schema.dropTable('upload_files').ifExists().execute();
}
