// The page frame: header with navigation for the visitor's role, flash
// messages, main content, footer. Everything is escaped by Preact; the only
// scripts are hashed self-hosted bundles carrying the request's CSP nonce.
import type { ComponentChildren } from 'preact';
import type { ViewContext } from './context.js';

export interface LayoutProps {
  ctx: ViewContext;
  title: string;
  children?: ComponentChildren;
  /** Client bundles this page needs, by manifest name (e.g. "mathfield.js"). */
  scripts?: string[];
  /** Extra stylesheets by manifest name (e.g. "katex.css"). */
  styles?: string[];
}

const NAV_PUBLIC: Array<[string, string]> = [
  ['/', 'Home'],
  ['/articles', 'Articles'],
  ['/newsletters', 'Newsletters'],
  ['/leaderboard', 'Leaderboard'],
  ['/competition', 'Competition'],
  ['/about', 'About'],
];

/** Logging out is a POST with the form token (never a GET link). */
function LogOutButton({ ctx }: { ctx: ViewContext }) {
  return (
    <form method="post" action="/logout" class="inline">
      <CsrfField ctx={ctx} />
      <button type="submit" class="link-button">
        Log out
      </button>
    </form>
  );
}

export function Layout({ ctx, title, children, scripts = [], styles = [] }: LayoutProps) {
  const user = ctx.user;
  const nav: Array<[string, string]> = [...NAV_PUBLIC];
  if (user && !user.guestPupil) nav.splice(1, 0, ['/challenges', 'Challenges']);
  // The admin area: all of it for an administrator, the teaching part (challenges, boards, classes) for a teacher.
  if (user?.role === 'admin') nav.push(['/admin', 'Admin']);
  else if (user?.role === 'teacher') nav.push(['/admin', 'Teaching']);
  const isCurrent = (href: string) => (href === '/' ? ctx.path === '/' : ctx.path.startsWith(href));
  // Until a required new password is chosen every signed-in page sends the person back to the
  // form, so the header offers only the way out rather than links that bounce.
  const passwordChangeOnly = user?.mustChangePassword === true;

  return (
    <html lang="en-GB">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content={ctx.csrfToken()} />
        <title>{`${title} · Maths Society`}</title>
        <link rel="stylesheet" href={ctx.asset('site.css')} />
        {styles.map((s) => (
          <link rel="stylesheet" href={ctx.asset(s)} />
        ))}
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <div class="wrap header-row">
            <a class="brand" href="/">
              <span class="brand-mark" aria-hidden="true">
                ∑
              </span>{' '}
              Maths Society
            </a>
            {/* On a phone the menu folds behind a button; a <details> opens and closes without
                JavaScript and by keyboard. From 641px the button is hidden and the menu shows inline. */}
            {passwordChangeOnly ? (
              <div class="account account-minimal">
                <LogOutButton ctx={ctx} />
              </div>
            ) : (
              <details class="site-menu">
                <summary class="menu-button">
                  <span class="menu-icon" aria-hidden="true" />
                  Menu
                </summary>
                <div class="site-menu-body">
                  <nav aria-label="Main">
                    <ul class="nav">
                      {nav.map(([href, label]) => (
                        <li>
                          <a href={href} aria-current={isCurrent(href) ? 'page' : undefined}>
                            {label}
                          </a>
                        </li>
                      ))}
                    </ul>
                  </nav>
                  <div class="account">
                    {user ? (
                      <>
                        <a href="/profile">{user.firstName}</a>
                        <LogOutButton ctx={ctx} />
                      </>
                    ) : (
                      <>
                        <a href="/login">Log in</a>
                        <a class="button small" href="/register">
                          Join
                        </a>
                      </>
                    )}
                  </div>
                </div>
              </details>
            )}
          </div>
        </header>
        <main id="main" class="wrap">
          {ctx.flashes.length > 0 && (
            <div class="flashes">
              {ctx.flashes.map((f) => (
                <div class={`flash flash-${f.type}`} role={f.type === 'error' ? 'alert' : 'status'}>
                  {f.text}
                </div>
              ))}
            </div>
          )}
          {children}
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <a href="/about">About</a> · <a href="/privacy">Privacy policy</a> ·{' '}
            <a href="/competition/about">Competition</a> · <a href={ctx.reportProblemUrl}>Report a problem</a>
          </div>
        </footer>
        {scripts.map((s) => (
          <script type="module" src={ctx.asset(s)} nonce={ctx.nonce} />
        ))}
      </body>
    </html>
  );
}

/** The hidden CSRF field every form that changes something must carry. */
export function CsrfField({ ctx }: { ctx: ViewContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken()} />;
}

/** A simple message page (errors, confirmations). */
export function MessagePage({
  ctx,
  title,
  message,
  children,
}: {
  ctx: ViewContext;
  title: string;
  message: string;
  children?: ComponentChildren;
}) {
  return (
    <Layout ctx={ctx} title={title}>
      <section class="card narrow">
        <h1>{title}</h1>
        <p>{message}</p>
        {children}
      </section>
    </Layout>
  );
}
