// The signed-in user as every request sees it. The session plugin is given
// these loaders, so the security layer never reads the users table itself.
import type { KeyStage } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { sessionFromRow, type SessionRecord } from '../../security/session-store.js';
import { roleOf, type SessionUser } from '../../security/types.js';

// Every column but the id, which a query joining sessions must rename.
const USER_FIELDS = [
  'users.email',
  'users.first_name',
  'users.last_name',
  'users.is_admin',
  'users.user_type',
  'users.archived_at',
  'users.key_stage',
  'users.year_group',
  'users.school_id',
  'users.must_change_password',
  'users.email_verified_at',
  // The school's kind comes in the same query: the menu needs it on every page.
  'schools.kind as school_kind',
] as const;

interface UserRow {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  is_admin: number;
  user_type: string;
  archived_at: string | null;
  key_stage: string | null;
  year_group: number | null;
  school_id: number | null;
  must_change_password: number;
  email_verified_at: string | null;
  school_kind: string | null;
}

function toSessionUser(row: UserRow): SessionUser {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    isAdmin: row.is_admin === 1,
    role: roleOf(row),
    keyStage: row.key_stage as KeyStage | null,
    yearGroup: row.year_group,
    schoolId: row.school_id,
    mustChangePassword: row.must_change_password === 1,
    emailVerified: row.email_verified_at !== null,
    // The one place the rule lives (weeklyAccess and the home page read this): admins are never guests.
    guestPupil: row.is_admin !== 1 && row.school_kind === 'guest',
  };
}

/** The user by id (login, rotation, the Redis session store); one query. */
export async function loadSessionUser(db: Db, userId: number): Promise<SessionUser | null> {
  const row = await db
    .selectFrom('users')
    .leftJoin('schools', 'schools.id', 'users.school_id')
    .select(['users.id', ...USER_FIELDS])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  // A leaver (archived at the year rollover) has no session: as if the account were gone.
  return row && row.archived_at === null ? toSessionUser(row) : null;
}

/**
 * A database session record and its user in one statement, which every
 * signed-in request runs (one round trip instead of two on PostgreSQL).
 * `user` is null when the account no longer exists.
 */
export async function loadSessionWithUser(
  db: Db,
  sessionId: string,
): Promise<{ record: SessionRecord; user: SessionUser | null } | null> {
  const row = await db
    .selectFrom('sessions')
    .leftJoin('users', 'users.id', 'sessions.user_id')
    .leftJoin('schools', 'schools.id', 'users.school_id')
    .selectAll('sessions')
    .select(['users.id as u_id', ...USER_FIELDS])
    .where('sessions.id', '=', sessionId)
    .executeTakeFirst();
  if (!row) return null;
  const record = sessionFromRow(row);
  if (row.u_id === null || row.archived_at !== null) return { record, user: null };
  // The left join types every user column as nullable; a found user has them all.
  const user = toSessionUser({ ...row, id: row.u_id } as UserRow);
  return { record, user };
}
