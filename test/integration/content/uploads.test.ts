import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { gif, jpeg, pdf, png, polyglots, svg, webp } from '../../unit/content/sample-files.js';
import { postMultipart } from './multipart.js';

async function filesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

describe.each(await availableDialects())('uploads on %s', (dialect) => {
  let t: TestApp;
  let dir: string;
  let admin: TestUser;
  let adminClient: TestClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mathsoc-uploads-'));
    t = await createTestApp(dialect, { UPLOAD_DIR: dir, MAX_UPLOAD_MB: '1' });
    admin = await t.createUser({ isAdmin: true, firstName: 'Ada', lastName: 'Admin' });
    adminClient = t.client();
    await adminClient.loginAs(admin);
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await t.db.deleteFrom('articles').execute();
    await t.db.deleteFrom('challenges').execute();
    await t.db.deleteFrom('uploads').execute();
    for (const f of await filesIn(dir)) await rm(join(dir, f));
  });

  const uploadImage = (name: string, data: Buffer, client = adminClient) =>
    postMultipart(t, client, '/admin/uploads/image', {}, [{ field: 'file', name, data, type: 'image/png' }], {
      csrf: 'header',
    });

  it.each([
    ['PNG', 'graph.png', png(), 'image/png'],
    ['JPEG', 'photo.jpg', jpeg(), 'image/jpeg'],
    ['GIF', 'anim.gif', gif(), 'image/gif'],
    ['WebP', 'pic.webp', webp(), 'image/webp'],
  ])('accepts a %s image and serves it with its sniffed type and safe headers', async (_label, name, data, mime) => {
    const res = await uploadImage(name, data);
    expect(res.statusCode).toBe(201);
    const body = res.json<{ url: string; id: number; name: string }>();
    expect(body.url).toMatch(/^\/uploads\/[a-f0-9]{32}\.(png|jpg|gif|webp)$/);
    expect(body.name).toBe(name);
    // Stored under the server's name, never the client's.
    const files = await filesIn(dir);
    expect(files).toEqual([body.url.slice('/uploads/'.length)]);
    expect(files[0]).not.toContain(name.split('.')[0]);

    const served = await t.client().get(body.url);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe(mime);
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-disposition']).toBe(`inline; filename="${name}"; filename*=UTF-8''${name}`);
    expect(served.headers['content-security-policy']).toContain('sandbox');
    expect(served.rawPayload.equals(data)).toBe(true);
  });

  it('writes an audit entry for each image upload', async () => {
    const res = await uploadImage('graph.png', png());
    const entry = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'upload.create')
      .where('target_id', '=', String(res.json<{ id: number }>().id))
      .executeTakeFirst();
    expect(entry?.actor_id).toBe(admin.id);
  });

  const refusals: Array<[string, string, Buffer, RegExp, number]> = [
    [
      'a wrong magic number (text named .png)',
      'notes.png',
      Buffer.from('just some text, not an image'),
      /contents are not an image/,
      400,
    ],
    [
      'a Windows program named .png',
      'setup.png',
      Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 1)]),
      /not an image/,
      400,
    ],
    ['a PDF sent as an image', 'doc.png', pdf(), /A PDF file is not accepted here/, 400],
    ['an SVG', 'logo.svg', svg(), /SVG .* not accepted/, 400],
    ['an SVG named .png', 'logo.png', svg(), /SVG .* not accepted/, 400],
    ['a GIF/script polyglot', 'x.gif', polyglots.gifScript(), /web page code/, 400],
    ['a PNG with HTML in a text chunk', 'x.png', polyglots.pngHtml(), /web page code/, 400],
    ['a PNG with a ZIP appended', 'x.png', polyglots.pngZip(), /extra data after its end/, 400],
    ['a JPEG with SVG markup inside', 'x.jpg', polyglots.jpegHtml(), /web page code/, 400],
    ['an empty file', 'empty.png', Buffer.alloc(0), /file is empty/, 400],
    ['an oversized file', 'huge.png', png(2, 2, 1024 * 1024 + 10), /too large; the limit is 1 MB/, 413],
    ['a path traversal name', '../../x.png', png(), /name .* is not allowed/, 400],
    ['a Windows path traversal name', '..\\..\\x.png', png(), /name .* is not allowed/, 400],
  ];

  it.each(refusals)(
    'refuses %s with a clear message and leaves no file',
    async (_label, name, data, message, status) => {
      const res = await uploadImage(name, data);
      expect(res.statusCode).toBe(status);
      expect(res.json<{ error: string }>().error).toMatch(message);
      expect(await filesIn(dir)).toEqual([]);
      const rows = await t.db.selectFrom('uploads').select('id').execute();
      expect(rows).toEqual([]);
    },
  );

  it('says which file is missing when none was chosen', async () => {
    const res = await postMultipart(t, adminClient, '/admin/uploads/image', { other: 'x' }, [], { csrf: 'header' });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: string }>().error).toMatch(/Choose an image/);
  });

  it('refuses uploads from students and visitors before storing anything', async () => {
    const student = t.client();
    await student.loginAs(await t.createUser());
    const asStudent = await uploadImage('x.png', png(), student);
    expect(asStudent.statusCode).toBe(403);
    const anon = await uploadImage('x.png', png(), t.client());
    expect(anon.statusCode).toBe(401);
    expect(await filesIn(dir)).toEqual([]);
  });

  it('refuses multipart bodies on routes that do not take files', async () => {
    const res = await postMultipart(t, adminClient, '/admin/announcements', { title: 'x', content_html: '<p>y</p>' });
    expect(res.statusCode).toBe(415);
    expect(await t.db.selectFrom('announcements').select('id').execute()).toEqual([]);
  });

  describe('article PDFs', () => {
    async function createWithPdf(name: string, data: Buffer) {
      return postMultipart(
        t,
        adminClient,
        '/admin/articles',
        {
          type: 'newsletter',
          title: 'Autumn newsletter',
          author_name: 'Ada Admin',
          content_html: '',
        },
        [{ field: 'pdf', name, data, type: 'application/pdf' }],
      );
    }

    it('serves a PDF with Content-Type application/pdf, nosniff and a safe Content-Disposition', async () => {
      // Browsers send a double quote in a file name as %22; the semicolon and dash arrive as they are.
      const res = await createWithPdf('Autumn "news"; v2 – final.pdf', pdf());
      expect(res.statusCode).toBe(303);
      const [upload] = await t.db.selectFrom('uploads').selectAll().execute();
      expect(upload!.kind).toBe('pdf');
      const inline = await t.client().get(`/uploads/${upload!.stored_name}`);
      expect(inline.statusCode).toBe(200);
      expect(inline.headers['content-type']).toBe('application/pdf');
      expect(inline.headers['x-content-type-options']).toBe('nosniff');
      // Quotes, semicolons and non-ASCII cannot break out of the header.
      expect(inline.headers['content-disposition']).toBe(
        `inline; filename="Autumn %22news%22_ v2 _ final.pdf"; filename*=UTF-8''Autumn%20%2522news%2522%3B%20v2%20%E2%80%93%20final.pdf`,
      );
      expect(inline.rawPayload.equals(pdf())).toBe(true);
      const download = await t.client().get(`/uploads/${upload!.stored_name}?download=1`);
      expect(download.headers['content-disposition']).toMatch(
        /^attachment; filename="Autumn %22news%22_ v2 _ final.pdf"/,
      );
      expect(download.headers['content-type']).toBe('application/pdf');
    });

    it.each([
      ['a PDF with JavaScript', polyglots.pdfJavaScript(), /active content \(\/JavaScript\)/],
      ['a PDF hiding /JavaScript behind #xx escapes', polyglots.pdfHiddenName(), /active content/],
      ['a PDF that launches a program', polyglots.pdfLaunch(), /active content \(\/Launch\)/],
      ['a PDF with HTML after its end', polyglots.pdfHtmlTail(), /web page code/],
      ['an image named .pdf', png(), /A PNG file is not accepted here\. Choose a PDF\./],
      ['an empty file', Buffer.alloc(0), /file is empty/],
      ['an SVG named .pdf', svg(), /SVG/],
    ])('refuses %s, keeps the form and stores nothing', async (_label, data, message) => {
      const res = await createWithPdf('newsletter.pdf', data);
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(message);
      expect(res.body).toContain('value="Autumn newsletter"');
      expect(await filesIn(dir)).toEqual([]);
      expect(await t.db.selectFrom('articles').select('id').execute()).toEqual([]);
      expect(await t.db.selectFrom('uploads').select('id').execute()).toEqual([]);
    });

    it('refuses an oversized PDF with the limit in the message', async () => {
      const big = Buffer.concat([pdf().subarray(0, 9), Buffer.alloc(1024 * 1024 + 1, 0x80), pdf().subarray(9)]);
      const res = await createWithPdf('big.pdf', big);
      expect(res.statusCode).toBe(413);
      expect(res.body).toContain('too large; the limit is 1 MB');
      expect(await filesIn(dir)).toEqual([]);
    });

    it('refuses a path traversal name for a PDF', async () => {
      const res = await createWithPdf('../../x.pdf', pdf());
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('is not allowed: a name may not contain folders');
      expect(await filesIn(dir)).toEqual([]);
    });
  });

  describe('serving', () => {
    it('answers 404 for names that are not server-chosen or not recorded', async () => {
      for (const url of [
        '/uploads/..%2F..%2Fetc%2Fpasswd',
        '/uploads/passwd',
        '/uploads/0123456789abcdef0123456789abcdef.png',
      ]) {
        const res = await t.client().get(url);
        expect(res.statusCode).toBe(404);
        expect(res.headers['content-disposition']).toBeUndefined();
      }
      // A NUL in the name is refused before any lookup (control characters).
      const nul = await t.client().get('/uploads/x.png%00.pdf');
      expect(nul.statusCode).toBe(400);
      expect(nul.headers['content-disposition']).toBeUndefined();
    });

    it('answers 404 when the file has gone from disk', async () => {
      const { url } = (await uploadImage('g.png', png())).json<{ url: string }>();
      for (const f of await filesIn(dir)) await rm(join(dir, f));
      expect((await t.client().get(url)).statusCode).toBe(404);
    });

    it('never serves an unreleased challenge’s image to anyone but admins', async () => {
      const { id, url } = (await uploadImage('answer-diagram.png', png())).json<{ id: number; url: string }>();
      const embedded = (await uploadImage('in-content.png', png(3, 3))).json<{ url: string }>();
      const now = new Date().toISOString();
      const later = new Date(Date.now() + 86400_000).toISOString();
      const challenge = await t.db
        .insertInto('challenges')
        .values({
          title: 'Next week',
          content_html: `<p><img src="${embedded.url}" alt=""></p>`,
          image_upload_id: id,
          key_stage: 'KS4',
          release_at: later,
          attempts_per_box: 3,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const student = t.client();
      await student.loginAs(await t.createUser());
      for (const u of [url, embedded.url]) {
        expect((await t.client().get(u)).statusCode).toBe(404);
        expect((await student.get(u)).statusCode).toBe(404);
        expect((await adminClient.get(u)).statusCode).toBe(200);
      }
      // Once released, the images are as public as the challenge.
      await t.db.updateTable('challenges').set({ release_at: now }).where('id', '=', challenge.id).execute();
      for (const u of [url, embedded.url]) expect((await student.get(u)).statusCode).toBe(200);
    });
  });

  describe('with CSRF protection on', () => {
    let c: TestApp;
    let client: TestClient;
    let cdir: string;
    beforeAll(async () => {
      cdir = await mkdtemp(join(tmpdir(), 'mathsoc-uploads-csrf-'));
      c = await createTestApp(dialect, { UPLOAD_DIR: cdir, CSRF_ENABLED: 'true' });
      client = c.client();
      await client.loginAs(await c.createUser({ isAdmin: true }));
    });
    afterAll(async () => {
      await c.close();
      await rm(cdir, { recursive: true, force: true });
    });

    it('accepts the editor’s upload with the token in X-CSRF-Token and refuses it without', async () => {
      const ok = await postMultipart(
        c,
        client,
        '/admin/uploads/image',
        {},
        [{ field: 'file', name: 'a.png', data: png() }],
        { csrf: 'header' },
      );
      expect(ok.statusCode).toBe(201);
      const bad = await postMultipart(
        c,
        client,
        '/admin/uploads/image',
        {},
        [{ field: 'file', name: 'a.png', data: png() }],
        { csrf: false },
      );
      expect(bad.statusCode).toBe(403);
      expect(await filesIn(cdir)).toHaveLength(1);
    });

    it('accepts a multipart article form with the token as its first field, and refuses a wrong token', async () => {
      const fields = { type: 'newsletter', title: 'With token', author_name: 'A', content_html: '<p>x</p>' };
      const ok = await postMultipart(c, client, '/admin/articles', fields, [
        { field: 'pdf', name: 'n.pdf', data: pdf() },
      ]);
      expect(ok.statusCode).toBe(303);
      const bad = await postMultipart(c, client, '/admin/articles', { ...fields, title: 'Forged' }, [], {
        csrf: false,
        headers: { 'x-csrf-token': 'forged' },
      });
      expect(bad.statusCode).toBe(403);
      const titles = (await c.db.selectFrom('articles').select('title').execute()).map((r) => r.title);
      expect(titles).toEqual(['With token']);
      const stored = await filesIn(cdir);
      expect(stored.filter((f) => f.endsWith('.pdf'))).toHaveLength(1);
      expect(
        (
          await readFile(
            join(
              cdir,
              stored.find((f) => f.endsWith('.pdf'))!,
            ),
          )
        ).equals(pdf()),
      ).toBe(true);
    });
  });
});
