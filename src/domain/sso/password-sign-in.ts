// A school that switched password sign-in off (ADR 036): its pupils and
// teachers sign in with the school's provider only. What the login form, the
// "forgot your password" email and registration tell them. Admins are never
// refused (passwordSignInAllowed): a broken provider must not lock out the
// people who can mend it.
import type { DbOrTrx } from '../../db/index.js';
import { enabledProviderLabels } from './provider-admin.js';
import { passwordSignInAllowed } from './providers.js';

/** "Microsoft", "Google or Microsoft"; "school" when no provider is enabled (a state the admin pages refuse). */
export function providerNames(labels: readonly string[]): string {
  if (labels.length === 0) return 'school';
  if (labels.length === 1) return labels[0]!;
  return `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]!}`;
}

/**
 * Null when the account may sign in with a password; otherwise the names of
 * its school's providers, for the message.
 */
export async function passwordSignInRefusal(
  db: DbOrTrx,
  user: { is_admin: number; school_id: number | null },
): Promise<{ providers: string } | null> {
  if (await passwordSignInAllowed(db, user)) return null;
  return { providers: providerNames(await enabledProviderLabels(db, user.school_id!)) };
}

/** The login form's answer to the right password of such an account. */
export const passwordOffMessage = (providers: string) =>
  `Your school signs in with its ${providers} account: use the button below.`;

/** Registration with a password for an address of such a school. */
export async function registrationRefusal(db: DbOrTrx, schoolId: number): Promise<string | null> {
  const school = await db
    .selectFrom('schools')
    .select(['name', 'password_sign_in'])
    .where('id', '=', schoolId)
    .executeTakeFirst();
  if (!school || school.password_sign_in === 1) return null;
  const providers = providerNames(await enabledProviderLabels(db, schoolId));
  return `${school.name} signs in with its ${providers} accounts, not with passwords: use your school’s sign-in button on the login page instead of registering.`;
}
