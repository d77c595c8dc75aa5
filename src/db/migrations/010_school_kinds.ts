// schools.kind: "member" (the society's own pupils: weekly challenges, the
// key-stage boards, general registration) or "guest" (invited to
// competitions only). Before this column every school opened the weekly
// challenges to its email domain, including schools added for a competition.
//
// Existing schools: the first school (the one first-run set-up creates, the
// society's home) stays a member; any other school that has ever been part of
// a competition (listed in one, or with competition participants) becomes a
// guest; other schools stay members, as nothing says they were added for a
// competition. Admins can change either way in the school form.
//
// completions_weekly_recent_idx: a board's activity feed now lists the latest
// weekly completions of the board's pupils (of any challenge), newest first.
import { sql, type Kysely } from 'kysely';
import type { MigrationDb } from './helpers.js';

export async function up(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema
    .alterTable('schools')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('member'))
    .execute();
  await sql`
    update schools set kind = 'guest'
    where id <> (select min(id) from schools)
      and (id in (select school_id from competition_schools)
        or id in (select school_id from competition_participants))`.execute(db);
  await db.schema
    .createIndex('completions_weekly_recent_idx')
    .on('completions')
    .columns(['completed_at', 'id'])
    .where(sql<boolean>`competition_id is null`)
    .execute();
}

export async function down(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema.dropIndex('completions_weekly_recent_idx').ifExists().execute();
  await db.schema.alterTable('schools').dropColumn('kind').execute();
}
