// Users: reading and writing accounts. Emails are stored normalised (see
// emails.ts), so equality on the column is a case-insensitive comparison.
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { KeyStage } from '../../config/index.js';
import type { Database, School, SchoolKind, User } from '../../db/schema.js';
import { audit, type AuditActor } from '../audit.js';
import { queueMail } from '../mail/outbox.js';
import { passwordChangedMail } from '../mail/templates/password-changed.js';
import { emailDomain, normalizeEmail } from './emails.js';
import { normalizePassword } from './password-policy.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { Role } from '../../security/types.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

export const USER_TYPES = ['student', 'teacher'] as const;
export type UserType = (typeof USER_TYPES)[number];

/** The roles an admin gives an account (ADR 032); roleOf reads them back from the two columns. */
export const ROLES = ['student', 'teacher', 'admin'] as const satisfies readonly Role[];

/**
 * The columns that hold a role: a student or teacher by type, not an admin; an administrator is a
 * member of staff (type teacher) with admin rights.
 */
export function roleColumns(role: Role): { user_type: UserType; is_admin: 0 | 1 } {
  if (role === 'admin') return { user_type: 'teacher', is_admin: 1 };
  return { user_type: role, is_admin: 0 };
}

export class EmailTakenError extends Error {
  constructor() {
    super('An account with this email address already exists.');
  }
}

/** A unique-constraint failure on SQLite or PostgreSQL. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown } | null;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function findUserById(db: DbOrTrx, id: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByEmail(db: DbOrTrx, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
}

export async function emailInUse(db: DbOrTrx, email: string, exceptUserId?: number): Promise<boolean> {
  let q = db.selectFrom('users').select('id').where('email', '=', normalizeEmail(email));
  if (exceptUserId !== undefined) q = q.where('id', '!=', exceptUserId);
  return Boolean(await q.executeTakeFirst());
}

/**
 * The school whose email domain is exactly the address's domain ("evil-school.org" is not "school.org");
 * a member school before a guest school with the same domain. `kind` keeps to one kind.
 */
export function schoolForEmail(db: DbOrTrx, email: string, kind?: SchoolKind): Promise<School | undefined> {
  return db
    .selectFrom('schools')
    .selectAll()
    .where('email_domain', '=', emailDomain(normalizeEmail(email)))
    .$if(kind !== undefined, (qb) => qb.where('kind', '=', kind!))
    .orderBy(sql`case when kind = 'member' then 0 else 1 end`)
    .orderBy('id')
    .executeTakeFirst();
}

/** The domains general registration accepts: those of member schools (guest schools join through a competition). */
export function allowedDomains(db: DbOrTrx): Promise<string[]> {
  return db
    .selectFrom('schools')
    .select('email_domain')
    .where('kind', '=', 'member')
    .orderBy('email_domain')
    .distinct()
    .execute()
    .then((rows) => rows.map((r) => r.email_domain));
}

export interface NewAccount {
  email: string;
  firstName: string;
  lastName: string;
  passwordHash: string;
  yearGroup: number | null;
  keyStage: KeyStage | null;
  mathsClass: string | null;
  schoolId: number | null;
  userType: UserType;
  isAdmin: boolean;
  mustChangePassword: boolean;
  /** The address is already known to be the person's (admins' accounts, or no confirmation required). */
  emailVerified: boolean;
}

