// Where the bytes of uploaded files live (UPLOAD_STORAGE). Two backends behind
// one interface: a local directory (UPLOAD_DIR, the default) and the database
// (tables upload_files and upload_chunks, migration 012), which lets any number
// of processes and machines serve the same files and puts them in every
// database backup. The interface is asynchronous, streams both ways and knows
// files only by their server-chosen name, never by a path, so an object store
// (S3 and the like) can be a third backend.
//
// Writing has two shapes. A backend outside the database (`transactional:
// false`) writes at once, before the record's transaction, and the caller
// deletes the bytes again if that transaction fails. A backend inside the
// database (`transactional: true`) writes in the caller's transaction, after
// the `uploads` row, so the row and its bytes commit or vanish together.
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

/** Server-chosen names: 128 random bits in hex plus the detected extension. */
export const STORED_NAME = /^[a-f0-9]{32}\.(?:png|jpg|gif|webp|pdf)$/;

export const isStoredName = (name: string): boolean => STORED_NAME.test(name);

/** Bytes to store: a whole buffer, or a stream of pieces (a file being copied). */
export type ByteSource = Buffer | AsyncIterable<Uint8Array>;

/** An open stored file: its size (for Content-Length) and its bytes, read as they are sent. */
export interface OpenedFile {
  size: number;
  stream: Readable;
}

/** What a write stored: its length and SHA-256 (hex), to compare a copy with its source. */
export interface WrittenFile {
  size: number;
  sha256: string;
}

export class StorageNameError extends Error {
  constructor(name: string) {
    super(`Not an upload name: ${JSON.stringify(name.slice(0, 80))}`);
    this.name = 'StorageNameError';
  }
}

export interface UploadStorage {
  readonly kind: 'local' | 'database';
  /** True when put() writes inside the transaction it is given (see the top of this file). */
  readonly transactional: boolean;
  /**
   * Stores a new file under `name`; never replaces one. A transactional backend
   * writes through `trx` (the transaction that records the upload); the others ignore it.
   * On failure nothing of the file is left.
   */
  put(name: string, bytes: ByteSource, trx?: DbOrTrx): Promise<WrittenFile>;
  /** The file's size and a stream of its bytes, or null when there is no such file. */
  open(name: string): Promise<OpenedFile | null>;
  /** The stored size, or null when there is no such file. */
  size(name: string): Promise<number | null>;
  /** Removes the file; a file already gone is not an error. */
  delete(name: string): Promise<void>;
}

function checkName(name: string): void {
  if (!STORED_NAME.test(name)) throw new StorageNameError(name);
}

/** 256 KiB: large enough that a 20 MB file is 80 rows, small enough that serving holds little memory. */
export const CHUNK_SIZE = 256 * 1024;

/**
 * Regroups a byte source into buffers of exactly `size` bytes, the last one
 * shorter (never empty). Holds at most one chunk and one incoming piece.
 */
export async function* inChunks(source: ByteSource, size: number = CHUNK_SIZE): AsyncGenerator<Buffer> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('chunk size must be a positive integer');
  if (Buffer.isBuffer(source)) {
    for (let at = 0; at < source.length; at += size) yield source.subarray(at, at + size);
    return;
  }
  let pending: Buffer[] = [];
  let held = 0;
  for await (const piece of source) {
    let rest = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (held + rest.length >= size) {
      const take = size - held;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending, size);
      pending = [];
      held = 0;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      pending.push(rest);
      held += rest.length;
    }
  }
  if (held > 0) yield Buffer.concat(pending, held);
}

// ---------------------------------------------------------------- local directory

/** Files in one directory (UPLOAD_DIR, outside the web root), named by their server-chosen names. */
export class LocalUploadStorage implements UploadStorage {
  readonly kind = 'local';
  readonly transactional = false;
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** The file's absolute path; refuses anything that is not a server-chosen name. */
  path(name: string): string {
    checkName(name);
    return join(this.dir, name);
  }

