// The signed-in user as every request sees it: one query by id. The session
// plugin is given this loader, so the security layer never reads the users
// table itself.
import type { KeyStage } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import type { SessionUser } from '../../security/types.js';

export async function loadSessionUser(db: Db, userId: number): Promise<SessionUser | null> {
  // The school's kind comes in the same query: the menu needs it on every page.
  const row = await db
    .selectFrom('users')
    .leftJoin('schools', 'schools.id', 'users.school_id')
    .select([
      'users.id',
      'users.email',
      'users.first_name',
      'users.last_name',
      'users.is_admin',
      'users.key_stage',
      'users.year_group',
      'users.school_id',
      'users.must_change_password',
      'users.email_verified_at',
      'schools.kind as school_kind',
    ])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    isAdmin: row.is_admin === 1,
    keyStage: row.key_stage as KeyStage | null,
    yearGroup: row.year_group,
    schoolId: row.school_id,
    mustChangePassword: row.must_change_password === 1,
    emailVerified: row.email_verified_at !== null,
    // The one place the rule lives (weeklyAccess and the home page read this): admins are never guests.
    guestPupil: row.is_admin !== 1 && row.school_kind === 'guest',
  };
}
