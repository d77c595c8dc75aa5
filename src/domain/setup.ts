// Database preparation shared by `npm start` (first run) and the command line.
import type { Config } from '../config/index.js';
import { migrateToLatest, nowIso, type DatabaseHandle } from '../db/index.js';
import { generatePassword } from './accounts/passwords.js';
import { hashNewPassword } from './accounts/users.js';
import { audit, CLI_ACTOR } from './audit.js';

export interface AdminSpec {
  email: string;
  password: string;
  firstName?: string;
  lastName?: string;
  mustChangePassword: boolean;
}

/** Creates the default school (when there is none) and an admin, in one transaction. */
export async function initialiseData(config: Config, handle: DatabaseHandle, admin: AdminSpec): Promise<number> {
  const hash = await hashNewPassword(admin.password);
  return handle.db.transaction().execute(async (trx) => {
    const now = nowIso();
    const school = await trx.selectFrom('schools').select('id').orderBy('id').executeTakeFirst();
    let schoolId = school?.id;
    if (!schoolId) {
      const row = await trx
        .insertInto('schools')
        .values({
          name: config.school.defaultName,
          email_domain: config.school.defaultDomain,
          address: null,
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      schoolId = row.id;
    }
    const user = await trx
      .insertInto('users')
      .values({
        email: admin.email.trim().toLowerCase(),
        first_name: admin.firstName ?? 'Site',
        last_name: admin.lastName ?? 'Admin',
        password_hash: hash,
        year_group: null,
        key_stage: null,
        maths_class: null,
        school_id: schoolId,
        user_type: 'teacher',
        is_admin: 1,
        must_change_password: admin.mustChangePassword ? 1 : 0,
        // Whoever runs the server vouches for the first admin's address.
        email_verified_at: now,
        created_at: now,
        updated_at: now,
        password_changed_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, CLI_ACTOR, {
      action: 'admin.create',
      targetType: 'user',
      targetId: user.id,
      details: { email: admin.email },
    });
    return user.id;
  });
}

export async function hasAdmin(handle: DatabaseHandle): Promise<boolean> {
  const row = await handle.db.selectFrom('users').select('id').where('is_admin', '=', 1).limit(1).executeTakeFirst();
  return Boolean(row);
}

/**
 * Migrates, and on a development or testing first run creates the default
 * school and an admin with a generated one-time password, printed once.
 * Production never invents credentials: it says how to create the admin.
 */
export async function prepareDatabase(
  config: Config,
  handle: DatabaseHandle,
  out: { print: (line: string) => void },
): Promise<boolean> {
  await migrateToLatest(handle.db);
  if (await hasAdmin(handle)) return false;
  if (config.profile === 'production') {
    out.print(
      'No admin account exists yet. Create one with: npx mathsoc db:init --email you@your-school.org (password from MATHSOC_ADMIN_PASSWORD or stdin)',
    );
    return false;
  }
  const email = `admin@${config.school.defaultDomain}`;
  const password = generatePassword(20);
  await initialiseData(config, handle, { email, password, mustChangePassword: true });
  out.print('');
  out.print('  First admin account created (shown only this once):');
  out.print(`    email:    ${email}`);
  out.print(`    password: ${password}`);
  out.print('  You will be asked to choose a new password after logging in.');
  out.print('');
  return true;
}
