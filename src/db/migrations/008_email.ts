// Email: confirmed addresses, single-use links, and an outbox (ADR 022).
// - users.email_verified_at: when the address was shown to be the person's.
//   Accounts that exist now were admitted under the old rules (a school
//   domain, or an admin's hand), so they count as confirmed at creation.
// - email_tokens: links sent by email (confirm an address, reset a password,
//   change an address). Only the SHA-256 of the token is stored.
// - mail_outbox: every message is written here in the transaction of the change
//   it reports, then sent by the sender loop; locked_until is the lease that
//   keeps two processes from sending one message twice.
import { sql, type Kysely } from 'kysely';
import { idColumn, type MigrationDb } from './helpers.js';

export async function up(db: Kysely<MigrationDb>): Promise<void> {
  const id = idColumn(db);

  await db.schema.alterTable('users').addColumn('email_verified_at', 'text').execute();
  await db
    .updateTable('users')
    .set({ email_verified_at: sql`created_at` })
    .execute();

  await db.schema
    .createTable('email_tokens')
    .addColumn('id', id.type, id.build)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('new_email', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema
    .createIndex('email_tokens_user_purpose_idx')
    .on('email_tokens')
    .columns(['user_id', 'purpose'])
    .execute();

  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', id.type, id.build)
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('last_error', 'text')
    .execute();
  // The sender's question: unsent messages that are due. Partial, so sent mail costs the index nothing.
  await db.schema
    .createIndex('mail_outbox_due_idx')
    .on('mail_outbox')
    .columns(['next_attempt_at', 'id'])
    .where(sql<boolean>`sent_at is null`)
    .execute();
}

export async function down(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema.dropTable('mail_outbox').execute();
  await db.schema.dropTable('email_tokens').execute();
  await db.schema.alterTable('users').dropColumn('email_verified_at').execute();
}
