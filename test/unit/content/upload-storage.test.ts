// The storage backends on their own: slicing, round trips, names, and what a
// failed or interrupted write leaves (nothing).
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CHUNK_SIZE,
  DatabaseUploadStorage,
  digest,
  inChunks,
  LocalUploadStorage,
  StorageNameError,
} from '../../../src/domain/content/upload-storage.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';

const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + (i >> 8)) & 0xff));
async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}
async function* pieces(data: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield new Uint8Array(data.subarray(at, at + n));
    at += n;
  }
}
const NAME = '0123456789abcdef0123456789abcdef.png';
const OTHER = 'fedcba9876543210fedcba9876543210.pdf';

describe('inChunks', () => {
  it('slices a buffer into full chunks and a shorter last one', async () => {
    const chunks = await collect(inChunks(bytes(25), 10));
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(Buffer.concat(chunks).equals(bytes(25))).toBe(true);
  });

  it('regroups uneven pieces of a stream into exact chunks, in order', async () => {
    const data = bytes(1000);
    for (const sizes of [[1], [7, 300, 2], [64], [999, 1], [5000]]) {
      const chunks = await collect(inChunks(pieces(data, sizes), 64));
      expect(chunks.slice(0, -1).every((c) => c.length === 64)).toBe(true);
      expect(chunks.at(-1)!.length).toBe(1000 % 64);
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
    }
  });

  it('makes no empty last chunk for an exact multiple, and nothing for no bytes', async () => {
    expect((await collect(inChunks(bytes(128), 64))).map((c) => c.length)).toEqual([64, 64]);
    expect((await collect(inChunks(pieces(bytes(128), [50]), 64))).map((c) => c.length)).toEqual([64, 64]);
    expect(await collect(inChunks(Buffer.alloc(0), 64))).toEqual([]);
    expect(await collect(inChunks(pieces(Buffer.alloc(0), [1]), 64))).toEqual([]);
  });

  it('refuses a chunk size that is not a positive whole number', async () => {
    await expect(collect(inChunks(bytes(3), 0))).rejects.toThrow(RangeError);
    await expect(collect(inChunks(bytes(3), 1.5))).rejects.toThrow(RangeError);
  });

  it('uses 256 KiB by default', async () => {
    expect(CHUNK_SIZE).toBe(256 * 1024);
    expect((await collect(inChunks(bytes(CHUNK_SIZE + 1)))).map((c) => c.length)).toEqual([CHUNK_SIZE, 1]);
  });
});

