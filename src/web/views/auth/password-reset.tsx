// Pages of "forgot your password": asking for a link, the new-password form a
// link opens (the token travels on in a hidden field, not in the form's
// address), and the page for a link that cannot be used.
import type { PasswordRules } from '../../../domain/accounts/password-policy.js';
import type { ResetLinkProblem } from '../../../domain/accounts/password-reset.js';
import type { FieldErrors } from '../../../lib/forms.js';
import { plural } from '../../../lib/plural.js';
import type { ViewContext } from '../context.js';
import { ErrorSummary, NewPasswordFields, TextField } from '../form.js';
import { CsrfField, Layout } from '../layout.js';

export function ForgotPasswordPage({
  ctx,
  email = '',
  errors,
  notice,
  minutes,
}: {
  ctx: ViewContext;
  email?: string;
  errors?: FieldErrors;
  /** Why the request was refused (too many links to this address lately). */
  notice?: string;
  minutes: number;
}) {
  return (
    <Layout ctx={ctx} title="Forgot your password?">
      <section class="card narrow">
        <h1>Forgot your password?</h1>
        {notice && (
          <div class="flash flash-warning" role="alert">
            {notice}
          </div>
        )}
        <ErrorSummary errors={errors} />
        <p>
          Type the email address of your account. If it has one, we will email it a link to choose a new password. The
          link works once, for {plural(minutes, 'minute')}.
        </p>
        <form method="post" action="/forgot-password" novalidate>
          <CsrfField ctx={ctx} />
          <TextField
            name="email"
            label="Email"
            type="email"
            value={email}
            errors={errors}
            required
            autocomplete="username"
          />
          <button type="submit">Email me a link</button>
        </form>
        <p class="muted">
          No access to that mailbox? Ask a teacher who runs the society to reset your password.{' '}
          <a href="/login">Back to log in</a>
        </p>
      </section>
    </Layout>
  );
}

export function ResetPasswordPage({
  ctx,
  token,
  email,
  rules,
  errors,
}: {
  ctx: ViewContext;
  token: string;
  /** The account's address, so the person knows which account they are changing. */
  email: string;
  rules: PasswordRules;
  errors?: FieldErrors;
}) {
  return (
    <Layout ctx={ctx} title="Choose a new password">
      <section class="card narrow">
        <h1>Choose a new password</h1>
        <ErrorSummary errors={errors} />
        <p>
          For the account <strong>{email}</strong>. Choosing a new password signs this account out everywhere.
        </p>
        <form method="post" action="/reset-password" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="token" value={token} />
          {/* Lets password managers file the new password under the right account. */}
          <input type="hidden" name="username" value={email} autocomplete="username" />
          <NewPasswordFields
            name="new_password"
            label="New password"
            confirmLabel="Confirm new password"
            errors={errors}
            rules={rules}
          />
          <button type="submit">Set new password</button>
        </form>
      </section>
    </Layout>
  );
}

const PROBLEMS: Record<ResetLinkProblem, { title: string; text: string }> = {
  invalid: {
    title: 'This link does not work',
    text: 'The link is not one we sent, or part of it is missing. Open it straight from the email (copying it by hand can cut it short), or ask for a new one.',
  },
  expired: {
    title: 'This link has expired',
    text: 'Password-reset links work for a limited time, and asking again replaces the earlier link. Ask for a new one.',
  },
  used: {
    title: 'This link has already been used',
    text: 'Each link works once. If you have just chosen a new password, log in with it; otherwise ask for a new link.',
  },
};

/** Unknown or malformed: 400; out of date or used: 410. */
export const resetProblemStatus = (why: ResetLinkProblem): number => (why === 'invalid' ? 400 : 410);

export function ResetLinkProblemPage({ ctx, why }: { ctx: ViewContext; why: ResetLinkProblem }) {
  const p = PROBLEMS[why];
  return (
    <Layout ctx={ctx} title={p.title}>
      <section class="card narrow">
        <h1>{p.title}</h1>
        <p>{p.text}</p>
        {why !== 'used' && <p>Your password has not been changed.</p>}
        <p>
          <a class="button" href="/forgot-password">
            Ask for a new link
          </a>{' '}
          <a href="/login">Log in</a>
        </p>
      </section>
    </Layout>
  );
}
