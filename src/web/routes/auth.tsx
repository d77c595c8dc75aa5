// Registration, login and logout. Login answers an unknown email and a wrong
// password with the same message, status and (through a dummy hash) the same
// amount of work; it rotates the session; every attempt is audited, a
// throttled one once per throttle window (security/login-throttle.ts).
// When addresses must be confirmed (REQUIRE_EMAIL_VERIFICATION), registering
// signs nobody in and answers alike whether or not the address has an account
// (domain/accounts/email-verification.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit, requestActor } from '../../domain/audit.js';
import { registerPending } from '../../domain/accounts/email-verification.js';
import { ACCOUNT_CLOSED_MESSAGE, isArchived } from '../../domain/accounts/leavers.js';
import { passwordError, passwordRules } from '../../domain/accounts/password-policy.js';
import { validateLoginForm, validateRegistration } from '../../domain/accounts/user-forms.js';
import {
  allowedDomains,
  checkCredentials,
  EmailTakenError,
  findUserByEmail,
  hashNewPassword,
  loginCounterKey,
  primeDummyHash,
  recordLogin,
  registerUser,
} from '../../domain/accounts/users.js';
import { passwordOffMessage, passwordSignInRefusal } from '../../domain/sso/password-sign-in.js';
import { field, type FieldErrors, type FormValues } from '../../lib/forms.js';
import { CHECK_INBOX_PATH, PASSWORD_CHANGE_PATH, safeNext } from '../../security/access.js';
import { loginGate } from '../../security/login-throttle.js';
import { logIn, logOut } from '../../security/session.js';
import { queryValue } from '../params.js';
import { loginPageProviders } from '../sso-login.js';
import { answerCheckInbox, linksFor, mayEmail } from './email-links.js';
import { LoginPage } from '../views/auth/login.js';
import { RegisterPage } from '../views/auth/register.js';
import { viewContext } from '../views/context.js';

export const LOGIN_FAILED = 'That email and password do not match an account. Check both and try again.';

/** The email as written to the audit log for a failed attempt (bounded: it is attacker-supplied). */
const attemptedEmail = (email: string) => email.slice(0, 254);

