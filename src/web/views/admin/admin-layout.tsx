// The frame of every admin page: the site layout plus a navigation bar listing
// the admin areas this account may use (all for an administrator, the teaching
// ones for a teacher), so each area only renders its own content.
import type { ComponentChildren } from 'preact';
import type { ViewContext } from '../context.js';
import { Layout } from '../layout.js';

/**
 * Every admin area with who may use it: 'teacher' areas are for teachers and administrators,
 * 'admin' areas for administrators only. The list only decides what the navigation shows; each
 * route's own `config.access` is what refuses (ADR 032).
 */
export const ADMIN_AREAS: ReadonlyArray<readonly [href: string, label: string, access: 'teacher' | 'admin']> = [
  ['/admin', 'Dashboard', 'teacher'],
  ['/admin/users', 'Users', 'admin'],
  ['/admin/challenges', 'Challenges', 'teacher'],
  ['/admin/leaderboard', 'Leaderboard', 'teacher'],
  // Classes: for teachers (the classes they teach) and administrators.
  ['/admin/classes', 'Classes', 'teacher'],
  ['/admin/articles', 'Articles', 'admin'],
  ['/admin/announcements', 'Announcements', 'admin'],
  ['/admin/pages', 'Pages', 'admin'],
  ['/admin/competitions', 'Competitions', 'admin'],
  ['/admin/schools', 'Schools', 'admin'],
  ['/admin/math', 'Math tester', 'teacher'],
  ['/admin/audit', 'Audit log', 'admin'],
];

/** The areas this account may use: all of them for an administrator, the teaching ones for a teacher. */
export function areasFor(user: ViewContext['user']): Array<readonly [href: string, label: string]> {
  const role = user?.role ?? 'student';
  if (role === 'student') return [];
  return ADMIN_AREAS.filter(([, , access]) => role === 'admin' || access === 'teacher').map(
    ([href, label]) => [href, label] as const,
  );
}

export interface AdminLayoutProps {
  ctx: ViewContext;
  title: string;
  children?: ComponentChildren;
  /** Client bundles this page needs, by manifest name. */
  scripts?: string[];
  /** Extra stylesheets by manifest name. */
  styles?: string[];
}

/** The current area: the longest admin link the path starts with. */
function currentArea(path: string, areas: ReadonlyArray<readonly [string, string]>): string {
  let best = '/admin';
  for (const [href] of areas) {
    if ((path === href || path.startsWith(`${href}/`)) && href.length > best.length) best = href;
  }
  return best;
}

export function AdminLayout({ ctx, title, children, scripts, styles }: AdminLayoutProps) {
  const areas = areasFor(ctx.user);
  const current = currentArea(ctx.path, areas);
  const currentLabel = areas.find(([href]) => href === current)?.[1] ?? 'Dashboard';
  return (
    <Layout ctx={ctx} title={`${title} · Admin`} scripts={scripts} styles={styles}>
      <nav class="admin-nav" aria-label="Admin areas">
        {/* On a phone the areas fold behind a button naming the current one; from 641px they show inline. */}
        <details class="admin-menu">
          <summary class="menu-button">
            <span class="menu-icon" aria-hidden="true" />
            Admin: {currentLabel}
          </summary>
          <ul>
            {areas.map(([href, label]) => (
              <li>
                <a href={href} aria-current={href === current ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </details>
      </nav>
      <div class="admin-main">{children}</div>
    </Layout>
  );
}
