// Pages behind the links the site emails, and the forms that send them:
// "check your inbox" with "send the link again", confirming an address
// (/verify-email), and changing one's address (/profile/email, /confirm-email).
// Opening a link only shows a page: the change is a POST from its button, so
// mail scanners that fetch links change nothing (ADR 023).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestActor } from '../../domain/audit.js';
import {
  CHANGE_LINK_HOURS,
  confirmEmailChange,
  previewEmailChange,
  requestEmailChange,
  validateEmailChange,
} from '../../domain/accounts/email-change.js';
import {
  confirmVerification,
  previewVerification,
  resendVerification,
  VERIFY_LINK_HOURS,
  type LinkMaker,
} from '../../domain/accounts/email-verification.js';
import { findUserById } from '../../domain/accounts/users.js';
import { field, type FieldErrors, type FormValues } from '../../lib/forms.js';
import { plural } from '../../lib/plural.js';
import { CHECK_INBOX_PATH, HttpError } from '../../security/access.js';
import { linkMaker } from '../links.js';
import { queryValue } from '../params.js';
import { CheckInboxPage, ConfirmAddressPage, LinkProblemPage, linkProblemStatus } from '../views/auth/verification.js';
import type { LinkProblemKind } from '../views/auth/verification.js';
import { viewContext } from '../views/context.js';
import { ChangeEmailPage, ConfirmChangePage } from '../views/profile/email.js';

/** What a link token looks like (URL-safe base64); anything else is refused before any lookup. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,200}$/;

function tokenOf(raw: string | undefined): string | null {
  return raw !== undefined && TOKEN_PATTERN.test(raw) ? raw : null;
}

/** Absolute links to this site for the emails a request sends. */
export function linksFor(request: FastifyRequest): LinkMaker {
  return linkMaker(request);
}

/**
 * Whether another email with a link may go to `address` now
 * (RATELIMIT_EMAIL_ADDRESS, counted per address whoever asks), so that no
 * one can flood a mailbox through the forms that send mail.
 */
export async function mayEmail(app: FastifyInstance, address: string): Promise<boolean> {
  return (await app.rateLimits.hit('email-address', address)).allowed;
}

/**
 * The one answer to a registration when addresses must be confirmed, whether
 * or not the address had an account: the same flash, status and page.
 */
export function answerCheckInbox(reply: FastifyReply, email: string): FastifyReply {
  reply.flash(
    'info',
    `We have sent an email to ${email}. Open the link in it within ${plural(VERIFY_LINK_HOURS, 'hour')} to finish, then log in.`,
  );
  return reply.redirect(CHECK_INBOX_PATH, 303);
}

