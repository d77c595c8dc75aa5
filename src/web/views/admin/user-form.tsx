import { SCHOOL_YEARS } from '../../../domain/key-stage.js';
import type { AuditEntry, User } from '../../../db/schema.js';
import { roleOf, type Role } from '../../../security/types.js';
import type { ViewContext } from '../context.js';
import type { FieldErrors, FormValues } from '../../../lib/forms.js';
import { CheckboxField, ErrorSummary, FieldError, SelectField, TextField } from '../form.js';
import { formatTime } from '../format-time.js';
import { CsrfField } from '../layout.js';
import { AdminLayout } from './admin-layout.js';

export interface UserFormProps {
  ctx: ViewContext;
  values: FormValues;
  errors?: FieldErrors;
  /** Present when editing; absent for "new user". */
  user?: User;
  history?: AuditEntry[];
  timeZone: string;
}

/** How each role is named on the admin pages. */
export const ROLE_LABELS: Record<Role, string> = { student: 'Student', teacher: 'Teacher', admin: 'Administrator' };

/** What each role may do, beside the role choice. */
const ROLE_HINT =
  'Students answer the challenges. Teachers also write, schedule, edit and lock challenges and see the boards and their classes. Administrators can change everything on the site.';

function DetailsFields({
  values,
  errors,
  isNew,
  self = false,
}: {
  values: FormValues;
  errors?: FieldErrors;
  isNew: boolean;
  /** The admin's own account: the role is shown, not offered (nobody changes their own). */
  self?: boolean;
}) {
  const role = (values.role ?? 'student') as Role;
  return (
    <>
      <TextField
        name="first_name"
        label="First name"
        value={values.first_name}
        errors={errors}
        required
        maxLength={50}
      />
      <TextField name="last_name" label="Last name" value={values.last_name} errors={errors} required maxLength={50} />
      <TextField
        name="email"
        label="Email"
        type="email"
        value={values.email}
        errors={errors}
        required
        hint={
          isNew
            ? undefined
            : 'Changing it tells the old address. Where addresses must be confirmed, the account then waits for the link sent to the new one.'
        }
      />
      {self ? (
        <div class="field">
          <input type="hidden" name="role" value={role} />
          <p>
            Role: <strong>{ROLE_LABELS[role] ?? role}</strong>. You cannot change your own role: ask another
            administrator.
          </p>
          <FieldError name="role" errors={errors ?? {}} />
        </div>
      ) : (
        <SelectField
          name="role"
          label="Role"
          value={values.role || 'student'}
          errors={errors}
          required
          options={[
            ['student', ROLE_LABELS.student],
            ['teacher', ROLE_LABELS.teacher],
            ['admin', ROLE_LABELS.admin],
          ]}
          hint={ROLE_HINT}
        />
      )}
      <SelectField
        name="year_group"
        label="School year"
        value={values.year_group}
        errors={errors}
        placeholder="None"
        options={SCHOOL_YEARS.map((y) => [String(y), `Year ${y}`])}
        hint="The key stage follows from the year. Teachers need no year."
      />
      <TextField name="maths_class" label="Maths class" value={values.maths_class} errors={errors} maxLength={30} />
      <CheckboxField name="is_participant" label="Competition participant" checked={values.is_participant === 'on'} />
    </>
  );
}

export function NewUserPage({ ctx, values, errors, timeZone: _tz }: UserFormProps) {
  return (
    <AdminLayout ctx={ctx} title="New user">
      <h1>New user</h1>
      <section class="card narrow">
        <ErrorSummary errors={errors} />
        <p class="muted">
          A one-time password is generated and shown once after saving. The person must choose their own password when
          they first log in.
        </p>
        <form method="post" action="/admin/users" novalidate>
          <CsrfField ctx={ctx} />
          <DetailsFields values={values} errors={errors} isNew />
          <button type="submit">Create user</button> <a href="/admin/users">Cancel</a>
        </form>
      </section>
    </AdminLayout>
  );
}

