// Signing in with a school account (OpenID Connect, ADR 031):
// - POST /login/sso/:providerId starts it: a pending sign-in stored
//   server-side, this browser bound to it by a short-lived signed cookie
//   holding the state, and a 303 to the provider;
// - GET /login/sso/callback is where the provider sends the browser back. It
//   is the one GET that signs in, and it changes nothing unless the state is
//   valid, unused and bound to this browser;
// - /welcome asks a new pupil their school year (and class) once.
// Every failure is a clear page and a login.failure audit entry; never a 500,
// never a token in a log.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit, requestActor } from '../../domain/audit.js';
import { recordLogin } from '../../domain/accounts/users.js';
import { SCHOOL_YEARS } from '../../domain/key-stage.js';
import { finishSignIn, PENDING_SIGN_IN_MINUTES, startSignIn, type SignInFailure } from '../../domain/sso/sign-in.js';
import { SSO_CALLBACK_PATH } from '../../domain/sso/provider-admin.js';
import { saveWelcome, schoolClasses, validateWelcome } from '../../domain/sso/welcome.js';
import { field, type FieldErrors, type FormValues } from '../../lib/forms.js';
import { safeNext, WELCOME_PATH } from '../../security/access.js';
import { cookieOptions, logIn } from '../../security/session.js';
import { absoluteLink } from '../links.js';
import { parseId, queryValue } from '../params.js';
import { SsoErrorPage } from '../views/auth/sso-error.js';
import { WelcomePage } from '../views/auth/sso-welcome.js';
import { viewContext } from '../views/context.js';

const STATE_COOKIE = 'mathsoc_sso';

/** Over https the cookie carries the __Host- prefix, as the session cookie does. */
const stateCookieName = (request: FastifyRequest) => (request.isSecure ? `__Host-${STATE_COOKIE}` : STATE_COOKIE);

function readStateCookie(request: FastifyRequest): string | null {
  const raw = request.cookies[stateCookieName(request)];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  return unsigned.valid && unsigned.value ? unsigned.value : null;
}

function clearStateCookie(request: FastifyRequest, reply: FastifyReply): void {
  const { signed: _signed, ...flags } = cookieOptions(request);
  reply.clearCookie(stateCookieName(request), flags);
}

export async function ssoRoutes(app: FastifyInstance): Promise<void> {
  const refuse = async (request: FastifyRequest, reply: FastifyReply, failure: SignInFailure) => {
    if (failure.unaudited) {
      request.log.info({ sso: { reason: failure.reason } }, 'school sign-in callback matched no pending sign-in');
    } else {
      await audit(
        app.db,
        { ...requestActor(request), id: failure.userId ?? null, email: failure.email ?? null },
        {
          action: 'login.failure',
          targetType: failure.userId ? 'user' : null,
          targetId: failure.userId ?? null,
          details: {
            method: 'sso',
            provider: failure.providerLabel,
            providerId: failure.providerId,
            reason: failure.reason,
          },
        },
      );
    }
    return reply.render(
      <SsoErrorPage ctx={viewContext(request)} providerLabel={failure.providerLabel} message={failure.message} />,
      failure.status,
    );
  };

  app.post(
    '/login/sso/:providerId',
    { config: { access: 'public', rateLimit: app.config.rateLimit.login } },
    async (request, reply) => {
      const providerId = parseId((request.params as { providerId?: string }).providerId);
      const next = safeNext(field(request.body, 'next'), '') || null;
      if (providerId === null) {
        return refuse(request, reply, {
          ok: false,
          status: 400,
          reason: 'provider-unknown',
          message: 'this sign-in option does not exist.',
          providerId: null,
          providerLabel: null,
        });
      }
      const start = await startSignIn(app.db, app.config, providerId, {
        redirectUri: absoluteLink(request, SSO_CALLBACK_PATH),
        next,
      });
      if (!start.ok) return refuse(request, reply, start);
      reply.setCookie(stateCookieName(request), start.state, cookieOptions(request, PENDING_SIGN_IN_MINUTES * 60));
      return reply.redirect(start.redirectTo, 303);
    },
  );

  app.get(
    SSO_CALLBACK_PATH,
    { config: { access: 'public', rateLimit: app.config.rateLimit.login } },
    async (request, reply) => {
      const cookieState = readStateCookie(request);
      // The cookie has done its work whatever happens next.
      if (request.cookies[stateCookieName(request)] !== undefined) clearStateCookie(request, reply);
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const callbackUrl = new URL(absoluteLink(request, SSO_CALLBACK_PATH) + query);
      const actor = requestActor(request);
      const result = await finishSignIn(app.db, app.config, { callbackUrl, cookieState, actor });
      if (!result.ok) return refuse(request, reply, result);

      // An address registered by someone else and never confirmed: their sessions end now.
      if (result.endOtherSessions) await app.sessions.destroyForUser(result.userId);
      await recordLogin(app.db, result.userId);
      await logIn(request, reply, result.userId, { remember: false });
      await audit(
        app.db,
        { ...actor, id: result.userId, email: result.email },
        {
          action: 'login.success',
          targetType: 'user',
          targetId: result.userId,
          details: { method: 'sso', provider: result.providerLabel, providerId: result.providerId },
        },
      );
      const next = safeNext(result.next, '');
      const user = request.user;
      if (user && user.role === 'student' && user.yearGroup === null) {
        return reply.redirect(next ? `${WELCOME_PATH}?next=${encodeURIComponent(next)}` : WELCOME_PATH, 303);
      }
      return reply.redirect(next || '/', 303);
    },
  );

  const renderWelcome = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status = 200,
    values?: FormValues,
    errors?: FieldErrors,
  ) => {
    const user = request.user!;
    return reply.render(
      <WelcomePage
        ctx={viewContext(request)}
        firstName={user.firstName}
        years={SCHOOL_YEARS}
        classes={await schoolClasses(app.db, user.schoolId)}
        next={safeNext(queryValue(request, 'next') ?? field(request.body, 'next'), '')}
        values={values}
        errors={errors}
      />,
      status,
    );
  };

  /** Nothing to ask (a year already given, or not a pupil): on to where they were going. */
  const answered = (request: FastifyRequest) => request.user!.role !== 'student' || request.user!.yearGroup !== null;

  app.get(WELCOME_PATH, { config: { access: 'user', allowWithoutYear: true } }, async (request, reply) => {
    if (answered(request)) return reply.redirect(safeNext(queryValue(request, 'next'), '/'), 303);
    return renderWelcome(request, reply);
  });

  app.post(WELCOME_PATH, { config: { access: 'user', allowWithoutYear: true } }, async (request, reply) => {
    const user = request.user!;
    // A pupil of a competition-guest school has no weekly challenges: home shows their competitions.
    const next = safeNext(field(request.body, 'next'), user.guestPupil ? '/' : '/challenges');
    if (answered(request)) return reply.redirect(next, 303);
    const form = await validateWelcome(app.db, app.config, request.body, user.schoolId);
    if (!form.ok) return renderWelcome(request, reply, 400, form.values, form.errors);
    await saveWelcome(app.db, user.id, form.data, requestActor(request));
    reply.flash('success', `Thank you, ${user.firstName}. You are all set.`);
    return reply.redirect(next, 303);
  });
}