export async function emailLinkRoutes(app: FastifyInstance): Promise<void> {
  const zone = app.config.school.timeZone;
  const sendLimit = app.config.rateLimit.emailLinks;

  const problem = (request: FastifyRequest, reply: FastifyReply, kind: LinkProblemKind, about: 'verify' | 'change') =>
    reply.render(<LinkProblemPage ctx={viewContext(request)} kind={kind} about={about} />, linkProblemStatus(kind));

  // ---------------------------------------------------------------- check your inbox

  app.get(CHECK_INBOX_PATH, { config: { access: 'public', personal: true } }, async (request, reply) => {
    const user = request.user;
    if (user && (user.emailVerified || !app.config.mail.requireVerification)) return reply.redirect('/', 303);
    return reply.render(
      <CheckInboxPage ctx={viewContext(request)} pendingEmail={user?.email ?? null} hours={VERIFY_LINK_HOURS} />,
    );
  });

  app.post(
    `${CHECK_INBOX_PATH}/resend`,
    { config: { access: 'user', allowUnverified: true, personal: true, rateLimit: sendLimit } },
    async (request, reply) => {
      const user = request.user!;
      if (!(await mayEmail(app, user.email))) {
        return reply.render(
          <CheckInboxPage
            ctx={viewContext(request)}
            pendingEmail={user.email}
            hours={VERIFY_LINK_HOURS}
            notice={`Several links have gone to ${user.email} recently. Wait a while before asking again.`}
          />,
          429,
        );
      }
      const sent = await resendVerification(app.db, user.id, requestActor(request), linksFor(request));
      if (!sent) {
        reply.flash('info', 'Your email address is already confirmed.');
        return reply.redirect('/', 303);
      }
      reply.flash('success', `We have sent a new link to ${user.email}.`);
      return reply.redirect(CHECK_INBOX_PATH, 303);
    },
  );

  // ---------------------------------------------------------------- confirming an address

  app.get('/verify-email', { config: { access: 'public', personal: true } }, async (request, reply) => {
    const token = tokenOf(queryValue(request, 'token'));
    if (!token) return problem(request, reply, 'invalid', 'verify');
    const preview = await previewVerification(app.db, token);
    if (!preview.ok) return problem(request, reply, preview.why, 'verify');
    return reply.render(
      <ConfirmAddressPage ctx={viewContext(request)} token={token} account={preview.account} timeZone={zone} />,
    );
  });

  app.post('/verify-email', { config: { access: 'public', personal: true } }, async (request, reply) => {
    const token = tokenOf(field(request.body, 'token'));
    if (!token) return problem(request, reply, 'invalid', 'verify');
    const outcome = await confirmVerification(app.db, token, requestActor(request));
    if (!outcome.ok) return problem(request, reply, outcome.why, 'verify');
    const { account } = outcome;
    const next = account.isParticipant ? '/competition' : '/challenges';
    if (request.user?.id === account.userId) {
      reply.flash('success', `Thank you, ${account.firstName}: your email address is confirmed.`);
      return reply.redirect(next, 303);
    }
    if (request.user) {
      reply.flash('success', `${account.email} is confirmed. You are still logged in as ${request.user.email}.`);
      return reply.redirect('/', 303);
    }
    // A link proves the mailbox, not the password: the person logs in as usual.
    reply.flash('success', `Thank you, ${account.firstName}: your email address is confirmed. Log in to start.`);
    return reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
  });

  // ---------------------------------------------------------------- changing one's address

  const changePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status = 200,
    values?: FormValues,
    errors?: FieldErrors,
  ) =>
    reply.render(
      <ChangeEmailPage
        ctx={viewContext(request)}
        current={request.user!.email}
        values={values}
        errors={errors}
        hours={CHANGE_LINK_HOURS}
      />,
      status,
    );

  app.get('/profile/email', { config: { access: 'user', personal: true } }, async (request, reply) =>
    changePage(request, reply),
  );

  app.post(
    '/profile/email',
    { config: { access: 'user', personal: true, rateLimit: sendLimit } },
    async (request, reply) => {
      const account = await findUserById(app.db, request.user!.id);
      if (!account) throw new HttpError(404, 'This account no longer exists.');
      const form = await validateEmailChange(app.db, request.body, account);
      if (!form.ok) return changePage(request, reply, 400, form.values, form.errors);
      if (!(await mayEmail(app, form.data.email))) {
        return changePage(request, reply, 429, form.values, {
          email: 'Several emails have gone to this address recently. Wait a while before asking again.',
        });
      }
      await requestEmailChange(app.db, account, form.data.email, requestActor(request), linksFor(request));
      reply.flash(
        'success',
        `We have sent a link to ${form.data.email}. Your address changes when you open it (within ${plural(CHANGE_LINK_HOURS, 'hour')}).`,
      );
      return reply.redirect('/profile', 303);
    },
  );

  app.get('/confirm-email', { config: { access: 'public', personal: true } }, async (request, reply) => {
    const token = tokenOf(queryValue(request, 'token'));
    if (!token) return problem(request, reply, 'invalid', 'change');
    const preview = await previewEmailChange(app.db, token);
    if (!preview.ok) return problem(request, reply, preview.why, 'change');
    return reply.render(
      <ConfirmChangePage ctx={viewContext(request)} token={token} change={preview.change} done={preview.done} />,
    );
  });

  app.post('/confirm-email', { config: { access: 'public', personal: true } }, async (request, reply) => {
    const token = tokenOf(field(request.body, 'token'));
    if (!token) return problem(request, reply, 'invalid', 'change');
    const outcome = await confirmEmailChange(app.db, token, requestActor(request));
    if (!outcome.ok) return problem(request, reply, outcome.why, 'change');
    const { change } = outcome;
    reply.flash('success', `Your email address is now ${change.newEmail}.`);
    if (request.user?.id === change.userId) return reply.redirect('/profile', 303);
    if (request.user) return reply.redirect('/', 303);
    return reply.redirect(`/login?next=${encodeURIComponent('/profile')}`, 303);
  });
}
