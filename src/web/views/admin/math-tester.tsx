// "Math engine tester": two MathLive fields and the engine's verdict, so an
// admin can see how an answer will be judged before setting a challenge.
import { ANSWER_FORMS, ANSWER_KINDS, FORM_DESCRIPTIONS, type AnswerForm } from '../../../math/index.js';
import type { ViewContext } from '../context.js';
import { CsrfField } from '../layout.js';
import { AdminLayout } from './admin-layout.js';

export interface TesterValues {
  expr1: string;
  expr2: string;
  kind: string;
  listOrder: 'ordered' | 'unordered';
  /** Forms the student's answer must also be written in. */
  form: AnswerForm[];
}

export interface TesterResult {
  equivalent: boolean;
  expr1_normalized: string | null;
  expr2_normalized: string | null;
  kind: string | null;
  reason: string;
  detail: string;
  /** The required form the answer is not written in (reason "wrong-form"). */
  form: string | null;
}

export function MathTesterPage({
  ctx,
  values,
  result,
  error,
}: {
  ctx: ViewContext;
  values: TesterValues;
  result?: TesterResult;
  error?: string;
}) {
  return (
    <AdminLayout ctx={ctx} title="Math engine tester" scripts={['math-tester.js']}>
      <h1>Math engine tester</h1>
      <p class="muted">
        Type a correct answer and a student’s answer to see whether the engine accepts it, and how it reads each one.
      </p>
      <form method="post" action="/admin/math" class="card" id="math-tester-form">
        <CsrfField ctx={ctx} />
        <div class="field">
          <label for="expr1">Correct answer</label>
          <input
            id="expr1"
            name="expr1"
            type="text"
            value={values.expr1}
            data-mathfield
            autocomplete="off"
            maxLength={2000}
          />
        </div>
        <div class="field">
          <label for="expr2">Student’s answer</label>
          <input
            id="expr2"
            name="expr2"
            type="text"
            value={values.expr2}
            data-mathfield
            autocomplete="off"
            maxLength={2000}
          />
        </div>
        <div class="grid">
          <div class="field">
            <label for="kind">Kind of answer</label>
            <select id="kind" name="kind">
              {['auto', ...ANSWER_KINDS].map((k) => (
                <option value={k} selected={k === values.kind}>
                  {k === 'auto' ? 'Work it out from the correct answer' : k}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="listOrder">Lists of answers</label>
            <select id="listOrder" name="listOrder">
              <option value="unordered" selected={values.listOrder === 'unordered'}>
                Any order
              </option>
              <option value="ordered" selected={values.listOrder === 'ordered'}>
                In the given order
              </option>
            </select>
          </div>
        </div>
        <fieldset id="answer-forms" aria-describedby="answer-forms-hint">
          <legend>The answer must also be written as</legend>
          <p class="hint" id="answer-forms-hint">
            Checked in this order, and only when the value is right. None ticked accepts any answer with the right
            value.
          </p>
          <ul class="form-choices">
            {ANSWER_FORMS.map((f) => (
              <li>
                <label class="check">
                  <input type="checkbox" name="form" value={f} checked={values.form.includes(f)} />{' '}
                  <span>
                    {FORM_DESCRIPTIONS[f].label} <span class="form-example">({FORM_DESCRIPTIONS[f].example})</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <button type="submit">Check</button>
      </form>
      <section id="math-result" class="card" aria-live="polite" hidden={!result && !error}>
        <h2>Result</h2>
        {error ? (
          <p class="field-error" data-result="error">
            {error}
          </p>
        ) : null}
        {result ? (
          <>
            <p data-result="verdict" class={result.equivalent ? 'badge badge-ok' : 'badge badge-locked'}>
              {result.equivalent
                ? 'Equivalent: the answer would be marked correct'
                : 'Not equivalent: the answer would be marked wrong'}
            </p>
            <dl class="math-result-list">
              <dt>Correct answer read as</dt>
              <dd data-result="expr1">{result.expr1_normalized ?? '(could not be read)'}</dd>
              <dt>Student’s answer read as</dt>
              <dd data-result="expr2">{result.expr2_normalized ?? '(could not be read)'}</dd>
              <dt>Kind</dt>
              <dd data-result="kind">{result.kind ?? '—'}</dd>
              <dt>Reason</dt>
              <dd data-result="reason">
                {result.reason}
                {result.detail ? ` — ${result.detail}` : ''}
              </dd>
              {result.form ? (
                <>
                  <dt>Form not met</dt>
                  <dd data-result="form">{FORM_DESCRIPTIONS[result.form as AnswerForm]?.label ?? result.form}</dd>
                </>
              ) : null}
            </dl>
          </>
        ) : null}
      </section>
    </AdminLayout>
  );
}