describe('local directory storage', () => {
  let dir: string;
  let store: LocalUploadStorage;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mathsoc-storage-local-'));
    store = new LocalUploadStorage(join(dir, 'up'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  beforeEach(() => rm(join(dir, 'up'), { recursive: true, force: true }));

  it('stores, opens with its size, and deletes a file', async () => {
    const data = bytes(CHUNK_SIZE * 2 + 3);
    const written = await store.put(NAME, pieces(data, [1000]));
    expect(written).toEqual({ size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    expect((await readFile(join(dir, 'up', NAME))).equals(data)).toBe(true);
    const opened = await store.open(NAME);
    expect(opened!.size).toBe(data.length);
    expect(await digest(opened!.stream)).toEqual(written);
    expect(await store.size(NAME)).toBe(data.length);
    expect(await store.names()).toEqual([NAME]);
    await store.delete(NAME);
    await store.delete(NAME);
    expect(await store.open(NAME)).toBeNull();
    expect(await store.size(NAME)).toBeNull();
  });

  it('never replaces an existing file', async () => {
    await store.put(NAME, bytes(10));
    await expect(store.put(NAME, bytes(20))).rejects.toMatchObject({ code: 'EEXIST' });
    expect((await readFile(join(dir, 'up', NAME))).length).toBe(10);
  });

  it('leaves nothing when the source fails part-way', async () => {
    async function* broken() {
      yield bytes(CHUNK_SIZE + 10);
      throw new Error('source went away');
    }
    await expect(store.put(NAME, broken())).rejects.toThrow('source went away');
    expect(await readdir(join(dir, 'up'))).toEqual([]);
  });

  it('knows files only by server-chosen names', async () => {
    await writeFile(join(dir, 'secret.txt'), 'x');
    for (const bad of ['../secret.txt', 'secret.txt', '0123456789ABCDEF0123456789ABCDEF.png', `${NAME}/..`]) {
      expect(() => store.path(bad)).toThrow(StorageNameError);
      await expect(store.put(bad, bytes(1))).rejects.toThrow(StorageNameError);
      expect(await store.open(bad)).toBeNull();
    }
  });
});

describe('database storage (SQLite)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(() => db.dispose());
  beforeEach(async () => {
    await db.db.deleteFrom('uploads').execute();
    const now = new Date().toISOString();
    for (const n of [NAME, OTHER])
      await db.db
        .insertInto('uploads')
        .values({ stored_name: n, original_name: n, mime: 'x', kind: 'image', size: 0, created_at: now })
        .execute();
  });

  it('stores a file in slices of the chunk size and reads it back in order', async () => {
    const store = new DatabaseUploadStorage(db.db, 100);
    const data = bytes(1234);
    const written = await store.put(NAME, pieces(data, [33, 77]));
    const rows = await db.db
      .selectFrom('upload_chunks')
      .select(['seq', 'data'])
      .where('stored_name', '=', NAME)
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(rows.map((r) => r.data.length)).toEqual([...Array<number>(12).fill(100), 34]);
    expect(await db.db.selectFrom('upload_files').selectAll().executeTakeFirst()).toMatchObject({
      stored_name: NAME,
      size: 1234,
      sha256: written.sha256,
      chunk_size: 100,
    });
    const opened = await store.open(NAME);
    expect(opened!.size).toBe(1234);
    expect(Buffer.concat((await collect(opened!.stream)) as Buffer[]).equals(data)).toBe(true);
    expect(await store.size(NAME)).toBe(1234);
    expect(await store.open(OTHER)).toBeNull();
  });

  it('writes nothing when a slice fails, and never replaces a file', async () => {
    const store = new DatabaseUploadStorage(db.db, 100);
    async function* broken() {
      yield bytes(250);
      throw new Error('source went away');
    }
    await expect(store.put(NAME, broken())).rejects.toThrow('source went away');
    expect(await db.db.selectFrom('upload_chunks').select('seq').execute()).toEqual([]);
    expect(await db.db.selectFrom('upload_files').select('stored_name').execute()).toEqual([]);
    await store.put(NAME, bytes(10));
    await expect(store.put(NAME, bytes(20))).rejects.toThrow();
    expect(await store.size(NAME)).toBe(10);
  });

  it('stores bytes only for a recorded upload, and deletes them with the record', async () => {
    const store = new DatabaseUploadStorage(db.db, 100);
    await expect(store.put('00000000000000000000000000000000.gif', bytes(5))).rejects.toThrow(/FOREIGN KEY/);
    await store.put(NAME, bytes(300));
    await store.put(OTHER, bytes(50));
    await db.db.deleteFrom('uploads').where('stored_name', '=', NAME).execute();
    expect(await store.size(NAME)).toBeNull();
    expect(await db.db.selectFrom('upload_chunks').select('stored_name').distinct().execute()).toEqual([
      { stored_name: OTHER },
    ]);
    await store.delete(OTHER);
    expect(await db.db.selectFrom('upload_chunks').select('seq').execute()).toEqual([]);
  });

  it('ends the stream with an error when a slice is missing, instead of sending wrong bytes', async () => {
    const store = new DatabaseUploadStorage(db.db, 100);
    await store.put(NAME, bytes(300));
    await db.db.deleteFrom('upload_chunks').where('seq', '=', 1).execute();
    const opened = await store.open(NAME);
    await expect(collect(opened!.stream)).rejects.toThrow(/lost its bytes at slice 1/);
  });
});
