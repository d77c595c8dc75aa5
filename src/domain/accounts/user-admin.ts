// The admin side of accounts: the searchable, filterable user table, the JSON
// search, and every change an admin makes to an account — each one in a
// transaction with its audit entry. An admin never changes their own rights
// or deletes their own account here (SelfActionError).
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { z } from 'zod';
import { KEY_STAGES, type KeyStage } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import type { Database, User } from '../../db/schema.js';
import { textValue } from '../../lib/forms.js';
import { deleteAccountRows } from './account-deletion.js';
import { audit, type AuditActor } from '../audit.js';
import { queueMail } from '../mail/outbox.js';
import { passwordChangedMail } from '../mail/templates/password-changed.js';
import { parseYear } from '../key-stage.js';
import type { AdminUserDetails } from './user-forms.js';
import { afterAdminEmailChange } from './email-change.js';
import type { LinkMaker } from './email-verification.js';
import {
  EmailTakenError,
  insertUser,
  isUniqueViolation,
  roleColumns,
  ROLES,
  setPassword,
  USER_TYPES,
  type UserType,
} from './users.js';
import { roleOf, type Role } from '../../security/types.js';
import { rebuildBoards } from '../challenges/scoring.js';

export class SelfActionError extends Error {}
export class NotFoundError extends Error {}

