// A student's tries on one challenge, in order, come from one index range.
// The challenge page asks `WHERE user_id = ? AND challenge_id = ? ORDER BY
// created_at, id`. With (user_id, challenge_id, box_id) the ORDER BY needs a
// sort, so SQLite's planner preferred (challenge_id, created_at) and walked
// every try on the challenge — 15–20 ms per page view at 2 million tries
// (docs/performance.md). (user_id, challenge_id, created_at, id) serves that
// query without a sort and every query the old index served (they use its
// user_id / user_id, challenge_id prefix), so it replaces it: still three
// indexes on the table that grows fastest.
import type { Kysely } from 'kysely';
import type { MigrationDb } from './helpers.js';

export async function up(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema
    .createIndex('submissions_user_challenge_time_idx')
    .on('submissions')
    .columns(['user_id', 'challenge_id', 'created_at', 'id'])
    .execute();
  await db.schema.dropIndex('submissions_user_challenge_idx').execute();
}

export async function down(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema
    .createIndex('submissions_user_challenge_idx')
    .on('submissions')
    .columns(['user_id', 'challenge_id', 'box_id'])
    .execute();
  await db.schema.dropIndex('submissions_user_challenge_time_idx').execute();
}
