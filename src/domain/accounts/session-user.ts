// The signed-in user as every request sees it: one query by id. The session
// plugin is given this loader, so the security layer never reads the users
// table itself.
import type { KeyStage } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import type { SessionUser } from '../../security/types.js';

export async function loadSessionUser(db: Db, userId: number): Promise<SessionUser | null> {
  const row = await db
    .selectFrom('users')
    .select([
      'id',
      'email',
      'first_name',
      'last_name',
      'is_admin',
      'key_stage',
      'year_group',
      'school_id',
      'must_change_password',
      'email_verified_at',
    ])
    .where('id', '=', userId)
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
  };
}
