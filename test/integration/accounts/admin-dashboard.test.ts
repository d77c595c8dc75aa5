import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_AREAS } from '../../../src/web/views/admin/admin-layout.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { addChallenge, addSolvedChallenge } from './helpers.js';

const stat = (html: string, key: string) =>
  Number(new RegExp(`data-stat="${key}"><span class="stat-number">(\\d+)<`).exec(html)?.[1]);

describe.each(await availableDialects())('admin dashboard on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts challenges released and scheduled, users, articles and today’s submissions', async () => {
    const admin = await t.createUser({ isAdmin: true });
    const student = await t.createUser();
    await addSolvedChallenge(t, student.id);
    const { challengeId } = await addChallenge(t, { title: 'Next week' });
    await t.db
      .updateTable('challenges')
      .set({ release_at: new Date(Date.now() + 7 * 86_400_000).toISOString() })
      .where('id', '=', challengeId)
      .execute();
    const now = new Date().toISOString();
    await t.db
      .insertInto('articles')
      .values({
        type: 'newsletter',
        title: 'Autumn newsletter',
        author_name: 'Editor',
        author_id: null,
        content_html: '',
        pdf_upload_id: null,
        published_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    // A submission from yesterday does not count as today's.
    const box = await t.db
      .selectFrom('answer_boxes')
      .select(['id', 'challenge_id'])
      .orderBy('id')
      .limit(1)
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('submissions')
      .values({
        user_id: student.id,
        challenge_id: box.challenge_id,
        box_id: box.id,
        answer: '1',
        is_correct: 0,
        is_admin_try: 0,
        created_at: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      })
      .execute();

    const c = t.client();
    await c.loginAs(admin);
    const res = await c.get('/admin');
    expect(res.statusCode).toBe(200);
    expect(stat(res.body, 'released')).toBe(1);
    expect(stat(res.body, 'scheduled')).toBe(1);
    expect(stat(res.body, 'users')).toBe(2);
    expect(stat(res.body, 'admins')).toBe(1);
    expect(stat(res.body, 'articles')).toBe(1);
    expect(stat(res.body, 'submissions-today')).toBe(2);
    // Counts of one take the singular.
    const words = (key: string) =>
      new RegExp(`data-stat="${key}"><span class="stat-number">\\d+</span> ([^<]*)<`).exec(res.body)?.[1];
    expect(words('released')).toBe('challenge released');
    expect(words('scheduled')).toBe('challenge scheduled');
    expect(words('users')).toBe('users');
    expect(words('admins')).toBe('administrator');
    expect(words('articles')).toBe('article or newsletter');
    expect(words('submissions-today')).toBe('submissions today');
  });

  it('links to every admin area, in the page and in the admin navigation', async () => {
    const admin = await t.createUser({ isAdmin: true });
    const c = t.client();
    await c.loginAs(admin);
    const html = (await c.get('/admin')).body;
    for (const href of [
      '/admin/users',
      '/admin/audit',
      '/admin/challenges',
      '/admin/leaderboard',
      '/admin/articles',
      '/admin/announcements',
      '/admin/pages',
      '/admin/competitions',
      '/admin/schools',
      '/admin/math',
    ]) {
      expect(html).toContain(`class="card area-card" href="${href}"`);
      expect(ADMIN_AREAS.map(([h]) => h)).toContain(href);
      expect(html).toContain(`<nav class="admin-nav"`);
    }
    expect(html).toContain('<a href="/admin" aria-current="page">Dashboard</a>');
  });
});
