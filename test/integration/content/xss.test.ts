// Every XSS vector of the corpus, saved through every rich-text field of the
// content area (article, newsletter, announcement, editable page), must come
// back with no executable content: in the stored row and on the public page.
import { parse, serializeOuter, type DefaultTreeAdapterMap } from 'parse5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { findProblems, xssVectors } from '../../unit/content/inert-html.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const vectors = await xssVectors();
const MARK = '<p>Safe paragraph</p>';

/** The inner HTML of every `.content` block of a page, and every script element on it. */
function inspectPage(html: string): { blocks: string[]; scripts: Element[]; handlers: string[] } {
  const doc = parse(html);
  const blocks: string[] = [];
  const scripts: Element[] = [];
  const handlers: string[] = [];
  const walk = (n: Node) => {
    if ('tagName' in n) {
      if (n.tagName === 'script') scripts.push(n);
      for (const a of n.attrs) if (a.name.toLowerCase().startsWith('on')) handlers.push(`${n.tagName} ${a.name}`);
      const cls = n.attrs.find((a) => a.name === 'class')?.value.split(/\s+/) ?? [];
      if (n.tagName === 'div' && cls.includes('content')) {
        // Serialise the block's children again: exactly what the browser built.
        blocks.push(n.childNodes.map((c) => serializeChild(c as Node)).join(''));
      }
    }
    if ('childNodes' in n) for (const c of n.childNodes as Node[]) walk(c);
  };
  walk(doc);
  return { blocks, scripts, handlers };
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A node as HTML, the element itself included (comments are dropped). */
function serializeChild(n: Node): string {
  if ('tagName' in n) return serializeOuter(n);
  return n.nodeName === '#text' ? escapeText((n as { value: string }).value) : '';
}

describe.each(await availableDialects())('XSS corpus through every rich-text field on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let anon: TestClient;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
    anon = t.client();
  });
  afterAll(async () => {
    await t.close();
  });

  function expectInertPage(html: string) {
    const page = inspectPage(html);
    expect(page.handlers).toEqual([]);
    // Only the platform's own nonce'd bundles from /assets.
    for (const s of page.scripts) {
      expect(s.attrs.find((a) => a.name === 'src')?.value ?? '').toMatch(/^\/assets\//);
      expect(s.attrs.some((a) => a.name === 'nonce')).toBe(true);
      expect(s.childNodes).toEqual([]);
    }
    expect(page.blocks.length).toBeGreaterThan(0);
    for (const block of page.blocks) expect(findProblems(block)).toEqual([]);
  }

  it(`checks ${vectors.length} vectors`, () => {
    expect(vectors.length).toBeGreaterThanOrEqual(100);
  });

  it.each(vectors.map((v, i) => [i + 1, v]))('article content, vector %i: %s', async (_n, vector) => {
    const res = await admin.post('/admin/articles', {
      type: 'article',
      title: 'XSS test',
      author_name: 'Tester',
      content_html: `${MARK}${vector}`,
    });
    expect(res.statusCode).toBe(303);
    const url = res.headers.location as string;
    const id = Number(url.split('/').pop());
    const row = await t.db.selectFrom('articles').select('content_html').where('id', '=', id).executeTakeFirstOrThrow();
    expect(findProblems(row.content_html)).toEqual([]);
    expectInertPage((await anon.get(url)).body);
    // The admin's edit form shows the stored HTML as text inside the textarea.
    const edit = await admin.get(`/admin/articles/${id}/edit`);
    expect(inspectPage(edit.body).handlers).toEqual([]);
  });

  it.each(vectors.map((v, i) => [i + 1, v]))('announcement content, vector %i: %s', async (_n, vector) => {
    const res = await admin.post('/admin/announcements', { title: 'XSS test', content_html: `${MARK}${vector}` });
    expect(res.statusCode).toBe(303);
    const url = res.headers.location as string;
    expectInertPage((await anon.get(url)).body);
    // The home page shows the newest announcement.
    expectInertPage((await anon.get('/')).body);
  });

  it.each(vectors.map((v, i) => [i + 1, v]))('page content, vector %i: %s', async (_n, vector) => {
    const res = await admin.post('/admin/pages/about', { title: 'About', content_html: `${MARK}${vector}` });
    expect(res.statusCode).toBe(303);
    const row = await t.db
      .selectFrom('pages')
      .select('content_html')
      .where('slug', '=', 'about')
      .executeTakeFirstOrThrow();
    expect(findProblems(row.content_html)).toEqual([]);
    expectInertPage((await anon.get('/about')).body);
  });

  it('vectors in titles and author names are shown as text', async () => {
    for (const vector of vectors.slice(0, 40)) {
      const res = await admin.post('/admin/articles', {
        type: 'newsletter',
        title: vector.slice(0, 200),
        author_name: vector.slice(0, 100),
        content_html: MARK,
      });
      expect(res.statusCode).toBe(303);
      const page = inspectPage((await anon.get(res.headers.location as string)).body);
      expect(page.handlers).toEqual([]);
      expect(
        page.scripts.every((s) => (s.attrs.find((a) => a.name === 'src')?.value ?? '').startsWith('/assets/')),
      ).toBe(true);
    }
    const list = inspectPage((await anon.get('/newsletters')).body);
    expect(list.handlers).toEqual([]);
  });

  it('HTML written straight into the database is cleaned again when shown', async () => {
    const now = new Date().toISOString();
    const row = await t.db
      .insertInto('articles')
      .values({
        type: 'article',
        title: 'Raw',
        author_name: 'x',
        content_html:
          '<p>x</p><img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">y</a>',
        published_at: now,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const html = (await anon.get(`/articles/${row.id}`)).body;
    expectInertPage(html);
    expect(html).not.toContain('alert(');
  });
});
