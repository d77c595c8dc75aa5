// Admin pages for schools and competitions: school list and form, competition
// list and form, and one competition's challenges, board (search, filters,
// sort, paging, bulk reset/delete, adjustments), analytics and exports.
import { KEY_STAGES } from '../../../config/index.js';
import type { Challenge, Competition, School } from '../../../db/schema.js';
import type { CompetitionAnalytics, CompetitionEntry, EntryFilters } from '../../../domain/competitions/analytics.js';
import { ENTRY_SORTS, PAGE_SIZES } from '../../../domain/competitions/analytics.js';
import type { CompetitionFormValues } from '../../../domain/competitions/competition-form.js';
import type { SchoolRow } from '../../../domain/schools.js';
import { KeyStageBadge, SchoolTime } from '../challenges/parts.js';
import { RichTextField } from '../content/admin.js';
import type { ViewContext } from '../context.js';
import type { FieldErrors, FormValues } from '../../../lib/forms.js';
import { mathProseToText } from '../../../lib/latex-text.js';
import { plural } from '../../../lib/plural.js';
import { ErrorSummary, fieldAria, FieldError, PostButton, TextField } from '../form.js';
import { CsrfField } from '../layout.js';
import { AdminLayout } from './admin-layout.js';
import { Pagination, withQuery } from '../pagination.js';
import { SubmissionsChart } from './submissions-chart.js';

// ---------------------------------------------------------------- schools

