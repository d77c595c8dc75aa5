// Admin leaderboard page: board totals with reset and CSV export per board,
// recalculation from submissions, and manual point adjustments (create, edit,
// delete — each with a reason, each in the audit log). A teacher sees the boards,
// their exports and the adjustments; the forms that change points are for administrators.
import { KEY_STAGES, type KeyStage } from '../../../config/index.js';
import type { AdjustmentFormValues } from '../../../domain/challenges/adjustment-form.js';
import {
  ADJUSTMENT_POINTS,
  MAX_REASON_LENGTH,
  type AdjustmentRow,
  type BoardStats,
} from '../../../domain/challenges/leaderboards.js';
import { SchoolTime } from '../challenges/parts.js';
import { pageHref, Pagination } from '../pagination.js';
import type { FieldErrors } from '../../../lib/forms.js';
import type { ViewContext } from '../context.js';
import { FieldError, fieldAria } from '../form.js';
import { CsrfField } from '../layout.js';
import { AdminLayout } from './admin-layout.js';

export interface BoardSummary {
  keyStage: KeyStage;
  stats: BoardStats;
  resetAt: string;
}

function ResetForm({ ctx, stage, label }: { ctx: ViewContext; stage: string; label: string }) {
  return (
    <form method="post" action="/admin/leaderboard/reset" class="reset-form">
      <CsrfField ctx={ctx} />
      <input type="hidden" name="stage" value={stage} />
      <label class="check">
        <input type="checkbox" name="confirm" value="yes" required /> Yes, reset {label}
      </label>
      <button type="submit" class="small danger">
        Reset
      </button>
    </form>
  );
}

export function AdjustmentFields({
  values,
  errors,
  fixedUser,
}: {
  values: AdjustmentFormValues;
  errors: FieldErrors;
  fixedUser?: string;
}) {
  return (
    <>
      {fixedUser ? (
        <p>
          Student: <strong>{fixedUser}</strong>
        </p>
      ) : (
        <div class="field">
          <label for="user">Student (email address or account number)</label>
          <input
            id="user"
            name="user"
            type="text"
            value={values.user}
            required
            autocomplete="off"
            {...fieldAria('user', errors)}
          />
          <FieldError name="user" errors={errors} />
        </div>
      )}
      <div class="form-row">
        <div class="field">
          <label for="key_stage">Board</label>
          <select id="key_stage" name="key_stage" {...fieldAria('key_stage', errors)}>
            <option value="">The student’s own key stage (the only one allowed)</option>
            {KEY_STAGES.map((ks) => (
              <option value={ks} selected={values.key_stage === ks}>
                {ks}
              </option>
            ))}
          </select>
          <FieldError name="key_stage" errors={errors} />
        </div>
        <div class="field">
          <label for="points">Points (+ or −)</label>
          <input
            id="points"
            name="points"
            type="number"
            min={ADJUSTMENT_POINTS.min}
            max={ADJUSTMENT_POINTS.max}
            step={1}
            value={values.points}
            required
            {...fieldAria('points', errors)}
          />
          <FieldError name="points" errors={errors} />
        </div>
      </div>
      <div class="field">
        <label for="reason">Reason</label>
        <input
          id="reason"
          name="reason"
          type="text"
          value={values.reason}
          required
          maxLength={MAX_REASON_LENGTH}
          {...fieldAria('reason', errors)}
        />
        <FieldError name="reason" errors={errors} />
      </div>
    </>
  );
}

