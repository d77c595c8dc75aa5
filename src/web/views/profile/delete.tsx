import type { ViewContext } from '../context.js';
import type { FieldErrors } from '../../../lib/forms.js';
import { ErrorSummary, PasswordField } from '../form.js';
import { CsrfField, Layout } from '../layout.js';
import { ProfileNav } from './profile-nav.js';

export function DeleteAccountPage({
  ctx,
  errors,
  message,
}: {
  ctx: ViewContext;
  errors?: FieldErrors;
  message?: string | null;
}) {
  return (
    <Layout ctx={ctx} title="Delete account">
      <h1>Delete your account</h1>
      <ProfileNav ctx={ctx} />
      <section class="card narrow">
        <ErrorSummary errors={errors} message={message} />
        <p>This removes your account, your answers and your points from every leaderboard. It cannot be undone.</p>
        <p>Articles you wrote stay on the site under the author name they show.</p>
        <p>
          You may want to{' '}
          <a href="/profile/data.json" download>
            download your data
          </a>{' '}
          first.
        </p>
        <form method="post" action="/profile/delete" novalidate>
          <CsrfField ctx={ctx} />
          <PasswordField
            name="password"
            label="Type your current password to confirm"
            errors={errors}
            autocomplete="current-password"
          />
          <button type="submit" class="danger">
            Delete my account
          </button>
        </form>
      </section>
    </Layout>
  );
}
