// The frame of every admin page: the site layout plus a navigation bar listing
// every admin area, so each area only renders its own content.
import type { ComponentChildren } from 'preact';
import type { ViewContext } from '../context.js';
import { Layout } from '../layout.js';

export const ADMIN_AREAS: ReadonlyArray<readonly [href: string, label: string]> = [
  ['/admin', 'Dashboard'],
  ['/admin/users', 'Users'],
  ['/admin/challenges', 'Challenges'],
  ['/admin/leaderboard', 'Leaderboard'],
  ['/admin/articles', 'Articles'],
  ['/admin/announcements', 'Announcements'],
  ['/admin/pages', 'Pages'],
  ['/admin/competitions', 'Competitions'],
  ['/admin/schools', 'Schools'],
  ['/admin/math', 'Math tester'],
  ['/admin/audit', 'Audit log'],
  ['/admin/year-rollover', 'New school year'],
];

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
function currentArea(path: string): string {
  let best = '/admin';
  for (const [href] of ADMIN_AREAS) {
    if ((path === href || path.startsWith(`${href}/`)) && href.length > best.length) best = href;
  }
  return best;
}

export function AdminLayout({ ctx, title, children, scripts, styles }: AdminLayoutProps) {
  const current = currentArea(ctx.path);
  const currentLabel = ADMIN_AREAS.find(([href]) => href === current)?.[1] ?? 'Dashboard';
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
            {ADMIN_AREAS.map(([href, label]) => (
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