export function AdminLeaderboardPage({
  ctx,
  boards,
  adjustments,
  form,
  errors = {},
  zone,
  canChange,
}: {
  ctx: ViewContext;
  boards: BoardSummary[];
  /** Null for a teacher: the list names pupils with their addresses. */
  adjustments: { rows: AdjustmentRow[]; total: number; page: number; pages: number } | null;
  form: AdjustmentFormValues;
  errors?: FieldErrors;
  zone: string;
  /** An administrator: resets, recalculation and adjustments. A teacher only reads. */
  canChange: boolean;
}) {
  return (
    <AdminLayout ctx={ctx} title="Leaderboards">
      <h1>Leaderboards</h1>
      <section class="card" aria-labelledby="boards-title">
        <h2 id="boards-title">Boards</h2>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Boards">
          <table>
            <thead>
              <tr>
                <th scope="col">Board</th>
                <th scope="col">Participants</th>
                <th scope="col">Points</th>
                <th scope="col">Answers</th>
                <th scope="col">Counting since</th>
                {canChange && <th scope="col">Export</th>}
                {canChange && <th scope="col">Reset</th>}
              </tr>
            </thead>
            <tbody>
              {boards.map((b) => (
                <tr data-board={b.keyStage}>
                  <th scope="row">
                    <a href={`/leaderboard?ks=${b.keyStage}`}>{b.keyStage}</a>
                  </th>
                  <td>{b.stats.participants}</td>
                  <td>{b.stats.totalPoints}</td>
                  <td>{b.stats.submissions}</td>
                  <td>
                    {b.resetAt ? (
                      <>
                        reset <SchoolTime iso={b.resetAt} zone={zone} />
                      </>
                    ) : (
                      'the start'
                    )}
                  </td>
                  {canChange && (
                    <td>
                      <a href={`/admin/leaderboard/export.csv?ks=${b.keyStage}`}>CSV</a>
                    </td>
                  )}
                  {canChange && (
                    <td>
                      <ResetForm ctx={ctx} stage={b.keyStage} label={`the ${b.keyStage} board`} />
                    </td>
                  )}
                </tr>
              ))}
              <tr>
                <th scope="row">All</th>
                <td colSpan={4}></td>
                {canChange && (
                  <td>
                    <a href="/admin/leaderboard/export.csv">CSV</a>
                  </td>
                )}
                {canChange && (
                  <td>
                    <ResetForm ctx={ctx} stage="all" label="every board" />
                  </td>
                )}
              </tr>
            </tbody>
          </table>
        </div>
        <p class="hint">
          Each board ranks the pupils of its key stage (by school year): everything a pupil does counts on their own key
          stage’s board, whatever the challenge’s key stage, and moves with them when their year changes. Pupils of
          competition guest schools are on no board. A reset starts a board from zero: it then counts only completions,
          adjustments and answers from the reset on. Students’ answers and completed challenges are kept.
        </p>
        {canChange && (
          <form method="post" action="/admin/leaderboard/recalculate">
            <CsrfField ctx={ctx} />
            <button type="submit" class="secondary">
              Recalculate from submissions
            </button>
            <span class="hint">
              {' '}
              Rebuilds every completion and board from the recorded answers with the scoring rule (3 points for the
              first to finish, 1 after), plus adjustments.
            </span>
          </form>
        )}
      </section>

      {canChange && (
        <section class="card" aria-labelledby="new-adjustment-title">
          <h2 id="new-adjustment-title">New adjustment</h2>
          <form method="post" action="/admin/leaderboard/adjustments">
            <CsrfField ctx={ctx} />
            {Object.keys(errors).length > 0 && (
              <div class="flash flash-error" role="alert">
                Please correct the fields marked below.
              </div>
            )}
            <AdjustmentFields values={form} errors={errors} />
            <button type="submit">Add adjustment</button>
          </form>
        </section>
      )}

      {adjustments && (
        <section aria-labelledby="adjustments-title">
          <h2 id="adjustments-title">Adjustments ({adjustments.total})</h2>
          {adjustments.rows.length === 0 ? (
            <p class="muted">No adjustments.</p>
          ) : (
            <div class="table-wrap" tabIndex={0} role="region" aria-label="Adjustments">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Student</th>
                    <th scope="col">Board</th>
                    <th scope="col">Points</th>
                    <th scope="col">Reason</th>
                    <th scope="col">By</th>
                    {canChange && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {adjustments.rows.map((a) => (
                    <tr data-adjustment-id={a.id}>
                      <td>
                        <SchoolTime iso={a.createdAt} zone={zone} />
                        {a.beforeReset && <span class="muted"> (before reset)</span>}
                      </td>
                      <td>
                        {a.userName}
                        <br />
                        <span class="muted">{a.userEmail}</span>
                      </td>
                      <td>{a.keyStage}</td>
                      <td>{a.points > 0 ? `+${a.points}` : a.points}</td>
                      <td>{a.reason}</td>
                      <td>{a.createdBy ?? '—'}</td>
                      {canChange && (
                        <td class="actions">
                          <a class="button small secondary" href={`/admin/leaderboard/adjustments/${a.id}/edit`}>
                            Edit
                          </a>{' '}
                          <form method="post" action={`/admin/leaderboard/adjustments/${a.id}/delete`} class="inline">
                            <CsrfField ctx={ctx} />
                            <button type="submit" class="small danger">
                              Delete
                            </button>
                          </form>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pagination page={adjustments.page} pages={adjustments.pages} href={pageHref('/admin/leaderboard')} />
        </section>
      )}
    </AdminLayout>
  );
}

export function AdminAdjustmentEditPage({
  ctx,
  id,
  student,
  values,
  errors = {},
}: {
  ctx: ViewContext;
  id: number;
  student: string;
  values: AdjustmentFormValues;
  errors?: FieldErrors;
}) {
  return (
    <AdminLayout ctx={ctx} title="Edit adjustment">
      <h1>Edit adjustment</h1>
      <form method="post" action={`/admin/leaderboard/adjustments/${id}/edit`}>
        <CsrfField ctx={ctx} />
        {Object.keys(errors).length > 0 && (
          <div class="flash flash-error" role="alert">
            Please correct the fields marked below.
          </div>
        )}
        <AdjustmentFields values={values} errors={errors} fixedUser={student} />
        <p>
          <button type="submit">Save adjustment</button> <a href="/admin/leaderboard">Cancel</a>
        </p>
      </form>
    </AdminLayout>
  );
}
