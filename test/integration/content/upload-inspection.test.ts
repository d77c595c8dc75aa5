// The admin's upload forms refuse what hides past a file's first bytes: a
// PDF's active content inside compressed object streams, a compressed part
// that cannot be checked, and an image declaring more pixels than
// MAX_IMAGE_MEGAPIXELS. Nothing is stored for a refused file.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { png } from '../../unit/content/sample-files.js';
import { objectStreamPdf, pngDeclaring } from '../../unit/content/sample-inspection-files.js';
import { postMultipart } from './multipart.js';

const errorOf = (res: { json: () => unknown }) => (res.json() as { error: string }).error;

async function filesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

describe.each([
  ['the default limit', {}, 40],
  ['MAX_IMAGE_MEGAPIXELS=1', { MAX_IMAGE_MEGAPIXELS: '1' }, 1],
])('upload inspection with %s', (_label, env: Record<string, string>, megapixels) => {
  let t: TestApp;
  let dir: string;
  let admin: TestClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mathsoc-upload-inspection-'));
    t = await createTestApp('sqlite', { UPLOAD_DIR: dir, ...env });
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await t.db.deleteFrom('articles').execute();
    await t.db.deleteFrom('uploads').execute();
    for (const f of await filesIn(dir)) await rm(join(dir, f));
  });

  const uploadImage = (data: Buffer) =>
    postMultipart(
      t,
      admin,
      '/admin/uploads/image',
      {},
      [{ field: 'file', name: 'diagram.png', data, type: 'image/png' }],
      { csrf: 'header' },
    );
  const createWithPdf = (data: Buffer) =>
    postMultipart(
      t,
      admin,
      '/admin/articles',
      {
        type: 'newsletter',
        title: 'Spring newsletter',
        author_name: 'Ada Admin',
        content_html: '',
      },
      [{ field: 'pdf', name: 'spring.pdf', data, type: 'application/pdf' }],
    );

  async function expectNothingStored(): Promise<void> {
    expect(await filesIn(dir)).toEqual([]);
    expect(await t.db.selectFrom('uploads').select('id').execute()).toEqual([]);
    expect(await t.db.selectFrom('articles').select('id').execute()).toEqual([]);
  }

  it('refuses a 100-byte PNG declaring 60,000 × 60,000 pixels', async () => {
    const res = await uploadImage(pngDeclaring(60000, 60000));
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toBe(
      `The image is too large: 60000 × 60000 pixels; the most is ${megapixels} megapixel${megapixels === 1 ? '' : 's'}. Make it smaller and upload it again.`,
    );
    await expectNothingStored();
  });

  it('accepts a normal small PNG', async () => {
    const res = await uploadImage(png(4, 4));
    expect(res.statusCode).toBe(201);
    expect(await filesIn(dir)).toHaveLength(1);
  });

  it('draws the line at MAX_IMAGE_MEGAPIXELS', async () => {
    const atLimit = await uploadImage(pngDeclaring(1000 * megapixels, 1000));
    expect(atLimit.statusCode).toBe(201);
    const over = await uploadImage(pngDeclaring(1000 * megapixels + 1, 1000));
    expect(over.statusCode).toBe(400);
    expect(errorOf(over)).toContain(`${1000 * megapixels + 1} × 1000 pixels`);
  });

  it('accepts an ordinary PDF whose objects and page content are compressed', async () => {
    const res = await createWithPdf(objectStreamPdf());
    expect(res.statusCode).toBe(303);
    expect(await filesIn(dir)).toHaveLength(1);
  });

  it('refuses a PDF hiding /OpenAction /JavaScript in a compressed object stream, keeping the form', async () => {
    const res = await createWithPdf(objectStreamPdf({ catalogExtra: '/OpenAction<</S/JavaScript/JS(app.alert(1))>>' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The PDF contains active content (/JavaScript), which is not accepted.');
    expect(res.body).toContain('value="Spring newsletter"');
    await expectNothingStored();
  });

  it('refuses a PDF with a compressed stream that does not decompress', async () => {
    const res = await createWithPdf(
      objectStreamPdf({ content: { dict: '/Filter /FlateDecode', data: Buffer.from('not deflate data') } }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('The PDF has a compressed part that cannot be checked (it does not decompress)');
    await expectNothingStored();
  });
});