export const PER_PAGE_CHOICES = [25, 50, 100] as const;
export const SORT_KEYS = ['id', 'name', 'email', 'year', 'key_stage', 'class', 'created', 'last_login'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface UserListQuery {
  q: string;
  keyStage: KeyStage | null;
  year: number | null;
  type: UserType | null;
  admin: boolean | null;
  /** Student, teacher or administrator, as roleOf reads the account. */
  role: Role | null;
  /** Confirmed email address (yes), still waiting for its link (no), or either. */
  verified: boolean | null;
  sort: SortKey;
  dir: 'asc' | 'desc';
  page: number;
  perPage: (typeof PER_PAGE_CHOICES)[number];
}

const choice = <T extends string>(list: readonly T[], v: string): T | null =>
  (list as readonly string[]).includes(v) ? (v as T) : null;

/** The table's query string; anything unrecognised falls back to its default. */
export const userListQuerySchema = z
  .object({
    q: textValue(200),
    key_stage: textValue().transform((v) => choice(KEY_STAGES, v.toUpperCase())),
    year: textValue().transform(parseYear),
    type: textValue().transform((v) => choice(USER_TYPES, v)),
    role: textValue().transform((v) => choice(ROLES, v)),
    admin: textValue().transform((v) => (v === 'yes' ? true : v === 'no' ? false : null)),
    verified: textValue().transform((v) => (v === 'yes' ? true : v === 'no' ? false : null)),
    sort: textValue().transform((v) => choice(SORT_KEYS, v) ?? 'name'),
    dir: textValue().transform((v) => (v === 'desc' ? 'desc' : 'asc')),
    page: textValue()
      .transform(Number)
      .transform((n) => (Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1)),
    per_page: textValue()
      .transform(Number)
      .transform((n) => ((PER_PAGE_CHOICES as readonly number[]).includes(n) ? (n as UserListQuery['perPage']) : 25)),
  })
  .transform(({ key_stage, per_page, ...rest }): UserListQuery => ({
    ...rest,
    keyStage: key_stage,
    perPage: per_page,
  }));

export function parseUserListQuery(raw: unknown): UserListQuery {
  return userListQuerySchema.parse(raw ?? {});
}

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
const isIdLike = (q: string) => /^\d{1,9}$/.test(q);

/** Name ("Ann Lee" too), email or class containing `q`, case-insensitively; or exactly id `q`. */
function matches(eb: ExpressionBuilder<Database, 'users'>, q: string): Expression<SqlBool> {
  const pattern = `%${likeEscape(q.toLowerCase())}%`;
  const like = (expr: ReturnType<typeof sql>) => sql<SqlBool>`lower(${expr}) like ${pattern} escape '\\'`;
  const ors: Expression<SqlBool>[] = [
    like(sql`${sql.ref('first_name')} || ' ' || ${sql.ref('last_name')}`),
    like(sql`${sql.ref('last_name')} || ' ' || ${sql.ref('first_name')}`),
    like(sql.ref('email')),
    like(sql`coalesce(${sql.ref('maths_class')}, '')`),
  ];
  if (isIdLike(q)) ors.push(eb('id', '=', Number(q)));
  return eb.or(ors);
}

function filtered(db: Db, query: UserListQuery) {
  let qb = db.selectFrom('users');
  if (query.q) qb = qb.where((eb) => matches(eb, query.q));
  if (query.keyStage) qb = qb.where('key_stage', '=', query.keyStage);
  if (query.year !== null) qb = qb.where('year_group', '=', query.year);
  if (query.type) qb = qb.where('user_type', '=', query.type);
  if (query.admin !== null) qb = qb.where('is_admin', '=', query.admin ? 1 : 0);
  // The role as roleOf reads it: admin whatever the type; otherwise the type decides.
  if (query.role === 'admin') qb = qb.where('is_admin', '=', 1);
  else if (query.role === 'teacher') qb = qb.where('is_admin', '=', 0).where('user_type', '=', 'teacher');
  else if (query.role === 'student') qb = qb.where('is_admin', '=', 0).where('user_type', '<>', 'teacher');
  if (query.verified !== null) qb = qb.where('email_verified_at', query.verified ? 'is not' : 'is', null);
  return qb;
}

export type UserListRow = Pick<
  User,
  | 'id'
  | 'email'
  | 'first_name'
  | 'last_name'
  | 'year_group'
  | 'key_stage'
  | 'maths_class'
  | 'user_type'
  | 'is_admin'
  | 'is_participant'
  | 'must_change_password'
  | 'email_verified_at'
  | 'created_at'
  | 'last_login_at'
>;

export interface UserListPage {
  rows: UserListRow[];
  total: number;
  page: number;
  pages: number;
}

export async function listUsers(db: Db, query: UserListQuery): Promise<UserListPage> {
  const countRow = await filtered(db, query)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const total = Number(countRow.n);
  const pages = Math.max(1, Math.ceil(total / query.perPage));
  const page = Math.min(query.page, pages);
  let qb = filtered(db, query).select([
    'id',
    'email',
    'first_name',
    'last_name',
    'year_group',
    'key_stage',
    'maths_class',
    'user_type',
    'is_admin',
    'is_participant',
    'must_change_password',
    'email_verified_at',
    'created_at',
    'last_login_at',
  ]);
  const d = query.dir;
  switch (query.sort) {
    case 'name':
      qb = qb.orderBy('last_name', d).orderBy('first_name', d);
      break;
    case 'email':
      qb = qb.orderBy('email', d);
      break;
    case 'year':
      qb = qb.orderBy(sql`coalesce(${sql.ref('year_group')}, 0)`, d);
      break;
    case 'key_stage':
      qb = qb.orderBy(sql`coalesce(${sql.ref('key_stage')}, '')`, d);
      break;
    case 'class':
      qb = qb.orderBy(sql`coalesce(${sql.ref('maths_class')}, '')`, d);
      break;
    case 'created':
      qb = qb.orderBy('created_at', d);
      break;
    case 'last_login':
      qb = qb.orderBy(sql`coalesce(${sql.ref('last_login_at')}, '')`, d);
      break;
    case 'id':
      break;
  }
  const rows = await qb
    .orderBy('id', d)
    .limit(query.perPage)
    .offset((page - 1) * query.perPage)
    .execute();
  return { rows, total, page, pages };
}

export interface UserSearchResult {
  id: number;
  name: string;
  firstName: string;
  lastName: string;
  email: string;
  userType: string;
  yearGroup: number | null;
  keyStage: string | null;
  mathsClass: string | null;
  isAdmin: boolean;
}

/** limit → 1..50 (default 10). */
export function clampLimit(raw: unknown): number {
  const n = typeof raw === 'string' && /^-?\d{1,6}$/.test(raw.trim()) ? Number(raw.trim()) : 10;
  return Math.min(50, Math.max(1, n));
}

export const userSearchQuerySchema = z.object({
  q: textValue(200),
  limit: z.unknown().optional().transform(clampLimit),
});
export type UserSearchQuery = z.output<typeof userSearchQuerySchema>;

/** The JSON search: a query under 2 characters that is not an id finds nothing. */
export async function searchUsers(db: Db, { q, limit }: UserSearchQuery): Promise<UserSearchResult[]> {
  if (q.length < 2 && !isIdLike(q)) return [];
  const rows = await db
    .selectFrom('users')
    .select([
      'id',
      'email',
      'first_name',
      'last_name',
      'user_type',
      'year_group',
      'key_stage',
      'maths_class',
      'is_admin',
    ])
    .where((eb) => matches(eb, q))
    // An exact id first, then by name.
    .orderBy(sql`case when ${sql.ref('id')} = ${isIdLike(q) ? Number(q) : -1} then 0 else 1 end`)
    .orderBy('last_name')
    .orderBy('first_name')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: `${r.first_name} ${r.last_name}`,
    firstName: r.first_name,
    lastName: r.last_name,
    email: r.email,
    userType: r.user_type,
    yearGroup: r.year_group,
    keyStage: r.key_stage,
    mathsClass: r.maths_class,
    isAdmin: r.is_admin === 1,
  }));
}

