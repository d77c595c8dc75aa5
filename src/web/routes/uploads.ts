// Serving uploaded files, and the editor's image upload endpoint.
// GET /uploads/:name serves only server-chosen names that are in the uploads
// table, with the stored (sniffed) Content-Type, nosniff, a Content-Disposition
// no file name can break, and a restrictive CSP of its own. Images of a
// challenge that is not released yet are 404 for everyone but admins.
import type { FastifyInstance } from 'fastify';
import { requestActor } from '../../domain/audit.js';
import {
  belongsToUnreleasedChallenge,
  contentDisposition,
  createAuditedUpload,
  findUploadByName,
  openUpload,
  UploadError,
} from '../../domain/content/uploads.js';
import { HttpError } from '../../security/access.js';
import { formFile } from '../multipart.js';
import { paramValue, queryValue } from '../params.js';

const NOT_FOUND = 'There is no file at this address.';

// A stored file is never a page: no scripts, no plugins, nothing loaded from it.
const IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";
// The browser's own PDF viewer must still run inside our viewer frame.
const PDF_CSP = "default-src 'none'; frame-ancestors 'self'";

export async function uploadRoutes(app: FastifyInstance): Promise<void> {
  const settings = app.config.uploads;

  app.get('/uploads/:name', { config: { access: 'public' } }, async (request, reply) => {
    const upload = await findUploadByName(app.db, paramValue(request, 'name'));
    if (!upload) throw new HttpError(404, NOT_FOUND);
    // A scheduled challenge's pictures are for the staff who write it (teachers and admins) until it is out.
    const staff = request.user !== null && request.user.role !== 'student';
    if (!staff && (await belongsToUnreleasedChallenge(app.db, upload))) {
      throw new HttpError(404, NOT_FOUND);
    }
    // From the storage UPLOAD_STORAGE names only: with database storage no process reads its own disk.
    const file = await openUpload(app.db, settings, upload);
    if (!file) {
      request.log.warn({ upload: upload.id, storage: settings.storage }, 'upload row without its file');
      throw new HttpError(404, NOT_FOUND);
    }
    const download = queryValue(request, 'download') === '1';
    const ext = upload.stored_name.split('.').pop()!;
    reply.header('content-type', upload.mime);
    reply.header('content-length', String(file.size));
    reply.header('x-content-type-options', 'nosniff');
    reply.header(
      'content-disposition',
      contentDisposition(download ? 'attachment' : 'inline', upload.original_name, ext),
    );
    reply.header('content-security-policy', upload.kind === 'pdf' ? PDF_CSP : IMAGE_CSP);
    reply.removeHeader('content-security-policy-report-only');
    // Names are never reused, so a file can be kept a while, but only by the browser:
    // access to a challenge's image depends on who asks and when.
    reply.header('cache-control', 'private, max-age=3600');
    return reply.send(file.stream);
  });

  // The rich-text editor's image upload (fetch with the X-CSRF-Token header).
  app.post(
    '/admin/uploads/image',
    { config: { access: 'admin', multipart: true, json: true } },
    async (request, reply) => {
      try {
        const file = formFile(request, 'file');
        if (!file) return reply.code(400).send({ error: 'Choose an image to upload.' });
        const upload = await createAuditedUpload(
          app.db,
          settings,
          { buffer: file.buffer, originalName: file.filename, allowed: ['image'] },
          requestActor(request),
        );
        return reply
          .code(201)
          .send({ id: upload.id, url: `/uploads/${upload.stored_name}`, name: upload.original_name });
      } catch (err) {
        if (err instanceof UploadError) return reply.code(err.statusCode).send({ error: err.message });
        throw err;
      }
    },
  );
}
