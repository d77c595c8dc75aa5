// Admin: importing pupils from the MIS (ADR 034). Three steps:
// - GET  /admin/users/import           the upload form;
// - POST /admin/users/import           the dry run: the file is read and the plan shown, nothing written;
// - POST /admin/users/import/confirm   the import, in one transaction.
// The confirm form carries the file itself (base64) with the settings and the
// plan's fingerprint, signed with an HMAC of SECRET_KEY bound to the admin and
// valid for an hour: nothing is stored between the two steps, an altered form
// is refused, and the import recomputes the plan and writes only if it is the
// one the admin saw. Both POSTs are CSRF-checked like every form, admins only.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestActor } from '../../../domain/audit.js';
import {
  ImportPlanChangedError,
  ImportSchoolMissingError,
  planImport,
  runImport,
  type ImportPlan,
} from '../../../domain/accounts/pupil-import.js';
import {
  IMPORT_COLUMNS,
  IMPORT_MAX_BYTES,
  readPupilCsv,
  type ColumnNames,
} from '../../../domain/accounts/pupil-import-csv.js';
import { UploadError } from '../../../domain/content/uploads.js';
import { findSchool, listSchools } from '../../../domain/schools.js';
import type { FieldErrors, FormValues } from '../../../lib/forms.js';
import { plural } from '../../../lib/plural.js';
import { HttpError } from '../../../security/access.js';
import { linkMaker } from '../../links.js';
import { formFields, formFile } from '../../multipart.js';
import { parseId } from '../../params.js';
import { viewContext } from '../../views/context.js';
import {
  COLUMN_FIELDS,
  UserImportFormPage,
  UserImportPreviewPage,
  type ConfirmFields,
} from '../../views/admin/user-import.js';

/** How long a dry run's confirm button works. */
const CONFIRM_MINUTES = 60;
/** The confirm form's largest field: the file in base64 (4/3 of its size) with room to spare. */
const CONFIRM_FIELD_BYTES = Math.ceil((IMPORT_MAX_BYTES * 4) / 3) + 1024;

const TOO_LARGE = `The file is too large; the limit is ${IMPORT_MAX_BYTES / 1024 / 1024} MB. Split it into several files.`;
const STALE =
  'This confirmation is out of date or was altered, so nothing was imported. Upload the file again to check it afresh.';

interface Settings {
  schoolId: number;
  sendEmail: boolean;
  names: ColumnNames;
  fileName: string;
}

function columnNames(fields: Record<string, string>): ColumnNames {
  const names: ColumnNames = {};
  for (const column of IMPORT_COLUMNS) {
    const given = (fields[COLUMN_FIELDS[column]] ?? '').trim().slice(0, 100);
    if (given) names[column] = given;
  }
  return names;
}

/** A file name fit to show and sign: no folders, no control characters, not too long. */
function cleanFileName(name: string): string {
  return (
    name
      .split(/[\\/]/)
      .pop()!
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .slice(0, 200)
  );
}

