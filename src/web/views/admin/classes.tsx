// Admin area: classes. The list (a teacher's own classes, or every class for an
// admin), the new-class form, one class's page (name, teachers, pupils, its
// board) and the class's progress grid.
import { KEY_STAGES } from '../../../config/index.js';
import type { ClassBoardEntry } from '../../../domain/classes/class-board.js';
import type { ClassProgress, ProgressCell, ProgressFilter } from '../../../domain/classes/class-progress.js';
import { PROGRESS_WEEKS } from '../../../domain/classes/class-progress.js';
import { CLASS_NAME_MAX, type ClassDetail, type ClassPerson, type ClassRow } from '../../../domain/classes/classes.js';
import type { FieldErrors, FormValues } from '../../../lib/forms.js';
import { mathProseToText } from '../../../lib/latex-text.js';
import { plural } from '../../../lib/plural.js';
import { formatSchoolDay } from '../../../lib/school-time.js';
import { KeyStageBadge, SchoolTime } from '../challenges/parts.js';
import type { ViewContext } from '../context.js';
import { ErrorSummary, fieldAria, FieldError, PostButton, SelectField, TextField } from '../form.js';
import { CsrfField } from '../layout.js';
import { ClassBoardTable } from '../leaderboard/class-board.js';
import { AdminLayout } from './admin-layout.js';

const yearText = (y: number | null) => (y === null ? '' : `Year ${y}`);

// ---------------------------------------------------------------- list

