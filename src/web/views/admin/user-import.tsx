// Admin: importing pupils from the MIS. The upload form (school, file, header
// names, emails or not), then the dry run: what would be created, updated and
// refused (with row and reason), and the button that imports it.
import type { School } from '../../../db/schema.js';
import type { ImportPlan, PlannedPupil } from '../../../domain/accounts/pupil-import.js';
import {
  COLUMN_LABELS,
  DEFAULT_HEADERS,
  IMPORT_COLUMNS,
  IMPORT_MAX_BYTES,
  IMPORT_MAX_ROWS,
  type ImportColumn,
} from '../../../domain/accounts/pupil-import-csv.js';
import type { FieldErrors, FormValues } from '../../../lib/forms.js';
import { plural } from '../../../lib/plural.js';
import type { ViewContext } from '../context.js';
import { CheckboxField, ErrorSummary, FieldError, fieldAria, SelectField, TextField } from '../form.js';
import { CsrfField } from '../layout.js';
import { AdminLayout } from './admin-layout.js';

/** The form field of each column's header name ("first_name_column"). */
export const COLUMN_FIELDS: Record<ImportColumn, string> = {
  firstName: 'first_name_column',
  lastName: 'last_name_column',
  email: 'email_column',
  year: 'year_column',
  class: 'class_column',
};

/** Rows shown per table on the dry-run page; the counts above always cover them all. */
export const PREVIEW_ROWS = 1000;

export function UserImportFormPage({
  ctx,
  schools,
  values,
  errors,
}: {
  ctx: ViewContext;
  schools: School[];
  values: FormValues;
  errors?: FieldErrors;
}) {
  return (
    <AdminLayout ctx={ctx} title="Import pupils">
      <h1>Import pupils</h1>
      <p>
        <a href="/admin/users">← Users</a>
      </p>
      <section class="card">
        <ErrorSummary errors={errors} message={errors?._form} />
        <p>
          Upload the pupil list exported from the school's MIS as a CSV file: one pupil per row, with a first name, last
          name, email, year and (optionally) class column. Nothing is written yet: the next page shows what would be
          created, updated and refused, and you confirm it there.
        </p>
        <form method="post" action="/admin/users/import" enctype="multipart/form-data" novalidate>
          <CsrfField ctx={ctx} />
          <SelectField
            name="school_id"
            label="School"
            value={values.school_id}
            errors={errors}
            required
            placeholder="Choose the school"
            options={schools.map((s) => [String(s.id), `${s.name} (@${s.email_domain})`])}
            hint="Every address must be at this school's email domain; other rows are refused."
          />
          <div class="field">
            <label for="file">CSV file</label>
            <input
              id="file"
              name="file"
              type="file"
              accept=".csv,text/csv"
              required
              {...fieldAria('file', errors ?? {}, true)}
            />
            <p class="hint" id="file-hint">
              UTF-8 (with or without a byte-order mark), separated by commas or semicolons. At most{' '}
              {IMPORT_MAX_BYTES / 1024 / 1024} MB and {IMPORT_MAX_ROWS.toLocaleString('en-GB')} rows.
            </p>
            <FieldError name="file" errors={errors ?? {}} />
          </div>
          <fieldset>
            <legend>Column names (optional)</legend>
            <p class="hint">
              Leave these empty to find each column under its usual MIS names. Give a name only when your file calls a
              column something else.
            </p>
            {IMPORT_COLUMNS.map((column) => (
              <TextField
                name={COLUMN_FIELDS[column]}
                label={`Header of the ${COLUMN_LABELS[column]} column`}
                value={values[COLUMN_FIELDS[column]]}
                errors={errors}
                maxLength={100}
                hint={`Found by default under: ${DEFAULT_HEADERS[column].join(', ')}.`}
              />
            ))}
          </fieldset>
          <CheckboxField
            name="no_email"
            label="Send no emails"
            checked={values.no_email === 'on'}
            hint="Normally each new pupil is emailed a link to set their password (or, where the school signs in with its own Microsoft or Google accounts, told to sign in with that)."
          />
          <button type="submit">Check the file</button> <a href="/admin/users">Cancel</a>
        </form>
      </section>
    </AdminLayout>
  );
}

