// Uploaded files (images for rich text and challenges, PDFs for articles and
// newsletters). A file is judged by its bytes, never by its name or the
// Content-Type the browser sent: the magic number must be PNG, JPEG, GIF, WebP
// or PDF, the structure must end where the format says it ends, and no HTML or
// script may hide inside (polyglots), nor PDF active content, also inside
// compressed streams; an image may declare at most MAX_IMAGE_MEGAPIXELS
// (upload-inspection.ts). Accepted files are stored under a random
// server-chosen name, in UPLOAD_DIR (outside the web root) or in the database
// (UPLOAD_STORAGE, upload-storage.ts), and recorded in the `uploads` table; a
// refused file, a write cut short (full disk) or a record the database refuses
// leaves no bytes behind in either.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import type { Kysely, Transaction } from 'kysely';
import type { Config } from '../../config/index.js';
import type { Database, Upload } from '../../db/schema.js';
import { DEFAULT_MAX_IMAGE_MEGAPIXELS, hiddenContentProblem, imageSizeProblem } from './upload-inspection.js';
import {
  DatabaseUploadStorage,
  isStoredName,
  LocalUploadStorage,
  type OpenedFile,
  type UploadStorage,
} from './upload-storage.js';
import { audit, type AuditActor } from '../audit.js';

export type UploadKind = 'image' | 'pdf';
// The pixel limit may be left out (callers that only store files): the default applies.
export type UploadSettings = Omit<Config['uploads'], 'maxImageMegapixels' | 'storage'> &
  Partial<Pick<Config['uploads'], 'maxImageMegapixels' | 'storage'>>;
type DbOrTrx = Kysely<Database> | Transaction<Database>;

/** Accepted formats: detected MIME type → stored extension and kind. */
const FORMATS: Record<string, { ext: string; kind: UploadKind; label: string }> = {
  'image/png': { ext: 'png', kind: 'image', label: 'PNG' },
  'image/jpeg': { ext: 'jpg', kind: 'image', label: 'JPEG' },
  'image/gif': { ext: 'gif', kind: 'image', label: 'GIF' },
  'image/webp': { ext: 'webp', kind: 'image', label: 'WebP' },
  'application/pdf': { ext: 'pdf', kind: 'pdf', label: 'PDF' },
};