export async function authRoutes(app: FastifyInstance): Promise<void> {
  // Computed once, before the first request: unknown emails then cost a real verification.
  await primeDummyHash();

  const renderRegister = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status = 200,
    values?: FormValues,
    errors?: FieldErrors,
  ) =>
    reply.render(
      <RegisterPage
        ctx={viewContext(request)}
        values={values}
        errors={errors}
        rules={passwordRules(app.config, { isAdmin: false })}
        domains={await allowedDomains(app.db)}
      />,
      status,
    );

  app.get('/register', { config: { access: 'public' } }, async (request, reply) => {
    if (request.user) return reply.redirect('/profile', 303);
    return renderRegister(request, reply);
  });

  app.post(
    '/register',
    { config: { access: 'public', rateLimit: app.config.rateLimit.register } },
    async (request, reply) => {
      if (request.user) return reply.redirect('/profile', 303);
      const confirm = app.config.mail.requireVerification;
      const result = await validateRegistration(app.db, app.config, request.body, { revealTaken: !confirm });
      if (!result.ok) return renderRegister(request, reply, 400, result.values, result.errors);
      const d = result.data;
      const account = {
        email: d.email,
        firstName: d.firstName,
        lastName: d.lastName,
        // Hashed on both paths below, taken address or not: the same work, the same time.
        passwordHash: await hashNewPassword(d.password),
        yearGroup: d.yearGroup,
        keyStage: d.keyStage,
        mathsClass: d.mathsClass,
        schoolId: d.schoolId,
        userType: 'student' as const,
        isAdmin: false,
        mustChangePassword: false,
        emailVerified: !confirm,
      };
      if (confirm) {
        const mailAllowed = await mayEmail(app, d.email);
        await registerPending(app.db, { account }, requestActor(request), linksFor(request), { mailAllowed });
        return answerCheckInbox(reply, d.email);
      }
      let userId: number;
      try {
        userId = await registerUser(app.db, account, requestActor(request));
      } catch (err) {
        // Someone registered the same address between our check and the insert.
        if (err instanceof EmailTakenError) {
          return renderRegister(request, reply, 400, result.values, {
            email: 'An account with this email address already exists. Log in instead.',
          });
        }
        throw err;
      }
      await logIn(request, reply, userId, { remember: false });
      reply.flash('success', `Welcome to the Maths Society, ${d.firstName}! Your account is ready.`);
      return reply.redirect('/challenges', 303);
    },
  );

  app.get('/login', { config: { access: 'public' } }, async (request, reply) => {
    const next = safeNext(queryValue(request, 'next'), '');
    if (request.user) return reply.redirect(next || '/', 303);
    const providers = await loginPageProviders(app, reply);
    return reply.render(<LoginPage ctx={viewContext(request)} next={next} providers={providers} />);
  });

  app.post(
    '/login',
    { config: { access: 'public', rateLimit: app.config.rateLimit.login } },
    async (request, reply) => {
      const form = validateLoginForm(request.body);
      const next = safeNext(field(request.body, 'next'), '');
      const providers = await loginPageProviders(app, reply);
      const page = (status: number, opts: { message?: string; errors?: FieldErrors }) =>
        reply.render(
          <LoginPage
            ctx={viewContext(request)}
            email={form.values.email}
            remember={form.values.remember === 'on'}
            next={next}
            providers={providers}
            {...opts}
          />,
          status,
        );
      if (!form.ok) return page(400, { errors: form.errors });
      const { email, password, remember } = form.data;

      const actor = requestActor(request);
      const anonymous = { ...actor, id: null, email: attemptedEmail(email) };
      // Throttled per account and address, and per account from devices it has
      // not signed in from; unknown emails are counted the same way, so the
      // throttles reveal nothing about who has an account.
      const found = await findUserByEmail(app.db, email);
      const gate = await loginGate(request, {
        counterKey: loginCounterKey(email, found),
        accountId: found?.id ?? null,
      });
      if (gate.refused) {
        const { throttle, retryAfterSeconds } = gate.refused;
        if (gate.refused.audit) {
          await audit(app.db, anonymous, {
            action: 'login.throttled',
            targetType: found ? 'user' : null,
            targetId: found?.id ?? null,
            details: { throttle, retryAfterSeconds },
          });
        }
        const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
        reply.header('retry-after', String(Math.max(1, retryAfterSeconds)));
        return page(429, {
          message: `Too many attempts, try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`,
        });
      }

      const check = await checkCredentials(found, password);
      if (!check.ok) {
        await gate.failed();
        await audit(app.db, anonymous, {
          action: 'login.failure',
          targetType: check.user ? 'user' : null,
          targetId: check.user?.id ?? null,
          details: { reason: check.reason },
        });
        return page(401, { message: LOGIN_FAILED });
      }
      // A leaver (ADR 035) hears that their account is closed, only after the right password.
      if (isArchived(check.user)) {
        await audit(app.db, anonymous, {
          action: 'login.refused',
          targetType: 'user',
          targetId: check.user.id,
          details: { reason: 'archived' },
        });
        return page(403, { message: ACCOUNT_CLOSED_MESSAGE });
      }
      // Only now, after the right password: a school that signs in with its own
      // provider (ADR 036). A guess learns nothing it would not learn otherwise.
      const passwordOff = await passwordSignInRefusal(app.db, check.user);
      if (passwordOff) {
        await audit(app.db, anonymous, {
          action: 'login.failure',
          targetType: 'user',
          targetId: check.user.id,
          details: { reason: 'password-sign-in-off' },
        });
        return page(403, { message: passwordOffMessage(passwordOff.providers) });
      }
      await gate.succeeded(reply);

      const user = check.user;
      // A password that no longer meets the rules for this account (an admin's
      // shorter than 12, one added to the common list) must be replaced now.
      const weakness =
        user.must_change_password === 1
          ? null
          : passwordError(password, passwordRules(app.config, { isAdmin: user.is_admin === 1 }), {
              email: user.email,
              firstName: user.first_name,
              lastName: user.last_name,
            });
      await recordLogin(app.db, user.id, { mustChange: weakness !== null });
      const unconfirmed = app.config.mail.requireVerification && user.email_verified_at === null;
      await logIn(request, reply, user.id, { remember });
      await audit(
        app.db,
        { ...actor, id: user.id, email: user.email },
        {
          action: 'login.success',
          targetType: 'user',
          targetId: user.id,
          details: { remember },
        },
      );
      if (weakness) {
        reply.flash(
          'warning',
          `Your password no longer meets the rules for your account: ${weakness} Please choose a new one.`,
        );
      }
      // Confirming the address comes first: until then every other page sends the person back here.
      if (unconfirmed) return reply.redirect(CHECK_INBOX_PATH, 303);
      if (weakness || user.must_change_password === 1) return reply.redirect(PASSWORD_CHANGE_PATH, 303);
      return reply.redirect(next || '/', 303);
    },
  );

  app.post('/logout', { config: { access: 'public', allowDuringPasswordChange: true } }, async (request, reply) => {
    if (request.user) {
      await audit(app.db, requestActor(request), { action: 'logout', targetType: 'user', targetId: request.user.id });
    }
    await logOut(request, reply);
    reply.flash('info', 'You have logged out.');
    return reply.redirect('/', 303);
  });
}
