// Who appears on public boards and in public numbers. Leavers (accounts
// archived by the new school year, ADR 035) are left out always. When
// addresses must be confirmed (REQUIRE_EMAIL_VERIFICATION), an account still
// waiting for its link is left out too (ADR 023). Both apply everywhere the
// public looks: leaderboards, competition boards and school rankings, a
// pupil's rank, the home page's member count.
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

/**
 * The ids of accounts left off every board and public count, as a subquery:
 * leavers always (users_archived_idx), and those waiting for their confirmation
 * link when `visibility.confirmedOnly`. Few rows either way.
 */
export function hiddenUserIds(db: Kysely<Database> | Transaction<Database>, visibility: BoardVisibility) {
  return db
    .selectFrom('users')
    .select('users.id')
    .where((eb) =>
      visibility.confirmedOnly
        ? eb.or([eb('users.archived_at', 'is not', null), eb('users.email_verified_at', 'is', null)])
        : eb('users.archived_at', 'is not', null),
    );
}