export async function createUserByAdmin(
  db: Db,
  actor: AuditActor,
  d: AdminUserDetails,
  passwordHash: string,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const id = await insertUser(trx, {
      email: d.email,
      firstName: d.firstName,
      lastName: d.lastName,
      passwordHash,
      yearGroup: d.yearGroup,
      keyStage: d.keyStage,
      mathsClass: d.mathsClass,
      schoolId: d.schoolId,
      userType: d.userType,
      isAdmin: d.isAdmin,
      mustChangePassword: true,
      // The admin vouches for the address they typed (ADR 023).
      emailVerified: true,
    });
    if (d.isParticipant) await trx.updateTable('users').set({ is_participant: 1 }).where('id', '=', id).execute();
    await audit(trx, actor, {
      action: 'user.create',
      targetType: 'user',
      targetId: id,
      details: { email: d.email, role: d.role, userType: d.userType, yearGroup: d.yearGroup, isAdmin: d.isAdmin },
    });
    return id;
  });
}

/**
 * Saves the edit form; returns the fields that changed (old → new) as written
 * to the audit log. A new email address is announced to the old one and, when
 * addresses must be confirmed, waits for the link sent to it (email-change.ts).
 * A new role is written to user_type and is_admin and audited on its own as
 * user.role_changed (from, to); nobody changes their own role. The person's
 * sessions stay: the next request sees the new role and rotates the session id
 * (security/session.ts), so new powers and lost ones apply at once (ADR 032).
 */
export async function updateUserByAdmin(
  db: Db,
  actor: AuditActor,
  userId: number,
  d: AdminUserDetails,
  opts: { requireVerification: boolean; link: LinkMaker },
): Promise<Record<string, [unknown, unknown]>> {
  try {
    return await db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
      if (!before) throw new NotFoundError('There is no such user.');
      const fromRole = roleOf(before);
      // An unchanged role keeps its columns as they are (an admin of type student stays so).
      const roleCols =
        d.role === fromRole ? { user_type: before.user_type, is_admin: before.is_admin } : roleColumns(d.role);
      const after = {
        email: d.email,
        first_name: d.firstName,
        last_name: d.lastName,
        year_group: d.yearGroup,
        key_stage: d.keyStage,
        maths_class: d.mathsClass,
        school_id: d.schoolId,
        is_participant: d.isParticipant ? 1 : 0,
      };
      const changes: Record<string, [unknown, unknown]> = {};
      for (const [k, v] of Object.entries(after)) {
        const old = before[k as keyof typeof before];
        if (old !== v) changes[k] = [old, v];
      }
      const roleChanged = d.role !== fromRole;
      if (Object.keys(changes).length === 0 && !roleChanged) return changes;
      if (changes.email) refuseSelf(actor, userId, 'Change your own email address on your profile page.');
      if (roleChanged) refuseSelf(actor, userId, 'You cannot change your own role. Ask another administrator.');
      await trx
        .updateTable('users')
        .set({ ...after, ...roleCols, updated_at: new Date().toISOString() })
        .where('id', '=', userId)
        .execute();
      // A pupil's points follow them to the board of their new key stage (or off the boards) at once.
      if (changes.key_stage || changes.school_id)
        await rebuildBoards(trx, { userIds: [userId], now: new Date().toISOString() });
      if (changes.email) {
        await afterAdminEmailChange(trx, before, { from: before.email, to: after.email }, opts);
        if (opts.requireVerification) changes.email_verified = [before.email_verified_at !== null, false];
      }
      if (Object.keys(changes).length > 0)
        await audit(trx, actor, { action: 'user.update', targetType: 'user', targetId: userId, details: { changes } });
      if (roleChanged) {
        await audit(trx, actor, {
          action: 'user.role_changed',
          targetType: 'user',
          targetId: userId,
          details: { from: fromRole, to: d.role },
        });
        changes.role = [fromRole, d.role];
      }
      return changes;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new EmailTakenError();
    throw err;
  }
}

function refuseSelf(actor: AuditActor, userId: number, message: string): void {
  if (actor.id === userId) throw new SelfActionError(message);
}

/** Sets a one-time password that must be changed at next login. The password itself is never logged. */
export async function resetPasswordByAdmin(db: Db, actor: AuditActor, userId: number, hash: string): Promise<void> {
  refuseSelf(actor, userId, 'Change your own password on your profile page, not here.');
  await db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select(['id', 'email', 'first_name'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user) throw new NotFoundError('There is no such user.');
    await setPassword(trx, userId, hash, { mustChange: true });
    await audit(trx, actor, {
      action: 'user.password_reset',
      targetType: 'user',
      targetId: userId,
      details: { mustChange: true },
    });
    // The owner hears of it from us, not only from the admin; the one-time password is never emailed.
    await queueMail(
      trx,
      passwordChangedMail({ to: user.email, firstName: user.first_name, way: 'admin', forgotLink: null }),
    );
  });
}

