// "Forgot your password?" (ADR 022). Asking sends a link to the address if an
// account has it; the answer is the same either way, so the form tells no one
// which addresses have accounts. The link works once, for an hour; using it
// sets the new password, in one transaction with the link's use, the audit
// entry and the "your password was changed" notice. The caller then ends every
// session of the account (they may live outside the database, in Redis).
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, User } from '../../db/schema.js';
import { checkFields, field, formOutcome, type FormOutcome } from '../../lib/forms.js';
import { audit, type AuditActor } from '../audit.js';
import { queueMail } from '../mail/outbox.js';
import { passwordChangedMail } from '../mail/templates/password-changed.js';
import { passwordResetMail } from '../mail/templates/password-reset.js';
import { schoolSignInMail } from '../mail/templates/school-sign-in.js';
import { passwordSignInRefusal } from '../sso/password-sign-in.js';
import { checkEmailToken, consumeEmailToken, issueEmailToken } from './email-tokens.js';
import { emailError, normalizeEmail } from './emails.js';
import { passwordError, type PasswordRules } from './password-policy.js';
import { findUserByEmail, setPassword } from './users.js';

/** How long a reset link works. */
export const RESET_LINK_MINUTES = 60;

export const FORGOT_PASSWORD_PATH = '/forgot-password';
export const RESET_PASSWORD_PATH = '/reset-password';
export const resetPath = (token: string) => `${RESET_PASSWORD_PATH}?token=${encodeURIComponent(token)}`;

/** Turns a path of this site into an absolute link for an email (the web layer knows the host). */
type LinkMaker = (path: string) => string;

/** Why a reset link cannot be used: unknown (mistyped, cut short, forged), out of date, or used already. */
export type ResetLinkProblem = 'invalid' | 'expired' | 'used';

/** The account a reset link is for: what the new-password form needs to apply the password rules. */
export type ResetAccount = Pick<User, 'id' | 'email' | 'first_name' | 'last_name' | 'is_admin'>;

// ---------------------------------------------------------------- asking for a link

/** The "forgot your password" form: one address. */
export function validateForgotPassword(body: unknown): FormOutcome<{ email: string }> {
  const values = { email: normalizeEmail(field(body, 'email')) };
  const problem = values.email === '' ? 'Enter the email address of your account.' : emailError(values.email);
  return formOutcome(values, problem ? { email: problem } : {}, () => ({ email: values.email }));
}

/**
 * Sends a reset link if an account has this address; otherwise only the audit
 * entry is written. Either way one transaction, and nothing is returned that
 * would tell the two apart.
 */
export async function requestPasswordReset(
  db: Kysely<Database>,
  email: string,
  actor: AuditActor,
  link: LinkMaker,
): Promise<void> {
  const address = normalizeEmail(email);
  await db.transaction().execute(async (trx) => {
    const user = await findUserByEmail(trx, address);
    await audit(
      trx,
      { ...actor, email: actor.email ?? address.slice(0, 254) },
      {
        action: 'account.password_reset_request',
        targetType: user ? 'user' : null,
        targetId: user?.id ?? null,
        details: { email: address.slice(0, 254), known: Boolean(user) },
      },
    );
    if (!user) return;
    // A school that signs in with its own provider: no link, a word on how to sign in (ADR 036).
    const passwordOff = await passwordSignInRefusal(trx, user);
    if (passwordOff) {
      await queueMail(
        trx,
        schoolSignInMail({ to: user.email, firstName: user.first_name, providers: passwordOff.providers }),
      );
      return;
    }
    // The link is bound to the address it goes to: once the account's address
    // changes, the old mailbox can no longer reset (or confirm) the account.
    const token = await issueEmailToken(trx, {
      userId: user.id,
      purpose: 'reset-password',
      ttlSeconds: RESET_LINK_MINUTES * 60,
      newEmail: user.email,
    });
    await queueMail(
      trx,
      passwordResetMail({
        to: user.email,
        firstName: user.first_name,
        link: link(resetPath(token)),
        minutes: RESET_LINK_MINUTES,
      }),
    );
  });
}

// ---------------------------------------------------------------- using the link

async function accountOf(db: Kysely<Database>, userId: number): Promise<ResetAccount | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'first_name', 'last_name', 'is_admin'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** The account a link would reset, without using the link (the page a GET shows). */
export async function previewPasswordReset(
  db: Kysely<Database>,
  token: unknown,
): Promise<{ ok: true; account: ResetAccount } | { ok: false; why: ResetLinkProblem }> {
  const check = await checkEmailToken(db, token, 'reset-password');
  if (!check.ok) return check;
  const account = await accountOf(db, check.userId);
  return account ? { ok: true, account } : { ok: false, why: 'invalid' };
}

/** The new password, twice, held to the rules of the account's kind (admins' are longer). */
export function validateNewPassword(
  body: unknown,
  account: ResetAccount,
  rules: PasswordRules,
): FormOutcome<{ password: string }> {
  const input = {
    new_password: field(body, 'new_password'),
    new_password_confirm: field(body, 'new_password_confirm'),
  };
  const schema = z.object({ new_password: z.string(), new_password_confirm: z.string() }).superRefine((v, ctx) => {
    const problem = passwordError(v.new_password, rules, {
      email: account.email,
      firstName: account.first_name,
      lastName: account.last_name,
    });
    if (problem) ctx.addIssue({ code: 'custom', path: ['new_password'], message: problem });
    else if (!v.new_password_confirm)
      ctx.addIssue({ code: 'custom', path: ['new_password_confirm'], message: 'Type the new password again.' });
    else if (v.new_password_confirm !== v.new_password)
      ctx.addIssue({ code: 'custom', path: ['new_password_confirm'], message: 'The two passwords do not match.' });
  });
  const { errors } = checkFields(schema, input);
  return formOutcome({}, errors, () => ({ password: input.new_password }));
}

/**
 * Uses the link and sets the new password (already hashed), all or nothing.
 * The link proves the address is the person's, so an account still waiting to
 * confirm it counts as confirmed from now on; a one-time password an admin
 * gave is no longer pending. Of two requests with one link, one succeeds.
 */
export async function resetPassword(
  db: Kysely<Database>,
  token: unknown,
  hash: string,
  actor: AuditActor,
  link: LinkMaker,
): Promise<{ ok: true; userId: number } | { ok: false; why: ResetLinkProblem }> {
  return db.transaction().execute(async (trx) => {
    // The token layer refuses a link sent to an address the account no longer has.
    const used = await consumeEmailToken(trx, token, 'reset-password');
    if (!used.ok) return used;
    const user = await trx
      .selectFrom('users')
      .select(['id', 'email', 'first_name', 'email_verified_at'])
      .where('id', '=', used.userId)
      .executeTakeFirstOrThrow();
    await setPassword(trx, user.id, hash, { mustChange: false });
    if (user.email_verified_at === null)
      await trx
        .updateTable('users')
        .set({ email_verified_at: new Date().toISOString() })
        .where('id', '=', user.id)
        .execute();
    await audit(
      trx,
      { ...actor, id: actor.id ?? user.id, email: actor.email ?? user.email },
      {
        action: 'account.password_reset',
        targetType: 'user',
        targetId: user.id,
        details: { confirmedAddress: user.email_verified_at === null },
      },
    );
    await queueMail(
      trx,
      passwordChangedMail({
        to: user.email,
        firstName: user.first_name,
        way: 'reset-link',
        forgotLink: link(FORGOT_PASSWORD_PATH),
      }),
    );
    return { ok: true as const, userId: user.id };
  });
}
