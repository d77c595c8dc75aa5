// Admin pages for weekly challenges: the scheduled and released lists with
// lock state, the create/edit form with its answer boxes (added and removed
// by client/challenge-editor.ts; without JavaScript "Add another answer"
// posts the form back with one more box) and topic tags, the question bank,
// the image card and the delete confirmation.
import type { ComponentChildren } from 'preact';
import { KEY_STAGES } from '../../../config/index.js';
import type { Challenge } from '../../../db/schema.js';
import {
  KIND_LABELS,
  newBoxForm,
  type BoxFormValues,
  type ChallengeFormValues,
} from '../../../domain/challenges/challenge-form.js';
import {
  ATTEMPTS,
  LOCK_HOURS,
  MAX_ANSWER_LENGTH,
  MAX_BOXES,
  MAX_LABEL_LENGTH,
  MAX_TITLE_LENGTH,
  type AdminChallengeLists,
  type AdminChallengeRow,
} from '../../../domain/challenges/challenges.js';
import {
  MAX_TAG_LENGTH,
  MAX_TAGS,
  MAX_TAGS_FIELD,
  type BankFilter,
  type QuestionBank,
} from '../../../domain/challenges/tags.js';
import type { FieldErrors } from '../../../lib/forms.js';
import { mathProseToText } from '../../../lib/latex-text.js';
import { ANSWER_FORMS, FORM_DESCRIPTIONS } from '../../../math/index.js';
import { KeyStageBadge, plural, SchoolTime } from '../challenges/parts.js';
import { pageHref, Pagination } from '../pagination.js';
import { RichTextField } from '../content/admin.js';
import type { ViewContext } from '../context.js';
import { ErrorSummary, FieldError, fieldAria } from '../form.js';
import { CsrfField } from '../layout.js';
import { AdminLayout } from './admin-layout.js';

// ---------------------------------------------------------------- lists

function Status({ row }: { row: AdminChallengeRow }) {
  if (row.manualLock) return <span class="badge badge-locked">Locked</span>;
  if (row.locked) return <span class="badge badge-locked">Locked (timed)</span>;
  return <span class="badge badge-ok">Open</span>;
}

function LockButton({ ctx, row }: { ctx: ViewContext; row: AdminChallengeRow }) {
  const action = row.manualLock ? 'unlock' : 'lock';
  return (
    <form method="post" action={`/admin/challenges/${row.id}/${action}`} class="inline">
      <CsrfField ctx={ctx} />
      <button type="submit" class="small secondary">
        {row.manualLock ? 'Unlock' : 'Lock'}
      </button>
    </form>
  );
}

