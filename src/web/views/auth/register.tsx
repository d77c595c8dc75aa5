import type { PasswordRules } from '../../../domain/accounts/password-policy.js';
import { SCHOOL_YEARS } from '../../../domain/key-stage.js';
import type { ViewContext } from '../context.js';
import type { FieldErrors, FormValues } from '../../../lib/forms.js';
import { ErrorSummary, NewPasswordFields, SelectField, TextField } from '../form.js';
import { CsrfField, Layout } from '../layout.js';

export interface RegisterPageProps {
  ctx: ViewContext;
  values?: FormValues;
  errors?: FieldErrors;
  rules: PasswordRules;
  domains: string[];
}

export function RegisterPage({ ctx, values = {}, errors, rules, domains }: RegisterPageProps) {
  const domainText =
    domains.length > 0 && domains.length <= 3
      ? `your school address, ending in ${domains.map((d) => `@${d}`).join(' or ')}`
      : 'the email address your school gave you';
  return (
    <Layout ctx={ctx} title="Join the Maths Society">
      <section class="card narrow">
        <h1>Join the Maths Society</h1>
        <p class="muted">
          Already have an account? <a href="/login">Log in</a>.
        </p>
        <ErrorSummary errors={errors} />
        <form method="post" action="/register" novalidate>
          <CsrfField ctx={ctx} />
          <TextField
            name="first_name"
            label="First name"
            value={values.first_name}
            errors={errors}
            required
            autocomplete="given-name"
            maxLength={50}
          />
          <TextField
            name="last_name"
            label="Last name"
            value={values.last_name}
            errors={errors}
            required
            autocomplete="family-name"
            maxLength={50}
          />
          <TextField
            name="email"
            label="School email"
            type="email"
            value={values.email}
            errors={errors}
            required
            autocomplete="email"
            hint={`Use ${domainText}.`}
          />
          <SelectField
            name="year_group"
            label="School year"
            value={values.year_group}
            errors={errors}
            required
            placeholder="Choose your year"
            options={SCHOOL_YEARS.map((y) => [String(y), `Year ${y}`])}
          />
          <TextField
            name="maths_class"
            label="Maths class"
            value={values.maths_class}
            errors={errors}
            required
            maxLength={30}
            hint="As on your timetable, for example 9X1."
          />
          <NewPasswordFields
            name="password"
            label="Password"
            confirmLabel="Confirm password"
            errors={errors}
            rules={rules}
          />
          <button type="submit">Create account</button>
        </form>
      </section>
    </Layout>
  );
}