/** A refused upload: the message is shown to the admin as it is. */
export class UploadError extends Error {
  constructor(
    message: string,
    public statusCode = 400,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

export interface UploadInput {
  buffer: Buffer;
  originalName: string;
  allowed: UploadKind[];
  createdBy: number | null;
}

export interface StoredFile {
  storedName: string;
  originalName: string;
  mime: string;
  kind: UploadKind;
  size: number;
  /**
   * Bytes that are written with the record, in its transaction (database
   * storage); null when they were written already (a local directory).
   */
  pending: Buffer | null;
}

export function maxUploadBytes(settings: UploadSettings): number {
  return settings.maxMb * 1024 * 1024;
}

function describeAllowed(allowed: UploadKind[]): string {
  const parts: string[] = [];
  if (allowed.includes('image')) parts.push('an image (PNG, JPEG, GIF or WebP)');
  if (allowed.includes('pdf')) parts.push('a PDF');
  return parts.join(' or ');
}

// eslint-disable-next-line no-control-regex -- control characters are what a file name may not hold
const CONTROL_CHAR = /[\u0000-\u001f\u007f]/;

/** The client's file name, kept only for display and download names. */
export function checkOriginalName(raw: string): string {
  const name = (raw ?? '').normalize('NFC').trim();
  if (name === '') return 'upload';
  if (/[/\\]/.test(name) || name === '.' || name === '..' || CONTROL_CHAR.test(name)) {
    throw new UploadError(
      `The file name “${name.replace(new RegExp(CONTROL_CHAR.source, 'g'), '?').slice(0, 80)}” is not allowed: a name may not contain folders (/ or \\) or control characters. Rename the file and try again.`,
    );
  }
  if (name.length > 200)
    throw new UploadError('The file name is too long (at most 200 characters). Rename the file and try again.');
  return name;
}

function structureProblem(mime: string, buf: Buffer): string | null {
  switch (mime) {
    case 'image/png': {
      const iend = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
      return buf.length >= 12 && buf.subarray(buf.length - 12).equals(iend)
        ? null
        : 'The PNG file is damaged or has extra data after its end.';
    }
    case 'image/gif':
      return buf[buf.length - 1] === 0x3b ? null : 'The GIF file is damaged or has extra data after its end.';
    case 'image/webp': {
      const riff = buf.length >= 12 ? buf.readUInt32LE(4) + 8 : -1;
      return riff === buf.length || riff + 1 === buf.length
        ? null
        : 'The WebP file is damaged or has extra data after its end.';
    }
    case 'image/jpeg':
      return buf.includes(Buffer.from([0xff, 0xd9])) ? null : 'The JPEG file is damaged (it has no end marker).';
    case 'application/pdf': {
      if (!buf.subarray(0, 5).equals(Buffer.from('%PDF-'))) return 'The PDF file does not start with a PDF header.';
      if (!buf.subarray(Math.max(0, buf.length - 2048)).includes(Buffer.from('%%EOF'))) {
        return 'The PDF file is damaged or has extra data after its end.';
      }
      return null;
    }
    default:
      return 'This kind of file is not accepted.';
  }
}

/** Decides what the bytes are and whether they are acceptable. Throws UploadError. */
export async function inspectUpload(
  buffer: Buffer,
  allowed: UploadKind[],
  settings: UploadSettings,
): Promise<{ mime: string; ext: string; kind: UploadKind }> {
  const what = describeAllowed(allowed);
  if (!Buffer.isBuffer(buffer) || buffer.length === 0) throw new UploadError(`The file is empty. Choose ${what}.`);
  const max = maxUploadBytes(settings);
  if (buffer.length > max) {
    throw new UploadError(
      `The file is too large (${(buffer.length / 1024 / 1024).toFixed(1)} MB); the limit is ${settings.maxMb} MB.`,
      413,
    );
  }
  const detected = await fileTypeFromBuffer(buffer);
  const format = detected ? FORMATS[detected.mime] : undefined;
  if (!detected || !format) {
    const head = buffer.subarray(0, 4096).toString('latin1');
    if (/<svg[\s>]|<\?xml/i.test(head)) {
      throw new UploadError(`SVG and other XML files are not accepted (they can carry scripts). Choose ${what}.`);
    }
    throw new UploadError(
      `The file’s contents are not ${what}${detected ? ` (it looks like ${detected.ext.toUpperCase()})` : ''}. The file name and type do not count: only what is inside.`,
    );
  }
  if (!allowed.includes(format.kind)) {
    throw new UploadError(`A ${format.label} file is not accepted here. Choose ${what}.`);
  }
  const broken = structureProblem(detected.mime, buffer);
  if (broken) throw new UploadError(broken);
  const hidden = await hiddenContentProblem(buffer, format.kind, format.label);
  if (hidden) throw new UploadError(hidden);
  if (format.kind === 'image') {
    const tooLarge = imageSizeProblem(
      buffer,
      detected.mime,
      format.label,
      settings.maxImageMegapixels ?? DEFAULT_MAX_IMAGE_MEGAPIXELS,
    );
    if (tooLarge) throw new UploadError(tooLarge);
  }
  return { mime: detected.mime, ext: format.ext, kind: format.kind };
}

/** The storage UPLOAD_STORAGE chooses; `db` is the connection its database backend uses. */
export function uploadStorage(settings: UploadSettings, db: DbOrTrx): UploadStorage {
  return (settings.storage ?? 'local') === 'database'
    ? new DatabaseUploadStorage(db)
    : new LocalUploadStorage(settings.dir);
}

/** Absolute path of a file in UPLOAD_DIR; refuses anything that is not a server-chosen name. */
export function uploadPath(settings: UploadSettings, storedName: string): string {
  if (!isStoredName(storedName)) throw new UploadError('Not an upload name.', 404);
  return new LocalUploadStorage(settings.dir).path(storedName);
}

/**
 * Validates the bytes and chooses a fresh random name. A local directory gets
 * the file now; database storage writes it with the record (recordUpload). No row yet.
 */
export async function storeUploadFile(
  settings: UploadSettings,
  input: Omit<UploadInput, 'createdBy'>,
): Promise<StoredFile> {
  const originalName = checkOriginalName(input.originalName);
  const { mime, ext, kind } = await inspectUpload(input.buffer, input.allowed, settings);
  const storedName = `${randomBytes(16).toString('hex')}.${ext}`;
  const file = { storedName, originalName, mime, kind, size: input.buffer.length };
  if ((settings.storage ?? 'local') === 'database') return { ...file, pending: input.buffer };
  await new LocalUploadStorage(settings.dir).put(storedName, input.buffer);
  return { ...file, pending: null };
}

/**
 * Removes the bytes of an upload whose record is gone (deleted, or never
 * committed). Bytes in the database need nothing: they went with the record
 * (ON DELETE CASCADE) or with the rolled-back transaction. A file already gone is not an error.
 */
export async function removeUploadFile(settings: UploadSettings, storedName: string): Promise<void> {
  if ((settings.storage ?? 'local') === 'database') return;
  if (!isStoredName(storedName)) throw new UploadError('Not an upload name.', 404);
  await new LocalUploadStorage(settings.dir).delete(storedName);
}

/** Removes a file whose record failed; the record's failure is the error worth reporting. */
async function discardFile(settings: UploadSettings, storedName: string): Promise<void> {
  await removeUploadFile(settings, storedName).catch(() => {});
}

/**
 * Records an already-validated file, and writes its bytes when they go to the
 * database. Use inside the transaction of the record that uses it: the row and
 * its bytes commit together or not at all.
 */
export async function recordUpload(db: DbOrTrx, file: StoredFile, createdBy: number | null): Promise<Upload> {
  const run = async (trx: DbOrTrx) => {
    const row = await trx
      .insertInto('uploads')
      .values({
        stored_name: file.storedName,
        original_name: file.originalName,
        mime: file.mime,
        kind: file.kind,
        size: file.size,
        created_by: createdBy,
        created_at: new Date().toISOString(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (file.pending) await new DatabaseUploadStorage(trx).put(file.storedName, file.pending, trx);
    return row;
  };
  // Without a transaction of the caller's, the row and its bytes still get one of their own.
  return file.pending && !db.isTransaction ? db.transaction().execute(run) : run(db);
}

/**
 * Validates, stores and records one upload. On any failure nothing is left
 * behind: no bytes, no row. Throws UploadError with a message for the user.
 */
export async function saveUpload(db: DbOrTrx, input: UploadInput, settings: UploadSettings): Promise<Upload> {
  const file = await storeUploadFile(settings, input);
  try {
    return await recordUpload(db, file, input.createdBy);
  } catch (err) {
    await discardFile(settings, file.storedName);
    throw err;
  }
}

/**
 * Stores, records and audits one upload (`upload.create`) in one
 * transaction. On any failure nothing is left behind: no bytes, no row.
 */
export async function createAuditedUpload(
  db: Kysely<Database>,
  settings: UploadSettings,
  input: Omit<UploadInput, 'createdBy'>,
  actor: AuditActor,
): Promise<Upload> {
  const file = await storeUploadFile(settings, input);
  try {
    return await db.transaction().execute(async (trx) => {
      const row = await recordUpload(trx, file, actor.id);
      await audit(trx, actor, {
        action: 'upload.create',
        targetType: 'upload',
        targetId: row.id,
        details: { name: row.original_name, mime: row.mime, size: row.size },
      });
      return row;
    });
  } catch (err) {
    await discardFile(settings, file.storedName);
    throw err;
  }
}

/** Deletes the row (and bytes kept in the database with it), then a local file. False when there was no such upload. */
export async function deleteUpload(db: DbOrTrx, settings: UploadSettings, id: number): Promise<boolean> {
  const row = await db.deleteFrom('uploads').where('id', '=', id).returning('stored_name').executeTakeFirst();
  if (!row) return false;
  await removeUploadFile(settings, row.stored_name);
  return true;
}

/** The stored bytes of a recorded upload, as a stream with its size; null when they are missing. */
export async function openUpload(
  db: DbOrTrx,
  settings: UploadSettings,
  upload: Pick<Upload, 'stored_name'>,
): Promise<OpenedFile | null> {
  return uploadStorage(settings, db).open(upload.stored_name);
}

export function findUploadById(db: DbOrTrx, id: number): Promise<Upload | undefined> {
  return db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUploadByName(db: DbOrTrx, storedName: string): Promise<Upload | undefined> {
  if (!isStoredName(storedName)) return undefined;
  return db.selectFrom('uploads').selectAll().where('stored_name', '=', storedName).executeTakeFirst();
}

/**
 * True when the upload belongs to a challenge that is not released yet: as the
 * challenge's image, or embedded in its content. Such files are for admins only.
 */
export async function belongsToUnreleasedChallenge(
  db: DbOrTrx,
  upload: Pick<Upload, 'id' | 'stored_name'>,
  now = new Date().toISOString(),
): Promise<boolean> {
  const hit = await db
    .selectFrom('challenges')
    .select('id')
    .where('release_at', '>', now)
    .where((eb) =>
      eb.or([eb('image_upload_id', '=', upload.id), eb('content_html', 'like', `%/uploads/${upload.stored_name}%`)]),
    )
    .limit(1)
    .executeTakeFirst();
  return hit !== undefined;
}

/** A Content-Disposition header value that no file name can break. */
export function contentDisposition(type: 'inline' | 'attachment', originalName: string, fallbackExt: string): string {
  const name = basename(originalName.replace(/\\/g, '/')) || `file.${fallbackExt}`;
  const ascii =
    name
      .replace(/[^\x20-\x7e]/g, '_')
      .replace(/["\\;]/g, '_')
      .slice(0, 150) || `file.${fallbackExt}`;
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
