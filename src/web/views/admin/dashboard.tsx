import type { DashboardCounts, TeachingCounts } from '../../../domain/admin-dashboard.js';
import type { CspReportSummary } from '../../../security/csp-report.js';
import { pluralWord } from '../../../lib/plural.js';
import type { ViewContext } from '../context.js';
import { AdminLayout } from './admin-layout.js';

/** Each area's card, with who may use it (as in ADMIN_AREAS). */
const AREAS: Array<[href: string, title: string, text: string, access: 'teacher' | 'admin']> = [
  [
    '/admin/users',
    'Users',
    'Search, create and edit accounts and their roles; reset passwords; bulk actions.',
    'admin',
  ],
  ['/admin/challenges', 'Challenges', 'Released and scheduled challenges, answer boxes, locking.', 'teacher'],
  ['/admin/leaderboard', 'Leaderboard', 'Point adjustments, resets, recalculation and CSV export.', 'admin'],
  ['/admin/classes', 'Classes', 'Classes, their teachers and pupils.', 'teacher'],
  ['/admin/articles', 'Articles and newsletters', 'Write and publish articles; upload newsletter PDFs.', 'admin'],
  ['/admin/announcements', 'Announcements', 'The latest announcement shows on the home page.', 'admin'],
  ['/admin/pages', 'Pages', 'About, privacy policy and competition pages.', 'admin'],
  ['/admin/competitions', 'Competitions', 'Competitions, their challenges, participants and results.', 'admin'],
  ['/admin/schools', 'Schools', 'Schools and the email domains that may register.', 'admin'],
  ['/admin/math', 'Math engine tester', 'Check how two answers compare.', 'teacher'],
  ['/admin/audit', 'Audit log', 'Every admin action and login attempt: who, what, when, from where.', 'admin'],
];

/** What a teacher's cards say where it differs from an administrator's. */
const TEACHER_TEXT: Record<string, string> = {
  '/admin/challenges': 'Write, schedule, edit and lock the weekly challenges; the question bank and printable sheets.',
  '/admin/leaderboard': 'The boards, their answers and CSV exports.',
  '/admin/classes': 'The classes you teach and their pupils.',
};

function AreaCards({ areas }: { areas: Array<[href: string, title: string, text: string]> }) {
  return (
    <section class="grid" aria-label="Admin areas">
      {areas.map(([href, title, text]) => (
        <a class="card area-card" href={href}>
          <h2>{title}</h2>
          <p class="muted">{text}</p>
        </a>
      ))}
    </section>
  );
}

function Stats({ stats }: { stats: Array<[count: number, one: string, many: string, key: string]> }) {
  return (
    <section class="stats" aria-label="At a glance">
      {stats.map(([n, one, many, key]) => (
        <div class="stat" data-stat={key}>
          <span class="stat-number">{n}</span> {pluralWord(n, one, many)}
        </div>
      ))}
    </section>
  );
}

/**
 * A teacher's dashboard: the challenge numbers and the areas a teacher may use. It is built from
 * the teaching counts alone, so no number about accounts, content or the server reaches it.
 */
export function TeacherDashboardPage({ ctx, counts }: { ctx: ViewContext; counts: TeachingCounts }) {
  return (
    <AdminLayout ctx={ctx} title="Teaching">
      <h1>Teaching dashboard</h1>
      <Stats
        stats={[
          [counts.challengesReleased, 'challenge released', 'challenges released', 'released'],
          [counts.challengesScheduled, 'challenge scheduled', 'challenges scheduled', 'scheduled'],
          [counts.submissionsToday, 'submission today', 'submissions today', 'submissions-today'],
        ]}
      />
      <AreaCards
        areas={AREAS.filter((a) => a[3] === 'teacher').map(([href, title, text]) => [
          href,
          title,
          TEACHER_TEXT[href] ?? text,
        ])}
      />
    </AdminLayout>
  );
}

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
      <Stats stats={stats} />
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
      <AreaCards areas={AREAS.map(([href, title, text]) => [href, title, text])} />
    </AdminLayout>
  );
}
