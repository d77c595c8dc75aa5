import type { ViewContext } from '../context.js';
import type { FieldErrors } from '../../../lib/forms.js';
import { CheckboxField, ErrorSummary, PasswordField, TextField } from '../form.js';
import { CsrfField, Layout } from '../layout.js';
import type { ProviderButton } from '../../../domain/sso/providers.js';
import { SsoButtons } from './sso-buttons.js';

export interface LoginPageProps {
  ctx: ViewContext;
  email?: string;
  remember?: boolean;
  next?: string;
  /** The one message for a failed login (never says which part was wrong). */
  message?: string | null;
  errors?: FieldErrors;
  /** "Sign in with …" buttons: the enabled identity providers (ADR 031). */
  providers?: ProviderButton[];
}

export function LoginPage({
  ctx,
  email = '',
  remember = false,
  next = '',
  message,
  errors,
  providers = [],
}: LoginPageProps) {
  return (
    <Layout ctx={ctx} title="Log in">
      <section class="card narrow">
        <h1>Log in</h1>
        <ErrorSummary errors={errors} message={message} />
        <SsoButtons ctx={ctx} providers={providers} next={next} />
        <form method="post" action="/login" novalidate>
          <CsrfField ctx={ctx} />
          {next ? <input type="hidden" name="next" value={next} /> : null}
          <TextField
            name="email"
            label="Email"
            type="email"
            value={email}
            errors={errors}
            required
            autocomplete="username"
          />
          <PasswordField name="password" label="Password" errors={errors} autocomplete="current-password" />
          <CheckboxField
            name="remember"
            label="Remember me on this device"
            checked={remember}
            hint="Stay logged in for up to a month. Do not tick this on a shared computer."
          />
          <button type="submit">Log in</button>
        </form>
        <p>
          <a href="/forgot-password">Forgot your password?</a>
        </p>
        <p class="muted">
          New here? <a href="/register">Create an account</a>.
        </p>
      </section>
    </Layout>
  );
}
