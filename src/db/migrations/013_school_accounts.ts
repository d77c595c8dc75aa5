// School accounts (ADR 031): single sign-on with a school's own identity
// provider, classes with their teachers, leavers kept apart, and the record
// of each new school year.
// - schools.password_sign_in: 0 switches password sign-in off for the school's
//   pupils (they use its provider).
// - sso_providers: one OpenID Connect client per provider a school trusts. The
//   client secret is stored encrypted with a key derived from SECRET_KEY.
// - user_identities: the provider's subject ("sub") an account is linked to.
// - sso_logins: a sign-in on its way to the provider (state, nonce, PKCE
//   verifier). Deleted when the browser comes back, so a state is used once.
// - classes, class_teachers, class_members: named groups of pupils and the
//   teachers who own them.
// - users.archived_at: a leaver, who cannot sign in and is on no board, until
//   `mathsoc leavers:purge` removes them after the retention period.
// - year_rollovers: one row per school year moved up; its key refuses a second run.
import type { Kysely } from 'kysely';
import { idColumn, type MigrationDb } from './helpers.js';

export async function up(db: Kysely<MigrationDb>): Promise<void> {
  const id = idColumn(db);

  await db.schema
    .alterTable('schools')
    .addColumn('password_sign_in', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('users').addColumn('archived_at', 'text').execute();
  await db.schema.createIndex('users_archived_idx').on('users').column('archived_at').execute();

  await db.schema
    .createTable('sso_providers')
    .addColumn('id', id.type, id.build)
    .addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull()) // microsoft | google | oidc
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret_enc', 'text', (c) => c.notNull())
    .addColumn('allowed_domains', 'text', (c) => c.notNull()) // comma-separated, lower case
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('user_identities')
    .addColumn('id', id.type, id.build)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider_id', 'integer', (c) => c.notNull().references('sso_providers.id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addUniqueConstraint('user_identities_provider_subject_uq', ['provider_id', 'subject'])
    .execute();
  await db.schema.createIndex('user_identities_user_idx').on('user_identities').column('user_id').execute();

  await db.schema
    .createTable('sso_logins')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'integer', (c) => c.notNull().references('sso_providers.id').onDelete('cascade'))
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('next_path', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('classes')
    .addColumn('id', id.type, id.build)
    .addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('classes_school_name_uq', ['school_id', 'name'])
    .execute();
  await db.schema
    .createTable('class_teachers')
    .addColumn('class_id', 'integer', (c) => c.notNull().references('classes.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('class_teachers_pk', ['class_id', 'user_id'])
    .execute();
  await db.schema.createIndex('class_teachers_user_idx').on('class_teachers').column('user_id').execute();
  await db.schema
    .createTable('class_members')
    .addColumn('class_id', 'integer', (c) => c.notNull().references('classes.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('class_members_pk', ['class_id', 'user_id'])
    .execute();
  await db.schema.createIndex('class_members_user_idx').on('class_members').column('user_id').execute();

  await db.schema
    .createTable('year_rollovers')
    .addColumn('id', id.type, id.build)
    .addColumn('school_year', 'integer', (c) => c.notNull().unique()) // the calendar year the school year starts in
    .addColumn('ran_at', 'text', (c) => c.notNull())
    .addColumn('ran_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('moved_up', 'integer', (c) => c.notNull())
    .addColumn('archived', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema.dropTable('year_rollovers').ifExists().execute();
  await db.schema.dropTable('class_members').ifExists().execute();
  await db.schema.dropTable('class_teachers').ifExists().execute();
  await db.schema.dropTable('classes').ifExists().execute();
  await db.schema.dropTable('sso_logins').ifExists().execute();
  await db.schema.dropTable('user_identities').ifExists().execute();
  await db.schema.dropTable('sso_providers').ifExists().execute();
  await db.schema.dropIndex('users_archived_idx').ifExists().execute();
  await db.schema.alterTable('users').dropColumn('archived_at').execute();
  await db.schema.alterTable('schools').dropColumn('password_sign_in').execute();
}
