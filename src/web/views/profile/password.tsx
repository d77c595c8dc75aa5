import type { PasswordRules } from '../../../domain/accounts/password-policy.js';
import type { ViewContext } from '../context.js';
import type { FieldErrors } from '../../../lib/forms.js';
import { ErrorSummary, NewPasswordFields, PasswordField } from '../form.js';
import { CsrfField, Layout } from '../layout.js';
import { ProfileNav } from './profile-nav.js';

export function ChangePasswordPage({
  ctx,
  errors,
  rules,
  mustChange,
}: {
  ctx: ViewContext;
  errors?: FieldErrors;
  rules: PasswordRules;
  mustChange: boolean;
}) {
  return (
    <Layout ctx={ctx} title="Change password">
      <h1>Change password</h1>
      {mustChange ? (
        <div class="flash flash-warning" role="status">
          You must choose a new password before you can use the rest of the site.
        </div>
      ) : (
        <ProfileNav ctx={ctx} />
      )}
      <section class="card narrow">
        <ErrorSummary errors={errors} />
        <form method="post" action="/profile/password" novalidate>
          <CsrfField ctx={ctx} />
          <PasswordField
            name="current_password"
            label="Current password"
            errors={errors}
            autocomplete="current-password"
          />
          <NewPasswordFields
            name="new_password"
            label="New password"
            confirmLabel="Confirm new password"
            errors={errors}
            rules={rules}
          />
          <p class="hint">Changing your password signs you out on every other device.</p>
          <button type="submit">Change password</button>
        </form>
      </section>
    </Layout>
  );
}