/** Inserts the account; a duplicate email (even one racing this insert) is an EmailTakenError. */
export async function insertUser(db: DbOrTrx, a: NewAccount): Promise<number> {
  const now = new Date().toISOString();
  try {
    const row = await db
      .insertInto('users')
      .values({
        email: normalizeEmail(a.email),
        first_name: a.firstName,
        last_name: a.lastName,
        password_hash: a.passwordHash,
        year_group: a.yearGroup,
        key_stage: a.keyStage,
        maths_class: a.mathsClass,
        school_id: a.schoolId,
        user_type: a.userType,
        is_admin: a.isAdmin ? 1 : 0,
        is_participant: 0,
        must_change_password: a.mustChangePassword ? 1 : 0,
        email_verified_at: a.emailVerified ? now : null,
        created_at: now,
        updated_at: now,
        last_login_at: null,
        password_changed_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  } catch (err) {
    if (isUniqueViolation(err)) throw new EmailTakenError();
    throw err;
  }
}

/** Hashes in the one normalised form every check uses. */
export function hashNewPassword(password: string): Promise<string> {
  return hashPassword(normalizePassword(password));
}

export function checkPassword(hash: string, password: string): Promise<boolean> {
  return verifyPassword(hash, normalizePassword(password));
}

/** Sets a new password hash and ends unused reset links; pass the transaction of the change it belongs to. */
export async function setPassword(
  db: DbOrTrx,
  userId: number,
  hash: string,
  opts: { mustChange: boolean },
): Promise<void> {
  const now = new Date().toISOString();
  await db
    .updateTable('users')
    .set({
      password_hash: hash,
      must_change_password: opts.mustChange ? 1 : 0,
      password_changed_at: now,
      updated_at: now,
    })
    .where('id', '=', userId)
    .execute();
  // A reset link asked for before this change must not undo it: unused ones stop working.
  await db
    .updateTable('email_tokens')
    .set({ expires_at: now })
    .where('user_id', '=', userId)
    .where('purpose', '=', 'reset-password')
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .execute();
}

// A hash of a random password nobody knows: verifying against it costs what a
// real verification costs, so an unknown email answers in the same time.
let dummyHash: Promise<string> | null = null;

/** Computes the dummy hash (once per process); call at start-up. */
export function primeDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64url'));
  return dummyHash;
}

export type CredentialCheck =
  { ok: true; user: User } | { ok: false; reason: 'unknown-email' | 'wrong-password'; user: User | null };

/**
 * Checks a login's password against its account, as looked up by email (or its
 * absence). Unknown emails cost one full Argon2id verification too.
 */
export async function checkCredentials(user: User | undefined, password: string): Promise<CredentialCheck> {
  if (!user) {
    await checkPassword(await primeDummyHash(), password);
    return { ok: false, reason: 'unknown-email', user: null };
  }
  // A hash that is not Argon2's (an account of school sign-in: "!sso-only:…") would be refused at
  // once; a full verification against the dummy hash keeps it as slow as any other refusal, so the
  // time of an answer does not tell which accounts sign in with a school account (ADR 031).
  if (!user.password_hash.startsWith('$argon2')) {
    await checkPassword(await primeDummyHash(), password);
    return { ok: false, reason: 'wrong-password', user };
  }
  if (!(await checkPassword(user.password_hash, password))) return { ok: false, reason: 'wrong-password', user };
  return { ok: true, user };
}

/**
 * What the login throttles count an attempt against: the account with its
 * current password, so that a new password (chosen by its owner, or reset by
 * an admin or from the command line) starts every count afresh, whichever
 * store or process holds them; for an address with no account, the address.
 */
export function loginCounterKey(email: string, user: Pick<User, 'id' | 'password_hash'> | undefined): string {
  if (!user) return `email:${normalizeEmail(email)}`;
  const generation = createHash('sha256').update(user.password_hash).digest('hex').slice(0, 16);
  return `user:${user.id}:${generation}`;
}

export async function recordLogin(db: DbOrTrx, userId: number, opts: { mustChange?: boolean } = {}): Promise<void> {
  const now = new Date().toISOString();
  await db
    .updateTable('users')
    .set(opts.mustChange ? { last_login_at: now, must_change_password: 1 } : { last_login_at: now })
    .where('id', '=', userId)
    .execute();
}

export async function countAdmins(db: DbOrTrx): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('is_admin', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Self-registration: the account and its audit entry, in one transaction. */
export async function registerUser(db: Kysely<Database>, account: NewAccount, actor: AuditActor): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const id = await insertUser(trx, account);
    await audit(
      trx,
      { ...actor, id, email: normalizeEmail(account.email) },
      {
        action: 'account.register',
        targetType: 'user',
        targetId: id,
        details: { yearGroup: account.yearGroup, keyStage: account.keyStage, schoolId: account.schoolId },
      },
    );
    return id;
  });
}

/**
 * A new password chosen by the account holder: clears "must change", audited,
 * and the owner is told by email (with a link to reset it, should it not have
 * been them); one transaction. `forgotLink`: the absolute "forgot your
 * password" link.
 */
export async function changeOwnPassword(
  db: Kysely<Database>,
  userId: number,
  hash: string,
  actor: AuditActor,
  forgotLink: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await setPassword(trx, userId, hash, { mustChange: false });
    await audit(trx, actor, { action: 'account.password_change', targetType: 'user', targetId: userId });
    const owner = await trx
      .selectFrom('users')
      .select(['email', 'first_name'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (owner)
      await queueMail(
        trx,
        passwordChangedMail({ to: owner.email, firstName: owner.first_name, way: 'profile', forgotLink }),
      );
  });
}