function More({ shown, total }: { shown: number; total: number }) {
  return total > shown ? (
    <p class="muted">
      … and {total - shown} more (the command line's <code>--dry-run</code> lists them all).
    </p>
  ) : null;
}

function PupilTable({ label, rows }: { label: string; rows: PlannedPupil[] }) {
  const shown = rows.slice(0, PREVIEW_ROWS);
  return (
    <>
      <div class="table-wrap" tabIndex={0} role="region" aria-label={label}>
        <table>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Year</th>
              <th scope="col">Key stage</th>
              <th scope="col">Class</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((p) => (
              <tr>
                <td>{p.row}</td>
                <td>
                  {p.firstName} {p.lastName}
                </td>
                <td>{p.email}</td>
                <td>{p.year}</td>
                <td>{p.keyStage}</td>
                <td>{p.className ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <More shown={shown.length} total={rows.length} />
    </>
  );
}

export interface ConfirmFields {
  [name: string]: string;
}

export function UserImportPreviewPage({
  ctx,
  plan,
  fileName,
  sendEmail,
  confirm,
  notice,
}: {
  ctx: ViewContext;
  plan: ImportPlan;
  fileName: string;
  sendEmail: boolean;
  /** The hidden fields of the confirm form. */
  confirm: ConfirmFields;
  /** Shown above the plan (e.g. "the accounts changed since the dry run"). */
  notice?: string;
}) {
  const { school, created, updated, unchanged, refused } = plan;
  const writes = created.length + updated.length;
  const emailWords = !sendEmail
    ? 'No emails will be sent.'
    : school.password_sign_in === 1
      ? `Each new pupil is emailed a link to set their password (${plural(created.length, 'email')}).`
      : `${school.name} signs in with its own accounts: each new pupil is emailed a welcome telling them to sign in with their school account (${plural(created.length, 'email')}), with no password link.`;
  return (
    <AdminLayout ctx={ctx} title="Import pupils: check">
      <h1>Import pupils: check</h1>
      <p>
        <a href="/admin/users/import">← Choose another file</a>
      </p>
      {notice && (
        <div class="flash flash-error" role="alert">
          {notice}
        </div>
      )}
      <section class="card">
        <p>
          Dry run of <strong>{fileName || 'the file'}</strong> into <strong>{school.name}</strong> (@
          {school.email_domain}). Nothing has been written yet.
        </p>
        <ul class="import-summary">
          <li>{plural(created.length, 'account')} to create</li>
          <li>{plural(updated.length, 'account')} to update</li>
          <li>{plural(unchanged.length, 'row')} already up to date</li>
          <li>{plural(refused.length, 'row')} refused (not imported)</li>
        </ul>
        <p>{emailWords}</p>
        {writes > 0 ? (
          <form method="post" action="/admin/users/import/confirm" enctype="multipart/form-data">
            <CsrfField ctx={ctx} />
            {Object.entries(confirm).map(([name, value]) => (
              <input type="hidden" name={name} value={value} />
            ))}
            <p>
              {refused.length > 0 && 'The refused rows are skipped; everything else is imported together. '}
              The import checks the file again as it writes, all or nothing.
            </p>
            <button type="submit">
              Import: create {created.length}, update {updated.length}
            </button>{' '}
            <a href="/admin/users/import">Cancel</a>
          </form>
        ) : (
          <p>There is nothing to import.</p>
        )}
      </section>

      <section class="card">
        <h2>To create ({created.length})</h2>
        {created.length ? <PupilTable label="Accounts to create" rows={created} /> : <p class="muted">None.</p>}
      </section>

      <section class="card">
        <h2>To update ({updated.length})</h2>
        {updated.length ? (
          <>
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Accounts to update">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Row</th>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Changes</th>
                  </tr>
                </thead>
                <tbody>
                  {updated.slice(0, PREVIEW_ROWS).map((u) => (
                    <tr>
                      <td>{u.row}</td>
                      <td>
                        <a href={`/admin/users/${u.userId}/edit`}>
                          {u.firstName} {u.lastName}
                        </a>
                      </td>
                      <td>{u.email}</td>
                      <td>{u.changes.join('; ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <More shown={Math.min(updated.length, PREVIEW_ROWS)} total={updated.length} />
          </>
        ) : (
          <p class="muted">None.</p>
        )}
      </section>

      <section class="card">
        <h2>Refused ({refused.length})</h2>
        {refused.length ? (
          <>
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Refused rows">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Row</th>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {refused.slice(0, PREVIEW_ROWS).map((r) => (
                    <tr>
                      <td>{r.row}</td>
                      <td>{r.name}</td>
                      <td>{r.email}</td>
                      <td>{r.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <More shown={Math.min(refused.length, PREVIEW_ROWS)} total={refused.length} />
          </>
        ) : (
          <p class="muted">None.</p>
        )}
      </section>
    </AdminLayout>
  );
}
