import { Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { retryOnVanishedSchema } from '../../../src/db/index.js';
import { migrations } from '../../../src/db/migrations/index.js';
import { availableDialects, createTestDatabase, ownTables, type TestDatabase } from '../../helpers/db.js';

const TABLES = [
  'users',
  'sessions',
  'schools',
  'challenges',
  'answer_boxes',
  'submissions',
  'completions',
  'scores',
  'score_adjustments',
  'competitions',
  'competition_schools',
  'competition_participants',
  'competition_scores',
  'articles',
  'announcements',
  'uploads',
  'audit_log',
  'pages',
  'settings',
  'email_tokens',
  'mail_outbox',
];

describe.each(await availableDialects())('migrations on %s', (dialect) => {
  let t: TestDatabase | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  const now = new Date().toISOString();
  async function seed(db: TestDatabase['db']) {
    const school = await db
      .insertInto('schools')
      .values({ name: 'A School', email_domain: 'a.example', address: null, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const user = await db
      .insertInto('users')
      .values({
        email: 'a@a.example',
        first_name: 'A',
        last_name: 'B',
        password_hash: 'x',
        year_group: 9,
        key_stage: 'KS4',
        maths_class: null,
        school_id: school.id,
        created_at: now,
        updated_at: now,
        password_changed_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const challenge = await db
      .insertInto('challenges')
      .values({
        title: 'C',
        content_html: '',
        key_stage: 'KS4',
        release_at: now,
        attempts_per_box: 3,
        created_at: now,
        updated_at: now,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    return { schoolId: school.id, userId: user.id, challengeId: challenge.id };
  }

  it('creates every table of the schema', async () => {
    t = await createTestDatabase(dialect);
    const tables = await ownTables(t);
    for (const name of TABLES) expect(tables).toContain(name);
  });

  it('enforces one completion per user per challenge', async () => {
    t = await createTestDatabase(dialect);
    const { userId, challengeId } = await seed(t.db);
    const row = {
      user_id: userId,
      challenge_id: challengeId,
      key_stage: 'KS4',
      points: 3,
      competition_id: null,
      school_id: null,
      completed_at: now,
    };
    await t.db.insertInto('completions').values(row).execute();
    await expect(
      t.db
        .insertInto('completions')
        .values({ ...row, points: 1 })
        .execute(),
    ).rejects.toThrow(/unique|UNIQUE/);
  });

  it('enforces foreign keys and unique emails', async () => {
    t = await createTestDatabase(dialect);
    const { userId } = await seed(t.db);
    await expect(
      t.db
        .insertInto('submissions')
        .values({
          user_id: userId,
          challenge_id: 999999,
          box_id: 999999,
          answer: '1',
          is_correct: 0,
          created_at: now,
        })
        .execute(),
    ).rejects.toThrow(/foreign key|FOREIGN KEY/i);
    await expect(
      t.db
        .insertInto('users')
        .values({
          email: 'a@a.example',
          first_name: 'X',
          last_name: 'Y',
          password_hash: 'x',
          year_group: 7,
          key_stage: 'KS3',
          maths_class: null,
          school_id: null,
          created_at: now,
          updated_at: now,
          password_changed_at: now,
        })
        .execute(),
    ).rejects.toThrow(/unique|UNIQUE/);
  });

  it("cascades a user's rows on delete and keeps articles with author set to null", async () => {
    t = await createTestDatabase(dialect);
    const { userId, challengeId } = await seed(t.db);
    const box = await t.db
      .insertInto('answer_boxes')
      .values({
        challenge_id: challengeId,
        position: 1,
        label: 'a',
        correct_answer: '1',
        options_json: '{}',
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('submissions')
      .values({
        user_id: userId,
        challenge_id: challengeId,
        box_id: box.id,
        answer: '1',
        is_correct: 1,
        created_at: now,
      })
      .execute();
    await t.db
      .insertInto('articles')
      .values({
        type: 'article',
        title: 'T',
        author_name: 'A B',
        author_id: userId,
        content_html: '',
        pdf_upload_id: null,
        published_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await t.db.deleteFrom('users').where('id', '=', userId).execute();
    expect(await t.db.selectFrom('submissions').selectAll().execute()).toHaveLength(0);
    const articles = await t.db.selectFrom('articles').selectAll().execute();
    expect(articles).toHaveLength(1);
    expect(articles[0]!.author_id).toBeNull();
  });

  async function migratorFor(db: TestDatabase['db']) {
    const schema =
      dialect === 'postgres'
        ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]!.s
        : undefined;
    return new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      ...(schema ? { migrationTableSchema: schema } : {}),
    });
  }

  it('008: accounts that exist when it runs count as confirmed since their creation; later ones do not', async () => {
    t = await createTestDatabase(dialect, { migrate: false });
    const migrator = await migratorFor(t.db);
    const before = await retryOnVanishedSchema(() => migrator.migrateTo('007_submission_history_index'));
    expect(before.error).toBeUndefined();
    const created = '2025-09-01T08:00:00.000Z';
    await sql`insert into users (email, first_name, last_name, password_hash, created_at, updated_at)
      values ('old@a.example', 'O', 'Ld', 'x', ${created}, ${created})`.execute(t.db);
    const after = await retryOnVanishedSchema(() => migrator.migrateToLatest());
    expect(after.error).toBeUndefined();
    const old = await t.db.selectFrom('users').select('email_verified_at').executeTakeFirstOrThrow();
    expect(old.email_verified_at).toBe(created);
    await t.db
      .insertInto('users')
      .values({
        email: 'new@a.example',
        first_name: 'N',
        last_name: 'W',
        password_hash: 'x',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const fresh = await t.db
      .selectFrom('users')
      .select('email_verified_at')
      .where('email', '=', 'new@a.example')
      .executeTakeFirstOrThrow();
    expect(fresh.email_verified_at).toBeNull();
  });

  it('email tokens: one hash once, removed with their account; the outbox starts a message at zero attempts', async () => {
    t = await createTestDatabase(dialect);
    const { userId } = await seed(t.db);
    const token = {
      user_id: userId,
      purpose: 'reset-password' as const,
      token_hash: 'a'.repeat(64),
      new_email: null,
      created_at: now,
      expires_at: now,
      used_at: null,
    };
    await t.db.insertInto('email_tokens').values(token).execute();
    await expect(t.db.insertInto('email_tokens').values(token).execute()).rejects.toThrow(/unique|UNIQUE/);
    await expect(
      t.db
        .insertInto('email_tokens')
        .values({ ...token, user_id: 999999, token_hash: 'b'.repeat(64) })
        .execute(),
    ).rejects.toThrow(/foreign key|FOREIGN KEY/i);
    await t.db.deleteFrom('users').where('id', '=', userId).execute();
    expect(await t.db.selectFrom('email_tokens').selectAll().execute()).toHaveLength(0);

    await t.db
      .insertInto('mail_outbox')
      .values({
        to_address: 'a@a.example',
        subject: 'S',
        text_body: 'T',
        html_body: '<p>T</p>',
        kind: 'test',
        created_at: now,
        next_attempt_at: now,
        locked_until: null,
        sent_at: null,
        last_error: null,
      })
      .execute();
    const row = await t.db.selectFrom('mail_outbox').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ attempts: 0, sent_at: null, locked_until: null, last_error: null });
  });

  it('migrates down and up again', async () => {
    t = await createTestDatabase(dialect);
    const schema =
      dialect === 'postgres'
        ? (await sql<{ s: string }>`select current_schema() as s`.execute(t.db)).rows[0]!.s
        : undefined;
    const migrator = new Migrator({
      db: t.db,
      provider: { getMigrations: async () => migrations },
      ...(schema ? { migrationTableSchema: schema } : {}),
    });
    const names = Object.keys(migrations);
    for (let i = 0; i < names.length; i++) {
      const down = await retryOnVanishedSchema(() => migrator.migrateDown());
      expect(down.error).toBeUndefined();
    }
    const after = await ownTables(t);
    expect(after.filter((n) => TABLES.includes(n))).toEqual([]);
    const up = await retryOnVanishedSchema(() => migrator.migrateToLatest());
    expect(up.error).toBeUndefined();
    await sql`select count(*) from users`.execute(t.db);
  });
});
