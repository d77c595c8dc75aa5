import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { addSchool, addSolvedChallenge, auditRows, controlAttributes, count } from './helpers.js';

describe.each(await availableDialects())('deleting your own account on %s', (dialect) => {
  let t: TestApp;
  let schoolId: number;
  let competitionId: number;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    schoolId = await addSchool(t);
    const now = new Date().toISOString();
    competitionId = (
      await t.db
        .insertInto('competitions')
        .values({
          name: 'Autumn competition',
          about_html: '',
          starts_at: now,
          ends_at: now,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(async () => {
    await t.close();
  });

  /** A student with something in every table deletion must clear, plus an article they wrote. */
  async function richUser() {
    const user = await t.createUser({ firstName: 'Mary', lastName: 'Somerville', schoolId });
    const { challengeId } = await addSolvedChallenge(t, user.id, { title: 'Deleted person’s challenge' });
    const now = new Date().toISOString();
    await t.db
      .insertInto('score_adjustments')
      .values({
        user_id: user.id,
        key_stage: 'KS4',
        competition_id: null,
        points: 2,
        reason: 'Helped at open evening',
        created_by: null,
        created_at: now,
      })
      .execute();
    await t.db
      .insertInto('competition_participants')
      .values({
        competition_id: competitionId,
        user_id: user.id,
        school_id: schoolId,
        key_stage: 'KS4',
        created_at: now,
      })
      .execute();
    await t.db
      .insertInto('competition_scores')
      .values({
        competition_id: competitionId,
        user_id: user.id,
        school_id: schoolId,
        key_stage: 'KS4',
        points: 3,
        challenges_completed: 1,
        updated_at: now,
      })
      .execute();
    const article = await t.db
      .insertInto('articles')
      .values({
        type: 'article',
        title: 'Why proofs matter',
        author_name: 'Mary Somerville',
        author_id: user.id,
        content_html: '<p>…</p>',
        pdf_upload_id: null,
        published_at: now,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { user, challengeId, articleId: article.id };
  }

  async function rowsOf(userId: number) {
    const tables = [
      'submissions',
      'completions',
      'scores',
      'score_adjustments',
      'competition_participants',
      'competition_scores',
      'sessions',
    ] as const;
    const out: Record<string, number> = {};
    for (const table of tables) {
      const r = await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      out[table] = Number(r.n);
    }
    out.users = Number(
      (
        await t.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('id', '=', userId)
          .executeTakeFirstOrThrow()
      ).n,
    );
    return out;
  }

  it('asks for the current password on a confirmation page', async () => {
    const user = await t.createUser();
    const c = t.client();
    await c.loginAs(user);
    const res = await c.get('/profile/delete');
    expect(res.statusCode).toBe(200);
    expect(controlAttributes(res.body, 'password')?.type).toBe('password');
    expect(res.body).toMatch(/<form method="post" action="\/profile\/delete"/);
  });

  it.each([
    ['', /Type your current password/],
    ['not my password', /not your current password/],
  ])('refuses password %j and deletes nothing', async (password, message) => {
    const { user } = await richUser();
    const c = t.client();
    await c.loginAs(user);
    const before = await rowsOf(user.id);
    const res = await c.post('/profile/delete', { password });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(message);
    expect(await rowsOf(user.id)).toEqual(before);
  });

  it('removes the account and its records in one go, keeps their articles, signs them out, and audits it', async () => {
    const { user, challengeId, articleId } = await richUser();
    const bystander = await t.createUser();
    await addSolvedChallenge(t, bystander.id);
    const bystanderBefore = await rowsOf(bystander.id);
    const c = t.client();
    await c.post('/login', { email: user.email, password: TEST_PASSWORD });
    const res = await c.post('/profile/delete', { password: TEST_PASSWORD });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(await rowsOf(user.id)).toEqual({
      submissions: 0,
      completions: 0,
      scores: 0,
      score_adjustments: 0,
      competition_participants: 0,
      competition_scores: 0,
      sessions: 0,
      users: 0,
    });
    const article = await t.db.selectFrom('articles').selectAll().where('id', '=', articleId).executeTakeFirstOrThrow();
    expect(article).toMatchObject({ author_id: null, author_name: 'Mary Somerville', title: 'Why proofs matter' });
    const challenge = await t.db
      .selectFrom('challenges')
      .select('first_completed_by')
      .where('id', '=', challengeId)
      .executeTakeFirstOrThrow();
    expect(challenge.first_completed_by).toBeNull();
    expect(await rowsOf(bystander.id)).toEqual(bystanderBefore);
    expect((await c.get('/profile')).statusCode).toBe(302);
    const entry = (await auditRows(t, 'account.delete')).find((e) => e.target_id === String(user.id));
    expect(entry).toMatchObject({ actor_id: null, actor_email: user.email, target_type: 'user' });
    expect(JSON.parse(entry!.details!)).toMatchObject({
      email: user.email,
      submissions: 2,
      completions: 1,
      articlesKept: 1,
    });
  });

  it('is all or nothing: a failure half-way leaves every record in place', async () => {
    const { user, articleId } = await richUser();
    const c = t.client();
    await c.loginAs(user);
    const before = await rowsOf(user.id);
    const audits = await count(t, 'audit_log');
    // The last step (deleting the user row) fails after every other step has run.
    if (dialect === 'sqlite') {
      await sql`create trigger block_user_delete before delete on users begin select raise(abort, 'deletion blocked by test'); end`.execute(
        t.db,
      );
    } else {
      await sql`create function block_user_delete() returns trigger as $$ begin raise exception 'deletion blocked by test'; end; $$ language plpgsql`.execute(
        t.db,
      );
      await sql`create trigger block_user_delete before delete on users for each row execute function block_user_delete()`.execute(
        t.db,
      );
    }
    try {
      const res = await c.post('/profile/delete', { password: TEST_PASSWORD });
      expect(res.statusCode).toBe(500);
    } finally {
      if (dialect === 'sqlite') {
        await sql`drop trigger block_user_delete`.execute(t.db);
      } else {
        await sql`drop trigger block_user_delete on users`.execute(t.db);
        await sql`drop function block_user_delete()`.execute(t.db);
      }
    }
    expect(await rowsOf(user.id)).toEqual(before);
    const article = await t.db
      .selectFrom('articles')
      .select('author_id')
      .where('id', '=', articleId)
      .executeTakeFirstOrThrow();
    expect(article.author_id).toBe(user.id);
    expect(await count(t, 'audit_log')).toBe(audits);
    expect((await c.get('/profile')).statusCode).toBe(200);
  });

  it('refuses to delete the only administrator', async () => {
    const admins = await t.db.selectFrom('users').select('id').where('is_admin', '=', 1).execute();
    expect(admins).toHaveLength(0);
    const admin = await t.createUser({ isAdmin: true });
    const c = t.client();
    await c.loginAs(admin);
    const res = await c.post('/profile/delete', { password: TEST_PASSWORD });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('You are the only administrator');
    expect(await count(t, 'users', ['id', admin.id])).toBe(1);
    // With a second admin it goes ahead.
    await t.createUser({ isAdmin: true });
    expect((await c.post('/profile/delete', { password: TEST_PASSWORD })).statusCode).toBe(303);
    expect(await count(t, 'users', ['id', admin.id])).toBe(0);
  });
});
