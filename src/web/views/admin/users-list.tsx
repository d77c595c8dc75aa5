import { KEY_STAGES } from '../../../config/index.js';
import { SCHOOL_YEARS } from '../../../domain/key-stage.js';
import {
  BULK_ACTIONS,
  PER_PAGE_CHOICES,
  type SortKey,
  type UserListPage,
  type UserListQuery,
} from '../../../domain/accounts/user-admin.js';
import { plural } from '../../../lib/plural.js';
import { roleOf } from '../../../security/types.js';
import { ROLE_LABELS } from './user-form.js';
import type { ViewContext } from '../context.js';
import { formatTime } from '../format-time.js';
import { AdminLayout } from './admin-layout.js';
import { Pagination, withQuery } from '../pagination.js';

const BULK_LABELS: Record<(typeof BULK_ACTIONS)[number], string> = {
  promote: 'Make administrator',
  demote: 'Remove admin rights',
  mark_participant: 'Mark as competition participant',
  unmark_participant: 'Unmark as competition participant',
  delete: 'Delete accounts',
};

/** The query as URL parameters (defaults left out). */
export function queryParams(q: UserListQuery): Record<string, string> {
  return {
    q: q.q,
    key_stage: q.keyStage ?? '',
    year: q.year === null ? '' : String(q.year),
    role: q.role ?? '',
    type: q.type ?? '',
    admin: q.admin === null ? '' : q.admin ? 'yes' : 'no',
    verified: q.verified === null ? '' : q.verified ? 'yes' : 'no',
    sort: q.sort === 'name' ? '' : q.sort,
    dir: q.dir === 'asc' ? '' : q.dir,
    per_page: q.perPage === 25 ? '' : String(q.perPage),
  };
}

