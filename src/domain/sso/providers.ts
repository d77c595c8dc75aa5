// The identity providers schools sign in with (OpenID Connect), as the
// sign-in flow and the login page read them. Each belongs to one school and
// lists the email domains it may vouch for. Presets fill in the issuer of the
// two providers schools use most; any other OpenID provider works as "oidc".
import type { Db, DbOrTrx } from '../../db/index.js';
import type { SsoProviderKind } from '../../db/schema.js';
import { openSecret } from './secret-box.js';

export const PROVIDER_KINDS: readonly SsoProviderKind[] = ['microsoft', 'google', 'oidc'];

export interface ProviderPreset {
  kind: SsoProviderKind;
  label: string;
  /** The issuer, with "{tenant}" where the school's directory (tenant) id goes. */
  issuerTemplate: string | null;
}

export const PRESETS: Record<SsoProviderKind, ProviderPreset> = {
  // Microsoft Entra ID (Microsoft 365): the issuer of one school's tenant, never "common" or
  // "organizations", so only that directory's accounts are accepted.
  microsoft: {
    kind: 'microsoft',
    label: 'Microsoft',
    issuerTemplate: 'https://login.microsoftonline.com/{tenant}/v2.0',
  },
  google: { kind: 'google', label: 'Google', issuerTemplate: 'https://accounts.google.com' },
  oidc: { kind: 'oidc', label: 'School account', issuerTemplate: null },
};

/**
 * Microsoft's shared "tenants", by name and by ID: each lets in accounts of any
 * directory (consumers: personal Microsoft accounts), never only the school's.
 * The consumers tenant's ID is what personal accounts' tokens carry as `tid`.
 */
export const MICROSOFT_CONSUMERS_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';
export const SHARED_MICROSOFT_TENANTS: Readonly<Record<string, string>> = {
  common: 'any Microsoft account in the world, work, school or personal',
  organizations: 'an account of any organisation’s directory, not only your school’s',
  consumers: 'personal Microsoft accounts only, never your school’s',
  [MICROSOFT_CONSUMERS_TENANT_ID]: 'personal Microsoft accounts only (this is the “consumers” directory’s ID)',
};

const GUID_SEGMENT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The directory (tenant) ID a Microsoft issuer names: the first part of its
 * path that is a GUID (`https://login.microsoftonline.com/<tenant>/v2.0`),
 * lower case; null when it names none.
 */
export function microsoftTenantOf(issuer: string): string | null {
  if (!URL.canParse(issuer)) return null;
  const segment = new URL(issuer).pathname.split('/').find((s) => GUID_SEGMENT.test(s));
  return segment ? segment.toLowerCase() : null;
}

/** A shared Microsoft tenant the issuer names (by name or ID), or null. */
export function sharedMicrosoftTenantOf(issuer: string): string | null {
  if (!URL.canParse(issuer)) return null;
  const segments = new URL(issuer).pathname.split('/').map((s) => s.toLowerCase());
  return segments.find((s) => Object.hasOwn(SHARED_MICROSOFT_TENANTS, s)) ?? null;
}

/** What the login page shows: one button per enabled provider. */
export interface ProviderButton {
  id: number;
  kind: SsoProviderKind;
  label: string;
  schoolId: number;
}

/** A provider as the sign-in flow needs it, with its client secret opened. */
export interface SignInProvider extends ProviderButton {
  issuer: string;
  clientId: string;
  /** Null when the stored secret cannot be opened (SECRET_KEY changed): the provider cannot be used. */
  clientSecret: string | null;
  allowedDomains: string[];
  /** The provider's school lets its pupils sign in with a password too. */
  schoolPasswordSignIn: boolean;
}

export function parseDomains(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
    .filter((d) => d.length > 0);
}

/** The address's domain is exactly one of the allowed ones (no subdomains, no look-alikes). */
export function emailDomainAllowed(email: string, allowed: readonly string[]): boolean {
  const at = email.lastIndexOf('@');
  if (at <= 0) return false;
  const domain = email.slice(at + 1).toLowerCase();
  return allowed.includes(domain);
}

export async function enabledProviderButtons(db: Db): Promise<ProviderButton[]> {
  const rows = await db
    .selectFrom('sso_providers')
    .select(['id', 'kind', 'label', 'school_id'])
    .where('enabled', '=', 1)
    .orderBy('label')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, label: r.label, schoolId: r.school_id }));
}

/** The provider by id, enabled or not (callers check `enabled` where it matters). */
export async function loadSignInProvider(
  db: DbOrTrx,
  secretKey: string,
  id: number,
): Promise<(SignInProvider & { enabled: boolean }) | null> {
  const row = await db
    .selectFrom('sso_providers')
    .innerJoin('schools', 'schools.id', 'sso_providers.school_id')
    .selectAll('sso_providers')
    .select('schools.password_sign_in')
    .where('sso_providers.id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    kind: row.kind,
    label: row.label,
    schoolId: row.school_id,
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecret: openSecret(secretKey, row.client_secret_enc),
    allowedDomains: parseDomains(row.allowed_domains),
    schoolPasswordSignIn: row.password_sign_in === 1,
    enabled: row.enabled === 1,
  };
}

/**
 * May this account sign in with a password? Not a pupil or teacher of a school
 * that switched password sign-in off. Admins always may: a broken provider
 * must never lock the people who can mend it out of the site.
 */
export async function passwordSignInAllowed(
  db: DbOrTrx,
  user: { is_admin: number; school_id: number | null },
): Promise<boolean> {
  if (user.is_admin === 1 || user.school_id === null) return true;
  const school = await db
    .selectFrom('schools')
    .select('password_sign_in')
    .where('id', '=', user.school_id)
    .executeTakeFirst();
  return !school || school.password_sign_in === 1;
}
