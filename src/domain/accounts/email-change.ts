// Changing an account's email address (ADR 023). The account holder asks on
// their profile, with their password; the change happens only when the link
// sent to the new address is used, and the old address is told. Whether the
// new address already has an account is never shown to the person asking:
// that address's owner is told instead. An admin's change applies at once
// (see changedByAdmin below).
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Database, User } from '../../db/schema.js';
import { checkFields, field, formOutcome, ruleField, type FormOutcome } from '../../lib/forms.js';
import { audit, type AuditActor } from '../audit.js';
import { queueMail } from '../mail/outbox.js';
import { confirmNewEmailMail } from '../mail/templates/confirm-new-email.js';
import { emailChangedMail } from '../mail/templates/email-changed.js';
import { registrationAttemptMail } from '../mail/templates/registration-attempt.js';
import { checkEmailToken, consumeEmailToken, issueEmailToken } from './email-tokens.js';
import { sendVerificationLink, type LinkMaker, type LinkProblem } from './email-verification.js';
import { emailDomain, emailError, normalizeEmail } from './emails.js';
import { checkPassword, emailInUse, isUniqueViolation } from './users.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

/** How long the link to a new address works. */
export const CHANGE_LINK_HOURS = 24;

export const confirmChangePath = (token: string) => `/confirm-email?token=${encodeURIComponent(token)}`;

// ---------------------------------------------------------------- the profile form

/**
 * The new address and the current password. A student's address must stay at
 * their school's domain, which decides the school they belong and compete
 * for; moving school is a teacher's change in the admin area.
 */
export async function validateEmailChange(
  db: DbOrTrx,
  body: unknown,
  account: User,
): Promise<FormOutcome<{ email: string }>> {
  const values = { email: normalizeEmail(field(body, 'email')) };
  const password = field(body, 'password');
  const passwordOk = password !== '' && (await checkPassword(account.password_hash, password));
  const schema = z.object({
    email: ruleField((v) => emailError(v)?.replace('your email address', 'the new email address') ?? null),
    password: z
      .string()
      .min(1, 'Type your current password to confirm.')
      .refine(() => passwordOk, 'That is not your current password.'),
  });
  const { errors } = checkFields(schema, { email: values.email, password });
  if (!errors.email) {
    if (values.email === account.email) errors.email = 'This is already your email address.';
    else if (account.user_type === 'student') {
      const school =
        account.school_id === null
          ? undefined
          : await db
              .selectFrom('schools')
              .select('email_domain')
              .where('id', '=', account.school_id)
              .executeTakeFirst();
      if (!school)
        errors.email = 'Your account belongs to no school, so a teacher who runs the society must change your address.';
      else if (emailDomain(values.email) !== school.email_domain)
        errors.email = `Use your school address, ending in @${school.email_domain}. To move to another school, ask a teacher who runs the society.`;
    }
  }
  return formOutcome(values, errors, () => ({ email: values.email }));
}

// ---------------------------------------------------------------- asking and confirming

/**
 * Sends the link to the new address (or, if another account has that
 * address, a note to its owner): in one transaction with the audit entry.
 */
export async function requestEmailChange(
  db: Kysely<Database>,
  account: Pick<User, 'id' | 'email' | 'first_name'>,
  newEmail: string,
  actor: AuditActor,
  link: LinkMaker,
): Promise<void> {
  const to = normalizeEmail(newEmail);
  await db.transaction().execute(async (trx) => {
    const taken = await emailInUse(trx, to, account.id);
    await audit(trx, actor, {
      action: 'account.email_change_request',
      targetType: 'user',
      targetId: account.id,
      details: { to, taken },
    });
    if (taken) {
      const owner = await trx
        .selectFrom('users')
        .select(['first_name', 'email_verified_at'])
        .where('email', '=', to)
        .executeTakeFirst();
      await queueMail(
        trx,
        registrationAttemptMail({
          to,
          firstName: owner?.first_name ?? null,
          confirmed: owner ? owner.email_verified_at !== null : true,
          loginLink: link('/login'),
          attempt: 'change',
        }),
      );
      return;
    }
    const token = await issueEmailToken(trx, {
      userId: account.id,
      purpose: 'change-email',
      ttlSeconds: CHANGE_LINK_HOURS * 3600,
      newEmail: to,
    });
    await queueMail(
      trx,
      confirmNewEmailMail({
        to,
        firstName: account.first_name,
        link: link(confirmChangePath(token)),
        hours: CHANGE_LINK_HOURS,
      }),
    );
  });
}

