// Asked once, after a pupil's first sign-in with a school account: their
// school year (which decides their key stage and board) and, if they like,
// their class.
import type { FieldErrors, FormValues } from '../../../lib/forms.js';
import type { ViewContext } from '../context.js';
import { ErrorSummary, SelectField } from '../form.js';
import { CsrfField, Layout } from '../layout.js';

export interface WelcomePageProps {
  ctx: ViewContext;
  firstName: string;
  years: readonly number[];
  classes: Array<{ id: number; name: string }>;
  next: string;
  values?: FormValues;
  errors?: FieldErrors;
}

export function WelcomePage({ ctx, firstName, years, classes, next, values = {}, errors }: WelcomePageProps) {
  return (
    <Layout ctx={ctx} title="Welcome">
      <section class="card narrow">
        <h1>Welcome, {firstName}!</h1>
        <p>
          One question before you start: which school year are you in? It decides which challenges and leaderboard are
          yours.
        </p>
        <ErrorSummary errors={errors} />
        <form method="post" action="/welcome" novalidate>
          <CsrfField ctx={ctx} />
          {next ? <input type="hidden" name="next" value={next} /> : null}
          <SelectField
            name="year_group"
            label="School year"
            value={values.year_group ?? ''}
            options={years.map((y) => [String(y), `Year ${y}`])}
            placeholder="Choose your year"
            errors={errors}
            required
          />
          {classes.length > 0 ? (
            <SelectField
              name="class_id"
              label="Your maths class (optional)"
              value={values.class_id ?? ''}
              options={classes.map((c) => [String(c.id), c.name])}
              placeholder="Not sure / none of these"
              errors={errors}
              hint="Your teacher can also put you in your class later."
            />
          ) : null}
          <button type="submit">Save and continue</button>
        </form>
      </section>
    </Layout>
  );
}