export function AdminSchoolListPage({ ctx, schools }: { ctx: ViewContext; schools: SchoolRow[] }) {
  return (
    <AdminLayout ctx={ctx} title="Schools">
      <h1>Schools</h1>
      <p>
        <a class="button" href="/admin/schools/new">
          New school
        </a>
      </p>
      {schools.length === 0 ? (
        <p class="muted">No schools yet.</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Schools">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email domain</th>
                <th scope="col">Kind</th>
                <th scope="col">Address</th>
                <th scope="col">Competitions</th>
                <th scope="col">Participants</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {schools.map((s) => (
                <tr>
                  <td>{s.name}</td>
                  <td>@{s.email_domain}</td>
                  <td>{s.kind === 'guest' ? 'Competition guest' : 'Member school'}</td>
                  <td>{s.address ?? ''}</td>
                  <td>{s.competitions}</td>
                  <td>{s.participants}</td>
                  <td class="actions">
                    <a class="button small secondary" href={`/admin/schools/${s.id}/edit`}>
                      Edit
                    </a>{' '}
                    <a class="button small secondary" href={`/admin/schools/${s.id}/sign-in`}>
                      Sign-in
                    </a>{' '}
                    <PostButton ctx={ctx} action={`/admin/schools/${s.id}/delete`} label="Delete" danger />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="hint">
        A school with competition participants cannot be deleted. Students register with an address whose domain is
        exactly the school’s. Pupils of member schools have the weekly challenges and the key-stage leaderboards; pupils
        of competition guests take part in competitions only.
      </p>
    </AdminLayout>
  );
}

export function AdminSchoolFormPage({
  ctx,
  id,
  values,
  errors,
}: {
  ctx: ViewContext;
  id: number | null;
  values: FormValues;
  errors?: FieldErrors;
}) {
  return (
    <AdminLayout ctx={ctx} title={id ? 'Edit school' : 'New school'}>
      <h1>{id ? 'Edit school' : 'New school'}</h1>
      <ErrorSummary errors={errors} />
      <form method="post" action={id ? `/admin/schools/${id}/edit` : '/admin/schools/new'}>
        <CsrfField ctx={ctx} />
        <TextField name="name" label="Name" value={values.name} errors={errors} required maxLength={120} />
        <TextField
          name="email_domain"
          label="Email domain"
          value={values.email_domain}
          errors={errors}
          required
          maxLength={253}
          hint="The part after the @ of the school’s student addresses, e.g. school.org."
        />
        <fieldset class="field" aria-describedby={fieldAria('kind', errors ?? {}, true)['aria-describedby']}>
          <legend>Kind of school</legend>
          <p class="hint" id="kind-hint">
            Changing the kind moves the school’s pupils on to or off the key-stage leaderboards at once.
          </p>
          <label class="check">
            <input type="radio" name="kind" value="member" checked={values.kind === 'member'} required /> Member school:
            its pupils register on the site, do the weekly challenges and appear on the leaderboards
          </label>
          <label class="check">
            <input type="radio" name="kind" value="guest" checked={values.kind === 'guest'} /> Competition guest: its
            pupils join through a competition and take part in competitions only
          </label>
          <FieldError name="kind" errors={errors ?? {}} />
        </fieldset>
        <div class="field">
          <label for="address">Address (optional)</label>
          <textarea id="address" name="address" rows={3} maxLength={500}>
            {values.address ?? ''}
          </textarea>
          {errors?.address && (
            <p class="field-error" id="address-error">
              {errors.address}
            </p>
          )}
        </div>
        <p>
          <button type="submit">{id ? 'Save' : 'Create school'}</button> <a href="/admin/schools">Cancel</a>
        </p>
      </form>
    </AdminLayout>
  );
}

// ---------------------------------------------------------------- competitions

export function AdminCompetitionListPage({
  ctx,
  competitions,
  zone,
}: {
  ctx: ViewContext;
  competitions: Competition[];
  zone: string;
}) {
  return (
    <AdminLayout ctx={ctx} title="Competitions">
      <h1>Competitions</h1>
      <p>
        <a class="button" href="/admin/competitions/new">
          New competition
        </a>{' '}
        <a href="/admin/schools">Schools</a>
      </p>
      {competitions.length === 0 ? (
        <p class="muted">No competitions yet.</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Competitions">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts</th>
                <th scope="col">Ends</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {competitions.map((c) => (
                <tr>
                  <td>
                    <a href={`/admin/competitions/${c.id}`}>{c.name}</a>
                  </td>
                  <td>
                    <SchoolTime iso={c.starts_at} zone={zone} />
                  </td>
                  <td>
                    <SchoolTime iso={c.ends_at} zone={zone} />
                  </td>
                  <td class="actions">
                    <a class="button small secondary" href={`/admin/competitions/${c.id}/edit`}>
                      Edit
                    </a>{' '}
                    <a class="button small danger" href={`/admin/competitions/${c.id}/delete`}>
                      Delete
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminLayout>
  );
}

export function AdminCompetitionFormPage({
  ctx,
  id,
  values,
  schools,
  errors = {},
  zone,
}: {
  ctx: ViewContext;
  id: number | null;
  values: CompetitionFormValues;
  schools: School[];
  errors?: FieldErrors;
  zone: string;
}) {
  return (
    <AdminLayout
      ctx={ctx}
      title={id ? 'Edit competition' : 'New competition'}
      scripts={['editor.js']}
      styles={['katex.css']}
    >
      <h1>{id ? 'Edit competition' : 'New competition'}</h1>
      <ErrorSummary errors={errors} />
      <form method="post" action={id ? `/admin/competitions/${id}/edit` : '/admin/competitions/new'}>
        <CsrfField ctx={ctx} />
        <TextField name="name" label="Name" value={values.name} errors={errors} required maxLength={120} />
        <RichTextField
          name="about_html"
          label="About the competition"
          value={values.about_html}
          errors={errors ?? {}}
        />
        <div class="form-row">
          <div class="field">
            <label for="starts_at">Starts</label>
            <input
              id="starts_at"
              name="starts_at"
              type="datetime-local"
              value={values.starts_at}
              required
              aria-describedby={errors.starts_at ? 'starts_at-error' : undefined}
            />
            {errors.starts_at && (
              <p class="field-error" id="starts_at-error">
                {errors.starts_at}
              </p>
            )}
          </div>
          <div class="field">
            <label for="ends_at">Ends</label>
            <input
              id="ends_at"
              name="ends_at"
              type="datetime-local"
              value={values.ends_at}
              required
              aria-describedby={errors.ends_at ? 'ends_at-error' : undefined}
            />
            {errors.ends_at && (
              <p class="field-error" id="ends_at-error">
                {errors.ends_at}
              </p>
            )}
          </div>
        </div>
        <p class="hint">School time ({zone}).</p>
        <fieldset>
          <legend>Participating schools</legend>
          {errors.schools && <p class="field-error">{errors.schools}</p>}
          {schools.length === 0 ? (
            <p class="muted">
              No schools yet: <a href="/admin/schools/new">add one</a>.
            </p>
          ) : (
            schools.map((s) => (
              <label class="check">
                <input type="checkbox" name={`school-${s.id}`} checked={values.schoolIds.includes(s.id)} /> {s.name} (@
                {s.email_domain}){s.kind === 'guest' ? ', competition guest' : ', member school'}
              </label>
            ))
          )}
        </fieldset>
        <p>
          <button type="submit">{id ? 'Save' : 'Create competition'}</button> <a href="/admin/competitions">Cancel</a>
        </p>
      </form>
    </AdminLayout>
  );
}

export function AdminCompetitionDeletePage({
  ctx,
  competition,
  challenges,
  participants,
}: {
  ctx: ViewContext;
  competition: Competition;
  challenges: number;
  participants: number;
}) {
  return (
    <AdminLayout ctx={ctx} title="Delete competition">
      <h1>Delete «{competition.name}»?</h1>
      <p>
        This removes its {plural(challenges, 'challenge')} with every try on them, its{' '}
        {plural(participants, 'participation')} and its leaderboard. The accounts stay. It cannot be undone.
      </p>
      <form method="post" action={`/admin/competitions/${competition.id}/delete`}>
        <CsrfField ctx={ctx} />
        <button type="submit" class="danger">
          Delete competition
        </button>{' '}
        <a href={`/admin/competitions/${competition.id}`}>Cancel</a>
      </form>
    </AdminLayout>
  );
}

function CompetitionNav({ c, current }: { c: Competition; current: string }) {
  const links: Array<[string, string]> = [
    [`/admin/competitions/${c.id}`, 'Challenges'],
    [`/admin/competitions/${c.id}/board`, 'Participants & leaderboard'],
    [`/admin/competitions/${c.id}/analytics`, 'Analytics'],
    [`/admin/competitions/${c.id}/edit`, 'Settings'],
    [`/competitions/${c.id}`, 'Public page'],
  ];
  return (
    <nav aria-label="This competition" class="sub-nav">
      <ul>
        {links.map(([href, label]) => (
          <li>
            <a href={href} aria-current={href === current ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export interface AdminCompetitionChallengeRow {
  challenge: Challenge;
  locked: boolean;
  closesAt: string | null;
  released: boolean;
  completions: number;
}

export function AdminCompetitionPage({
  ctx,
  competition,
  rows,
  zone,
}: {
  ctx: ViewContext;
  competition: Competition;
  rows: AdminCompetitionChallengeRow[];
  zone: string;
}) {
  const base = `/admin/competitions/${competition.id}`;
  return (
    <AdminLayout ctx={ctx} title={competition.name}>
      <h1>{competition.name}</h1>
      <CompetitionNav c={competition} current={base} />
      <p>
        <a class="button" href={`${base}/challenges/new`}>
          New competition challenge
        </a>
      </p>
      {rows.length === 0 ? (
        <p class="muted">No challenges yet.</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Competition challenges">
          <table>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Key stage</th>
                <th scope="col">Release</th>
                <th scope="col">Closes</th>
                <th scope="col">State</th>
                <th scope="col">Completed by</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr data-challenge-id={r.challenge.id}>
                  <td>
                    <a href={`/competitions/${competition.id}/challenges/${r.challenge.id}`}>
                      {mathProseToText(r.challenge.title)}
                    </a>
                  </td>
                  <td>
                    <KeyStageBadge keyStage={r.challenge.key_stage} />
                  </td>
                  <td>
                    <SchoolTime iso={r.challenge.release_at} zone={zone} />
                    {!r.released && ' (scheduled)'}
                  </td>
                  <td>{r.closesAt ? <SchoolTime iso={r.closesAt} zone={zone} /> : '—'}</td>
                  <td>
                    {r.challenge.is_locked ? (
                      <span class="badge badge-locked">Locked</span>
                    ) : r.locked ? (
                      <span class="badge badge-locked">Closed (duration)</span>
                    ) : (
                      <span class="badge badge-ok">Open</span>
                    )}
                  </td>
                  <td>{r.completions}</td>
                  <td class="actions">
                    <a class="button small secondary" href={`${base}/challenges/${r.challenge.id}/edit`}>
                      Edit
                    </a>{' '}
                    <PostButton
                      ctx={ctx}
                      action={`${base}/challenges/${r.challenge.id}/${r.challenge.is_locked ? 'unlock' : 'lock'}`}
                      label={r.challenge.is_locked ? 'Unlock' : 'Lock'}
                    />{' '}
                    <PostButton
                      ctx={ctx}
                      action={`${base}/challenges/${r.challenge.id}/delete`}
                      label="Delete"
                      danger
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="hint">
        A competition challenge closes its duration in hours after release. Deleting one removes its tries and
        recalculates the competition board.
      </p>
    </AdminLayout>
  );
}

// ---------------------------------------------------------------- board

export interface BoardPageData {
  competition: Competition;
  schools: School[];
  filters: EntryFilters;
  rawFilters: Record<string, string>;
  perPage: number;
  list: { rows: CompetitionEntry[]; total: number; page: number; pages: number };
  adjustments: Array<{
    id: number;
    user_id: number;
    points: number;
    reason: string;
    created_at: string;
    first_name: string;
    last_name: string;
    by_email: string | null;
  }>;
  zone: string;
}

export function AdminCompetitionBoardPage({ ctx, d }: { ctx: ViewContext; d: BoardPageData }) {
  const c = d.competition;
  const base = `/admin/competitions/${c.id}`;
  const f = d.rawFilters;
  const exportQuery = withQuery('', { ks: f.ks, school: f.school, min: f.min, max: f.max }).replace(/^\?/, '');
  return (
    <AdminLayout ctx={ctx} title={`${c.name}: leaderboard`}>
      <h1>{c.name}: participants and leaderboard</h1>
      <CompetitionNav c={c} current={`${base}/board`} />
      <form method="get" action={`${base}/board`} class="filters">
        <div class="form-row">
          <div class="field">
            <label for="q">Search</label>
            <input id="q" name="q" type="search" value={f.q ?? ''} maxLength={100} />
          </div>
          <div class="field">
            <label for="ks">Key stage</label>
            <select id="ks" name="ks">
              <option value="">All</option>
              {KEY_STAGES.map((k) => (
                <option value={k} selected={f.ks === k}>
                  {k}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="school">School</label>
            <select id="school" name="school">
              <option value="">All</option>
              {d.schools.map((s) => (
                <option value={String(s.id)} selected={f.school === String(s.id)}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="min">Points from</label>
            <input id="min" name="min" type="number" value={f.min ?? ''} />
          </div>
          <div class="field">
            <label for="max">Points to</label>
            <input id="max" name="max" type="number" value={f.max ?? ''} />
          </div>
          <div class="field">
            <label for="sort">Sort</label>
            <select id="sort" name="sort">
              {ENTRY_SORTS.map((s) => (
                <option value={s} selected={d.filters.sort === s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="dir">Order</label>
            <select id="dir" name="dir">
              <option value="desc" selected={d.filters.dir === 'desc'}>
                Descending
              </option>
              <option value="asc" selected={d.filters.dir === 'asc'}>
                Ascending
              </option>
            </select>
          </div>
          <div class="field">
            <label for="per">Per page</label>
            <select id="per" name="per">
              {PAGE_SIZES.map((n) => (
                <option value={String(n)} selected={d.perPage === n}>
                  {n}
                </option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" class="small">
          Apply
        </button>
      </form>
      <p>
        Export (key stage, school and points filters apply):{' '}
        <a href={`${base}/export.csv${exportQuery ? `?${exportQuery}` : ''}`}>CSV</a> ·{' '}
        <a href={`${base}/export.json${exportQuery ? `?${exportQuery}` : ''}`}>JSON</a>
      </p>
      <p>{plural(d.list.total, 'participant')}</p>
      <form method="post" action={`${base}/board/bulk`} id="bulk-form">
        <CsrfField ctx={ctx} />
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Competition board">
          <table>
            <thead>
              <tr>
                <th scope="col">Select</th>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">School</th>
                <th scope="col">Key stage</th>
                <th scope="col">Points</th>
                <th scope="col">Completed</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {d.list.rows.map((r) => (
                <tr>
                  <td>
                    <input
                      type="checkbox"
                      name={`user-${r.userId}`}
                      aria-label={`Select ${r.firstName} ${r.lastName}`}
                    />
                  </td>
                  <td>
                    {r.firstName} {r.lastName}
                  </td>
                  <td>{r.email}</td>
                  <td>{r.school}</td>
                  <td>{r.keyStage}</td>
                  <td>{r.points}</td>
                  <td>{r.completed}</td>
                  <td>
                    <SchoolTime iso={r.joinedAt} zone={d.zone} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="field">
          <label for="bulk-action">With the selected participants</label>
          <select id="bulk-action" name="action">
            <option value="reset">Reset: remove their tries, completions and adjustments in this competition</option>
            <option value="delete">Delete: as reset, and remove them from the competition</option>
          </select>
        </div>
        <button type="submit" class="danger small">
          Apply to selected
        </button>
      </form>
      <Pagination
        kind="table"
        page={d.list.page}
        pages={d.list.pages}
        href={(p) => withQuery(`${base}/board`, { ...f, per: String(d.perPage) }, { page: p })}
      />

      <section class="card" aria-labelledby="adjust-title">
        <h2 id="adjust-title">Manual adjustments</h2>
        <form method="post" action={`${base}/adjustments`}>
          <CsrfField ctx={ctx} />
          <div class="form-row">
            <div class="field">
              <label for="adj-user">Participant</label>
              <select id="adj-user" name="user_id" required>
                <option value="">Choose…</option>
                {d.list.rows.map((r) => (
                  <option value={String(r.userId)}>
                    {r.firstName} {r.lastName} ({r.school}, {r.keyStage})
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="adj-points">Points (+/−)</label>
              <input id="adj-points" name="points" type="number" required min={-1000} max={1000} />
            </div>
            <div class="field">
              <label for="adj-reason">Reason</label>
              <input id="adj-reason" name="reason" type="text" required maxLength={300} />
            </div>
          </div>
          <button type="submit" class="small">
            Add adjustment
          </button>
        </form>
        {d.adjustments.length > 0 && (
          <ul>
            {d.adjustments.map((a) => (
              <li>
                {a.first_name} {a.last_name}: {a.points > 0 ? `+${a.points}` : a.points} — {a.reason}{' '}
                <span class="muted">
                  ({a.by_email ?? 'unknown'}, <SchoolTime iso={a.created_at} zone={d.zone} />)
                </span>{' '}
                <PostButton ctx={ctx} action={`${base}/adjustments/${a.id}/delete`} label="Remove" danger />
              </li>
            ))}
          </ul>
        )}
      </section>
    </AdminLayout>
  );
}

// ---------------------------------------------------------------- analytics

export function AdminCompetitionAnalyticsPage({
  ctx,
  competition,
  a,
}: {
  ctx: ViewContext;
  competition: Competition;
  a: CompetitionAnalytics;
}) {
  const base = `/admin/competitions/${competition.id}`;
  return (
    <AdminLayout ctx={ctx} title={`${competition.name}: analytics`}>
      <h1>{competition.name}: analytics</h1>
      <CompetitionNav c={competition} current={`${base}/analytics`} />
      <section aria-labelledby="per-school">
        <h2 id="per-school">Per school</h2>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Per school">
          <table class="analytics-schools">
            <thead>
              <tr>
                <th scope="col">School</th>
                <th scope="col">Participants</th>
                <th scope="col">Points</th>
                <th scope="col">Average</th>
                <th scope="col">Completions</th>
                <th scope="col">Tries</th>
              </tr>
            </thead>
            <tbody>
              {a.perSchool.map((s) => (
                <tr>
                  <td>{s.school}</td>
                  <td>{s.participants}</td>
                  <td>{s.points}</td>
                  <td>{s.average.toFixed(1)}</td>
                  <td>{s.completions}</td>
                  <td>{s.submissions}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="per-ks">
        <h2 id="per-ks">Per key stage</h2>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Per key stage">
          <table class="analytics-key-stages">
            <thead>
              <tr>
                <th scope="col">Key stage</th>
                <th scope="col">Participants</th>
                <th scope="col">Points</th>
                <th scope="col">Average</th>
                <th scope="col">Completions</th>
                <th scope="col">Tries</th>
              </tr>
            </thead>
            <tbody>
              {a.perKeyStage.map((s) => (
                <tr>
                  <td>{s.keyStage}</td>
                  <td>{s.participants}</td>
                  <td>{s.points}</td>
                  <td>{s.average.toFixed(1)}</td>
                  <td>{s.completions}</td>
                  <td>{s.submissions}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="top">
        <h2 id="top">Top performers</h2>
        {a.topPerformers.length === 0 ? (
          <p class="muted">Nobody has points yet.</p>
        ) : (
          <ol class="top-performers">
            {a.topPerformers.map((e) => (
              <li>
                {e.firstName} {e.lastName} ({e.school}, {e.keyStage}): {plural(e.points, 'point')}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="over-time">
        <h2 id="over-time">Tries over time</h2>
        <SubmissionsChart days={a.submissionsPerDay} />
      </section>
    </AdminLayout>
  );
}
