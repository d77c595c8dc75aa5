import type { AuditPage, AuditQuery } from '../../../domain/audit-log.js';
import { plural } from '../../../lib/plural.js';
import type { ViewContext } from '../context.js';
import { formatTime } from '../format-time.js';
import { AdminLayout } from './admin-layout.js';
import { Pagination, withQuery } from '../pagination.js';

export function auditParams(q: AuditQuery): Record<string, string> {
  return {
    action: q.action,
    actor: q.actor,
    target_type: q.targetType,
    target_id: q.targetId,
    ip: q.ip,
    from: q.from,
    to: q.to,
  };
}

function targetLink(type: string | null, id: string | null) {
  if (!type) return '—';
  const label = id ? `${type} #${id}` : type;
  if (type === 'user' && id && /^\d+$/.test(id)) return <a href={`/admin/users/${id}/edit`}>{label}</a>;
  return label;
}

export function AuditPageView({
  ctx,
  query,
  result,
  actions,
  targetTypes,
  timeZone,
}: {
  ctx: ViewContext;
  query: AuditQuery;
  result: AuditPage;
  actions: string[];
  targetTypes: string[];
  timeZone: string;
}) {
  const params = auditParams(query);
  // Each action, plus its area ("user.") to see every action of that area.
  const areas = [...new Set(actions.filter((a) => a.includes('.')).map((a) => `${a.split('.')[0]}.`))];
  const choices = [...areas, ...actions].sort();
  return (
    <AdminLayout ctx={ctx} title="Audit log">
      <h1>Audit log</h1>
      <form method="get" action="/admin/audit" class="card filters" role="search">
        <div class="field">
          <label for="f-action">Action</label>
          <select id="f-action" name="action">
            <option value="">Any</option>
            {choices.map((a) => (
              <option value={a} selected={a === query.action}>
                {a.endsWith('.') ? `${a}* (all)` : a}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-actor">Who (email)</label>
          <input id="f-actor" type="search" name="actor" value={query.actor} maxLength={200} />
        </div>
        <div class="field">
          <label for="f-target_type">Target</label>
          <select id="f-target_type" name="target_type">
            <option value="">Any</option>
            {targetTypes.map((tt) => (
              <option value={tt} selected={tt === query.targetType}>
                {tt}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-target_id">Target id</label>
          <input id="f-target_id" type="text" name="target_id" value={query.targetId} maxLength={50} />
        </div>
        <div class="field">
          <label for="f-ip">IP address</label>
          <input id="f-ip" type="text" name="ip" value={query.ip} maxLength={100} />
        </div>
        <div class="field">
          <label for="f-from">From</label>
          <input id="f-from" type="date" name="from" value={query.from} />
        </div>
        <div class="field">
          <label for="f-to">To</label>
          <input id="f-to" type="date" name="to" value={query.to} />
        </div>
        <div class="filter-actions">
          <button type="submit">Filter</button> <a href="/admin/audit">Clear</a>
        </div>
      </form>
      <p class="muted" data-total={result.total}>
        {plural(result.total, 'entry', 'entries')}
        {result.pages > 1 ? ` · page ${result.page} of ${result.pages}` : ''}
      </p>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Audit log entries">
        <table class="audit-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">IP address</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {result.rows.length === 0 && (
              <tr>
                <td colSpan={6} class="muted">
                  No entries match.
                </td>
              </tr>
            )}
            {result.rows.map((e) => (
              <tr data-audit-id={e.id}>
                <td>
                  <time dateTime={e.created_at}>{formatTime(e.created_at, timeZone)}</time>
                </td>
                <td>
                  {e.actor_email ?? 'anonymous'}
                  {e.actor_id === null && e.actor_email ? <span class="muted"> (no account)</span> : null}
                </td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{targetLink(e.target_type, e.target_id)}</td>
                <td>{e.ip ?? '—'}</td>
                <td class="audit-details">{e.details ? <code>{e.details}</code> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pagination
        kind="table"
        page={result.page}
        pages={result.pages}
        href={(n) => withQuery('/admin/audit', params, { page: n === 1 ? null : n })}
      />
    </AdminLayout>
  );
}
