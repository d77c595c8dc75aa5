// Leaderboard counters and indexes (challenges area).
// - scores.submissions: each student's tries on a key-stage board, kept up to
//   date in the submission's transaction, so the public board's "total
//   submissions" never counts the submissions table on a request.
// - indexes for the board's statistics and its recent-activity feed.
import type { Kysely } from 'kysely';
import type { MigrationDb } from './helpers.js';

export async function up(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema.alterTable('scores')
    .addColumn('submissions', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('scores_stats_idx').on('scores')
    .columns(['key_stage', 'points', 'submissions']).execute();
  await db.schema.createIndex('completions_board_recent_idx').on('completions')
    .columns(['key_stage', 'competition_id', 'completed_at']).execute();
}

export async function down(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema.dropIndex('completions_board_recent_idx').ifExists().execute();
  await db.schema.dropIndex('scores_stats_idx').ifExists().execute();
  await db.schema.alterTable('scores').dropColumn('submissions').execute();
}
