// The admin users area: table with search, filters, sort and paging; create,
// edit (with the account's role: student, teacher or administrator), reset
// password, delete, bulk actions (JSON) and the JSON search. Every change is
// audited (in the domain, in the same transaction) and an admin can never act
// on their own account here. When an account's password changes or a bulk
// action changes its rights, every session it has is ended; a role changed on
// the account's page applies at the person's next request, which rotates their
// session id (ADR 032).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requestActor } from '../../../domain/audit.js';
import { auditTrail } from '../../../domain/audit-log.js';
import { generatePassword } from '../../../domain/accounts/passwords.js';
import {
  BULK_ACTIONS,
  BULK_MAX,
  bulkUpdate,
  createUserByAdmin,
  deleteUserByAdmin,
  listUsers,
  markVerifiedByAdmin,
  NotFoundError,
  resetPasswordByAdmin,
  searchUsers,
  SelfActionError,
  updateUserByAdmin,
  userListQuerySchema,
  userSearchQuerySchema,
  type BulkAction,
  type BulkResult,
} from '../../../domain/accounts/user-admin.js';
import { validateAdminUserForm } from '../../../domain/accounts/user-forms.js';
import { EmailTakenError, findUserById, hashNewPassword } from '../../../domain/accounts/users.js';
import type { User } from '../../../db/schema.js';
import type { FieldErrors, FormValues } from '../../../lib/forms.js';
import { plural } from '../../../lib/plural.js';
import { HttpError } from '../../../security/access.js';
import { roleOf, type Role } from '../../../security/types.js';
import { idParam, parseQuery } from '../../params.js';
import { linksFor } from '../email-links.js';
import { viewContext } from '../../views/context.js';
import { DeleteUserPage, EditUserPage, NewUserPage, OneTimePasswordPage } from '../../views/admin/user-form.js';
import { UsersListPage } from '../../views/admin/users-list.js';

const NO_USER = 'There is no such user.';
const ROLE_NAMES: Record<Role, string> = { student: 'a student', teacher: 'a teacher', admin: 'an administrator' };
/** Length of generated one-time passwords (~117 bits). */
const ONE_TIME_PASSWORD_LENGTH = 20;

const BulkBody = z
  .object({
    action: z.enum(BULK_ACTIONS),
    ids: z.array(z.number().int().positive().max(2_147_483_647)).min(1).max(BULK_MAX),
  })
  .strict();

const BULK_DONE: Record<BulkAction, string> = {
  promote: 'made administrator',
  demote: 'no longer administrator',
  mark_participant: 'marked as competition participant',
  unmark_participant: 'no longer marked as competition participant',
  delete: 'deleted',
};

function bulkMessage(r: BulkResult): string {
  const n = r.changed.length;
  const parts = [`${plural(n, 'user')} ${BULK_DONE[r.action]}.`];
  const [unchanged, missing] = [r.unchanged.length, r.missing.length];
  if (unchanged) parts.push(`${unchanged} already ${unchanged === 1 ? 'was' : 'were'}.`);
  if (missing) parts.push(`${missing} no longer ${missing === 1 ? 'exists' : 'exist'}.`);
  return parts.join(' ');
}

function userValues(u: User): FormValues {
  return {
    first_name: u.first_name,
    last_name: u.last_name,
    email: u.email,
    role: roleOf(u),
    year_group: u.year_group === null ? '' : String(u.year_group),
    maths_class: u.maths_class ?? '',
    is_participant: u.is_participant === 1 ? 'on' : '',
  };
}

