// multipart/form-data for the forms that carry files (article PDFs, images).
// Registered once for the whole app, with limits from configuration:
// - only routes that declare `config.multipart: true` accept it (415 elsewhere),
//   so nobody can make an ordinary route buffer a large body;
// - on admin (and teacher) routes a caller who is not an admin (or a teacher)
//   is refused before a byte of the body is read;
// - fields land on request.body (attachFieldsToBody), so the CSRF check in
//   preHandler finds `_csrf` there, or in the X-CSRF-Token header;
// - a file over MAX_UPLOAD_MB is cut off and marked, and `formFile` turns that
//   into a clear "too large" message instead of a bare 413.
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../security/access.js';
import { maxUploadBytes, UploadError } from '../domain/content/uploads.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route accepts multipart/form-data (file uploads). */
    multipart?: boolean;
  }
}

/** Largest text field in a multipart form (rich content can be long). */
const FIELD_BYTES = 1024 * 1024;

interface BufferedFile extends MultipartFile {
  tooLarge?: boolean;
  _buf: Buffer | null;
}

function isMultipart(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/');
}

export const multipartPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(multipart, {
      attachFieldsToBody: true,
      throwFileSizeLimit: false,
      // Keep the client's file name as sent, so a name with folders in it
      // ("../../x.pdf") is refused with a message instead of silently cut down.
      preservePath: true,
      limits: {
        fileSize: maxUploadBytes(app.config.uploads),
        files: 3,
        fields: 60,
        fieldSize: FIELD_BYTES,
        parts: 70,
        headerPairs: 100,
      },
      async onFile(file: MultipartFile) {
        const part = file as BufferedFile;
        const chunks: Buffer[] = [];
        for await (const chunk of part.file) chunks.push(chunk as Buffer);
        if (part.file.truncated) {
          part.tooLarge = true;
          part._buf = Buffer.alloc(0);
        } else {
          part._buf = Buffer.concat(chunks);
        }
      },
    });

    app.addHook('onRequest', async (request) => {
      if (!isMultipart(request)) return;
      const config = request.routeOptions.config;
      if (!config?.access) return; // unknown address: the 404 handler answers
      if (!config.multipart) throw new HttpError(415, 'This address does not accept file uploads.');
      if (config.access === 'admin' && !request.user?.isAdmin) {
        throw new HttpError(
          request.user ? 403 : 401,
          request.user ? 'This page is for administrators only.' : 'Please log in first.',
        );
      }
      if (config.access === 'teacher' && (!request.user || request.user.role === 'student')) {
        throw new HttpError(
          request.user ? 403 : 401,
          request.user ? 'This page is for teachers and administrators only.' : 'Please log in first.',
        );
      }
      if (config.access === 'user' && !request.user) throw new HttpError(401, 'Please log in first.');
    });
  },
  { name: 'mathsoc-multipart', dependencies: ['mathsoc-session'] },
);

type Part = { type?: string; value?: unknown } | string | undefined;

function first(value: unknown): Part {
  return (Array.isArray(value) ? value[0] : value) as Part;
}

/** The form's text fields as strings, from a urlencoded or a multipart body. */
export function formFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
    const v = first(raw);
    if (typeof v === 'string') out[key] = v;
    else if (v && typeof v === 'object' && v.type === 'field' && typeof v.value === 'string') out[key] = v.value;
  }
  return out;
}

export interface FormFile {
  buffer: Buffer;
  filename: string;
}

/**
 * The file sent in field `name`, or null when none was chosen (browsers send
 * an empty part without a name then). A file over the size limit throws a
 * clear UploadError.
 */
export function formFile(request: FastifyRequest, name: string): FormFile | null {
  const body = request.body as Record<string, unknown> | undefined;
  const part = first(body?.[name]) as BufferedFile | string | undefined;
  if (!part || typeof part !== 'object' || (part as { type?: string }).type !== 'file') return null;
  const filename = part.filename ?? '';
  const buffer = part._buf ?? Buffer.alloc(0);
  if (part.tooLarge) {
    const { maxMb } = request.server.config.uploads;
    throw new UploadError(`The file is too large; the limit is ${maxMb} MB.`, 413);
  }
  if (filename === '' && buffer.length === 0) return null;
  return { buffer, filename };
}