export interface PendingChange {
  userId: number;
  firstName: string;
  lastName: string;
  oldEmail: string;
  newEmail: string;
}

export type ChangeProblem = LinkProblem | 'taken';

/** What a change link would do, without using it (the page a GET shows). */
export async function previewEmailChange(
  db: DbOrTrx,
  token: string,
): Promise<{ ok: true; change: PendingChange; done: boolean } | { ok: false; why: ChangeProblem }> {
  const check = await checkEmailToken(db, token, 'change-email');
  if (!check.ok) return check;
  const user = await db
    .selectFrom('users')
    .select(['id', 'first_name', 'last_name', 'email'])
    .where('id', '=', check.userId)
    .executeTakeFirst();
  if (!user || !check.newEmail) return { ok: false, why: 'invalid' };
  const change = pendingChange(user, check.newEmail);
  if (user.email === change.newEmail) return { ok: true, change, done: true };
  if (await emailInUse(db, change.newEmail, user.id)) return { ok: false, why: 'taken' };
  return { ok: true, change, done: false };
}

function pendingChange(user: Pick<User, 'id' | 'first_name' | 'last_name' | 'email'>, newEmail: string): PendingChange {
  return {
    userId: user.id,
    firstName: user.first_name,
    lastName: user.last_name,
    oldEmail: user.email,
    newEmail: normalizeEmail(newEmail),
  };
}

/** Thrown inside a transaction to undo it. */
class Refused extends Error {
  constructor(readonly why: ChangeProblem) {
    super(why);
  }
}

/**
 * Uses a change link: the account takes the new address, confirmed by this
 * very link, and the old address is told. (Asking again replaced any earlier
 * link: email-tokens.ts.) A link whose address another account took
 * meanwhile changes nothing.
 */
export async function confirmEmailChange(
  db: Kysely<Database>,
  token: string,
  actor: AuditActor,
): Promise<{ ok: true; change: PendingChange } | { ok: false; why: ChangeProblem }> {
  try {
    return await db.transaction().execute(async (trx) => {
      const used = await consumeEmailToken(trx, token, 'change-email');
      if (!used.ok) return used;
      const user = await trx
        .selectFrom('users')
        .select(['id', 'first_name', 'last_name', 'email'])
        .where('id', '=', used.userId)
        .executeTakeFirst();
      if (!user || !used.newEmail) throw new Refused('invalid');
      const change = pendingChange(user, used.newEmail);
      if (user.email === change.newEmail) return { ok: true as const, change };
      if (await emailInUse(trx, change.newEmail, user.id)) throw new Refused('taken');
      const now = new Date().toISOString();
      await trx
        .updateTable('users')
        .set({ email: change.newEmail, email_verified_at: now, updated_at: now })
        .where('id', '=', user.id)
        .execute();
      await audit(
        trx,
        { ...actor, id: actor.id ?? user.id, email: actor.email ?? change.oldEmail },
        {
          action: 'account.email_change',
          targetType: 'user',
          targetId: user.id,
          details: { from: change.oldEmail, to: change.newEmail },
        },
      );
      await queueMail(
        trx,
        emailChangedMail({
          to: change.oldEmail,
          firstName: user.first_name,
          newEmail: change.newEmail,
          byAdmin: false,
        }),
      );
      return { ok: true as const, change };
    });
  } catch (err) {
    if (err instanceof Refused) return { ok: false, why: err.why };
    // The new address was taken between the check and the update.
    if (isUniqueViolation(err)) return { ok: false, why: 'taken' };
    throw err;
  }
}

// ---------------------------------------------------------------- an admin's change

/**
 * An admin changed an account's address (in the admin's transaction). The
 * change stands at once — a teacher is accountable for it — and the old
 * address is told. When addresses must be confirmed, the account waits for the
 * link sent to the new address before it can answer again, so a mistyped
 * address is noticed rather than trusted.
 */
export async function afterAdminEmailChange(
  trx: Transaction<Database>,
  user: Pick<User, 'id' | 'first_name'>,
  change: { from: string; to: string },
  opts: { requireVerification: boolean; link: LinkMaker },
): Promise<void> {
  if (opts.requireVerification) {
    await trx.updateTable('users').set({ email_verified_at: null }).where('id', '=', user.id).execute();
    await sendVerificationLink(trx, { id: user.id, email: change.to, first_name: user.first_name }, opts.link, {
      changedByAdmin: true,
    });
  }
  await queueMail(
    trx,
    emailChangedMail({ to: change.from, firstName: user.first_name, newEmail: change.to, byAdmin: true }),
  );
}
