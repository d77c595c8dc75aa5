// Confirming that an address belongs to the person who typed it
// (REQUIRE_EMAIL_VERIFICATION; ADR 023). Registering makes an account that
// waits for its link; registering an address that already has an account
// changes nothing and tells that address's owner instead, so the answer
// (page, status, cookies, work done) never says which addresses have accounts.
// A link confirms the address it was sent to: once the account's address
// changes, older links stop working.
import type { Kysely, Transaction } from 'kysely';
import type { Database, User } from '../../db/schema.js';
import { audit, type AuditActor } from '../audit.js';
import { addParticipant } from '../competitions/competitions.js';
import { queueMail } from '../mail/outbox.js';
import { registrationAttemptMail } from '../mail/templates/registration-attempt.js';
import { verificationMail } from '../mail/templates/verification.js';
import { checkEmailToken, consumeEmailToken, issueEmailToken } from './email-tokens.js';
import { normalizeEmail } from './emails.js';
import { EmailTakenError, insertUser, type NewAccount } from './users.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

/** How long a confirmation link works. */
export const VERIFY_LINK_HOURS = 24;

/** Turns a path of this site into the absolute link an email carries (the web layer knows the host). */
export type LinkMaker = (path: string) => string;

export const verifyPath = (token: string) => `/verify-email?token=${encodeURIComponent(token)}`;

/** Why a link cannot be used: unknown (mistyped, cut short, forged), out of date, or already used. */
export type LinkProblem = 'invalid' | 'expired' | 'used';

/** Issues a confirmation link for the account's current address and queues the email carrying it. */
export async function sendVerificationLink(
  db: DbOrTrx,
  user: Pick<User, 'id' | 'email' | 'first_name'>,
  link: LinkMaker,
  context: { competitionName?: string; changedByAdmin?: boolean } = {},
): Promise<void> {
  const token = await issueEmailToken(db, {
    userId: user.id,
    purpose: 'verify-email',
    ttlSeconds: VERIFY_LINK_HOURS * 3600,
    newEmail: user.email,
  });
  await queueMail(
    db,
    verificationMail({
      to: user.email,
      firstName: user.first_name,
      link: link(verifyPath(token)),
      hours: VERIFY_LINK_HOURS,
      competitionName: context.competitionName,
      changedByAdmin: context.changedByAdmin ?? false,
    }),
  );
}

export interface PendingRegistration {
  account: NewAccount;
  /** Competition registration: the account also becomes a participant (school and key stage from the account). */
  competition?: { id: number; name: string };
}

/**
 * Registration when addresses must be confirmed. A new address: an
 * unconfirmed account (and its competition place), its audit entry, a link and
 * the email, in one transaction. An address with an account: nothing about
 * the account changes; its owner is told someone tried. The caller answers
 * both the same way. `mailAllowed` false (the address has had its share of
 * emails for now, RATELIMIT_EMAIL_ADDRESS): the same, without the email.
 */
export async function registerPending(
  db: Kysely<Database>,
  reg: PendingRegistration,
  actor: AuditActor,
  link: LinkMaker,
  opts: { mailAllowed: boolean },
): Promise<void> {
  const email = normalizeEmail(reg.account.email);
  try {
    const created = await db.transaction().execute(async (trx) => {
      if (await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) return false;
      const id = await insertUser(trx, { ...reg.account, emailVerified: false });
      const who = { ...actor, id, email };
      const c = reg.competition;
      if (c && reg.account.schoolId !== null && reg.account.keyStage !== null) {
        await addParticipant(trx, {
          competitionId: c.id,
          userId: id,
          schoolId: reg.account.schoolId,
          keyStage: reg.account.keyStage,
        });
        await audit(trx, who, {
          action: 'competition.register',
          targetType: 'competition',
          targetId: c.id,
          details: {
            userId: id,
            schoolId: reg.account.schoolId,
            keyStage: reg.account.keyStage,
            yearGroup: reg.account.yearGroup,
            verified: false,
          },
        });
      } else {
        await audit(trx, who, {
          action: 'account.register',
          targetType: 'user',
          targetId: id,
          details: {
            yearGroup: reg.account.yearGroup,
            keyStage: reg.account.keyStage,
            schoolId: reg.account.schoolId,
            verified: false,
          },
        });
      }
      if (opts.mailAllowed) {
        await sendVerificationLink(trx, { id, email, first_name: reg.account.firstName }, link, {
          competitionName: c?.name,
        });
      }
      return true;
    });
    if (created) return;
  } catch (err) {
    // Someone registered the same address between the check and the insert: that account stands.
    if (!(err instanceof EmailTakenError)) throw err;
  }
  await tellOwnerOfAttempt(db, email, actor, link, { competitionName: reg.competition?.name, ...opts });
}