export function ClassListPage({ ctx, classes }: { ctx: ViewContext; classes: ClassRow[] }) {
  const admin = ctx.user?.role === 'admin';
  return (
    <AdminLayout ctx={ctx} title="Classes">
      <h1>Classes</h1>
      <p>
        <a class="button" href="/admin/classes/new">
          New class
        </a>
      </p>
      {classes.length === 0 ? (
        <p class="muted">
          {admin ? 'No classes yet.' : 'You teach no class yet. Make one, or ask an administrator to add you to yours.'}
        </p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Classes">
          <table>
            <thead>
              <tr>
                <th scope="col">Class</th>
                {admin && <th scope="col">School</th>}
                <th scope="col">Teachers</th>
                <th scope="col">Pupils</th>
                <th scope="col">Progress</th>
              </tr>
            </thead>
            <tbody>
              {classes.map((c) => (
                <tr>
                  <td>
                    <a href={`/admin/classes/${c.id}`}>{c.name}</a>
                  </td>
                  {admin && <td>{c.schoolName}</td>}
                  <td>{c.teachers.length ? c.teachers.join(', ') : <span class="muted">none</span>}</td>
                  <td>{c.pupils}</td>
                  <td>
                    <a href={`/admin/classes/${c.id}/progress`}>Progress</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="hint">
        {admin
          ? 'Administrators see every class. A teacher sees only the classes they teach.'
          : 'You see the classes you teach. A class you make is yours; another teacher of your school can be added to it.'}
      </p>
    </AdminLayout>
  );
}

// ---------------------------------------------------------------- new class

export function NewClassPage({
  ctx,
  schools,
  values,
  errors,
}: {
  ctx: ViewContext;
  schools: Array<{ id: number; name: string }>;
  values: FormValues;
  errors?: FieldErrors;
}) {
  const admin = ctx.user?.role === 'admin';
  return (
    <AdminLayout ctx={ctx} title="New class">
      <h1>New class</h1>
      <ErrorSummary errors={errors} />
      {!admin && schools.length === 0 ? (
        <p class="flash flash-error" role="alert">
          Your account belongs to no school, so you cannot make a class. Ask an administrator.
        </p>
      ) : null}
      <form method="post" action="/admin/classes/new">
        <CsrfField ctx={ctx} />
        <TextField
          name="name"
          label="Name"
          value={values.name}
          errors={errors}
          required
          maxLength={CLASS_NAME_MAX}
          hint="For example 10A or Year 9 set 1. Each class of a school has its own name."
        />
        {admin ? (
          <SelectField
            name="school_id"
            label="School"
            value={values.school_id}
            errors={errors}
            required
            placeholder="Choose a school"
            options={schools.map((s) => [String(s.id), s.name])}
          />
        ) : (
          <>
            {schools[0] && <p>School: {schools[0].name}. You will be the class’s teacher.</p>}
            <FieldError name="school_id" errors={errors ?? {}} />
          </>
        )}
        <p>
          <button type="submit">Create class</button> <a href="/admin/classes">Cancel</a>
        </p>
      </form>
    </AdminLayout>
  );
}

// ---------------------------------------------------------------- one class

export interface ClassPageView {
  cls: ClassDetail;
  teachers: ClassPerson[];
  pupils: ClassPerson[];
  board: ClassBoardEntry[];
  candidates: ClassPerson[];
  teacherCandidates: ClassPerson[];
  /** Values and messages of the form that failed, if any. */
  rename?: { values: FormValues; errors: FieldErrors };
  addPupils?: { values: FormValues; errors: FieldErrors };
  addTeacher?: { values: FormValues; errors: FieldErrors };
}

export function ClassPage({ ctx, v }: { ctx: ViewContext; v: ClassPageView }) {
  const base = `/admin/classes/${v.cls.id}`;
  const admin = ctx.user?.role === 'admin';
  const failed = v.rename ?? v.addPupils ?? v.addTeacher;
  const lastTeacher = v.teachers.length === 1 && !admin;
  return (
    <AdminLayout ctx={ctx} title={`Class ${v.cls.name}`}>
      <h1>Class {v.cls.name}</h1>
      <p class="muted">
        {v.cls.schoolName} · {plural(v.pupils.length, 'pupil')} · <a href={`${base}/progress`}>Progress</a> ·{' '}
        <a href={`/leaderboard/class/${v.cls.id}`}>The class’s board as pupils see it</a>
      </p>
      <ErrorSummary errors={failed?.errors} />

      <section class="card" aria-labelledby="board-title">
        <h2 id="board-title">Class leaderboard</h2>
        <ClassBoardTable entries={v.board} fullNames label={`Leaderboard of ${v.cls.name}`} />
      </section>

      <section class="card" aria-labelledby="pupils-title">
        <h2 id="pupils-title">Pupils</h2>
        {v.pupils.length === 0 ? (
          <p class="muted">No pupils in this class yet.</p>
        ) : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label={`Pupils of ${v.cls.name}`}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Year</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {v.pupils.map((p) => (
                  <tr>
                    <td>
                      {p.firstName} {p.lastName}
                    </td>
                    <td class="address">{p.email}</td>
                    <td>{yearText(p.yearGroup)}</td>
                    <td class="actions">
                      <PostButton ctx={ctx} action={`${base}/members/${p.id}/remove`} label="Remove" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h3>Add pupils</h3>
        <form method="post" action={`${base}/members`}>
          <CsrfField ctx={ctx} />
          <div class="field">
            <label for="emails">Email addresses</label>
            <textarea id="emails" name="emails" rows={3} {...fieldAria('emails', v.addPupils?.errors ?? {}, true)}>
              {v.addPupils?.values.emails ?? ''}
            </textarea>
            <p class="hint" id="emails-hint">
              One or more addresses of pupils of {v.cls.schoolName}, separated by commas or new lines.
            </p>
            <FieldError name="emails" errors={v.addPupils?.errors ?? {}} />
          </div>
          {v.candidates.length > 0 && (
            <details class="details">
              <summary>Or choose from the school’s pupils ({v.candidates.length})</summary>
              <fieldset class="field" {...fieldAria('user_id', v.addPupils?.errors ?? {})}>
                <legend class="visually-hidden">Pupils of {v.cls.schoolName} not in this class</legend>
                {v.candidates.map((p) => (
                  <label class="check">
                    <input type="checkbox" name="user_id" value={String(p.id)} /> {p.firstName} {p.lastName}
                    {p.yearGroup !== null && <span class="muted"> ({yearText(p.yearGroup)})</span>}
                  </label>
                ))}
                <FieldError name="user_id" errors={v.addPupils?.errors ?? {}} />
              </fieldset>
            </details>
          )}
          <p>
            <button type="submit">Add pupils</button>
          </p>
        </form>
      </section>

      <section class="card" aria-labelledby="teachers-title">
        <h2 id="teachers-title">Teachers</h2>
        {v.teachers.length === 0 ? (
          <p class="muted">No teacher yet: only administrators see this class.</p>
        ) : (
          <ul>
            {v.teachers.map((p) => (
              <li>
                {p.firstName} {p.lastName} <span class="muted address">{p.email}</span>{' '}
                {!lastTeacher && <PostButton ctx={ctx} action={`${base}/teachers/${p.id}/remove`} label="Remove" />}
              </li>
            ))}
          </ul>
        )}
        {lastTeacher && <p class="hint">A class keeps at least one teacher: add another before removing this one.</p>}
        {v.teacherCandidates.length > 0 ? (
          <form method="post" action={`${base}/teachers`}>
            <CsrfField ctx={ctx} />
            <SelectField
              name="teacher_id"
              label="Add a teacher"
              value={v.addTeacher?.values.teacher_id}
              errors={v.addTeacher?.errors}
              placeholder="Choose a teacher"
              options={v.teacherCandidates.map((p) => [String(p.id), `${p.firstName} ${p.lastName} (${p.email})`])}
              hint={`Teachers of ${v.cls.schoolName}. A teacher of the class sees its pupils, progress and board.`}
            />
            <p>
              <button type="submit">Add teacher</button>
            </p>
          </form>
        ) : (
          <p class="hint">Every teacher account of {v.cls.schoolName} already teaches this class.</p>
        )}
      </section>

      <section class="card" aria-labelledby="settings-title">
        <h2 id="settings-title">Name</h2>
        <form method="post" action={`${base}/rename`}>
          <CsrfField ctx={ctx} />
          <TextField
            name="name"
            label="Class name"
            value={v.rename?.values.name ?? v.cls.name}
            errors={v.rename?.errors}
            required
            maxLength={CLASS_NAME_MAX}
          />
          <p>
            <button type="submit">Rename</button>
          </p>
        </form>
        <h3>Delete the class</h3>
        <p class="hint">
          The pupils keep their accounts, answers and points; only the class and its lists of pupils and teachers go.
        </p>
        <PostButton ctx={ctx} action={`${base}/delete`} label={`Delete ${v.cls.name}`} danger />
      </section>
    </AdminLayout>
  );
}

// ---------------------------------------------------------------- progress

function Cell({ cell, zone }: { cell: ProgressCell; zone: string }) {
  if (cell.state === 'completed')
    return (
      <td data-state="completed">
        <span class="badge badge-ok">Completed</span> <SchoolTime iso={cell.at} zone={zone} />
      </td>
    );
  if (cell.state === 'tried')
    return (
      <td data-state="tried">
        <span class="badge badge-locked">Not solved</span> {plural(cell.tries, 'try', 'tries')}
      </td>
    );
  return (
    <td data-state="not-tried">
      <span class="muted">Not tried</span>
    </td>
  );
}

export function ClassProgressPage({
  ctx,
  cls,
  filter,
  progress,
  zone,
}: {
  ctx: ViewContext;
  cls: ClassDetail;
  filter: ProgressFilter;
  progress: ClassProgress;
  zone: string;
}) {
  const base = `/admin/classes/${cls.id}`;
  const query = `?weeks=${filter.weeks}${filter.keyStage ? `&ks=${filter.keyStage}` : ''}`;
  return (
    <AdminLayout ctx={ctx} title={`Progress of ${cls.name}`}>
      <h1>Progress of {cls.name}</h1>
      <p class="muted">
        {cls.schoolName} · <a href={base}>Back to the class</a>
      </p>
      <form method="get" action={`${base}/progress`} class="filters">
        <div class="field">
          <label for="ks">Key stage</label>
          <select id="ks" name="ks">
            <option value="">All key stages</option>
            {KEY_STAGES.map((ks) => (
              <option value={ks} selected={filter.keyStage === ks}>
                {ks}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="weeks">Released in the last … weeks</label>
          <input
            id="weeks"
            name="weeks"
            type="number"
            min={PROGRESS_WEEKS.min}
            max={PROGRESS_WEEKS.max}
            value={String(filter.weeks)}
          />
        </div>
        <div class="filter-actions">
          <button type="submit" class="small">
            Show
          </button>{' '}
          <a class="button small secondary" href={`${base}/progress.csv${query}`}>
            Download CSV
          </a>
        </div>
      </form>
      {progress.rows.length === 0 ? (
        <p class="muted">No pupils in this class yet.</p>
      ) : progress.challenges.length === 0 ? (
        <p class="muted">No weekly challenge was released in the last {plural(filter.weeks, 'week')}.</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={`Progress of ${cls.name}`}>
          <table class="progress-grid">
            <thead>
              <tr>
                <th scope="col">Pupil</th>
                {progress.challenges.map((c) => (
                  <th scope="col">
                    <a href={`/challenges/${c.id}`}>{mathProseToText(c.title)}</a>{' '}
                    <KeyStageBadge keyStage={c.keyStage} />
                    <br />
                    <span class="muted">
                      {formatSchoolDay(c.releaseAt, zone)} · {c.completedBy} of {progress.rows.length} completed
                    </span>
                  </th>
                ))}
                <th scope="col">Completed</th>
              </tr>
            </thead>
            <tbody>
              {progress.rows.map((r) => (
                <tr>
                  <th scope="row">
                    {r.pupil.firstName} {r.pupil.lastName}
                  </th>
                  {r.cells.map((cell) => (
                    <Cell cell={cell} zone={zone} />
                  ))}
                  <td>
                    {r.completed} of {progress.challenges.length}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="hint">
        Weekly challenges released in the last {plural(filter.weeks, 'week')}
        {filter.keyStage ? ` for ${filter.keyStage}` : ''}, oldest first. “Not solved” counts the tries of a pupil who
        has not completed the challenge (yet); tries made by administrators are not counted.
      </p>
    </AdminLayout>
  );
}
