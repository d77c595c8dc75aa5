// Who appears on public boards and in public numbers. When addresses must be
// confirmed (REQUIRE_EMAIL_VERIFICATION), an account still waiting for its link
// is left out everywhere the public looks: leaderboards, competition boards and
// school rankings, the home page's member count (ADR 023).
import type { Kysely, Transaction } from 'kysely';
import type { Config } from '../../config/index.js';
import type { Database } from '../../db/schema.js';

export interface BoardVisibility {
  /** Leave out accounts whose address is not confirmed. */
  confirmedOnly: boolean;
}

export function boardVisibility(config: Pick<Config, 'mail'>): BoardVisibility {
  return { confirmedOnly: config.mail.requireVerification };
}

/** The ids of accounts whose address is not confirmed, as a subquery (few rows: only those waiting). */
export function unconfirmedUserIds(db: Kysely<Database> | Transaction<Database>) {
  return db.selectFrom('users').select('users.id').where('users.email_verified_at', 'is', null);
}