function ChallengeTable({
  ctx,
  rows,
  zone,
  scheduled,
}: {
  ctx: ViewContext;
  rows: AdminChallengeRow[];
  zone: string;
  scheduled: boolean;
}) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Challenges">
      <table class="admin-challenges">
        <thead>
          <tr>
            <th scope="col">Title</th>
            <th scope="col">Key stage</th>
            <th scope="col">{scheduled ? 'Releases' : 'Released'}</th>
            <th scope="col">Auto-lock</th>
            <th scope="col">State</th>
            <th scope="col">Boxes</th>
            <th scope="col">Tries</th>
            <th scope="col">Completed by</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-challenge-id={r.id}>
              <td>
                <a href={`/challenges/${r.id}`}>{mathProseToText(r.title)}</a>
                {r.hasImage && <span class="muted"> (image)</span>}
              </td>
              <td>
                <KeyStageBadge keyStage={r.keyStage} />
              </td>
              <td>
                <SchoolTime iso={r.releaseAt} zone={zone} />
              </td>
              <td>
                {r.autoLockAt ? (
                  <>
                    {r.lockAfterHours} h: <SchoolTime iso={r.autoLockAt} zone={zone} />
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td>
                <Status row={r} />
              </td>
              <td>{r.boxes}</td>
              <td>{r.submissions}</td>
              <td>{r.completions}</td>
              <td class="actions">
                <a class="button small secondary" href={`/admin/challenges/${r.id}/edit`}>
                  Edit
                </a>{' '}
                <LockButton ctx={ctx} row={r} />{' '}
                <a class="button small secondary" href={`/admin/challenges/${r.id}/print`}>
                  Print
                </a>{' '}
                <a class="button small secondary" href={`/admin/challenges/new?from=${r.id}`}>
                  Use as a template
                </a>
                {/* Deleting a challenge (its tries and points with it) is for administrators only. */}
                {ctx.user?.role === 'admin' && (
                  <>
                    {' '}
                    <a class="button small danger" href={`/admin/challenges/${r.id}/delete`}>
                      Delete
                    </a>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AdminChallengeListPage({
  ctx,
  lists,
  zone,
}: {
  ctx: ViewContext;
  lists: AdminChallengeLists;
  zone: string;
}) {
  return (
    <AdminLayout ctx={ctx} title="Challenges">
      <h1>Challenges</h1>
      <p>
        <a class="button" href="/admin/challenges/new">
          New challenge
        </a>{' '}
        <a class="button secondary" href="/admin/challenges/bank">
          Question bank
        </a>{' '}
        <a class="button secondary" href="/admin/challenges/print/week">
          Print this week’s set
        </a>
      </p>
      <section aria-labelledby="scheduled-title">
        <h2 id="scheduled-title">Scheduled ({lists.scheduled.length})</h2>
        {lists.scheduled.length === 0 ? (
          <p class="muted">Nothing scheduled.</p>
        ) : (
          <ChallengeTable ctx={ctx} rows={lists.scheduled} zone={zone} scheduled />
        )}
      </section>
      <section aria-labelledby="released-title">
        <h2 id="released-title">Released ({lists.releasedTotal})</h2>
        {lists.released.length === 0 ? (
          <p class="muted">No challenge has been released yet.</p>
        ) : (
          <ChallengeTable ctx={ctx} rows={lists.released} zone={zone} scheduled={false} />
        )}
        <Pagination page={lists.page} pages={lists.pages} href={pageHref('/admin/challenges')} />
      </section>
      <p class="hint">
        Times are in the school’s time zone ({zone}). A challenge locks when locked here or when its auto-lock time has
        passed; a locked challenge accepts no answers and shows its correct answers.
      </p>
    </AdminLayout>
  );
}

// ---------------------------------------------------------------- form

const ORDER_LABELS: Array<[string, string]> = [
  ['unordered', 'Any order'],
  ['ordered', 'In this order'],
];

/** One answer box's fields. Slot `__SLOT__` is the template the editor script copies. */
export function BoxFields({
  box,
  number,
  errors,
  tries,
}: {
  box: BoxFormValues;
  number: number | null;
  errors: FieldErrors;
  tries: number;
}) {
  const slot = box.slot < 0 ? '__SLOT__' : String(box.slot);
  const n = (f: string) => `box-${slot}-${f}`;
  const existing = box.id !== '';
  return (
    <li class="box-item" data-box-slot={slot}>
      <fieldset>
        <legend>
          Answer box <span data-box-number>{number ?? ''}</span>
        </legend>
        {existing && <input type="hidden" name={n('id')} value={box.id} />}
        <div class="field">
          <label for={n('label')}>Label (optional)</label>
          <input
            id={n('label')}
            name={n('label')}
            type="text"
            value={box.label}
            maxLength={MAX_LABEL_LENGTH}
            {...fieldAria(n('label'), errors)}
          />
          <FieldError name={n('label')} errors={errors} />
        </div>
        <div class="field">
          <label for={n('answer')}>Correct answer</label>
          <input
            id={n('answer')}
            name={n('answer')}
            type="text"
            value={box.answer}
            maxLength={MAX_ANSWER_LENGTH}
            autocomplete="off"
            spellcheck={false}
            data-mathfield={box.kind === 'text' ? undefined : ''}
            {...fieldAria(n('answer'), errors, true)}
          />
          <p class="hint" id={`${n('answer')}-hint`}>
            LaTeX or plain maths (3/4, 2*sqrt(2), y=2x+1, (1, -2), x=2, x=-3). The math engine checks it when you save.
          </p>
          <FieldError name={n('answer')} errors={errors} />
        </div>
        <div class="box-options">
          <div class="field">
            <label for={n('kind')}>Kind of answer</label>
            <select id={n('kind')} name={n('kind')} {...fieldAria(n('kind'), errors)}>
              {KIND_LABELS.map(([v, l]) => (
                <option value={v} selected={v === (box.kind || 'auto')}>
                  {l}
                </option>
              ))}
            </select>
            <FieldError name={n('kind')} errors={errors} />
          </div>
          <div class="field">
            <label for={n('order')}>Lists</label>
            <select id={n('order')} name={n('order')}>
              {ORDER_LABELS.map(([v, l]) => (
                <option value={v} selected={v === (box.order || 'unordered')}>
                  {l}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for={n('tolerance')}>Tolerance</label>
            <input
              id={n('tolerance')}
              name={n('tolerance')}
              type="text"
              value={box.tolerance}
              maxLength={30}
              {...fieldAria(n('tolerance'), errors, true)}
            />
            <p class="hint" id={`${n('tolerance')}-hint`}>
              Blank = exact; 0.01, 1%, 3 sf or 2 dp.
            </p>
            <FieldError name={n('tolerance')} errors={errors} />
          </div>
        </div>
        <AnswerFormFields box={box} name={n} errors={errors} />
        {existing ? (
          <label class="check box-remove">
            <input type="checkbox" name={n('remove')} checked={box.remove} data-remove-box="" /> Remove this box
            {tries > 0 && ` (its ${plural(tries, 'try', 'tries')} will be deleted)`}
          </label>
        ) : (
          <button type="button" class="small secondary" data-remove-new-box="" hidden>
            Remove this box
          </button>
        )}
        {tries > 0 && (
          <p class="hint">
            {plural(tries, 'try', 'tries')} recorded on this box. Changing its answer or options marks them again, and
            completions and points are recalculated.
          </p>
        )}
      </fieldset>
    </li>
  );
}

/**
 * The answer forms a box requires, one checkbox each with an example, and
 * whether a right value in another form costs the student an attempt.
 */
function AnswerFormFields({
  box,
  name,
  errors,
}: {
  box: BoxFormValues;
  name: (field: string) => string;
  errors: FieldErrors;
}) {
  const group = name('forms');
  const costs = name('wrong_form_costs_attempt');
  return (
    <>
      <fieldset class="answer-forms" id={group} aria-describedby={fieldAria(group, errors, true)['aria-describedby']}>
        <legend>The answer must be written as</legend>
        <p class="hint" id={`${group}-hint`}>
          Tick every form the answer must have; none ticked accepts any answer with the right value.
        </p>
        <FieldError name={group} errors={errors} />
        <ul class="form-choices">
          {ANSWER_FORMS.map((form) => (
            <li>
              <label class="check">
                <input type="checkbox" name={name(`form-${form}`)} checked={box.forms.includes(form)} />{' '}
                <span>
                  {FORM_DESCRIPTIONS[form].label} <span class="form-example">— {FORM_DESCRIPTIONS[form].example}</span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <label class="check">
        <input type="checkbox" name={costs} checked={box.wrongFormCostsAttempt} aria-describedby={`${costs}-hint`} /> A
        wrong form costs an attempt
      </label>
      <p class="hint" id={`${costs}-hint`}>
        Not ticked: an answer with the right value in another form is explained to the student and does not use an
        attempt.
      </p>
    </>
  );
}

export interface ChallengeImage {
  url: string;
  originalName: string;
}

/**
 * Where the form posts and links to, for a challenge outside the weekly list
 * (a competition challenge): its own headings and addresses, a field that
 * takes the place of auto-lock, and no image card.
 */
export interface ChallengeFormTarget {
  heading: string;
  action: string;
  cancelHref: string;
  viewHref: string | null;
  timingField: ComponentChildren;
}

export function AdminChallengeFormPage({
  ctx,
  id,
  values,
  errors = {},
  tries = new Map(),
  image = null,
  zone,
  maxImageMb,
  target,
  copiedFrom = null,
}: {
  ctx: ViewContext;
  id: number | null;
  /** The past challenge this new one was copied from ("Use as a template"). */
  copiedFrom?: { id: number; title: string } | null;
  values: ChallengeFormValues;
  errors?: FieldErrors;
  tries?: Map<number, number>;
  image?: ChallengeImage | null;
  zone: string;
  maxImageMb: number;
  target?: ChallengeFormTarget;
}) {
  const editing = id !== null;
  const heading = target?.heading ?? (editing ? 'Edit challenge' : 'New challenge');
  const viewHref = target ? target.viewHref : editing ? `/challenges/${id}` : null;
  const live = values.boxes.filter((b) => !b.remove);
  // An empty box shows only when asked ("Add another answer", which without JavaScript posts
  // the form back with one more box), or when there is no box at all.
  const boxes = live.length === 0 ? [...values.boxes, { ...blankSlot(values.boxes) }] : values.boxes;
  let number = 0;
  return (
    <AdminLayout ctx={ctx} title={heading} scripts={['editor.js', 'challenge-editor.js']} styles={['katex.css']}>
      <h1>{heading}</h1>
      {viewHref && (
        <p>
          <a href={viewHref}>View as a student sees it</a>
          {editing && !target && (
            <>
              {' · '}
              <a href={`/admin/challenges/${id}/print`}>Printable page</a>
              {' · '}
              <a href={`/admin/challenges/${id}/print?answers=1`}>Answer sheet</a>
              {' · '}
              <a href={`/admin/challenges/new?from=${id}`}>Use as a template</a>
            </>
          )}
        </p>
      )}
      {copiedFrom && (
        <p class="notice" role="status">
          A copy of «{mathProseToText(copiedFrom.title)}»: its text, answer boxes and tags, not its release time, image
          or tries (you can choose an image below). Nothing is saved until you create it; a blank release time releases
          it at once.
        </p>
      )}
      <form
        method="post"
        action={target?.action ?? (editing ? `/admin/challenges/${id}/edit` : '/admin/challenges/new')}
        class="challenge-form"
        enctype={!editing && !target ? 'multipart/form-data' : undefined}
      >
        <CsrfField ctx={ctx} />
        <ErrorSummary errors={errors} />
        <div class="field">
          <label for="title">Title</label>
          <input
            id="title"
            name="title"
            type="text"
            value={values.title}
            required
            maxLength={MAX_TITLE_LENGTH}
            {...fieldAria('title', errors)}
          />
          <FieldError name="title" errors={errors} />
        </div>
        <RichTextField
          label="The problem"
          value={values.content_html}
          errors={errors}
          hint="Headings, bold, italic, lists, links, images and maths (LaTeX). Without JavaScript you can type HTML here; it is cleaned to a safe set of tags when saved."
        />
        <div class="form-row">
          <div class="field">
            <label for="key_stage">Key stage</label>
            <select id="key_stage" name="key_stage" required {...fieldAria('key_stage', errors)}>
              <option value="">Choose…</option>
              {KEY_STAGES.map((ks) => (
                <option value={ks} selected={ks === values.key_stage}>
                  {ks}
                </option>
              ))}
            </select>
            <FieldError name="key_stage" errors={errors} />
          </div>
          <div class="field">
            <label for="release_at">Release time</label>
            <input
              id="release_at"
              name="release_at"
              type="datetime-local"
              value={values.release_at}
              {...fieldAria('release_at', errors, true)}
            />
            <p class="hint" id="release_at-hint">
              School time ({zone}). Leave blank to release now.
            </p>
            <FieldError name="release_at" errors={errors} />
          </div>
          {target ? (
            target.timingField
          ) : (
            <div class="field">
              <label for="lock_after_hours">Auto-lock after (hours)</label>
              <input
                id="lock_after_hours"
                name="lock_after_hours"
                type="number"
                min={LOCK_HOURS.min}
                max={LOCK_HOURS.max}
                step={1}
                value={values.lock_after_hours}
                {...fieldAria('lock_after_hours', errors, true)}
              />
              <p class="hint" id="lock_after_hours-hint">
                {LOCK_HOURS.min}–{LOCK_HOURS.max} hours after release; blank for no auto-lock.
              </p>
              <FieldError name="lock_after_hours" errors={errors} />
            </div>
          )}
          <div class="field">
            <label for="attempts_per_box">Attempts per box</label>
            <input
              id="attempts_per_box"
              name="attempts_per_box"
              type="number"
              min={ATTEMPTS.min}
              max={ATTEMPTS.max}
              step={1}
              value={values.attempts_per_box}
              required
              {...fieldAria('attempts_per_box', errors)}
            />
            <FieldError name="attempts_per_box" errors={errors} />
          </div>
        </div>
        {!target && (
          <div class="field">
            <label for="tags">Topic tags (optional)</label>
            <input
              id="tags"
              name="tags"
              type="text"
              value={values.tags}
              maxLength={MAX_TAGS_FIELD}
              autocomplete="off"
              {...fieldAria('tags', errors, true)}
            />
            <p class="hint" id="tags-hint">
              Separate tags with commas, e.g. fractions, area. Up to {MAX_TAGS} tags of {MAX_TAG_LENGTH} characters;
              saved in lower case. Used to find challenges in the question bank.
            </p>
            <FieldError name="tags" errors={errors} />
          </div>
        )}
        {!editing && !target && (
          <div class="field">
            <label for="image">Image (optional)</label>
            <input
              id="image"
              name="image"
              type="file"
              accept="image/png,image/jpeg,image/gif,image/webp"
              {...fieldAria('image', errors, true)}
            />
            <p class="hint" id="image-hint">
              A diagram shown above the problem: PNG, JPEG, GIF or WebP, up to {maxImageMb} MB. Checked by its contents,
              not its name.
            </p>
            <FieldError name="image" errors={errors} />
          </div>
        )}
        <fieldset
          class="answer-boxes"
          data-max-boxes={MAX_BOXES}
          aria-describedby={errors.boxes ? 'boxes-error' : undefined}
        >
          <legend>Answer boxes (1 to {MAX_BOXES})</legend>
          <FieldError name="boxes" errors={errors} />
          <ol class="box-list" data-box-list="">
            {boxes.map((b) => (
              <BoxFields
                box={b}
                number={b.remove ? null : ++number}
                errors={errors}
                tries={b.id ? (tries.get(Number(b.id)) ?? 0) : 0}
              />
            ))}
          </ol>
          <template id="box-template">
            <BoxFields box={{ ...blankSlot([]), slot: -1 }} number={null} errors={{}} tries={0} />
          </template>
          <p>
            <button
              type="submit"
              name="add_box"
              value="1"
              formNoValidate
              class="secondary"
              data-add-box=""
              hidden={live.length >= MAX_BOXES}
            >
              Add another answer
            </button>
          </p>
          <p class="hint">
            Students complete the challenge by answering every box correctly. An empty new box is ignored when saving.
          </p>
        </fieldset>
        <p>
          <button type="submit">{editing ? 'Save changes' : 'Create challenge'}</button>{' '}
          <a href={target?.cancelHref ?? '/admin/challenges'}>Cancel</a>
        </p>
      </form>
      {!target && editing && <ImageCard ctx={ctx} id={id} image={image} maxMb={maxImageMb} />}
    </AdminLayout>
  );
}

function blankSlot(boxes: BoxFormValues[]): BoxFormValues {
  return newBoxForm(boxes.reduce((m, b) => Math.max(m, b.slot + 1), 0));
}

function ImageCard({
  ctx,
  id,
  image,
  maxMb,
}: {
  ctx: ViewContext;
  id: number;
  image: ChallengeImage | null;
  maxMb: number;
}) {
  return (
    <section class="card" aria-labelledby="image-title">
      <h2 id="image-title">Image</h2>
      {image ? (
        <>
          <img class="challenge-image" src={image.url} alt="The challenge’s current image" />
          <p class="muted">{image.originalName}</p>
          <form method="post" action={`/admin/challenges/${id}/image/remove`} class="inline">
            <CsrfField ctx={ctx} />
            <button type="submit" class="small danger">
              Remove image
            </button>
          </form>
        </>
      ) : (
        <p class="muted">No image.</p>
      )}
      <form method="post" action={`/admin/challenges/${id}/image`} enctype="multipart/form-data" class="image-form">
        <CsrfField ctx={ctx} />
        <div class="field">
          <label for="image">{image ? 'Replace the image' : 'Add an image'}</label>
          <input
            id="image"
            name="image"
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp"
            required
            aria-describedby="image-hint"
          />
          <p class="hint" id="image-hint">
            PNG, JPEG, GIF or WebP, up to {maxMb} MB. Checked by its contents, not its name.
          </p>
        </div>
        <button type="submit" class="small">
          Upload image
        </button>
      </form>
    </section>
  );
}

// ---------------------------------------------------------------- question bank

export function AdminQuestionBankPage({
  ctx,
  bank,
  filter,
  zone,
}: {
  ctx: ViewContext;
  bank: QuestionBank;
  filter: BankFilter;
  zone: string;
}) {
  const params = { key_stage: filter.keyStage, tag: filter.tag };
  return (
    <AdminLayout ctx={ctx} title="Question bank">
      <h1>Question bank</h1>
      <p>
        Every released weekly challenge. Print one, or use it as a template for a new challenge (its text and answer
        boxes are copied; nothing is saved until you create it).
      </p>
      <form method="get" action="/admin/challenges/bank" class="form-row bank-filter">
        <div class="field">
          <label for="bank-key-stage">Key stage</label>
          <select id="bank-key-stage" name="key_stage">
            <option value="">All key stages</option>
            {KEY_STAGES.map((ks) => (
              <option value={ks} selected={ks === filter.keyStage}>
                {ks}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="bank-tag">Topic</label>
          <select id="bank-tag" name="tag">
            <option value="">All topics</option>
            {bank.tags.map((t) => (
              <option value={t.name} selected={t.name === filter.tag}>
                {t.name} ({t.count})
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <button type="submit">Show</button>
        </div>
      </form>
      <p class="muted" role="status">
        {plural(bank.total, 'challenge')}
        {filter.keyStage ? ` for ${filter.keyStage}` : ''}
        {filter.tag ? ` tagged «${filter.tag}»` : ''}.
      </p>
      {bank.rows.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Past challenges">
          <table class="question-bank">
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Key stage</th>
                <th scope="col">Released</th>
                <th scope="col">Topics</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {bank.rows.map((r) => (
                <tr data-challenge-id={r.id}>
                  <td>
                    <a href={`/admin/challenges/${r.id}/edit`}>{mathProseToText(r.title)}</a>
                  </td>
                  <td>
                    <KeyStageBadge keyStage={r.keyStage} />
                  </td>
                  <td>
                    <SchoolTime iso={r.releaseAt} zone={zone} />
                  </td>
                  <td>
                    {r.tags.length === 0
                      ? '—'
                      : r.tags.map((t, i) => (
                          <>
                            {i > 0 && ', '}
                            <a href={`/admin/challenges/bank?tag=${encodeURIComponent(t)}`}>{t}</a>
                          </>
                        ))}
                  </td>
                  <td class="actions">
                    <a class="button small secondary" href={`/admin/challenges/new?from=${r.id}`}>
                      Use as a template
                    </a>{' '}
                    <a class="button small secondary" href={`/admin/challenges/${r.id}/print`}>
                      Print
                    </a>
                    {r.locked && (
                      <>
                        {' '}
                        <a class="button small secondary" href={`/admin/challenges/${r.id}/print?answers=1`}>
                          Answer sheet
                        </a>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={bank.page} pages={bank.pages} href={pageHref('/admin/challenges/bank', params)} />
    </AdminLayout>
  );
}

// ---------------------------------------------------------------- delete

export function AdminChallengeDeletePage({
  ctx,
  challenge,
  submissions,
  completions,
  points,
}: {
  ctx: ViewContext;
  challenge: Challenge;
  submissions: number;
  completions: number;
  points: number;
}) {
  return (
    <AdminLayout ctx={ctx} title="Delete challenge">
      <h1>Delete «{mathProseToText(challenge.title)}»?</h1>
      <p>
        This removes the challenge, its answer boxes and image, and all {plural(submissions, 'try', 'tries')} made on
        it. It cannot be undone.
      </p>
      <p>
        {completions === 0
          ? 'Nobody has completed it yet.'
          : `${plural(completions, 'student')} completed it, earning ${plural(points, 'point')} in total.`}
      </p>
      <form method="post" action={`/admin/challenges/${challenge.id}/delete`}>
        <CsrfField ctx={ctx} />
        <label class="check">
          <input type="checkbox" name="keep_points" aria-describedby="keep-hint" /> Keep the points already earned
        </label>
        <p class="hint" id="keep-hint">
          Ticked: each completer keeps their points as a manual adjustment (listed on the leaderboard admin page). Not
          ticked: the boards are recalculated without this challenge.
        </p>
        <p>
          <button type="submit" class="danger">
            Delete challenge
          </button>{' '}
          <a href="/admin/challenges">Cancel</a>
        </p>
      </form>
    </AdminLayout>
  );
}
