// Topic tags on challenges, for the question bank: one row per distinct tag
// (normalised lower case, unique) and a link table, so a tag filter is an
// indexed lookup and renaming or counting a tag touches one row.
import type { Kysely } from 'kysely';
import { idColumn, type MigrationDb } from './helpers.js';

export async function up(db: Kysely<MigrationDb>): Promise<void> {
  const id = idColumn(db);
  await db.schema
    .createTable('tags')
    .addColumn('id', id.type, id.build)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('challenge_tags')
    .addColumn('challenge_id', 'integer', (c) => c.notNull().references('challenges.id').onDelete('cascade'))
    .addColumn('tag_id', 'integer', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('challenge_tags_pk', ['challenge_id', 'tag_id'])
    .execute();
  await db.schema
    .createIndex('challenge_tags_tag_idx')
    .on('challenge_tags')
    .columns(['tag_id', 'challenge_id'])
    .execute();
}

export async function down(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema.dropTable('challenge_tags').ifExists().execute();
  await db.schema.dropTable('tags').ifExists().execute();
}