export async function adminUserImportRoutes(app: FastifyInstance): Promise<void> {
  const secret = app.config.secretKey;
  const keyStageByYear = app.config.accounts.keyStageByYear;

  const sign = (adminId: number, issued: string, s: Settings, digest: string, payload: string) =>
    createHmac('sha256', secret)
      .update(
        JSON.stringify([
          'pupil-import',
          adminId,
          issued,
          s.schoolId,
          s.sendEmail,
          s.names,
          s.fileName,
          digest,
          createHash('sha256').update(payload).digest('hex'),
        ]),
      )
      .digest('base64url');

  const confirmFields = (request: FastifyRequest, s: Settings, plan: ImportPlan, bytes: Buffer): ConfirmFields => {
    const payload = bytes.toString('base64');
    const issued = new Date().toISOString();
    const fields: ConfirmFields = {
      school_id: String(s.schoolId),
      send_email: s.sendEmail ? '1' : '0',
      file_name: s.fileName,
      digest: plan.digest,
      issued,
      payload,
      mac: sign(request.user!.id, issued, s, plan.digest, payload),
    };
    for (const column of IMPORT_COLUMNS) {
      const name = s.names[column];
      if (name) fields[COLUMN_FIELDS[column]] = name;
    }
    return fields;
  };

  const formPage = async (reply: FastifyReply, request: FastifyRequest, values: FormValues, errors?: FieldErrors) =>
    reply.render(
      <UserImportFormPage
        ctx={viewContext(request)}
        schools={await listSchools(app.db)}
        values={values}
        errors={errors}
      />,
      errors ? 400 : 200,
    );

  const previewPage = (
    reply: FastifyReply,
    request: FastifyRequest,
    s: Settings,
    plan: ImportPlan,
    bytes: Buffer,
    notice?: string,
    status = 200,
  ) =>
    reply.render(
      <UserImportPreviewPage
        ctx={viewContext(request)}
        plan={plan}
        fileName={s.fileName}
        sendEmail={s.sendEmail}
        confirm={confirmFields(request, s, plan, bytes)}
        notice={notice}
      />,
      status,
    );

  app.get('/users/import', { config: { access: 'admin' } }, async (request, reply) => formPage(reply, request, {}));

  app.post(
    '/users/import',
    {
      config: {
        access: 'admin',
        multipart: true,
        // One file, cut off just past the import's own limit so the message names that limit.
        multipartOptions: { limits: { files: 1, fileSize: IMPORT_MAX_BYTES + 1 } },
      },
    },
    async (request, reply) => {
      const fields = formFields(request.body);
      const values: FormValues = { ...fields };
      delete values._csrf;
      const errors: FieldErrors = {};
      const schoolId = parseId(fields.school_id ?? '');
      const school = schoolId === null ? undefined : await findSchool(app.db, schoolId);
      if (!school) errors.school_id = 'Choose the school the pupils belong to.';
      let file: { buffer: Buffer; filename: string } | null = null;
      try {
        file = formFile(request, 'file');
        if (!file) errors.file = 'Choose the CSV file to import.';
      } catch (err) {
        if (!(err instanceof UploadError)) throw err;
        errors.file = TOO_LARGE;
      }
      const names = columnNames(fields);
      let reading: ReturnType<typeof readPupilCsv> | null = null;
      if (file) {
        reading = readPupilCsv(file.buffer, names);
        if (!reading.ok) errors.file = reading.error;
      }
      if (Object.keys(errors).length || !school || !file || !reading?.ok) {
        if (file) errors._form = 'Choose the file again: the form does not keep it.';
        return formPage(reply, request, values, errors);
      }
      const settings: Settings = {
        schoolId: school.id,
        sendEmail: fields.no_email !== 'on',
        names,
        fileName: cleanFileName(file.filename),
      };
      const plan = await planImport(app.db, { schoolId: school.id, rows: reading.rows, keyStageByYear });
      return previewPage(reply, request, settings, plan, file.buffer);
    },
  );

  app.post(
    '/users/import/confirm',
    {
      config: {
        access: 'admin',
        multipart: true,
        // No file: the file travels back as a (large) signed text field.
        multipartOptions: { limits: { files: 0, fieldSize: CONFIRM_FIELD_BYTES } },
      },
    },
    async (request, reply) => {
      const f = formFields(request.body);
      const schoolId = parseId(f.school_id ?? '');
      const issued = f.issued ?? '';
      const payload = f.payload ?? '';
      const digest = f.digest ?? '';
      const mac = f.mac ?? '';
      const settings: Settings = {
        schoolId: schoolId ?? 0,
        sendEmail: f.send_email === '1',
        names: columnNames(f),
        fileName: cleanFileName(f.file_name ?? ''),
      };
      const expected = Buffer.from(sign(request.user!.id, issued, settings, digest, payload));
      const given = Buffer.from(mac);
      const age = Date.now() - Date.parse(issued);
      const fresh = Number.isFinite(age) && age >= 0 && age <= CONFIRM_MINUTES * 60_000;
      if (schoolId === null || !fresh || given.length !== expected.length || !timingSafeEqual(given, expected))
        throw new HttpError(400, STALE);

      const bytes = Buffer.from(payload, 'base64');
      const reading = readPupilCsv(bytes, settings.names);
      // The signature says this is the file that was read before; it cannot fail to read now.
      if (!reading.ok) throw new HttpError(400, reading.error);
      try {
        const result = await runImport(app.db, requestActor(request), {
          schoolId,
          rows: reading.rows,
          keyStageByYear,
          sendEmail: settings.sendEmail,
          link: settings.sendEmail ? linkMaker(request) : null,
          expectDigest: digest,
          source: 'web',
          fileName: settings.fileName,
        });
        const parts = [
          `Import done: ${plural(result.created, 'account')} created, ${result.updated} updated`,
          result.unchanged ? `, ${result.unchanged} already up to date` : '',
          result.refused ? `; ${plural(result.refused, 'row')} refused and skipped` : '',
          '.',
          result.emails === 'set-password' && result.created
            ? ` Each new pupil is being emailed a link to set their password.`
            : result.emails === 'school-sign-in' && result.created
              ? ` Each new pupil is being emailed a welcome telling them to sign in with their school account.`
              : '',
        ];
        reply.flash('success', parts.join(''));
        return reply.redirect('/admin/users', 303);
      } catch (err) {
        if (err instanceof ImportPlanChangedError)
          return previewPage(
            reply,
            request,
            settings,
            err.plan,
            bytes,
            `${err.message} Here is the plan as it stands now; check it and confirm again.`,
            409,
          );
        if (err instanceof ImportSchoolMissingError) throw new HttpError(404, err.message);
        throw err;
      }
    },
  );
}