/** The owner of an address that already has an account learns that someone tried to register it. */
async function tellOwnerOfAttempt(
  db: Kysely<Database>,
  email: string,
  actor: AuditActor,
  link: LinkMaker,
  opts: { competitionName: string | undefined; mailAllowed: boolean },
): Promise<void> {
  const { competitionName } = opts;
  await db.transaction().execute(async (trx) => {
    const owner = await trx
      .selectFrom('users')
      .select(['id', 'first_name', 'email_verified_at'])
      .where('email', '=', email)
      .executeTakeFirst();
    await audit(
      trx,
      { ...actor, email },
      {
        action: 'account.register_existing',
        targetType: owner ? 'user' : null,
        targetId: owner?.id ?? null,
        details: { competition: competitionName ?? null, mailed: opts.mailAllowed },
      },
    );
    if (!opts.mailAllowed) return;
    await queueMail(
      trx,
      registrationAttemptMail({
        to: email,
        firstName: owner?.first_name ?? null,
        confirmed: owner ? owner.email_verified_at !== null : true,
        loginLink: link('/login'),
        attempt: 'register',
        competitionName,
      }),
    );
  });
}

export interface LinkAccount {
  userId: number;
  email: string;
  firstName: string;
  lastName: string;
  createdAt: string;
  alreadyConfirmed: boolean;
  /** Registered for a competition: after confirming, the competition is the place to go. */
  isParticipant: boolean;
}

/** What a confirmation link would do, without using it (the page a GET shows). */
export async function previewVerification(
  db: DbOrTrx,
  token: string,
): Promise<{ ok: true; account: LinkAccount } | { ok: false; why: LinkProblem }> {
  const check = await checkEmailToken(db, token, 'verify-email');
  if (!check.ok) return check;
  const user = await db.selectFrom('users').selectAll().where('id', '=', check.userId).executeTakeFirstOrThrow();
  return { ok: true, account: linkAccount(user) };
}

function linkAccount(user: User): LinkAccount {
  return {
    userId: user.id,
    email: user.email,
    firstName: user.first_name,
    lastName: user.last_name,
    createdAt: user.created_at,
    alreadyConfirmed: user.email_verified_at !== null,
    isParticipant: user.is_participant === 1,
  };
}

/**
 * Uses a confirmation link: the account's address is confirmed, once. A link
 * for an address the account no longer has, or for an account that is gone,
 * is refused and changes nothing (the link stays unused).
 */
export async function confirmVerification(
  db: Kysely<Database>,
  token: string,
  actor: AuditActor,
): Promise<{ ok: true; account: LinkAccount } | { ok: false; why: LinkProblem }> {
  return db.transaction().execute(async (trx) => {
    // The token layer refuses a link for an address the account no longer has.
    const used = await consumeEmailToken(trx, token, 'verify-email');
    if (!used.ok) return used;
    const user = await trx.selectFrom('users').selectAll().where('id', '=', used.userId).executeTakeFirstOrThrow();
    const account = linkAccount(user);
    if (account.alreadyConfirmed) return { ok: true as const, account };
    const now = new Date().toISOString();
    await trx.updateTable('users').set({ email_verified_at: now, updated_at: now }).where('id', '=', user.id).execute();
    await audit(
      trx,
      { ...actor, id: actor.id ?? user.id, email: actor.email ?? user.email },
      { action: 'account.email_verify', targetType: 'user', targetId: user.id, details: { email: user.email } },
    );
    return { ok: true as const, account };
  });
}

/** "Send the link again": a fresh link to the account's address; false when it is confirmed already. */
export async function resendVerification(
  db: Kysely<Database>,
  userId: number,
  actor: AuditActor,
  link: LinkMaker,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select(['id', 'email', 'first_name', 'email_verified_at'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user || user.email_verified_at !== null) return false;
    await sendVerificationLink(trx, user, link);
    await audit(trx, actor, { action: 'account.verify_resend', targetType: 'user', targetId: user.id });
    return true;
  });
}
