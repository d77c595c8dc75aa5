// The signed-in person's own account: profile, password change (ends every
// other session), sessions list, data download, and account deletion.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { deleteAccount } from '../../domain/accounts/account-deletion.js';
import { audit, requestActor } from '../../domain/audit.js';
import { passwordRules } from '../../domain/accounts/password-policy.js';
import { FORGOT_PASSWORD_PATH } from '../../domain/accounts/password-reset.js';
import { boardVisibility } from '../../domain/accounts/board-visibility.js';
import { profileSummary } from '../../domain/accounts/profile.js';
import { exportUserData } from '../../domain/accounts/user-data.js';
import { validateAccountDeletion, validatePasswordChange } from '../../domain/accounts/user-forms.js';
import { changeOwnPassword, countAdmins, findUserById, hashNewPassword } from '../../domain/accounts/users.js';
import type { FieldErrors } from '../../lib/forms.js';
import { HttpError, PASSWORD_CHANGE_PATH } from '../../security/access.js';
import { logOut, rotateSession } from '../../security/session.js';
import type { SessionUser } from '../types.js';
import { absoluteLink } from '../links.js';
import { viewContext } from '../views/context.js';
import { DeleteAccountPage } from '../views/profile/delete.js';
import { ChangePasswordPage } from '../views/profile/password.js';
import { ProfilePage } from '../views/profile/profile.js';
import { SessionsPage } from '../views/profile/sessions.js';

const user = (request: FastifyRequest): SessionUser => {
  if (!request.user) throw new HttpError(401, 'Please log in first.');
  return request.user;
};

export async function profileRoutes(app: FastifyInstance): Promise<void> {
  const tz = app.config.school.timeZone;
  // Checking the current password is a login in disguise, counted per account
  // (RATELIMIT_LOGIN counts per address and is sized for a whole school).
  const guessLimit = app.config.rateLimit.passwordConfirm;

  app.get('/profile', { config: { access: 'user', personal: true } }, async (request, reply) => {
    const summary = await profileSummary(
      app.db,
      user(request).id,
      new Date().toISOString(),
      boardVisibility(app.config),
    );
    if (!summary) throw new HttpError(404, 'This account no longer exists.');
    return reply.render(<ProfilePage ctx={viewContext(request)} summary={summary} timeZone={tz} />);
  });

  const passwordPage = (request: FastifyRequest, reply: FastifyReply, status = 200, errors?: FieldErrors) => {
    const u = user(request);
    return reply.render(
      <ChangePasswordPage
        ctx={viewContext(request)}
        errors={errors}
        mustChange={u.mustChangePassword}
        rules={passwordRules(app.config, { isAdmin: u.isAdmin })}
      />,
      status,
    );
  };

  app.get(
    PASSWORD_CHANGE_PATH,
    { config: { access: 'user', personal: true, allowDuringPasswordChange: true } },
    async (request, reply) => passwordPage(request, reply),
  );

  app.post(
    PASSWORD_CHANGE_PATH,
    {
      config: { access: 'user', personal: true, allowDuringPasswordChange: true, rateLimit: guessLimit },
    },
    async (request, reply) => {
      const u = user(request);
      const account = await findUserById(app.db, u.id);
      if (!account) throw new HttpError(404, 'This account no longer exists.');
      const form = await validatePasswordChange(
        request.body,
        account,
        passwordRules(app.config, { isAdmin: account.is_admin === 1 }),
      );
      if (!form.ok) return passwordPage(request, reply, 400, form.errors);

      await changeOwnPassword(
        app.db,
        u.id,
        await hashNewPassword(form.data.password),
        requestActor(request),
        absoluteLink(request, FORGOT_PASSWORD_PATH),
      );
      // Whoever else held a session (perhaps the reason for the change) is out;
      // this device continues under a fresh session id.
      await app.sessions.destroyForUser(u.id, request.session?.id ?? null);
      await rotateSession(request, reply);
      reply.flash('success', 'Your password has been changed. You have been signed out on every other device.');
      return reply.redirect('/profile', 303);
    },
  );

  app.get('/profile/sessions', { config: { access: 'user', personal: true } }, async (request, reply) => {
    const sessions = await app.sessions.listForUser(user(request).id);
    return reply.render(
      <SessionsPage
        ctx={viewContext(request)}
        sessions={sessions}
        currentId={request.session?.id ?? null}
        timeZone={tz}
      />,
    );
  });

  app.post(
    '/profile/sessions/revoke-others',
    { config: { access: 'user', personal: true } },
    async (request, reply) => {
      const u = user(request);
      const ended = await app.sessions.destroyForUser(u.id, request.session?.id ?? null);
      await audit(app.db, requestActor(request), {
        action: 'account.sessions_revoke',
        targetType: 'user',
        targetId: u.id,
        details: { ended },
      });
      reply.flash(
        'success',
        ended === 0
          ? 'You were not logged in anywhere else.'
          : `Signed out of ${ended} other ${ended === 1 ? 'session' : 'sessions'}.`,
      );
      return reply.redirect('/profile/sessions', 303);
    },
  );

  app.get('/profile/data.json', { config: { access: 'user', personal: true } }, async (request, reply) => {
    const u = user(request);
    const data = await exportUserData(app.db, u.id, await app.sessions.listForUser(u.id));
    if (!data) throw new HttpError(404, 'This account no longer exists.');
    reply.header('content-disposition', `attachment; filename="mathsoc-my-data-${u.id}.json"`);
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(data, null, 2));
  });

  app.get('/profile/delete', { config: { access: 'user', personal: true } }, async (request, reply) =>
    reply.render(<DeleteAccountPage ctx={viewContext(request)} />),
  );

  app.post(
    '/profile/delete',
    { config: { access: 'user', personal: true, rateLimit: guessLimit } },
    async (request, reply) => {
      const u = user(request);
      const account = await findUserById(app.db, u.id);
      if (!account) throw new HttpError(404, 'This account no longer exists.');
      const page = (status: number, errors?: FieldErrors, message?: string) =>
        reply.render(<DeleteAccountPage ctx={viewContext(request)} errors={errors} message={message} />, status);
      const form = await validateAccountDeletion(request.body, account);
      if (!form.ok) return page(400, form.errors);
      if (account.is_admin === 1 && (await countAdmins(app.db)) <= 1) {
        return page(
          409,
          undefined,
          'You are the only administrator. Make someone else an administrator before deleting your account.',
        );
      }
      await deleteAccount(app.db, u.id, requestActor(request), 'account.delete');
      // Sessions kept outside the database (Redis) end here too.
      await app.sessions.destroyForUser(u.id);
      await logOut(request, reply);
      reply.flash('success', 'Your account and everything linked to it has been deleted.');
      return reply.redirect('/', 303);
    },
  );
}