export function EditUserPage({ ctx, values, errors, user, history = [], timeZone }: UserFormProps & { user: User }) {
  const self = ctx.user?.id === user.id;
  const name = `${user.first_name} ${user.last_name}`;
  return (
    <AdminLayout ctx={ctx} title={`Edit ${name}`}>
      <h1>{name}</h1>
      <p class="muted">
        User #{user.id} · <span data-role={roleOf(user)}>{ROLE_LABELS[roleOf(user)]}</span>
        {user.key_stage ? ` · ${user.key_stage}` : ''}
        {user.must_change_password === 1 ? ' · Must change password' : ''}
        {user.email_verified_at === null ? ' · Email not confirmed' : ' · Email confirmed'}
        {' · '}joined {formatTime(user.created_at, timeZone)} · last login {formatTime(user.last_login_at, timeZone)}
      </p>
      <div class="admin-columns">
        <section class="card">
          <h2>Details</h2>
          <ErrorSummary errors={errors} />
          <form method="post" action={`/admin/users/${user.id}`} novalidate>
            <CsrfField ctx={ctx} />
            <DetailsFields values={values} errors={errors} isNew={false} self={self} />
            <button type="submit">Save changes</button>
          </form>
        </section>
        <div>
          {self ? (
            <section class="card">
              <h2>Your own account</h2>
              <p>
                You cannot reset your own password, change your own role or delete yourself here. Use{' '}
                <a href="/profile/password">Change password</a> on your profile.
              </p>
            </section>
          ) : (
            <>
              {user.email_verified_at === null && (
                <section class="card">
                  <h2>Email address</h2>
                  <p>
                    {user.email} is not confirmed: the account waits for the link sent to it. Mark it as confirmed only
                    if you know the address is this person's.
                  </p>
                  <form method="post" action={`/admin/users/${user.id}/verify`}>
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="secondary">
                      Mark as confirmed
                    </button>
                  </form>
                </section>
              )}
              <section class="card">
                <h2>Password</h2>
                <p>
                  Generate a one-time password, shown once on the next page. It signs the person out everywhere and they
                  must choose a new password when they log in.
                </p>
                <form method="post" action={`/admin/users/${user.id}/reset-password`}>
                  <CsrfField ctx={ctx} />
                  <button type="submit" class="secondary">
                    Reset password
                  </button>
                </form>
              </section>
              <section class="card">
                <h2>Delete</h2>
                <p>
                  <a class="button danger" href={`/admin/users/${user.id}/delete`}>
                    Delete this account…
                  </a>
                </p>
              </section>
            </>
          )}
        </div>
      </div>
      <section class="card">
        <h2>Recent history</h2>
        {history.length === 0 ? (
          <p class="muted">Nothing recorded yet.</p>
        ) : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Recent history">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">By</th>
                  <th scope="col">Address</th>
                </tr>
              </thead>
              <tbody>
                {history.map((e) => (
                  <tr>
                    <td>{formatTime(e.created_at, timeZone)}</td>
                    <td>{e.action}</td>
                    <td>{e.actor_email ?? '—'}</td>
                    <td>{e.ip ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p>
          <a href={`/admin/audit?target_type=user&target_id=${user.id}`}>Full history in the audit log</a>
        </p>
      </section>
    </AdminLayout>
  );
}

/** The one place a generated password is ever shown: this response, once. */
export function OneTimePasswordPage({
  ctx,
  user,
  password,
  created,
}: {
  ctx: ViewContext;
  user: Pick<User, 'id' | 'first_name' | 'last_name' | 'email'>;
  password: string;
  created: boolean;
}) {
  return (
    <AdminLayout ctx={ctx} title="One-time password">
      <h1>{created ? 'User created' : 'Password reset'}</h1>
      <section class="card narrow">
        <p>
          One-time password for{' '}
          <strong>
            {user.first_name} {user.last_name}
          </strong>{' '}
          ({user.email}):
        </p>
        <p class="one-time-password">
          <code data-one-time-password>{password}</code>
        </p>
        <p>
          This password is shown only now: copy it or write it down, and give it to the person privately. When they log
          in with it they must choose a new password straight away.
        </p>
        <p>
          <a href={`/admin/users/${user.id}/edit`}>
            Back to {user.first_name} {user.last_name}
          </a>{' '}
          · <a href="/admin/users">All users</a>
        </p>
      </section>
    </AdminLayout>
  );
}

export function DeleteUserPage({
  ctx,
  user,
}: {
  ctx: ViewContext;
  user: Pick<User, 'id' | 'first_name' | 'last_name' | 'email'>;
}) {
  return (
    <AdminLayout ctx={ctx} title="Delete user">
      <h1>
        Delete {user.first_name} {user.last_name}?
      </h1>
      <section class="card narrow">
        <p>
          This deletes the account <strong>{user.email}</strong> with its submissions, completions, points, adjustments
          and competition entries. Articles they wrote stay, under the author name they show. This cannot be undone.
        </p>
        <form method="post" action={`/admin/users/${user.id}/delete`}>
          <CsrfField ctx={ctx} />
          <button type="submit" class="danger">
            Delete account
          </button>{' '}
          <a href={`/admin/users/${user.id}/edit`}>Cancel</a>
        </form>
      </section>
    </AdminLayout>
  );
}
