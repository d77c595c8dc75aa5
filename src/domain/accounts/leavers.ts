// Leavers (ADR 035): pupils whose accounts the new school year's rollover
// archived (users.archived_at) when they left after Year 13.
// - They cannot sign in: the password login (and the school sign-in) tells them
//   so with ACCOUNT_CLOSED_MESSAGE, but only once the right password was given,
//   so the message never reveals that an address belongs to a leaver.
// - Their sessions end (loadSessionUser returns no user for an archived account).
// - They are on no board and in no public count (board-visibility.ts).
// - An admin can reopen an account archived by mistake (unarchiveUser).
// - `mathsoc leavers:purge` deletes them LEAVER_RETENTION_DAYS after they were
//   archived, the way an admin's deletion does (account-deletion.ts), in one
//   transaction with one audit entry per account, and sends them no email.
import type { Db, DbOrTrx } from '../../db/index.js';
import { audit, type AuditActor } from '../audit.js';
import { deleteAccountRows } from './account-deletion.js';

/** What a leaver is told when they try to sign in (after the right password, or by their school's sign-in). */
export const ACCOUNT_CLOSED_MESSAGE =
  'This account was closed when you left school. If you think this is a mistake, ask a teacher who runs the Maths Society to reopen it.';

/** A leaver: archived by a year rollover, not yet deleted. */
export function isArchived(user: { archived_at: string | null }): boolean {
  return user.archived_at !== null;
}

/** The moment before which an archive is older than the retention period. */
export function retentionCutoff(now: Date, retentionDays: number): string {
  return new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
}

export interface LeaverRow {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  yearGroup: number | null;
  archivedAt: string;
}

/** Leavers archived at or before `cutoff`, oldest first (all leavers when no cutoff is given). */
export async function listLeavers(db: DbOrTrx, cutoff?: string): Promise<LeaverRow[]> {
  let qb = db
    .selectFrom('users')
    .select(['id', 'email', 'first_name', 'last_name', 'year_group', 'archived_at'])
    .where('archived_at', 'is not', null);
  if (cutoff !== undefined) qb = qb.where('archived_at', '<=', cutoff);
  const rows = await qb.orderBy('archived_at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    yearGroup: r.year_group,
    archivedAt: r.archived_at!,
  }));
}

export interface PurgeResult {
  cutoff: string;
  retentionDays: number;
  /** The accounts deleted (with --dry-run: the ones that would be). */
  removed: LeaverRow[];
}

/**
 * Deletes every leaver archived longer than `retentionDays` ago, in one
 * transaction: each through deleteAccountRows (submissions, completions,
 * board rows, adjustments, competition rows and sessions go; articles stay,
 * unattributed), with a `leaver.purge` audit entry per account and no email.
 * With `dryRun` it only lists them.
 */
export async function purgeLeavers(
  db: Db,
  opts: { retentionDays: number; actor: AuditActor; now?: Date; dryRun?: boolean },
): Promise<PurgeResult> {
  const cutoff = retentionCutoff(opts.now ?? new Date(), opts.retentionDays);
  if (opts.dryRun) return { cutoff, retentionDays: opts.retentionDays, removed: await listLeavers(db, cutoff) };
  return db.transaction().execute(async (trx) => {
    const due = await listLeavers(trx, cutoff);
    for (const leaver of due) {
      const counts = await deleteAccountRows(trx, leaver.id, 'retention');
      await audit(trx, opts.actor, {
        action: 'leaver.purge',
        targetType: 'user',
        targetId: leaver.id,
        details: {
          email: leaver.email,
          archivedAt: leaver.archivedAt,
          retentionDays: opts.retentionDays,
          ...counts,
        },
      });
    }
    return { cutoff, retentionDays: opts.retentionDays, removed: due };
  });
}

export type UnarchiveOutcome = 'reopened' | 'not-archived' | 'missing';

/**
 * Reopens an account archived by mistake: the person can sign in again and
 * is back on their board (their board rows were kept). They keep the school
 * year they had; change it on the edit form if they should move up.
 */
export async function unarchiveUser(db: Db, actor: AuditActor, userId: number): Promise<UnarchiveOutcome> {
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select(['id', 'email', 'archived_at', 'year_group'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user) return 'missing';
    if (user.archived_at === null) return 'not-archived';
    const now = new Date().toISOString();
    await trx
      .updateTable('users')
      .set({ archived_at: null, updated_at: now })
      .where('id', '=', userId)
      .where('archived_at', 'is not', null)
      .execute();
    await audit(trx, actor, {
      action: 'user.unarchive',
      targetType: 'user',
      targetId: userId,
      details: { email: user.email, archivedAt: user.archived_at, yearGroup: user.year_group },
    });
    return 'reopened';
  });
}
