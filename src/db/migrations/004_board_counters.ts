// Leaderboard counters and indexes (challenges area).
// - scores.submissions: each student's tries on a key-stage board, kept up to
//   date in the submission's transaction, so the public board's "total
//   submissions" never counts the submissions table on a request.
// - scores_rank_idx replaces scores_board_idx (key_stage, points): the board's
//   top N is read in its display order (points, then challenges completed,
//   then id) straight from the index, without sorting a whole board, and the
//   "your rank" count (points > mine) is a range of the same index.
// - completions_board_recent_idx: the recent-activity feed (latest weekly
//   completions of one board, newest first) is the first rows of one index
//   range. Partial (competition_id IS NULL): PostgreSQL does not take an
//   IS NULL column as fixed when matching ORDER BY to an index.
import { sql, type Kysely } from 'kysely';
import type { MigrationDb } from './helpers.js';

export async function up(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema
    .alterTable('scores')
    .addColumn('submissions', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.dropIndex('scores_board_idx').execute();
  await db.schema
    .createIndex('scores_rank_idx')
    .on('scores')
    .columns(['key_stage', 'points desc', 'challenges_completed desc', 'user_id'])
    .execute();
  await db.schema
    .createIndex('completions_board_recent_idx')
    .on('completions')
    .columns(['key_stage', 'completed_at', 'id'])
    .where(sql<boolean>`competition_id is null`)
    .execute();
}

export async function down(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema.dropIndex('completions_board_recent_idx').ifExists().execute();
  await db.schema.dropIndex('scores_rank_idx').ifExists().execute();
  await db.schema.createIndex('scores_board_idx').on('scores').columns(['key_stage', 'points']).execute();
  await db.schema.alterTable('scores').dropColumn('submissions').execute();
}
