// An account is linked to at most one account of each school sign-in provider
// (ADR 031): a unique key on user_identities (user_id, provider_id), so two
// sign-ins racing to link one account to two different subjects cannot both
// succeed. Should a database already hold such a pair, the earliest link of
// each is kept (the later one is the one the rule refuses).
import { sql, type Kysely } from 'kysely';
import type { MigrationDb } from './helpers.js';

export async function up(db: Kysely<MigrationDb>): Promise<void> {
  await sql`
    DELETE FROM user_identities
    WHERE id NOT IN (SELECT MIN(id) FROM user_identities GROUP BY user_id, provider_id)
  `.execute(db);
  await db.schema
    .createIndex('user_identities_user_provider_uq')
    .on('user_identities')
    .columns(['user_id', 'provider_id'])
    .unique()
    .execute();
}

export async function down(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema.dropIndex('user_identities_user_provider_uq').ifExists().execute();
}
