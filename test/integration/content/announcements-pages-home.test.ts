import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { PAGES } from '../../../src/domain/content/pages.js';

describe.each(await availableDialects())('announcements, editable pages and the home page on %s', (dialect) => {
  let t: TestApp;
  let admin: TestUser;
  let adminClient: TestClient;
  let student: TestClient;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = await t.createUser({ isAdmin: true });
    adminClient = t.client();
    await adminClient.loginAs(admin);
    student = t.client();
    await student.loginAs(await t.createUser());
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.db.deleteFrom('announcements').execute();
    await t.db.deleteFrom('articles').execute();
    await t.db.deleteFrom('challenges').execute();
    await t.db.deleteFrom('pages').execute();
    await t.db.deleteFrom('audit_log').execute();
  });

  describe('announcements', () => {
    it('admin creates, edits and deletes, each audit-logged', async () => {
      const created = await adminClient.post('/admin/announcements', {
        title: 'Club moves to room 12',
        content_html: '<p>From <em>Monday</em>.</p>',
      });
      expect(created.statusCode).toBe(303);
      const url = created.headers.location as string;
      expect(url).toMatch(/^\/announcements\/\d+$/);
      const id = Number(url.split('/').pop());
      expect((await t.client().get(url)).body).toContain('<p>From <em>Monday</em>.</p>');

      const edited = await adminClient.post(`/admin/announcements/${id}`, {
        title: 'Club moves to room 14',
        content_html: '<p>Sorry, room 14.</p>',
      });
      expect(edited.statusCode).toBe(303);
      const page = await t.client().get(url);
      expect(page.body).toContain('Club moves to room 14');
      expect(page.body).not.toContain('room 12');

      expect((await adminClient.get(`/admin/announcements/${id}/delete`)).statusCode).toBe(200);
      expect((await adminClient.post(`/admin/announcements/${id}/delete`)).statusCode).toBe(303);
      expect((await t.client().get(url)).statusCode).toBe(404);
      const actions = await t.db.selectFrom('audit_log').select(['action', 'actor_id']).orderBy('id').execute();
      expect(actions).toEqual([
        { action: 'announcement.create', actor_id: admin.id },
        { action: 'announcement.update', actor_id: admin.id },
        { action: 'announcement.delete', actor_id: admin.id },
      ]);
    });

    it('refuses an announcement without content or title', async () => {
      const res = await adminClient.post('/admin/announcements', {
        title: '',
        content_html: '<p><script>x</script></p>',
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Enter a title.');
      expect(res.body).toContain('Write some content.');
      expect(await t.db.selectFrom('announcements').select('id').execute()).toEqual([]);
    });

    it('updating or deleting a missing announcement is a 404', async () => {
      expect(
        (await adminClient.post('/admin/announcements/999', { title: 'x', content_html: '<p>y</p>' })).statusCode,
      ).toBe(404);
      expect((await adminClient.post('/admin/announcements/999/delete')).statusCode).toBe(404);
    });

    it('is admin-only', async () => {
      expect((await student.get('/admin/announcements')).statusCode).toBe(403);
      expect((await student.post('/admin/announcements', { title: 'x', content_html: '<p>y</p>' })).statusCode).toBe(
        403,
      );
      expect(await t.db.selectFrom('announcements').select('id').execute()).toEqual([]);
    });
  });

  describe('editable pages', () => {
    it.each([
      ['/about', 'About the Maths Society'],
      ['/privacy', 'Privacy policy'],
      ['/competition/about', 'About the competition'],
    ])('%s shows its default text until edited, with no date in it, and writes nothing', async (path, title) => {
      const res = await t.client().get(path);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(`<h1>${title}</h1>`);
      const def = PAGES.find((p) => p.path === path)!;
      expect(res.body).toContain(def.defaultHtml.slice(0, 60));
      expect(def.defaultHtml).not.toMatch(/\b(19|20)\d\d\b/);
      expect(res.body).not.toContain('Last updated');
      expect(await t.db.selectFrom('pages').selectAll().execute()).toEqual([]);
    });

    it('an admin edits a page; the public page shows the new text and when it changed', async () => {
      expect((await adminClient.get('/admin/pages')).body).toContain('href="/admin/pages/privacy"');
      const form = await adminClient.get('/admin/pages/privacy');
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('data-rich-editor');
      const res = await adminClient.post('/admin/pages/privacy', {
        title: 'Privacy notice',
        content_html: '<p>We keep <strong>very little</strong>.</p><p onclick="x">y</p>',
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/privacy');
      const page = await t.client().get('/privacy');
      expect(page.body).toContain('<h1>Privacy notice</h1>');
      expect(page.body).toContain('<p>We keep <strong>very little</strong>.</p><p>y</p>');
      const row = await t.db.selectFrom('pages').selectAll().where('slug', '=', 'privacy').executeTakeFirstOrThrow();
      expect(row.updated_by).toBe(admin.id);
      expect(page.body).toContain(`Last updated <time datetime="${row.updated_at}">`);
      const entry = await t.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'page.update')
        .executeTakeFirstOrThrow();
      expect(entry.target_id).toBe('privacy');
    });

    it('refuses unknown pages and empty content', async () => {
      expect((await adminClient.get('/admin/pages/secret')).statusCode).toBe(404);
      expect((await adminClient.post('/admin/pages/secret', { title: 'x', content_html: '<p>y</p>' })).statusCode).toBe(
        404,
      );
      const empty = await adminClient.post('/admin/pages/about', { title: 'About', content_html: '' });
      expect(empty.statusCode).toBe(400);
      expect(empty.body).toContain('Write some content.');
    });

    it('is admin-only', async () => {
      expect((await student.get('/admin/pages/about')).statusCode).toBe(403);
      expect((await student.post('/admin/pages/about', { title: 'Hacked', content_html: '<p>x</p>' })).statusCode).toBe(
        403,
      );
      expect((await t.client().get('/about')).body).not.toContain('Hacked');
    });
  });

  describe('home page', () => {
    async function challenge(title: string, releaseAt: string, competitionId: number | null = null) {
      const now = new Date().toISOString();
      await t.db
        .insertInto('challenges')
        .values({
          title,
          content_html: '<p>x</p>',
          key_stage: 'KS3',
          release_at: releaseAt,
          attempts_per_box: 3,
          competition_id: competitionId,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }

    it('shows stats, the latest announcement and newsletter, 3 newest released challenges and 3 newest articles', async () => {
      const day = (n: number) => new Date(Date.now() + n * 86400_000).toISOString();
      for (let i = 1; i <= 4; i++) await challenge(`Released ${i}`, day(-10 + i));
      await challenge('Scheduled', day(2));
      const comp = await t.db
        .insertInto('competitions')
        .values({
          name: 'Autumn',
          about_html: '',
          starts_at: day(-5),
          ends_at: day(5),
          created_at: day(-6),
          updated_at: day(-6),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await challenge('Competition only', day(-1), comp.id);
      for (let i = 1; i <= 4; i++) {
        await t.db
          .insertInto('articles')
          .values({
            type: 'article',
            title: `Article ${i}`,
            author_name: 'A',
            content_html: '<p>a</p>',
            published_at: day(-10 + i),
            created_at: day(-10 + i),
            updated_at: day(-10 + i),
          })
          .execute();
      }
      await t.db
        .insertInto('articles')
        .values({
          type: 'newsletter',
          title: 'Old newsletter',
          author_name: 'A',
          content_html: '<p>n</p>',
          published_at: day(-9),
          created_at: day(-9),
          updated_at: day(-9),
        })
        .execute();
      await t.db
        .insertInto('articles')
        .values({
          type: 'newsletter',
          title: 'New newsletter',
          author_name: 'A',
          content_html: '<p>n</p>',
          published_at: day(-1),
          created_at: day(-1),
          updated_at: day(-1),
        })
        .execute();
      await adminClient.post('/admin/announcements', { title: 'Older news', content_html: '<p>old</p>' });
      await adminClient.post('/admin/announcements', {
        title: 'Latest news',
        content_html: '<p>Maths week: <span class="math-inline" data-latex="\\pi">\\pi</span></p>',
      });

      const res = await t.client().get('/');
      expect(res.statusCode).toBe(200);
      const body = res.body;
      expect(body).toContain('<h1>Maths Society</h1>');
      expect(body).toMatch(/<span class="stat-number">4<\/span> challenges set/);
      expect(body).toMatch(/<span class="stat-number">6<\/span> articles/);
      expect(body).toContain('Latest news');
      expect(body).not.toContain('Older news');
      expect(body).toContain('class="katex"');
      expect(body).toContain('New newsletter');
      expect(body).not.toContain('Old newsletter');
      const challenges = [...body.matchAll(/<a href="\/challenges\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
      expect(challenges).toEqual(['Released 4', 'Released 3', 'Released 2']);
      const articles = [...body.matchAll(/<a href="\/articles\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
      expect(articles).toEqual(['Article 4', 'Article 3', 'Article 2']);
    });

    it('has friendly empty states on a new installation', async () => {
      const body = (await t.client().get('/')).body;
      expect(body).toContain('No announcements yet.');
      expect(body).toContain('No newsletters yet.');
      expect(body).toContain('The first challenge is on its way.');
      expect(body).toContain('No articles yet.');
    });
  });
});
