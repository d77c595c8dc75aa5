// "New school year" (ADR 035): the preview of the rollover (who moves from
// which year to which, with their key stage; the leavers, by name; the pupils
// without a year, left alone), the form that runs it, and the rollovers run so
// far. Also the card on a leaver's admin page that reopens their account.
import type { User } from '../../../db/schema.js';
import {
  schoolYearLabel,
  type PastRollover,
  type PupilRow,
  type RolloverPlan,
} from '../../../domain/accounts/year-rollover.js';
import type { FieldErrors, FormValues } from '../../../lib/forms.js';
import { plural } from '../../../lib/plural.js';
import type { ViewContext } from '../context.js';
import { ErrorSummary, FieldError, fieldAria } from '../form.js';
import { formatTime } from '../format-time.js';
import { CsrfField } from '../layout.js';
import { AdminLayout } from './admin-layout.js';

function PupilTable({ label, rows }: { label: string; rows: readonly PupilRow[] }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={label}>
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">School</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr data-pupil={p.id}>
              <td>
                <a href={`/admin/users/${p.id}/edit`}>
                  {p.lastName}, {p.firstName}
                </a>
              </td>
              <td>{p.email}</td>
              <td>{p.school ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function YearRolloverPage({
  ctx,
  plan,
  past,
  values,
  errors = {},
  message,
  retentionDays,
  timeZone,
}: {
  ctx: ViewContext;
  plan: RolloverPlan;
  past: readonly PastRollover[];
  values: FormValues;
  errors?: FieldErrors;
  message?: string | null;
  retentionDays: number;
  timeZone: string;
}) {
  const year = Number(values.school_year);
  const label = Number.isInteger(year) && year > 0 ? schoolYearLabel(year) : 'the new school year';
  return (
    <AdminLayout ctx={ctx} title="New school year">
      <h1>New school year</h1>
      <p>
        Once a year, when the summer term is over, every pupil moves up one year and their key stage follows the
        school’s map. Year 13 pupils leave: their accounts are closed (they can no longer sign in and are on no board)
        and removed {plural(retentionDays, 'day')} later. Teachers and administrators are not changed. Take a backup
        first.
      </p>

      <section class="card" aria-labelledby="preview-title">
        <h2 id="preview-title">What will happen</h2>
        {plan.moves.length === 0 ? (
          <p>No pupil has a school year to move up from.</p>
        ) : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Year groups moving up">
            <table>
              <thead>
                <tr>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col">Key stage</th>
                  <th scope="col">Pupils</th>
                </tr>
              </thead>
              <tbody>
                {plan.moves.map((m) => (
                  <tr data-move={`${m.from}-${m.to}`}>
                    <td>Year {m.from}</td>
                    <td>Year {m.to}</td>
                    <td>
                      {m.fromKeyStages.join(', ')} → {m.toKeyStage ?? '—'}
                    </td>
                    <td>{m.pupils}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <ul>
          <li data-count="moved">Moving up one year: {plural(plan.movedUp, 'pupil')}</li>
          <li data-count="leavers">Leaving from Year 13, accounts closed: {plural(plan.leavers.length, 'pupil')}</li>
          <li data-count="no-year">Without a school year, left as they are: {plural(plan.noYear.length, 'pupil')}</li>
        </ul>
        <p class="hint">
          Points go with each pupil to the board of their new key stage (the boards rank the pupils of each key stage).
          Tick “Start every board from zero” below for a fresh start instead; pupils keep their completed challenges
          either way.
        </p>
      </section>

      {plan.leavers.length > 0 && (
        <section class="card" aria-labelledby="leavers-title">
          <h2 id="leavers-title">Leavers ({plan.leavers.length})</h2>
          <PupilTable label="Leavers" rows={plan.leavers} />
        </section>
      )}

      {plan.noYear.length > 0 && (
        <section class="card" aria-labelledby="no-year-title">
          <h2 id="no-year-title">Pupils without a school year ({plan.noYear.length})</h2>
          <p>They are not moved. Give them a year on their account page if they should be.</p>
          <PupilTable label="Pupils without a school year" rows={plan.noYear} />
        </section>
      )}

      <section class="card" aria-labelledby="run-title">
        <h2 id="run-title">Start {label}</h2>
        <ErrorSummary errors={errors} message={message} />
        <form method="post" action="/admin/year-rollover" novalidate>
          <CsrfField ctx={ctx} />
          <div class="field">
            <label for="school_year">School year (the calendar year it starts in)</label>
            <input
              id="school_year"
              name="school_year"
              type="number"
              inputMode="numeric"
              value={values.school_year ?? ''}
              required
              {...fieldAria('school_year', errors, true)}
            />
            <p class="hint" id="school_year-hint">
              For example 2027 for 2027–28. A school year can be started once.
            </p>
            <FieldError name="school_year" errors={errors} />
          </div>
          <div class="field">
            <label class="check">
              <input type="checkbox" name="reset_boards" value="yes" checked={values.reset_boards === 'yes'} /> Start
              every board from zero
            </label>
          </div>
          <div class="field">
            <label class="check">
              <input
                type="checkbox"
                name="confirm"
                value="yes"
                checked={values.confirm === 'yes'}
                {...fieldAria('confirm', errors)}
              />{' '}
              Yes, move {plural(plan.movedUp, 'pupil')} up and close the accounts of{' '}
              {plural(plan.leavers.length, 'leaver')}
            </label>
            <FieldError name="confirm" errors={errors} />
          </div>
          <button type="submit" class="danger">
            Start the new school year
          </button>
        </form>
      </section>

      <section class="card" aria-labelledby="past-title">
        <h2 id="past-title">School years started</h2>
        {past.length === 0 ? (
          <p>None yet.</p>
        ) : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="School years started">
            <table>
              <thead>
                <tr>
                  <th scope="col">School year</th>
                  <th scope="col">Started</th>
                  <th scope="col">By</th>
                  <th scope="col">Moved up</th>
                  <th scope="col">Leavers</th>
                </tr>
              </thead>
              <tbody>
                {past.map((r) => (
                  <tr data-rollover={r.schoolYear}>
                    <td>{schoolYearLabel(r.schoolYear)}</td>
                    <td>{formatTime(r.ranAt, timeZone)}</td>
                    <td>{r.ranBy ?? 'the command line'}</td>
                    <td>{r.movedUp}</td>
                    <td>{r.archived}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p class="hint">
          <a href="/admin/users?archived=yes">Leavers’ accounts</a> can be reopened from their page, until they are
          removed.
        </p>
      </section>
    </AdminLayout>
  );
}

/** On a leaver's admin page: when their account was closed, and the button that reopens it. */
export function LeaverCard({ ctx, user, timeZone }: { ctx: ViewContext; user: User; timeZone: string }) {
  if (user.archived_at === null) return null;
  return (
    <section class="card" aria-labelledby="leaver-title">
      <h2 id="leaver-title">Left school</h2>
      <p>
        This account was closed when the pupil left school ({formatTime(user.archived_at, timeZone)}): they cannot sign
        in and are on no board. It is removed when the retention period is over. Reopen it only if they have not left.
      </p>
      <form method="post" action={`/admin/users/${user.id}/unarchive`}>
        <CsrfField ctx={ctx} />
        <button type="submit" class="secondary">
          Reopen this account
        </button>
      </form>
    </section>
  );
}
