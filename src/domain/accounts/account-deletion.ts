// Deleting an account, by its owner or by an admin: one transaction removes the
// person's submissions, completions, leaderboard rows, adjustments, competition
// rows and sessions, keeps the articles they wrote (re-attributed: the author
// link is cleared and the article keeps the author name it shows), records
// an audit entry and queues a notice to the account's address. Either all of
// it happens or none of it does.
import type { Transaction } from 'kysely';
import type { Db } from '../../db/index.js';
import type { Database } from '../../db/schema.js';
import { audit, type AuditActor } from '../audit.js';
import { queueMail } from '../mail/outbox.js';
import { accountDeletedMail } from '../mail/templates/account-deleted.js';

export interface DeletionSummary {
  email: string;
  submissions: number;
  completions: number;
  articlesKept: number;
}

const n = (r: { numDeletedRows?: bigint; numUpdatedRows?: bigint }) =>
  Number(r.numDeletedRows ?? r.numUpdatedRows ?? 0);

/**
 * The deletion steps inside an existing transaction (also used by bulk
 * delete); `by` says who deleted the account, for the notice to its owner.
 * A leaver removed after the retention period (`retention`, leavers.ts) is
 * sent no notice: they left school and their address is the school's.
 */
export async function deleteAccountRows(
  trx: Transaction<Database>,
  userId: number,
  by: 'owner' | 'admin' | 'retention' = 'admin',
): Promise<Omit<DeletionSummary, 'email'>> {
  const owner = await trx
    .selectFrom('users')
    .select(['email', 'first_name'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (owner && by !== 'retention')
    await queueMail(trx, accountDeletedMail({ to: owner.email, firstName: owner.first_name, byAdmin: by === 'admin' }));
  const submissions = n(await trx.deleteFrom('submissions').where('user_id', '=', userId).executeTakeFirst());
  const completions = n(await trx.deleteFrom('completions').where('user_id', '=', userId).executeTakeFirst());
  await trx.deleteFrom('scores').where('user_id', '=', userId).execute();
  await trx.deleteFrom('score_adjustments').where('user_id', '=', userId).execute();
  await trx.deleteFrom('competition_scores').where('user_id', '=', userId).execute();
  await trx.deleteFrom('competition_participants').where('user_id', '=', userId).execute();
  await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
  const articlesKept = n(
    await trx.updateTable('articles').set({ author_id: null }).where('author_id', '=', userId).executeTakeFirst(),
  );
  await trx.deleteFrom('users').where('id', '=', userId).execute();
  return { submissions, completions, articlesKept };
}

/**
 * Deletes the account and writes `action` to the audit log. When the actor is
 * the account itself, the entry keeps its email but no longer links to it.
 * Returns null when there was no such account.
 */
export async function deleteAccount(
  db: Db,
  userId: number,
  actor: AuditActor,
  action: 'account.delete' | 'user.delete',
): Promise<DeletionSummary | null> {
  return db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select(['id', 'email']).where('id', '=', userId).executeTakeFirst();
    if (!user) return null;
    const counts = await deleteAccountRows(trx, userId, action === 'account.delete' ? 'owner' : 'admin');
    const who = actor.id === userId ? { ...actor, id: null } : actor;
    await audit(trx, who, { action, targetType: 'user', targetId: userId, details: { email: user.email, ...counts } });
    return { email: user.email, ...counts };
  });
}
