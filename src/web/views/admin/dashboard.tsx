import type { DashboardCounts } from '../../../domain/admin-dashboard.js';
import type { CspReportSummary } from '../../../security/csp-report.js';
import { pluralWord } from '../../../lib/plural.js';
import type { ViewContext } from '../context.js';
import { AdminLayout } from './admin-layout.js';

const AREAS: Array<[href: string, title: string, text: string]> = [
  ['/admin/users', 'Users', 'Search, create and edit accounts; reset passwords; admin rights; bulk actions.'],
  ['/admin/challenges', 'Challenges', 'Released and scheduled challenges, answer boxes, locking.'],
  ['/admin/leaderboard', 'Leaderboard', 'Point adjustments, resets, recalculation and CSV export.'],
  ['/admin/articles', 'Articles and newsletters', 'Write and publish articles; upload newsletter PDFs.'],
  ['/admin/announcements', 'Announcements', 'The latest announcement shows on the home page.'],
  ['/admin/pages', 'Pages', 'About, privacy policy and competition pages.'],
  ['/admin/competitions', 'Competitions', 'Competitions, their challenges, participants and results.'],
  ['/admin/schools', 'Schools', 'Schools and the email domains that may register.'],
  ['/admin/math', 'Math engine tester', 'Check how two answers compare.'],
  ['/admin/audit', 'Audit log', 'Every admin action and login attempt: who, what, when, from where.'],
];

export function DashboardPage({
  ctx,
  counts,
  csp,
}: {
  ctx: ViewContext;
  counts: DashboardCounts;
  csp: CspReportSummary;
}) {
  const stats: Array<[count: number, one: string, many: string, key: string]> = [
    [counts.challengesReleased, 'challenge released', 'challenges released', 'released'],
    [counts.challengesScheduled, 'challenge scheduled', 'challenges scheduled', 'scheduled'],
    [counts.users, 'user', 'users', 'users'],
    [counts.admins, 'administrator', 'administrators', 'admins'],
    [counts.articles, 'article or newsletter', 'articles and newsletters', 'articles'],
    [counts.submissionsToday, 'submission today', 'submissions today', 'submissions-today'],
  ];
  return (
    <AdminLayout ctx={ctx} title="Dashboard">
      <h1>Admin dashboard</h1>
      <section class="stats" aria-label="At a glance">
        {stats.map(([n, one, many, key]) => (
          <div class="stat" data-stat={key}>
            <span class="stat-number">{n}</span> {pluralWord(n, one, many)}
          </div>
        ))}
      </section>
      <section class="card" aria-labelledby="csp-heading" data-stat="csp-reports">
        <h2 id="csp-heading">Blocked page scripts (security reports)</h2>
        <p class="muted">
          When a browser stops a script or other content that our pages do not allow, it tells us here: a browser add-on
          often causes a few, but a sudden rise is worth passing on to whoever runs the server.
        </p>
        <p>
          <strong>{csp.total}</strong> {pluralWord(csp.total, 'report')} received in all ({csp.sinceStart} since the
          server started)
          {csp.lastAt ? `; the latest at ${csp.lastAt.slice(0, 16).replace('T', ' ')} UTC.` : '.'}
        </p>
        {csp.recent.length > 0 && (
          <ul class="muted">
            {csp.recent.slice(0, 5).map((v) => (
              <li>
                {v.effectiveDirective ?? 'directive unknown'} blocked {v.blockedUri ?? 'an inline resource'} on{' '}
                {v.documentUri ?? 'a page'}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="grid" aria-label="Admin areas">
        {AREAS.map(([href, title, text]) => (
          <a class="card area-card" href={href}>
            <h2>{title}</h2>
            <p class="muted">{text}</p>
          </a>
        ))}
      </section>
    </AdminLayout>
  );
}