  async put(name: string, bytes: ByteSource): Promise<WrittenFile> {
    const path = this.path(name);
    await mkdir(this.dir, { recursive: true, mode: 0o750 });
    // 'wx': never overwrite an existing file.
    const file = await open(path, 'wx', 0o640);
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of inChunks(bytes)) {
        hash.update(chunk);
        size += chunk.length;
        await file.write(chunk);
      }
      await file.close();
    } catch (err) {
      // A write cut short (a full disk, a source that failed) must not leave a partial file behind.
      await file.close().catch(() => {});
      await unlink(path).catch(() => {});
      throw err;
    }
    return { size, sha256: hash.digest('hex') };
  }

  async open(name: string): Promise<OpenedFile | null> {
    let file;
    try {
      file = await open(this.path(name), 'r');
    } catch (err) {
      if (err instanceof StorageNameError || (err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      // Size and stream from the same open file: a replaced or removed name cannot split them.
      const info = await file.stat();
      if (!info.isFile()) {
        await file.close();
        return null;
      }
      return { size: info.size, stream: file.createReadStream({ highWaterMark: 64 * 1024 }) };
    } catch (err) {
      await file.close().catch(() => {});
      throw err;
    }
  }

  async size(name: string): Promise<number | null> {
    try {
      const info = await stat(this.path(name));
      return info.isFile() ? info.size : null;
    } catch (err) {
      if (err instanceof StorageNameError || (err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await unlink(this.path(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /** The server-chosen names in the directory (anything else there is ignored). */
  async names(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((n) => STORED_NAME.test(n)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}

// ---------------------------------------------------------------- database

/**
 * Bytes in the database: a row in upload_files (size, SHA-256) and its slices
 * in upload_chunks. Both belong to the `uploads` row of the same name (a
 * foreign key with ON DELETE CASCADE), so a file can only be stored for a
 * recorded upload, and deleting the record deletes the bytes with it.
 * Reading takes one slice per query, outside any transaction: memory stays at
 * a slice or two whatever the file's size, and a slow reader holds no lock.
 */
export class DatabaseUploadStorage implements UploadStorage {
  readonly kind = 'database';
  readonly transactional = true;

  constructor(
    private readonly db: DbOrTrx,
    private readonly chunkSize = CHUNK_SIZE,
  ) {}

  async put(name: string, bytes: ByteSource, trx?: DbOrTrx): Promise<WrittenFile> {
    checkName(name);
    const write = async (tx: DbOrTrx): Promise<WrittenFile> => {
      // The file row first (its size is set at the end): the slices refer to it.
      await tx
        .insertInto('upload_files')
        .values({
          stored_name: name,
          size: 0,
          sha256: '',
          chunk_size: this.chunkSize,
          created_at: new Date().toISOString(),
        })
        .execute();
      const hash = createHash('sha256');
      let size = 0;
      let seq = 0;
      for await (const data of inChunks(bytes, this.chunkSize)) {
        hash.update(data);
        size += data.length;
        await tx.insertInto('upload_chunks').values({ stored_name: name, seq, data }).execute();
        seq += 1;
      }
      const sha256 = hash.digest('hex');
      await tx.updateTable('upload_files').set({ size, sha256 }).where('stored_name', '=', name).execute();
      return { size, sha256 };
    };
    const into = trx ?? this.db;
    return into.isTransaction ? write(into) : into.transaction().execute(write);
  }

  async open(name: string): Promise<OpenedFile | null> {
    if (!STORED_NAME.test(name)) return null;
    const file = await this.db
      .selectFrom('upload_files')
      .select(['size'])
      .where('stored_name', '=', name)
      .executeTakeFirst();
    if (!file) return null;
    return { size: file.size, stream: Readable.from(this.slices(name, file.size), { objectMode: false }) };
  }

  /** The file's slices in order, one query each, checked against the recorded size. */
  private async *slices(name: string, size: number): AsyncGenerator<Buffer> {
    let sent = 0;
    for (let seq = 0; sent < size; seq++) {
      const row = await this.db
        .selectFrom('upload_chunks')
        .select('data')
        .where('stored_name', '=', name)
        .where('seq', '=', seq)
        .executeTakeFirst();
      // Deleted while being read, or damaged: end with an error rather than wrong bytes.
      if (!row) throw new Error(`upload ${name} lost its bytes at slice ${seq} while being read`);
      const data = Buffer.isBuffer(row.data) ? row.data : Buffer.from(row.data);
      sent += data.length;
      if (sent > size) throw new Error(`upload ${name} has more bytes than its recorded size`);
      yield data;
    }
  }

  async size(name: string): Promise<number | null> {
    if (!STORED_NAME.test(name)) return null;
    const file = await this.db
      .selectFrom('upload_files')
      .select('size')
      .where('stored_name', '=', name)
      .executeTakeFirst();
    return file?.size ?? null;
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    // The slices go with their file row (ON DELETE CASCADE), in the same statement.
    await this.db.deleteFrom('upload_files').where('stored_name', '=', name).execute();
  }
}

/** Reads a stream to its end, returning its length and SHA-256 (to verify a copy). */
export async function digest(stream: AsyncIterable<Uint8Array>): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const piece of stream) {
    hash.update(piece);
    size += piece.length;
  }
  return { size, sha256: hash.digest('hex') };
}
