import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkOriginalName,
  contentDisposition,
  deleteUpload,
  inspectUpload,
  saveUpload,
  uploadPath,
  UploadError,
} from '../../../src/domain/content/uploads.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { gif, jpeg, pdf, png, webp } from './sample-files.js';

describe('upload rules', () => {
  const settings = { dir: '/nonexistent', maxMb: 1 };

  it.each([
    ['png', png(), 'image/png', 'png'],
    ['jpeg', jpeg(), 'image/jpeg', 'jpg'],
    ['gif', gif(), 'image/gif', 'gif'],
    ['webp', webp(), 'image/webp', 'webp'],
    ['pdf', pdf(), 'application/pdf', 'pdf'],
  ])('recognises %s by its bytes', async (_n, data, mime, ext) => {
    expect(await inspectUpload(data, ['image', 'pdf'], settings)).toMatchObject({ mime, ext });
  });

  it('refuses a file one byte over the limit and accepts one at it', async () => {
    const limit = 1024 * 1024;
    const atLimit = png(2, 2, limit - png().length - 12);
    expect(atLimit.length).toBe(limit);
    await expect(inspectUpload(atLimit, ['image'], settings)).resolves.toMatchObject({ ext: 'png' });
    const over = png(2, 2, limit - png().length - 11);
    await expect(inspectUpload(over, ['image'], settings)).rejects.toThrow(/too large .* the limit is 1 MB/);
  });

  it.each(['../../x.pdf', '..\\x.pdf', 'a/b.png', 'evil\u0000.png', 'line\nbreak.pdf', '..', 'x'.repeat(201)])(
    'refuses the name %j',
    (name) => {
      expect(() => checkOriginalName(name)).toThrow(UploadError);
    },
  );

  it.each(['notes..final.pdf', 'Année 9 – résumé.pdf', 'graph (1).png'])('keeps the ordinary name %j', (name) => {
    expect(checkOriginalName(name)).toBe(name);
  });

  it('uploadPath accepts only server-chosen names', () => {
    expect(uploadPath({ dir: '/srv/up', maxMb: 1 }, '0123456789abcdef0123456789abcdef.pdf')).toBe(
      '/srv/up/0123456789abcdef0123456789abcdef.pdf',
    );
    for (const bad of [
      '../etc/passwd',
      '0123456789abcdef0123456789abcdef.html',
      'x.pdf',
      '0123456789ABCDEF0123456789ABCDEF.pdf',
    ]) {
      expect(() => uploadPath({ dir: '/srv/up', maxMb: 1 }, bad)).toThrow(UploadError);
    }
  });

  it('builds a Content-Disposition no file name can break out of', () => {
    expect(contentDisposition('inline', 'plain.pdf', 'pdf')).toBe(
      `inline; filename="plain.pdf"; filename*=UTF-8''plain.pdf`,
    );
    const header = contentDisposition('attachment', 'a"b;c\r\nSet-Cookie: x=1\\..\\é.pdf', 'pdf');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toMatch(/^attachment; filename="[^"\\;]*"; filename\*=UTF-8''[A-Za-z0-9%._~!-]*$/);
    expect(contentDisposition('inline', '', 'png')).toBe(`inline; filename="file.png"; filename*=UTF-8''file.png`);
  });
});

describe('saveUpload leaves nothing behind', () => {
  let dir: string;
  let db: TestDatabase;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mathsoc-unit-uploads-'));
    db = await createTestDatabase('sqlite');
  });
  afterAll(async () => {
    await db.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('removes the written file when the database refuses the row', async () => {
    // created_by must be a user: a missing one makes the insert fail after the file was written.
    await expect(
      saveUpload(
        db.db,
        { buffer: png(), originalName: 'a.png', allowed: ['image'], createdBy: 424242 },
        { dir, maxMb: 1 },
      ),
    ).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });

  it('stores, then deletes row and file', async () => {
    const row = await saveUpload(
      db.db,
      { buffer: pdf(), originalName: 'n.pdf', allowed: ['pdf'], createdBy: null },
      { dir, maxMb: 1 },
    );
    expect(await readdir(dir)).toEqual([row.stored_name]);
    expect(row).toMatchObject({ kind: 'pdf', mime: 'application/pdf', original_name: 'n.pdf', size: pdf().length });
    expect(await deleteUpload(db.db, { dir, maxMb: 1 }, row.id)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
    expect(await deleteUpload(db.db, { dir, maxMb: 1 }, row.id)).toBe(false);
  });
});