/** Domain refusals become the matching HTTP answers. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SelfActionError) throw new HttpError(403, err.message);
    if (err instanceof NotFoundError) throw new HttpError(404, err.message);
    throw err;
  }
}

export async function adminUserRoutes(app: FastifyInstance): Promise<void> {
  const tz = app.config.school.timeZone;
  const admin = { access: 'admin' } as const;

  const loadTarget = async (request: FastifyRequest): Promise<User> => {
    const user = await findUserById(app.db, idParam(request, NO_USER));
    if (!user) throw new HttpError(404, NO_USER);
    return user;
  };
  const editPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    user: User,
    status = 200,
    values: FormValues = userValues(user),
    errors?: FieldErrors,
  ) =>
    reply.render(
      <EditUserPage
        ctx={viewContext(request)}
        user={user}
        values={values}
        errors={errors}
        history={await auditTrail(app.db, 'user', user.id)}
        timeZone={tz}
      />,
      status,
    );

  app.get('/users', { config: admin }, async (request, reply) => {
    const query = parseQuery(request, userListQuerySchema);
    const result = await listUsers(app.db, query);
    return reply.render(
      <UsersListPage
        ctx={viewContext(request)}
        query={{ ...query, page: result.page }}
        result={result}
        timeZone={tz}
      />,
    );
  });

  app.get('/users/search', { config: { ...admin, json: true } }, async (request, reply) => {
    return reply.send(await searchUsers(app.db, parseQuery(request, userSearchQuerySchema)));
  });

  app.get('/users/new', { config: admin }, async (request, reply) =>
    reply.render(<NewUserPage ctx={viewContext(request)} values={{ role: 'student' }} timeZone={tz} />),
  );

  app.post('/users', { config: admin }, async (request, reply) => {
    const form = await validateAdminUserForm(app.db, app.config, request.body, {});
    const again = (errors: FieldErrors) =>
      reply.render(<NewUserPage ctx={viewContext(request)} values={form.values} errors={errors} timeZone={tz} />, 400);
    if (!form.ok) return again(form.errors);
    const password = generatePassword(ONE_TIME_PASSWORD_LENGTH);
    let id: number;
    try {
      id = await createUserByAdmin(app.db, requestActor(request), form.data, await hashNewPassword(password));
    } catch (err) {
      if (err instanceof EmailTakenError) return again({ email: 'Another account already uses this email address.' });
      throw err;
    }
    const d = form.data;
    return reply.render(
      <OneTimePasswordPage
        ctx={viewContext(request)}
        created
        password={password}
        user={{ id, first_name: d.firstName, last_name: d.lastName, email: d.email }}
      />,
      201,
    );
  });

  app.get('/users/:id/edit', { config: admin }, async (request, reply) =>
    editPage(request, reply, await loadTarget(request)),
  );

  app.post('/users/:id', { config: admin }, async (request, reply) => {
    const user = await loadTarget(request);
    const form = await validateAdminUserForm(app.db, app.config, request.body, { userId: user.id });
    if (!form.ok) return editPage(request, reply, user, 400, form.values, form.errors);
    if (user.id === request.user?.id && form.data.email !== user.email) {
      return editPage(request, reply, user, 400, form.values, {
        email: 'Change your own email address on your profile page: the new address must confirm it.',
      });
    }
    if (user.id === request.user?.id && form.data.role !== roleOf(user)) {
      return editPage(request, reply, user, 400, form.values, {
        role: 'You cannot change your own role. Ask another administrator.',
      });
    }
    const requireVerification = app.config.mail.requireVerification;
    let changes: Record<string, [unknown, unknown]>;
    try {
      changes = await guarded(() =>
        updateUserByAdmin(app.db, requestActor(request), user.id, form.data, {
          requireVerification,
          link: linksFor(request),
        }),
      );
    } catch (err) {
      if (err instanceof EmailTakenError) {
        return editPage(request, reply, user, 400, form.values, {
          email: 'Another account already uses this email address.',
        });
      }
      throw err;
    }
    const role = changes.role?.[1] as Role | undefined;
    const saved = Object.keys(changes).length
      ? role
        ? `Changes saved. ${user.first_name} ${user.last_name} is now ${ROLE_NAMES[role]}: it applies from their next page.`
        : 'Changes saved.'
      : 'Nothing was changed.';
    reply.flash(
      'success',
      !changes.email
        ? saved
        : requireVerification
          ? `${saved} The account waits for the link sent to ${form.data.email} before it can answer again; ${user.email} has been told.`
          : `${saved} ${user.email} has been told of the new address.`,
    );
    return reply.redirect(`/admin/users/${user.id}/edit`, 303);
  });

  app.post('/users/:id/verify', { config: admin }, async (request, reply) => {
    const user = await loadTarget(request);
    const changed = await guarded(() => markVerifiedByAdmin(app.db, requestActor(request), user.id));
    reply.flash(
      changed ? 'success' : 'info',
      changed ? `${user.email} is now marked as confirmed.` : `${user.email} was confirmed already.`,
    );
    return reply.redirect(`/admin/users/${user.id}/edit`, 303);
  });

  app.post('/users/:id/reset-password', { config: admin }, async (request, reply) => {
    const user = await loadTarget(request);
    const password = generatePassword(ONE_TIME_PASSWORD_LENGTH);
    await guarded(async () =>
      resetPasswordByAdmin(app.db, requestActor(request), user.id, await hashNewPassword(password)),
    );
    await app.sessions.destroyForUser(user.id);
    return reply.render(
      <OneTimePasswordPage ctx={viewContext(request)} created={false} password={password} user={user} />,
    );
  });

  app.get('/users/:id/delete', { config: admin }, async (request, reply) => {
    const user = await loadTarget(request);
    if (user.id === request.user?.id)
      throw new HttpError(403, 'You cannot delete your own account here. Use your profile page.');
    return reply.render(<DeleteUserPage ctx={viewContext(request)} user={user} />);
  });

  app.post('/users/:id/delete', { config: admin }, async (request, reply) => {
    const user = await loadTarget(request);
    await guarded(() => deleteUserByAdmin(app.db, requestActor(request), user.id));
    await app.sessions.destroyForUser(user.id);
    reply.flash('success', `The account ${user.email} has been deleted.`);
    return reply.redirect('/admin/users', 303);
  });

  app.post('/users/bulk', { config: { ...admin, json: true } }, async (request, reply) => {
    const parsed = BulkBody.safeParse(request.body);
    if (!parsed.success) {
      return reply
        .code(400)
        .send({ error: `Send {"action": one of ${BULK_ACTIONS.join(', ')}, "ids": [1 to ${BULK_MAX} user ids]}.` });
    }
    const ids = [...new Set(parsed.data.ids)];
    const result = await guarded(() => bulkUpdate(app.db, requestActor(request), parsed.data.action, ids));
    if (parsed.data.action === 'promote' || parsed.data.action === 'demote' || parsed.data.action === 'delete') {
      for (const id of result.changed) await app.sessions.destroyForUser(id);
    }
    const message = bulkMessage(result);
    reply.flash('success', message);
    return reply.send({ ok: true, message, ...result });
  });
}
