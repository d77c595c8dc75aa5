import type { ViewContext } from '../context.js';

const LINKS: Array<[string, string]> = [
  ['/profile', 'Profile'],
  ['/profile/password', 'Change password'],
  ['/profile/email', 'Email address'],
  ['/profile/sessions', 'Sessions'],
  ['/profile/delete', 'Delete account'],
];

export function ProfileNav({ ctx }: { ctx: ViewContext }) {
  return (
    <nav aria-label="Your account">
      <ul class="tabs">
        {LINKS.map(([href, label]) => (
          <li>
            <a href={href} aria-current={ctx.path === href ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
