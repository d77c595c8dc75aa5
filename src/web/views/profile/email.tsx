// Changing the account's email address: the form on the profile (new address
// and current password) and the page the link sent to the new address opens.
import type { PendingChange } from '../../../domain/accounts/email-change.js';
import type { FieldErrors, FormValues } from '../../../lib/forms.js';
import { plural } from '../../../lib/plural.js';
import type { ViewContext } from '../context.js';
import { ErrorSummary, PasswordField, TextField } from '../form.js';
import { CsrfField, Layout } from '../layout.js';
import { ProfileNav } from './profile-nav.js';

export function ChangeEmailPage({
  ctx,
  current,
  values = {},
  errors,
  hours,
}: {
  ctx: ViewContext;
  current: string;
  values?: FormValues;
  errors?: FieldErrors;
  hours: number;
}) {
  return (
    <Layout ctx={ctx} title="Change email address">
      <h1>Change email address</h1>
      <ProfileNav ctx={ctx} />
      <section class="card narrow">
        <p>
          Your address is <strong class="address">{current}</strong>. We send a link to the new address; your address
          changes when you open it (within {plural(hours, 'hour')}), and we tell the old address.
        </p>
        <ErrorSummary errors={errors} />
        <form method="post" action="/profile/email" novalidate>
          <CsrfField ctx={ctx} />
          <TextField
            name="email"
            label="New email address"
            type="email"
            value={values.email}
            errors={errors}
            required
            autocomplete="email"
          />
          <PasswordField name="password" label="Current password" errors={errors} autocomplete="current-password" />
          <button type="submit">Send the link</button>
        </form>
      </section>
    </Layout>
  );
}

export function ConfirmChangePage({
  ctx,
  token,
  change,
  done,
}: {
  ctx: ViewContext;
  token: string;
  change: PendingChange;
  /** The account has the new address already. */
  done: boolean;
}) {
  return (
    <Layout ctx={ctx} title="Confirm your new email address">
      <section class="card narrow">
        <h1>Confirm your new email address</h1>
        {done ? (
          <p>
            The account of {change.firstName} {change.lastName} already uses{' '}
            <strong class="address">{change.newEmail}</strong>.
          </p>
        ) : (
          <>
            <p>
              This changes the address of the Maths Society account of {change.firstName} {change.lastName} from{' '}
              <strong class="address">{change.oldEmail}</strong> to <strong class="address">{change.newEmail}</strong>.
              You then log in with the new address.
            </p>
            <form method="post" action="/confirm-email">
              <CsrfField ctx={ctx} />
              <input type="hidden" name="token" value={token} />
              <button type="submit">Confirm my new email</button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}
