import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { pdf } from '../../unit/content/sample-files.js';
import { postMultipart } from './multipart.js';

describe.each(await availableDialects())('articles and newsletters on %s', (dialect) => {
  let t: TestApp;
  let dir: string;
  let admin: TestUser;
  let adminClient: TestClient;
  let student: TestClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mathsoc-articles-'));
    t = await createTestApp(dialect, { UPLOAD_DIR: dir });
    admin = await t.createUser({ isAdmin: true, firstName: 'Ada', lastName: 'Lovelace' });
    adminClient = t.client();
    await adminClient.loginAs(admin);
    student = t.client();
    await student.loginAs(await t.createUser());
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await t.db.deleteFrom('articles').execute();
    await t.db.deleteFrom('uploads').execute();
    await t.db.deleteFrom('audit_log').execute();
    for (const f of await readdir(dir)) await rm(join(dir, f));
  });

  const form = (over: Record<string, string> = {}) => ({
    type: 'article',
    title: 'Why primes never run out',
    author_name: 'Ada Lovelace',
    content_html:
      '<h2>Euclid</h2><p>Take <strong>all</strong> primes and multiply: <span class="math-inline" data-latex="p_1 p_2 \\cdots p_n + 1">p_1 p_2 \\cdots p_n + 1</span>.</p>',
    ...over,
  });

  async function insertArticle(type: string, title: string, publishedAt: string) {
    return t.db
      .insertInto('articles')
      .values({
        type,
        title,
        author_name: 'A',
        content_html: `<p>${title}</p>`,
        published_at: publishedAt,
        created_at: publishedAt,
        updated_at: publishedAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  }

  it('the admin form offers type, title, author, the rich editor and a PDF field', async () => {
    const res = await adminClient.get('/admin/articles/new');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('enctype="multipart/form-data"');
    expect(res.body).toContain('data-rich-editor');
    expect(res.body).toMatch(/<script type="module" src="\/assets\/editor-[^"]+\.js" nonce="[^"]+"><\/script>/);
    expect(res.body).toContain('value="Ada Lovelace"');
    expect(res.body).toContain('name="pdf" type="file"');
  });

  it('publishes an article: sanitised, rendered with KaTeX, audit-logged', async () => {
    const res = await adminClient.post(
      '/admin/articles',
      form({ content_html: `${form().content_html}<script>alert(1)</script>` }),
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/articles\/\d+$/);
    const page = await t.client().get(res.headers.location as string);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Why primes never run out</h1>');
    expect(page.body).toContain('By Ada Lovelace');
    expect(page.body).toContain('<h2>Euclid</h2>');
    expect(page.body).toContain('class="katex"');
    expect(page.body).not.toContain('alert(1)');
    const row = await t.db.selectFrom('articles').selectAll().executeTakeFirstOrThrow();
    expect(row.content_html).not.toContain('script');
    expect(row.author_id).toBe(admin.id);
    const entry = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'article.create')
      .executeTakeFirstOrThrow();
    expect(entry.actor_id).toBe(admin.id);
    expect(entry.target_id).toBe(String(row.id));
  });

  it('refuses an incomplete form with messages and writes nothing', async () => {
    const res = await adminClient.post('/admin/articles', {
      type: 'poem',
      title: '  ',
      author_name: '',
      content_html: '<p> </p>',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Choose article or newsletter.');
    expect(res.body).toContain('Enter a title.');
    expect(res.body).toContain('Enter the author’s name as it should be shown.');
    expect(await t.db.selectFrom('articles').select('id').execute()).toEqual([]);
    expect(await t.db.selectFrom('audit_log').select('id').execute()).toEqual([]);
  });

  it('asks for content or a PDF', async () => {
    const res = await adminClient.post('/admin/articles', form({ content_html: '' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Write some content or attach a PDF.');
  });

  it('lists each type newest first, paginated, on its own page', async () => {
    const base = Date.UTC(2025, 0, 1);
    for (let i = 0; i < 12; i++)
      await insertArticle('article', `Article ${i}`, new Date(base + i * 86400_000).toISOString());
    await insertArticle('newsletter', 'Spring newsletter', new Date(base).toISOString());
    const first = await t.client().get('/articles');
    expect(first.statusCode).toBe(200);
    const titles = [...first.body.matchAll(/<a href="\/articles\/\d+">(Article \d+)<\/a>/g)].map((m) => m[1]);
    expect(titles).toEqual([
      'Article 11',
      'Article 10',
      'Article 9',
      'Article 8',
      'Article 7',
      'Article 6',
      'Article 5',
      'Article 4',
      'Article 3',
      'Article 2',
    ]);
    expect(first.body).not.toContain('Spring newsletter');
    expect(first.body).toContain('href="/articles?page=2"');
    const second = await t.client().get('/articles?page=2');
    expect([...second.body.matchAll(/<a href="\/articles\/\d+">(Article \d+)<\/a>/g)].map((m) => m[1])).toEqual([
      'Article 1',
      'Article 0',
    ]);
    expect((await t.client().get('/articles?page=9')).statusCode).toBe(404);
    expect((await t.client().get('/articles?page=abc')).statusCode).toBe(200);
    const news = await t.client().get('/newsletters');
    expect(news.body).toContain('Spring newsletter');
    expect(news.body).not.toContain('Article 1<');
  });

  it('keeps each item at its own section’s address', async () => {
    const { id } = await insertArticle('newsletter', 'N', new Date().toISOString());
    const wrong = await t.client().get(`/articles/${id}`);
    expect(wrong.statusCode).toBe(301);
    expect(wrong.headers.location).toBe(`/newsletters/${id}`);
    for (const url of ['/newsletters/999999', '/articles/abc', '/articles/0', '/articles/99999999999999']) {
      expect((await t.client().get(url)).statusCode).toBe(404);
    }
  });

  it('shows a newsletter PDF in a viewer with download and print links', async () => {
    const res = await postMultipart(
      t,
      adminClient,
      '/admin/articles',
      form({ type: 'newsletter', title: 'Autumn newsletter', content_html: '' }),
      [{ field: 'pdf', name: 'autumn.pdf', data: pdf(), type: 'application/pdf' }],
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/newsletters\/\d+$/);
    const upload = await t.db.selectFrom('uploads').selectAll().executeTakeFirstOrThrow();
    const page = await t.client().get(res.headers.location as string);
    expect(page.body).toContain(`<iframe class="pdf-frame" src="/uploads/${upload.stored_name}"`);
    expect(page.body).toContain(`href="/uploads/${upload.stored_name}?download=1"`);
    expect(page.body).toContain(`data-print-pdf="/uploads/${upload.stored_name}"`);
    expect(page.body).toMatch(/src="\/assets\/pdf-viewer-[^"]+\.js"/);
  });

  it('replacing a PDF stores the new file first, then deletes the old one', async () => {
    const created = await postMultipart(t, adminClient, '/admin/articles', form({ type: 'newsletter' }), [
      { field: 'pdf', name: 'v1.pdf', data: pdf('one') },
    ]);
    const id = Number((created.headers.location as string).split('/').pop());
    const [v1] = await t.db.selectFrom('uploads').selectAll().execute();
    expect(await readdir(dir)).toEqual([v1!.stored_name]);

    // A refused replacement keeps the old PDF untouched.
    const refused = await postMultipart(t, adminClient, `/admin/articles/${id}`, form({ type: 'newsletter' }), [
      { field: 'pdf', name: 'v2.pdf', data: Buffer.from('not a pdf') },
    ]);
    expect(refused.statusCode).toBe(400);
    expect(await readdir(dir)).toEqual([v1!.stored_name]);

    const replaced = await postMultipart(
      t,
      adminClient,
      `/admin/articles/${id}`,
      form({ type: 'newsletter', title: 'Edited' }),
      [{ field: 'pdf', name: 'v2.pdf', data: pdf('two') }],
    );
    expect(replaced.statusCode).toBe(303);
    const uploads = await t.db.selectFrom('uploads').selectAll().execute();
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.original_name).toBe('v2.pdf');
    expect(await readdir(dir)).toEqual([uploads[0]!.stored_name]);
    const article = await t.db.selectFrom('articles').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(article.pdf_upload_id).toBe(uploads[0]!.id);
    expect(article.title).toBe('Edited');
    expect((await t.client().get(`/uploads/${v1!.stored_name}`)).statusCode).toBe(404);

    // Saving without a new file keeps the PDF; ticking "remove" removes it.
    await postMultipart(t, adminClient, `/admin/articles/${id}`, form({ type: 'newsletter' }));
    expect(await readdir(dir)).toHaveLength(1);
    await postMultipart(t, adminClient, `/admin/articles/${id}`, form({ type: 'newsletter', remove_pdf: '1' }));
    expect(await readdir(dir)).toEqual([]);
    expect(await t.db.selectFrom('uploads').select('id').execute()).toEqual([]);
    const actions = (await t.db.selectFrom('audit_log').select('action').orderBy('id').execute()).map((r) => r.action);
    expect(actions).toEqual(['newsletter.create', 'newsletter.update', 'newsletter.update', 'newsletter.update']);
  });

  it('deletes an article with its PDF after a confirmation page, by POST only', async () => {
    const created = await postMultipart(t, adminClient, '/admin/articles', form({ type: 'newsletter' }), [
      { field: 'pdf', name: 'x.pdf', data: pdf() },
    ]);
    const id = Number((created.headers.location as string).split('/').pop());
    const confirm = await adminClient.get(`/admin/articles/${id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`action="/admin/articles/${id}/delete"`);
    expect(await t.db.selectFrom('articles').select('id').execute()).toHaveLength(1);
    const res = await adminClient.post(`/admin/articles/${id}/delete`);
    expect(res.statusCode).toBe(303);
    expect(await t.db.selectFrom('articles').select('id').execute()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
    expect((await adminClient.post(`/admin/articles/${id}/delete`)).statusCode).toBe(404);
    const entry = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'newsletter.delete')
      .executeTakeFirstOrThrow();
    expect(entry.target_id).toBe(String(id));
  });

  it('edits keep the values and show the current PDF', async () => {
    const created = await postMultipart(t, adminClient, '/admin/articles', form(), [
      { field: 'pdf', name: 'notes.pdf', data: pdf() },
    ]);
    const id = Number((created.headers.location as string).split('/').pop());
    const edit = await adminClient.get(`/admin/articles/${id}/edit`);
    expect(edit.body).toContain('value="Why primes never run out"');
    expect(edit.body).toContain('Current PDF: <a href="/uploads/');
    expect(edit.body).toContain('name="remove_pdf"');
    expect(edit.body).toContain('&lt;h2>Euclid&lt;/h2>');
  });

  it('keeps students and visitors out of the admin pages and actions', async () => {
    const { id } = await insertArticle('article', 'Kept', new Date().toISOString());
    for (const url of [
      '/admin/articles',
      '/admin/articles/new',
      `/admin/articles/${id}/edit`,
      `/admin/articles/${id}/delete`,
    ]) {
      expect((await student.get(url)).statusCode).toBe(403);
      const anon = await t.client().get(url);
      expect(anon.statusCode).toBe(302);
      expect(anon.headers.location).toMatch(/^\/login\?next=/);
    }
    expect((await student.post('/admin/articles', form())).statusCode).toBe(403);
    expect((await student.post(`/admin/articles/${id}/delete`)).statusCode).toBe(403);
    expect(await t.db.selectFrom('articles').select('title').execute()).toEqual([{ title: 'Kept' }]);
  });

  it('does not change anything on GET', async () => {
    const { id } = await insertArticle('article', 'Stays', new Date().toISOString());
    await adminClient.get(`/admin/articles/${id}/delete`);
    await adminClient.get(`/admin/articles/${id}/edit`);
    expect(await t.db.selectFrom('articles').select('title').execute()).toEqual([{ title: 'Stays' }]);
  });
});
