// Pages of address confirmation: "check your inbox" (after registering, and
// for a signed-in account still waiting for its link), the page a link opens
// (a button: opening a link never changes anything by itself), and the page
// for a link that cannot be used.
import type { LinkAccount } from '../../../domain/accounts/email-verification.js';
import { plural } from '../../../lib/plural.js';
import type { ViewContext } from '../context.js';
import { formatTime } from '../format-time.js';
import { CsrfField, Layout } from '../layout.js';

export function CheckInboxPage({
  ctx,
  pendingEmail,
  hours,
  notice,
}: {
  ctx: ViewContext;
  /** The signed-in account's address while it waits for confirmation; null for a visitor. */
  pendingEmail: string | null;
  hours: number;
  /** Why the last request was refused (too many links lately). */
  notice?: string;
}) {
  return (
    <Layout ctx={ctx} title="Check your inbox">
      <section class="card narrow">
        <h1>Check your inbox</h1>
        {notice && (
          <div class="flash flash-warning" role="alert">
            {notice}
          </div>
        )}
        {pendingEmail ? (
          <>
            <p>
              Before you can answer challenges or take part in competitions, confirm that{' '}
              <strong class="address">{pendingEmail}</strong> is your address: open the link in the email we sent to it.
              The link works for {plural(hours, 'hour')}.
            </p>
            <p class="muted">
              Nothing arrived? Look in your junk or spam folder, or send the link again. If the address is wrong, log
              out and register again with the right one.
            </p>
            <form method="post" action="/check-your-inbox/resend">
              <CsrfField ctx={ctx} />
              <button type="submit">Send the link again</button>
            </form>
          </>
        ) : (
          <>
            <p>
              We have sent an email to the address you gave. Open the link in it within {plural(hours, 'hour')} to
              confirm your address, then log in.
            </p>
            <p class="muted">
              Nothing arrived? Look in your junk or spam folder. You can also log in and ask for the link to be sent
              again.
            </p>
            <p>
              <a class="button" href="/login">
                Log in
              </a>
            </p>
          </>
        )}
      </section>
    </Layout>
  );
}

export function ConfirmAddressPage({
  ctx,
  token,
  account,
  timeZone,
}: {
  ctx: ViewContext;
  token: string;
  account: LinkAccount;
  timeZone: string;
}) {
  return (
    <Layout ctx={ctx} title="Confirm your email address">
      <section class="card narrow">
        <h1>Confirm your email address</h1>
        {account.alreadyConfirmed ? (
          <p>
            <strong class="address">{account.email}</strong> is already confirmed. <a href="/login">Log in</a> to carry
            on.
          </p>
        ) : (
          <>
            <p>
              This confirms that <strong class="address">{account.email}</strong> belongs to the Maths Society account
              of {account.firstName} {account.lastName}, made on {formatTime(account.createdAt, timeZone)}.
            </p>
            <p class="muted">If you did not make this account, do not confirm it: just close this page.</p>
            <form method="post" action="/verify-email">
              <CsrfField ctx={ctx} />
              <input type="hidden" name="token" value={token} />
              <button type="submit">Confirm my email</button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}

export type LinkProblemKind = 'invalid' | 'expired' | 'used' | 'taken';

const PROBLEMS: Record<'verify' | 'change', Record<LinkProblemKind, { title: string; text: string }>> = {
  verify: {
    invalid: {
      title: 'This link does not work',
      text: 'The link is not one we sent, or part of it is missing. Open it straight from the email (copying it by hand can cut it short), or log in and ask for a new one.',
    },
    expired: {
      title: 'This link has expired',
      text: 'Confirmation links work for a limited time. Log in and press “Send the link again” to get a new one.',
    },
    used: {
      title: 'This link has already been used',
      text: 'Each link works once. If your address is confirmed, just log in.',
    },
    taken: { title: 'This link does not work', text: 'Nothing was changed.' },
  },
  change: {
    invalid: {
      title: 'This link does not work',
      text: 'The link is not one we sent, or part of it is missing. Open it straight from the email, or ask for the change again on your profile.',
    },
    expired: {
      title: 'This link has expired',
      text: 'Links to change an address work for a limited time. Ask for the change again on your profile.',
    },
    used: {
      title: 'This link has already been used',
      text: 'Each link works once, and a newer change replaces older links. Your profile shows the address your account has now.',
    },
    taken: {
      title: 'This address is taken',
      text: 'Another account now uses this email address, so your address was not changed.',
    },
  },
};

/** The status a refused link answers with: unknown or malformed 400, out of date or used 410, address taken 409. */
export function linkProblemStatus(kind: LinkProblemKind): number {
  return kind === 'invalid' ? 400 : kind === 'taken' ? 409 : 410;
}

export function LinkProblemPage({
  ctx,
  kind,
  about,
}: {
  ctx: ViewContext;
  kind: LinkProblemKind;
  about: 'verify' | 'change';
}) {
  const p = PROBLEMS[about][kind];
  return (
    <Layout ctx={ctx} title={p.title}>
      <section class="card narrow">
        <h1>{p.title}</h1>
        <p>{p.text}</p>
        <p>
          {ctx.user ? (
            <a href={about === 'change' ? '/profile/email' : '/check-your-inbox'}>
              {about === 'change' ? 'Change your email address' : 'Check your inbox'}
            </a>
          ) : (
            <a href="/login">Log in</a>
          )}
        </p>
      </section>
    </Layout>
  );
}
