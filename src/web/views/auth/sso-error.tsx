// The page for a sign-in with a school account that did not work: what went
// wrong in plain words and the way back to the login page. Never a token or secret.
import type { ViewContext } from '../context.js';
import { MessagePage } from '../layout.js';

export function SsoErrorPage({
  ctx,
  providerLabel,
  message,
}: {
  ctx: ViewContext;
  providerLabel: string | null;
  message: string;
}) {
  const what = providerLabel ? `Sign-in with ${providerLabel}` : 'Sign-in with your school account';
  return (
    <MessagePage ctx={ctx} title="Sign-in did not work" message={`${what} did not work: ${message}`}>
      <p>
        <a class="button" href="/login">
          Back to the login page
        </a>
      </p>
    </MessagePage>
  );
}