/** An admin vouches for an account's address. Returns false when it was confirmed already. */
export async function markVerifiedByAdmin(db: Db, actor: AuditActor, userId: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select(['id', 'email', 'email_verified_at'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user) throw new NotFoundError('There is no such user.');
    if (user.email_verified_at !== null) return false;
    const now = new Date().toISOString();
    await trx.updateTable('users').set({ email_verified_at: now, updated_at: now }).where('id', '=', userId).execute();
    await audit(trx, actor, {
      action: 'user.verify',
      targetType: 'user',
      targetId: userId,
      details: { email: user.email },
    });
    return true;
  });
}

export async function setAdminByAdmin(db: Db, actor: AuditActor, userId: number, grant: boolean): Promise<boolean> {
  refuseSelf(
    actor,
    userId,
    grant ? 'You are already an administrator.' : 'You cannot remove your own admin rights. Ask another administrator.',
  );
  return db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select(['id', 'is_admin']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw new NotFoundError('There is no such user.');
    if ((user.is_admin === 1) === grant) return false;
    await trx
      .updateTable('users')
      .set({ is_admin: grant ? 1 : 0, updated_at: new Date().toISOString() })
      .where('id', '=', userId)
      .execute();
    await audit(trx, actor, {
      action: grant ? 'user.admin_grant' : 'user.admin_revoke',
      targetType: 'user',
      targetId: userId,
    });
    return true;
  });
}

export async function deleteUserByAdmin(db: Db, actor: AuditActor, userId: number): Promise<{ email: string }> {
  refuseSelf(actor, userId, 'You cannot delete your own account here. Use your profile page.');
  return db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select(['id', 'email']).where('id', '=', userId).executeTakeFirst();
    if (!user) throw new NotFoundError('There is no such user.');
    const counts = await deleteAccountRows(trx, userId);
    await audit(trx, actor, {
      action: 'user.delete',
      targetType: 'user',
      targetId: userId,
      details: { email: user.email, ...counts },
    });
    return { email: user.email };
  });
}

export const BULK_ACTIONS = ['promote', 'demote', 'mark_participant', 'unmark_participant', 'delete'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export const BULK_MAX = 500;

export interface BulkResult {
  action: BulkAction;
  /** Accounts the action changed. */
  changed: number[];
  /** Accounts already in the requested state. */
  unchanged: number[];
  /** Ids with no account. */
  missing: number[];
}

/** One transaction for the whole batch; refuses a batch that includes the actor. */
export async function bulkUpdate(db: Db, actor: AuditActor, action: BulkAction, ids: number[]): Promise<BulkResult> {
  if (actor.id !== null && ids.includes(actor.id)) {
    throw new SelfActionError(
      'Your own account is in the selection. Bulk actions never apply to yourself: untick it and try again.',
    );
  }
  return db.transaction().execute(async (trx) => {
    const users = await trx
      .selectFrom('users')
      .select(['id', 'email', 'is_admin', 'user_type', 'is_participant'])
      .where('id', 'in', ids.length ? ids : [-1])
      .execute();
    const found = new Map(users.map((u) => [u.id, u]));
    const result: BulkResult = { action, changed: [], unchanged: [], missing: ids.filter((id) => !found.has(id)) };
    const now = new Date().toISOString();
    for (const user of users) {
      let changed = true;
      if (action === 'promote' || action === 'demote') {
        const want = action === 'promote' ? 1 : 0;
        changed = user.is_admin !== want;
        if (changed)
          await trx.updateTable('users').set({ is_admin: want, updated_at: now }).where('id', '=', user.id).execute();
      } else if (action === 'mark_participant' || action === 'unmark_participant') {
        const want = action === 'mark_participant' ? 1 : 0;
        changed = user.is_participant !== want;
        if (changed)
          await trx
            .updateTable('users')
            .set({ is_participant: want, updated_at: now })
            .where('id', '=', user.id)
            .execute();
      } else {
        await deleteAccountRows(trx, user.id);
      }
      if (!changed) {
        result.unchanged.push(user.id);
        continue;
      }
      result.changed.push(user.id);
      await audit(trx, actor, {
        action: `user.bulk_${action}`,
        targetType: 'user',
        targetId: user.id,
        details:
          action === 'delete'
            ? { email: user.email, batch: ids.length }
            : action === 'promote' || action === 'demote'
              ? // A change of role: from and to, as a single change records them (user.role_changed).
                {
                  batch: ids.length,
                  from: roleOf(user),
                  to: roleOf({ ...user, is_admin: action === 'promote' ? 1 : 0 }),
                }
              : { batch: ids.length },
      });
    }
    return result;
  });
}
