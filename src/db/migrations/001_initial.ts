// The platform's initial schema, every table at once (conventions: ADR 001,
// docs/decisions/001-foundation.md). Written once with Kysely's schema builder so the
// same migration runs on SQLite and PostgreSQL; `idColumn` covers the one
// place they differ (generated integer ids).
import type { Kysely } from 'kysely';
import { idColumn, type MigrationDb } from './helpers.js';

export async function up(db: Kysely<MigrationDb>): Promise<void> {
  const id = idColumn(db);

  await db.schema
    .createTable('schools')
    .addColumn('id', id.type, id.build)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('email_domain', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', id.type, id.build)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('year_group', 'integer')
    .addColumn('key_stage', 'text')
    .addColumn('maths_class', 'text')
    .addColumn('school_id', 'integer', (c) => c.references('schools.id').onDelete('set null'))
    .addColumn('user_type', 'text', (c) => c.notNull().defaultTo('student'))
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_participant', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_login_at', 'text')
    .addColumn('password_changed_at', 'text')
    .execute();
  await db.schema.createIndex('users_key_stage_idx').on('users').columns(['key_stage', 'year_group']).execute();
  await db.schema.createIndex('users_school_idx').on('users').column('school_id').execute();
  await db.schema.createIndex('users_name_idx').on('users').columns(['last_name', 'first_name']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('remember', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('idle_expires_at', 'text', (c) => c.notNull())
    .addColumn('absolute_expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expiry_idx').on('sessions').column('absolute_expires_at').execute();

  await db.schema
    .createTable('uploads')
    .addColumn('id', id.type, id.build)
    .addColumn('stored_name', 'text', (c) => c.notNull().unique())
    .addColumn('original_name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('competitions')
    .addColumn('id', id.type, id.build)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('about_html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('competition_schools')
    .addColumn('competition_id', 'integer', (c) => c.notNull().references('competitions.id').onDelete('cascade'))
    .addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('restrict'))
    .addPrimaryKeyConstraint('competition_schools_pk', ['competition_id', 'school_id'])
    .execute();

  await db.schema
    .createTable('competition_participants')
    .addColumn('id', id.type, id.build)
    .addColumn('competition_id', 'integer', (c) => c.notNull().references('competitions.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('restrict'))
    .addColumn('key_stage', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('competition_participants_once', ['competition_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('competition_participants_school_idx')
    .on('competition_participants')
    .columns(['competition_id', 'school_id', 'key_stage'])
    .execute();

  await db.schema
    .createTable('challenges')
    .addColumn('id', id.type, id.build)
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('content_html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('image_upload_id', 'integer', (c) => c.references('uploads.id').onDelete('set null'))
    .addColumn('key_stage', 'text', (c) => c.notNull())
    .addColumn('release_at', 'text', (c) => c.notNull())
    .addColumn('lock_after_hours', 'integer')
    .addColumn('is_locked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts_per_box', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('competition_id', 'integer', (c) => c.references('competitions.id').onDelete('cascade'))
    .addColumn('duration_hours', 'integer')
    .addColumn('first_completed_at', 'text')
    .addColumn('first_completed_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('challenges_release_idx')
    .on('challenges')
    .columns(['competition_id', 'release_at'])
    .execute();
  await db.schema
    .createIndex('challenges_stage_release_idx')
    .on('challenges')
    .columns(['key_stage', 'release_at'])
    .execute();

  await db.schema
    .createTable('answer_boxes')
    .addColumn('id', id.type, id.build)
    .addColumn('challenge_id', 'integer', (c) => c.notNull().references('challenges.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('correct_answer', 'text', (c) => c.notNull())
    .addColumn('options_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('answer_boxes_challenge_idx')
    .on('answer_boxes')
    .columns(['challenge_id', 'position'])
    .execute();

  await db.schema
    .createTable('submissions')
    .addColumn('id', id.type, id.build)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('challenge_id', 'integer', (c) => c.notNull().references('challenges.id').onDelete('cascade'))
    .addColumn('box_id', 'integer', (c) => c.notNull().references('answer_boxes.id').onDelete('cascade'))
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('is_correct', 'integer', (c) => c.notNull())
    .addColumn('is_admin_try', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('submissions_user_challenge_idx')
    .on('submissions')
    .columns(['user_id', 'challenge_id', 'box_id'])
    .execute();
  await db.schema
    .createIndex('submissions_challenge_idx')
    .on('submissions')
    .columns(['challenge_id', 'created_at'])
    .execute();
  await db.schema.createIndex('submissions_created_idx').on('submissions').column('created_at').execute();

  await db.schema
    .createTable('completions')
    .addColumn('id', id.type, id.build)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('challenge_id', 'integer', (c) => c.notNull().references('challenges.id').onDelete('cascade'))
    .addColumn('key_stage', 'text', (c) => c.notNull())
    .addColumn('points', 'integer', (c) => c.notNull())
    .addColumn('competition_id', 'integer', (c) => c.references('competitions.id').onDelete('cascade'))
    .addColumn('school_id', 'integer', (c) => c.references('schools.id').onDelete('set null'))
    .addColumn('completed_at', 'text', (c) => c.notNull())
    // One completion per user per challenge: the database, not the code, forbids double points.
    .addUniqueConstraint('completions_once', ['user_id', 'challenge_id'])
    .execute();
  await db.schema
    .createIndex('completions_challenge_idx')
    .on('completions')
    .columns(['challenge_id', 'completed_at'])
    .execute();
  await db.schema
    .createIndex('completions_recent_idx')
    .on('completions')
    .columns(['competition_id', 'completed_at'])
    .execute();

  await db.schema
    .createTable('scores')
    .addColumn('id', id.type, id.build)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key_stage', 'text', (c) => c.notNull())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('challenges_completed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('scores_once', ['user_id', 'key_stage'])
    .execute();
  await db.schema.createIndex('scores_board_idx').on('scores').columns(['key_stage', 'points']).execute();

  await db.schema
    .createTable('competition_scores')
    .addColumn('id', id.type, id.build)
    .addColumn('competition_id', 'integer', (c) => c.notNull().references('competitions.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('restrict'))
    .addColumn('key_stage', 'text', (c) => c.notNull())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('challenges_completed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('competition_scores_once', ['competition_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('competition_scores_board_idx')
    .on('competition_scores')
    .columns(['competition_id', 'key_stage', 'points'])
    .execute();

  await db.schema
    .createTable('score_adjustments')
    .addColumn('id', id.type, id.build)
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key_stage', 'text', (c) => c.notNull())
    .addColumn('competition_id', 'integer', (c) => c.references('competitions.id').onDelete('cascade'))
    .addColumn('points', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('score_adjustments_user_idx')
    .on('score_adjustments')
    .columns(['user_id', 'key_stage'])
    .execute();

  await db.schema
    .createTable('articles')
    .addColumn('id', id.type, id.build)
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('content_html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('pdf_upload_id', 'integer', (c) => c.references('uploads.id').onDelete('set null'))
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('articles_type_published_idx').on('articles').columns(['type', 'published_at']).execute();

  await db.schema
    .createTable('announcements')
    .addColumn('id', id.type, id.build)
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('content_html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('author_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('announcements_created_idx').on('announcements').column('created_at').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', id.type, id.build)
    .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('actor_email', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('details', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_created_idx').on('audit_log').column('created_at').execute();
  await db.schema.createIndex('audit_log_action_idx').on('audit_log').columns(['action', 'created_at']).execute();
  await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor_id', 'created_at']).execute();

  await db.schema
    .createTable('pages')
    .addColumn('slug', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('content_html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<MigrationDb>): Promise<void> {
  for (const table of [
    'settings',
    'pages',
    'audit_log',
    'announcements',
    'articles',
    'score_adjustments',
    'competition_scores',
    'scores',
    'completions',
    'submissions',
    'answer_boxes',
    'challenges',
    'competition_participants',
    'competition_schools',
    'competitions',
    'uploads',
    'sessions',
    'users',
    'schools',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
