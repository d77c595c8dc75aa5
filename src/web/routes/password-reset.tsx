// "Forgot your password?" (domain/accounts/password-reset.ts, ADR 022).
// - POST /forgot-password answers every well-formed address alike: the same
//   redirect and message whether or not an account has it. Counted per client
//   address (RATELIMIT_EMAIL_LINKS) and per email address
//   (RATELIMIT_EMAIL_ADDRESS), so no mailbox can be flooded.
// - GET /reset-password?token=… (the emailed link) changes nothing: a usable
//   token is moved into a short-lived cookie and the browser is sent on to
//   /reset-password, so the token leaves the address bar and history at once.
//   That redirect carries Referrer-Policy: no-referrer, so the link is never
//   sent on as a Referer. (The form page itself cannot be no-referrer: its
//   POST would then carry "Origin: null", which the CSRF check refuses.)
// - GET /reset-password shows the form, never cached; the token travels on
//   in a hidden field, not in the form's address.
// - POST /reset-password uses the link and sets the password in one
//   transaction, then ends every session of the account.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { passwordRules } from '../../domain/accounts/password-policy.js';
import {
  FORGOT_PASSWORD_PATH,
  previewPasswordReset,
  RESET_LINK_MINUTES,
  RESET_PASSWORD_PATH,
  requestPasswordReset,
  resetPassword,
  validateForgotPassword,
  validateNewPassword,
  type ResetAccount,
  type ResetLinkProblem,
} from '../../domain/accounts/password-reset.js';
import { hashNewPassword } from '../../domain/accounts/users.js';
import { requestActor } from '../../domain/audit.js';
import { field, type FieldErrors } from '../../lib/forms.js';
import { plural } from '../../lib/plural.js';
import { cookieOptions, logOut } from '../../security/session.js';
import { linkMaker } from '../links.js';
import { queryValue } from '../params.js';
import {
  ForgotPasswordPage,
  ResetLinkProblemPage,
  ResetPasswordPage,
  resetProblemStatus,
} from '../views/auth/password-reset.js';
import { viewContext } from '../views/context.js';

export async function passwordResetRoutes(app: FastifyInstance): Promise<void> {
  const links = (request: FastifyRequest) => linkMaker(request);

  app.get(FORGOT_PASSWORD_PATH, { config: { access: 'public' } }, async (request, reply) =>
    reply.render(<ForgotPasswordPage ctx={viewContext(request)} minutes={RESET_LINK_MINUTES} />),
  );

  app.post(
    FORGOT_PASSWORD_PATH,
    { config: { access: 'public', rateLimit: app.config.rateLimit.emailLinks } },
    async (request, reply) => {
      const form = validateForgotPassword(request.body);
      const page = (status: number, opts: { errors?: FieldErrors; notice?: string }) =>
        reply.render(
          <ForgotPasswordPage
            ctx={viewContext(request)}
            email={form.values.email}
            minutes={RESET_LINK_MINUTES}
            {...opts}
          />,
          status,
        );
      if (!form.ok) return page(400, { errors: form.errors });
      const { email } = form.data;
      // Counted for every address typed, account or not: the limit reveals nothing either.
      const perAddress = await app.rateLimits.hit('email-address', email);
      if (!perAddress.allowed) {
        reply.header('retry-after', String(Math.max(1, perAddress.retryAfterSeconds)));
        return page(429, {
          notice: `Several links have gone to ${email} recently. Look for them in that mailbox (and its junk folder), or try again later.`,
        });
      }
      await requestPasswordReset(app.db, email, requestActor(request), links(request));
      reply.flash(
        'info',
        `If an account uses ${email}, we have emailed it a link to choose a new password. The link works for ${plural(RESET_LINK_MINUTES, 'minute')}.`,
      );
      return reply.redirect('/login', 303);
    },
  );

  // The token between the emailed link and the form: HttpOnly, signed, for as long as a link lives.
  const cookieName = (request: FastifyRequest) => (request.isSecure ? '__Host-mathsoc_reset' : 'mathsoc_reset');
  const keepToken = (request: FastifyRequest, reply: FastifyReply, token: string) =>
    reply.setCookie(cookieName(request), token, cookieOptions(request, RESET_LINK_MINUTES * 60));
  const keptToken = (request: FastifyRequest): string => {
    const raw = request.cookies[cookieName(request)];
    const value = raw ? request.unsignCookie(raw) : null;
    return value?.valid && value.value ? value.value : '';
  };
  const forgetToken = (request: FastifyRequest, reply: FastifyReply) => {
    const { signed: _signed, ...flags } = cookieOptions(request);
    reply.clearCookie(cookieName(request), flags);
  };

  const problem = (request: FastifyRequest, reply: FastifyReply, why: ResetLinkProblem) =>
    reply.render(<ResetLinkProblemPage ctx={viewContext(request)} why={why} />, resetProblemStatus(why));

  const form = (
    request: FastifyRequest,
    reply: FastifyReply,
    token: string,
    account: ResetAccount,
    status = 200,
    errors?: FieldErrors,
  ) =>
    reply.render(
      <ResetPasswordPage
        ctx={viewContext(request)}
        token={token}
        email={account.email}
        rules={passwordRules(app.config, { isAdmin: account.is_admin === 1 })}
        errors={errors}
      />,
      status,
    );

  app.get(RESET_PASSWORD_PATH, { config: { access: 'public', personal: true } }, async (request, reply) => {
    const fromLink = queryValue(request, 'token');
    const token = fromLink ?? keptToken(request);
    const link = await previewPasswordReset(app.db, token);
    if (!link.ok) return problem(request, reply, link.why);
    if (fromLink !== undefined) {
      keepToken(request, reply, token);
      return reply.header('referrer-policy', 'no-referrer').redirect(RESET_PASSWORD_PATH, 303);
    }
    return form(request, reply, token, link.account);
  });

  app.post(RESET_PASSWORD_PATH, { config: { access: 'public', personal: true } }, async (request, reply) => {
    const token = field(request.body, 'token');
    const link = await previewPasswordReset(app.db, token);
    if (!link.ok) return problem(request, reply, link.why);
    const rules = passwordRules(app.config, { isAdmin: link.account.is_admin === 1 });
    const input = validateNewPassword(request.body, link.account, rules);
    if (!input.ok) return form(request, reply, token, link.account, 400, input.errors);
    const done = await resetPassword(
      app.db,
      token,
      await hashNewPassword(input.data.password),
      requestActor(request),
      links(request),
    );
    // Another request used the link in the meantime.
    if (!done.ok) return problem(request, reply, done.why);
    // Whoever held a session of this account, perhaps the reason for the reset, is out.
    await app.sessions.destroyForUser(done.userId);
    if (request.user?.id === done.userId) await logOut(request, reply);
    forgetToken(request, reply);
    reply.flash('success', 'Your password has been changed and every session of your account has ended. Log in now.');
    return reply.redirect('/login', 303);
  });
}
