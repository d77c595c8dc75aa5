// Migration 010: existing schools get a kind. The first school (the society's
// home, made by first-run set-up) stays a member; any other school that has
// been in a competition becomes a competition guest; the rest stay members.
import { Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { retryOnVanishedSchema } from '../../../src/db/index.js';
import { migrations } from '../../../src/db/migrations/index.js';
import { availableDialects, createTestDatabase, type TestDatabase } from '../../helpers/db.js';

describe.each(await availableDialects())('migration 010 on %s', (dialect) => {
  let t: TestDatabase | null = null;
  afterEach(async () => {
    await t?.dispose();
    t = null;
  });

  it('keeps the home school and schools never in a competition as members; competition schools become guests', async () => {
    t = await createTestDatabase(dialect, { migrate: false });
    const db = t.db;
    const schema =
      dialect === 'postgres'
        ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]!.s
        : undefined;
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      ...(schema ? { migrationTableSchema: schema } : {}),
    });
    const before = await retryOnVanishedSchema(() => migrator.migrateTo('009_answer_box_form_attempts'));
    expect(before.error).toBeUndefined();

    const now = '2026-09-01T08:00:00.000Z';
    const school = async (name: string) =>
      (
        await sql<{ id: number }>`insert into schools (name, email_domain, address, created_at)
          values (${name}, ${`${name.toLowerCase()}.example.org`}, null, ${now}) returning id`.execute(db)
      ).rows[0]!.id;
    const home = await school('Home');
    const listed = await school('Listed');
    const joined = await school('Joined');
    await school('Partner');
    const competition = (
      await sql<{ id: number }>`insert into competitions (name, about_html, starts_at, ends_at, created_at, updated_at)
        values ('Cup', '', ${now}, ${now}, ${now}, ${now}) returning id`.execute(db)
    ).rows[0]!.id;
    // The home school in a competition too: it stays a member all the same.
    for (const id of [home, listed])
      await sql`insert into competition_schools (competition_id, school_id) values (${competition}, ${id})`.execute(db);
    const user = (
      await sql<{ id: number }>`insert into users (email, first_name, last_name, password_hash, created_at, updated_at)
        values ('p@joined.example.org', 'P', 'Q', 'x', ${now}, ${now}) returning id`.execute(db)
    ).rows[0]!.id;
    await sql`insert into competition_participants (competition_id, user_id, school_id, key_stage, created_at)
      values (${competition}, ${user}, ${joined}, 'KS4', ${now})`.execute(db);

    const after = await retryOnVanishedSchema(() => migrator.migrateToLatest());
    expect(after.error).toBeUndefined();
    const kinds = await db.selectFrom('schools').select(['name', 'kind']).orderBy('id').execute();
    expect(kinds).toEqual([
      { name: 'Home', kind: 'member' },
      { name: 'Listed', kind: 'guest' },
      { name: 'Joined', kind: 'guest' },
      { name: 'Partner', kind: 'member' },
    ]);
    // A school added later is a member unless it says otherwise.
    await db
      .insertInto('schools')
      .values({ name: 'New', email_domain: 'new.example.org', address: null, created_at: now })
      .execute();
    expect(
      (await db.selectFrom('schools').select('kind').where('name', '=', 'New').executeTakeFirstOrThrow()).kind,
    ).toBe('member');
  });
});