function SortHeader({ query, sort, label }: { query: UserListQuery; sort: SortKey; label: string }) {
  const active = query.sort === sort;
  const dir = active && query.dir === 'asc' ? 'desc' : 'asc';
  const href = withQuery('/admin/users', queryParams(query), { sort, dir, page: null });
  return (
    <th scope="col" aria-sort={active ? (query.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
      <a href={href}>
        {label}
        {active ? (query.dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </a>
    </th>
  );
}

function Select({
  name,
  label,
  value,
  options,
}: {
  name: string;
  label: string;
  value: string;
  options: Array<[string, string]>;
}) {
  return (
    <div class="field">
      <label for={`f-${name}`}>{label}</label>
      <select id={`f-${name}`} name={name}>
        {options.map(([v, l]) => (
          <option value={v} selected={v === value}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}

export function UsersListPage({
  ctx,
  query,
  result,
  timeZone,
}: {
  ctx: ViewContext;
  query: UserListQuery;
  result: UserListPage;
  timeZone: string;
}) {
  const params = queryParams(query);
  const me = ctx.user?.id;
  return (
    <AdminLayout ctx={ctx} title="Users" scripts={['admin-users.js']}>
      <div class="admin-heading">
        <h1>Users</h1>
        <a class="button" href="/admin/users/new">
          New user
        </a>
      </div>

      <form method="get" action="/admin/users" class="card filters" role="search">
        <div class="field">
          <label for="f-q">Search</label>
          <input
            id="f-q"
            type="search"
            name="q"
            value={query.q}
            placeholder="Name, email, class or id"
            maxLength={200}
          />
        </div>
        <Select
          name="key_stage"
          label="Key stage"
          value={params.key_stage!}
          options={[['', 'Any'], ...KEY_STAGES.map((k): [string, string] => [k, k])]}
        />
        <Select
          name="year"
          label="Year"
          value={params.year!}
          options={[['', 'Any'], ...SCHOOL_YEARS.map((y): [string, string] => [String(y), `Year ${y}`])]}
        />
        <Select
          name="role"
          label="Role"
          value={params.role!}
          options={[
            ['', 'Any'],
            ['student', 'Students'],
            ['teacher', 'Teachers'],
            ['admin', 'Administrators'],
          ]}
        />
        <Select
          name="verified"
          label="Email"
          value={params.verified!}
          options={[
            ['', 'Any'],
            ['yes', 'Confirmed'],
            ['no', 'Not confirmed'],
          ]}
        />
        <Select
          name="per_page"
          label="Per page"
          value={String(query.perPage)}
          options={PER_PAGE_CHOICES.map((n): [string, string] => [String(n), String(n)])}
        />
        {params.sort ? <input type="hidden" name="sort" value={params.sort} /> : null}
        {params.dir ? <input type="hidden" name="dir" value={params.dir} /> : null}
        <div class="filter-actions">
          <button type="submit">Filter</button> <a href="/admin/users">Clear</a>
        </div>
      </form>

      <p class="muted" data-total={result.total}>
        {plural(result.total, 'user')}
        {result.pages > 1 ? ` · page ${result.page} of ${result.pages}` : ''}
      </p>

      {/* Bulk actions send JSON with the CSRF header (client/admin-users.ts); the bar appears once the script runs. */}
      <form class="bulk-bar" id="bulk-form" data-bulk-form data-bulk-url="/admin/users/bulk" hidden>
        <label for="bulk-action">With the ticked users:</label>
        <select id="bulk-action" name="action">
          <option value="">Choose an action</option>
          {BULK_ACTIONS.map((a) => (
            <option value={a}>{BULK_LABELS[a]}</option>
          ))}
        </select>
        <button type="submit">Apply</button>
        <span class="bulk-status" role="status" aria-live="polite" data-bulk-status></span>
      </form>

      <div class="table-wrap" tabIndex={0} role="region" aria-label="Users">
        <table class="users-table">
          <thead>
            <tr>
              <th scope="col">
                <input type="checkbox" data-select-all aria-label="Select every user on this page" />
              </th>
              <SortHeader query={query} sort="id" label="ID" />
              <SortHeader query={query} sort="name" label="Name" />
              <SortHeader query={query} sort="email" label="Email" />
              <th scope="col">Confirmed</th>
              <SortHeader query={query} sort="year" label="Year" />
              <SortHeader query={query} sort="key_stage" label="Key stage" />
              <SortHeader query={query} sort="class" label="Class" />
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <SortHeader query={query} sort="last_login" label="Last login" />
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {result.rows.length === 0 && (
              <tr>
                <td colSpan={12} class="muted">
                  No users match.
                </td>
              </tr>
            )}
            {result.rows.map((u) => (
              <tr data-user-row={u.id}>
                <td>
                  <input
                    type="checkbox"
                    name="ids"
                    value={String(u.id)}
                    form="bulk-form"
                    data-user-id
                    disabled={u.id === me}
                    title={u.id === me ? 'Bulk actions never apply to yourself' : undefined}
                    aria-label={`Select ${u.first_name} ${u.last_name}`}
                  />
                </td>
                <td>{u.id}</td>
                <td>
                  <a href={`/admin/users/${u.id}/edit`}>
                    {u.last_name}, {u.first_name}
                  </a>
                </td>
                <td>{u.email}</td>
                <td>{u.email_verified_at === null ? <span class="badge badge-locked">Not confirmed</span> : 'Yes'}</td>
                <td>{u.year_group ?? '—'}</td>
                <td>{u.key_stage ?? '—'}</td>
                <td>{u.maths_class ?? '—'}</td>
                <td data-role={roleOf(u)}>
                  {roleOf(u) === 'admin' ? (
                    <span class="badge badge-admin">{ROLE_LABELS.admin}</span>
                  ) : (
                    ROLE_LABELS[roleOf(u)]
                  )}
                </td>
                <td>
                  {u.is_participant === 1 && <span class="badge">Participant</span>}{' '}
                  {u.must_change_password === 1 && <span class="badge badge-locked">Must change password</span>}
                </td>
                <td>{formatTime(u.last_login_at, timeZone)}</td>
                <td>
                  <a href={`/admin/users/${u.id}/edit`}>Edit</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination
        kind="table"
        page={result.page}
        pages={result.pages}
        href={(n) => withQuery('/admin/users', params, { page: n === 1 ? null : n })}
      />
    </AdminLayout>
  );
}
