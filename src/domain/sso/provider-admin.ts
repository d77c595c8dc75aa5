// The admin side of single sign-on (ADR 036): the identity providers of a
// school (create, edit, enable, disable, delete), "Check connection", and the
// school's switch "may also sign in with a password". The client secret is
// write-only: sealed with a key derived from SECRET_KEY (secret-box.ts), left
// as it is when an edit leaves the field blank, and never shown, logged or put
// in an audit entry. Every change is one transaction with its audit entry and
// starts by touching the school's row, so two changes to one school's sign-in
// take turns (the last enabled provider is never disabled while the switch is
// being turned off).
import { allowInsecureRequests, discovery } from 'openid-client';
import { z } from 'zod';
import type { Db, DbOrTrx } from '../../db/index.js';
import type { SsoProviderKind, SsoProvidersTable } from '../../db/schema.js';
import type { Selectable, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { field, fieldErrors, formOutcome, type FieldErrors, type FormOutcome } from '../../lib/forms.js';
import { audit, type AuditActor } from '../audit.js';
import { DOMAIN_PATTERN, findSchool } from '../schools.js';
import {
  parseDomains,
  PRESETS,
  PROVIDER_KINDS,
  SHARED_MICROSOFT_TENANTS,
  sharedMicrosoftTenantOf,
} from './providers.js';
import { openSecret, sealSecret } from './secret-box.js';

type Trx = Transaction<Database>;
type ProviderRow = Selectable<SsoProvidersTable>;

export const LABEL_MAX = 60;
export const CLIENT_ID_MAX = 255;
export const CLIENT_SECRET_MAX = 2000;
export const ISSUER_MAX = 500;
export const DOMAINS_MAX = 20;

/** Where the sign-in flow's callback is: the redirect URI each provider must know. */
export const SSO_CALLBACK_PATH = '/login/sso/callback';

/** Seconds "Check connection" (and looking up a Microsoft domain) waits for an answer. */
export const DISCOVERY_TIMEOUT_SECONDS = 10;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MICROSOFT_ORIGIN = 'https://login.microsoftonline.com';
const MICROSOFT_ISSUER = /^https:\/\/login\.microsoftonline\.com\/([0-9a-f-]{36})\/v2\.0$/;

/**
 * Addresses anyone can open: a provider must never vouch for these (with
 * Google's shared issuer, "gmail.com" would let every Gmail account in).
 */
const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'live.com',
  'live.co.uk',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
]);

/** What the form re-renders (never the client secret). */
export type ProviderFormValues = {
  kind: string;
  label: string;
  /** Microsoft: the Directory (tenant) ID or a verified domain. */
  tenant: string;
  /** Another OpenID provider: its issuer URL. */
  issuer: string;
  client_id: string;
  allowed_domains: string;
};

export interface ProviderInput {
  kind: SsoProviderKind;
  label: string;
  issuer: string;
  clientId: string;
  /** Null on an edit that keeps the stored secret. */
  clientSecret: string | null;
  allowedDomains: string[];
}

/** Looks up which directory a Microsoft domain belongs to: the issuer its discovery document names. */
export type TenantResolver = (domain: string) => Promise<{ issuer: string } | { error: string }>;

export function isProviderKind(value: string): value is SsoProviderKind {
  return (PROVIDER_KINDS as readonly string[]).includes(value);
}

const oneLine = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim();

export function readProviderForm(body: unknown, kind: SsoProviderKind): ProviderFormValues {
  return {
    kind,
    label: oneLine(field(body, 'label')),
    tenant: field(body, 'tenant').trim().toLowerCase(),
    issuer: field(body, 'issuer').trim(),
    client_id: field(body, 'client_id').trim(),
    allowed_domains: parseDomains(field(body, 'allowed_domains')).join(', '),
  };
}

/** The form's values for an existing provider (the secret stays out). */
export function providerFormValues(p: ProviderRow): ProviderFormValues {
  return {
    kind: p.kind,
    label: p.label,
    tenant: p.kind === 'microsoft' ? (MICROSOFT_ISSUER.exec(p.issuer)?.[1] ?? '') : '',
    issuer: p.kind === 'oidc' ? p.issuer : '',
    client_id: p.client_id,
    allowed_domains: parseDomains(p.allowed_domains).join(', '),
  };
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/** Why an issuer URL of another OpenID provider cannot be used, or null. */
export function issuerError(raw: string, production: boolean): string | null {
  if (!raw) return 'Enter the provider’s issuer, for example https://id.your-school.org.';
  if (raw.length > ISSUER_MAX) return `The issuer must be at most ${ISSUER_MAX} characters.`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Enter the issuer as a full web address starting with https://.';
  }
  if (url.username || url.password) return 'The issuer must not contain a user name or password.';
  if (url.search || url.hash || raw.includes('?') || raw.includes('#'))
    return 'The issuer is the address without a query or #fragment: copy the “issuer” value of the provider’s discovery document.';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:') {
    if (production)
      return 'The issuer must start with https://: sign-in answers must not travel unencrypted. (http:// works only on this machine while testing.)';
    if (!isLoopbackHost(url.hostname))
      return 'The issuer must start with https://. Only a provider on this machine (localhost, 127.0.0.1) may use http:// while testing.';
    return null;
  }
  return 'Enter the issuer as a full web address starting with https://.';
}

/** Why the allowed-domain list cannot be used, or null. */
function domainsError(domains: readonly string[]): string | null {
  if (domains.length > DOMAINS_MAX) return `List at most ${DOMAINS_MAX} domains.`;
  for (const d of domains) {
    if (d.length > 253 || !DOMAIN_PATTERN.test(d))
      return `“${d}” is not an email domain: enter only the part after the @, for example school.org.`;
    if (PUBLIC_MAIL_DOMAINS.has(d))
      return `${d} is a public mail service: anyone can have an address there. List only your school’s own domains.`;
  }
  return null;
}

/** The Microsoft issuer for what the admin typed: a tenant ID, the issuer itself, or a verified domain. */
async function microsoftIssuer(raw: string, resolve: TenantResolver): Promise<{ issuer: string } | { error: string }> {
  if (!raw)
    return {
      error:
        'Enter the Directory (tenant) ID from the Overview page of Microsoft Entra ID, or a domain verified in it.',
    };
  const fromIssuer = MICROSOFT_ISSUER.exec(raw)?.[1];
  const tenant = fromIssuer ?? raw;
  const shared = Object.hasOwn(SHARED_MICROSOFT_TENANTS, tenant) ? SHARED_MICROSOFT_TENANTS[tenant] : undefined;
  if (shared)
    return {
      error: `“${tenant}” is not one school’s directory: it lets in ${shared}. Enter your school’s Directory (tenant) ID instead.`,
    };
  if (GUID.test(tenant)) return { issuer: PRESETS.microsoft.issuerTemplate!.replace('{tenant}', tenant) };
  if (tenant.length <= 253 && DOMAIN_PATTERN.test(tenant)) {
    // Microsoft signs with the directory's ID, never the domain: the issuer must name the ID.
    const found = await resolve(tenant);
    if ('error' in found)
      return {
        error: `Microsoft did not confirm a directory for ${tenant} (${found.error}). Enter the Directory (tenant) ID instead: it is on the Overview page of Microsoft Entra ID.`,
      };
    // A personal-mail domain (outlook.com, …) belongs to the consumers directory.
    const resolvedShared = sharedMicrosoftTenantOf(found.issuer);
    if (resolvedShared)
      return {
        error: `${tenant} is not one school’s directory: Microsoft files it under one that lets in ${SHARED_MICROSOFT_TENANTS[resolvedShared]}. Enter your school’s Directory (tenant) ID instead.`,
      };
    return found;
  }
  return {
    error:
      'Enter the Directory (tenant) ID, which looks like 1b2c3d4e-0000-4a5b-8c9d-0123456789ab, or a domain verified in your directory, such as school.org.',
  };
}

/** Asks Microsoft which directory a verified domain belongs to (its discovery document names the issuer). */
export const resolveMicrosoftTenant: TenantResolver = async (domain) => {
  const url = `${MICROSOFT_ORIGIN}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`;
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_SECONDS * 1000),
      redirect: 'error',
    });
    if (!res.ok) return { error: `Microsoft answered ${res.status}: no directory has this domain` };
    const doc = (await res.json()) as { issuer?: unknown };
    const issuer = typeof doc.issuer === 'string' ? doc.issuer : '';
    if (!MICROSOFT_ISSUER.test(issuer)) return { error: 'Microsoft’s answer named no directory' };
    return { issuer };
  } catch (err) {
    return { error: connectionError(err, new URL(url)) };
  }
};

/**
 * The provider form. `editing` keeps the stored secret when the field is
 * blank; allowed domains default to the school's email domain.
 */
export async function validateProviderForm(
  db: DbOrTrx,
  opts: {
    schoolId: number;
    kind: SsoProviderKind;
    editing: boolean;
    production: boolean;
    resolveTenant?: TenantResolver;
  },
  body: unknown,
): Promise<FormOutcome<ProviderInput, ProviderFormValues>> {
  const { kind } = opts;
  const values = readProviderForm(body, kind);
  const secret = field(body, 'client_secret').trim();
  const errors: FieldErrors = {};

  const schema = z.object({
    label: z.string().refine((v) => [...v].length <= LABEL_MAX, `The name must be at most ${LABEL_MAX} characters.`),
    client_id: z
      .string()
      .min(1, 'Enter the client ID (Microsoft: “Application (client) ID”; Google: “Client ID”).')
      .refine((v) => v.length <= CLIENT_ID_MAX, `The client ID must be at most ${CLIENT_ID_MAX} characters.`)
      .refine((v) => !/\s/.test(v), 'The client ID has no spaces: copy it again from the provider.'),
  });
  const checked = schema.safeParse(values);
  if (!checked.success) Object.assign(errors, fieldErrors(checked.error));

  if (!secret && !opts.editing) errors.client_secret = 'Enter the client secret (its value, not its ID).';
  else if (secret.length > CLIENT_SECRET_MAX)
    errors.client_secret = `The client secret must be at most ${CLIENT_SECRET_MAX} characters.`;
  else if (/\s/.test(secret))
    errors.client_secret = 'The client secret has no spaces: copy it again from the provider.';

  let issuer = '';
  if (kind === 'google') issuer = PRESETS.google.issuerTemplate!;
  else if (kind === 'oidc') {
    const problem = issuerError(values.issuer, opts.production);
    if (problem) errors.issuer = problem;
    else issuer = values.issuer;
  } else {
    const found = await microsoftIssuer(values.tenant, opts.resolveTenant ?? resolveMicrosoftTenant);
    if ('error' in found) errors.tenant = found.error;
    else issuer = found.issuer;
  }

  let domains = [...new Set(parseDomains(values.allowed_domains))];
  if (domains.length === 0) {
    const school = await findSchool(db, opts.schoolId);
    domains = school ? [school.email_domain] : [];
    values.allowed_domains = domains.join(', ');
  }
  const domainProblem =
    domains.length === 0 ? 'Enter the email domain of the school’s accounts.' : domainsError(domains);
  if (domainProblem) errors.allowed_domains = domainProblem;

  return formOutcome(values, errors, () => ({
    kind,
    label: values.label || PRESETS[kind].label,
    issuer,
    clientId: values.client_id,
    clientSecret: secret || null,
    allowedDomains: domains,
  }));
}

// ---------------------------------------------------------------- reading

export interface ProviderListing {
  id: number;
  kind: SsoProviderKind;
  label: string;
  issuer: string;
  clientId: string;
  allowedDomains: string[];
  enabled: boolean;
  /** False when the stored secret cannot be opened (SECRET_KEY changed): it must be entered again. */
  secretReadable: boolean;
  /** Accounts linked to this provider. */
  linkedAccounts: number;
  updatedAt: string;
}

export function findProvider(db: DbOrTrx, schoolId: number, id: number): Promise<ProviderRow | undefined> {
  return db
    .selectFrom('sso_providers')
    .selectAll()
    .where('id', '=', id)
    .where('school_id', '=', schoolId)
    .executeTakeFirst();
}

export async function schoolProviders(db: DbOrTrx, secretKey: string, schoolId: number): Promise<ProviderListing[]> {
  const rows = await db
    .selectFrom('sso_providers')
    .selectAll()
    .where('school_id', '=', schoolId)
    .orderBy('label')
    .orderBy('id')
    .execute();
  const links = await db
    .selectFrom('user_identities')
    .innerJoin('sso_providers', 'sso_providers.id', 'user_identities.provider_id')
    .select(['user_identities.provider_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('sso_providers.school_id', '=', schoolId)
    .groupBy('user_identities.provider_id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    label: r.label,
    issuer: r.issuer,
    clientId: r.client_id,
    allowedDomains: parseDomains(r.allowed_domains),
    enabled: r.enabled === 1,
    secretReadable: openSecret(secretKey, r.client_secret_enc) !== null,
    linkedAccounts: Number(links.find((l) => l.provider_id === r.id)?.n ?? 0),
    updatedAt: r.updated_at,
  }));
}

/** The labels of a school's enabled providers ("Sign in with …"), by name. */
export async function enabledProviderLabels(db: DbOrTrx, schoolId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('sso_providers')
    .select('label')
    .where('school_id', '=', schoolId)
    .where('enabled', '=', 1)
    .orderBy('label')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.label);
}

/** Enabled providers whose secret opens: the ones pupils can really sign in with. */
async function usableProviders(trx: DbOrTrx, secretKey: string, schoolId: number): Promise<number> {
  const rows = await trx
    .selectFrom('sso_providers')
    .select('client_secret_enc')
    .where('school_id', '=', schoolId)
    .where('enabled', '=', 1)
    .execute();
  return rows.filter((r) => openSecret(secretKey, r.client_secret_enc) !== null).length;
}

// ---------------------------------------------------------------- writing

/** Takes the school's row first: the school's sign-in changes run one after the other. */
async function lockSchool(trx: Trx, schoolId: number): Promise<{ name: string; password_sign_in: number } | null> {
  await trx
    .updateTable('schools')
    .set((eb) => ({ password_sign_in: eb.ref('password_sign_in') }))
    .where('id', '=', schoolId)
    .execute();
  const school = await trx
    .selectFrom('schools')
    .select(['name', 'password_sign_in'])
    .where('id', '=', schoolId)
    .executeTakeFirst();
  return school ?? null;
}

/** What an audit entry says of a provider: never its secret. */
function described(p: { kind: string; label: string; issuer: string; clientId: string; allowedDomains: string[] }) {
  return { kind: p.kind, label: p.label, issuer: p.issuer, clientId: p.clientId, allowedDomains: p.allowedDomains };
}

/** A new provider, disabled until an admin has checked its connection and enables it. */
export async function createProvider(
  db: Db,
  secretKey: string,
  schoolId: number,
  input: ProviderInput,
  actor: AuditActor,
): Promise<number | null> {
  if (input.clientSecret === null) throw new Error('a new provider needs its client secret');
  const sealed = sealSecret(secretKey, input.clientSecret);
  return db.transaction().execute(async (trx) => {
    if (!(await lockSchool(trx, schoolId))) return null;
    const now = new Date().toISOString();
    const row = await trx
      .insertInto('sso_providers')
      .values({
        school_id: schoolId,
        kind: input.kind,
        label: input.label,
        issuer: input.issuer,
        client_id: input.clientId,
        client_secret_enc: sealed,
        allowed_domains: input.allowedDomains.join(','),
        enabled: 0,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, actor, {
      action: 'sso.provider_created',
      targetType: 'sso_provider',
      targetId: row.id,
      details: { schoolId, ...described(input), enabled: false },
    });
    return row.id;
  });
}

/** Saves an edit; a null secret keeps the stored one. False when the provider is not the school's. */
export async function updateProvider(
  db: Db,
  secretKey: string,
  schoolId: number,
  id: number,
  input: ProviderInput,
  actor: AuditActor,
): Promise<boolean> {
  const sealed = input.clientSecret === null ? null : sealSecret(secretKey, input.clientSecret);
  return db.transaction().execute(async (trx) => {
    if (!(await lockSchool(trx, schoolId))) return false;
    const before = await findProvider(trx, schoolId, id);
    if (!before) return false;
    // Another issuer or client is another provider: its "sub" values name other people, so the
    // links made with the old one go (and its sign-ins on their way), or a new server's account
    // with an old subject would open someone else's account (ADR 036).
    let linksRemoved = 0;
    if (before.issuer !== input.issuer || before.client_id !== input.clientId) {
      await trx.deleteFrom('sso_logins').where('provider_id', '=', id).execute();
      const gone = await trx.deleteFrom('user_identities').where('provider_id', '=', id).executeTakeFirst();
      linksRemoved = Number(gone.numDeletedRows);
    }
    await trx
      .updateTable('sso_providers')
      .set({
        label: input.label,
        issuer: input.issuer,
        client_id: input.clientId,
        allowed_domains: input.allowedDomains.join(','),
        updated_at: new Date().toISOString(),
        ...(sealed === null ? {} : { client_secret_enc: sealed }),
      })
      .where('id', '=', id)
      .execute();
    await audit(trx, actor, {
      action: 'sso.provider_updated',
      targetType: 'sso_provider',
      targetId: id,
      details: {
        schoolId,
        before: described({
          kind: before.kind,
          label: before.label,
          issuer: before.issuer,
          clientId: before.client_id,
          allowedDomains: parseDomains(before.allowed_domains),
        }),
        after: described(input),
        secretReplaced: sealed !== null,
        linksRemoved,
      },
    });
    return true;
  });
}

export type ProviderChange =
  | { kind: 'done'; label: string }
  | { kind: 'missing' }
  /** Enabling a provider whose secret cannot be opened. */
  | { kind: 'secret-unreadable'; label: string }
  /** Disabling or deleting the last usable provider of a school whose pupils have no password sign-in. */
  | { kind: 'last-provider'; label: string; school: string };

/** Shows or hides the provider's button on the login page. */
export async function setProviderEnabled(
  db: Db,
  secretKey: string,
  schoolId: number,
  id: number,
  enabled: boolean,
  actor: AuditActor,
): Promise<ProviderChange> {
  return db.transaction().execute(async (trx): Promise<ProviderChange> => {
    const school = await lockSchool(trx, schoolId);
    const p = school ? await findProvider(trx, schoolId, id) : undefined;
    if (!school || !p) return { kind: 'missing' };
    const readable = openSecret(secretKey, p.client_secret_enc) !== null;
    if (enabled && !readable) return { kind: 'secret-unreadable', label: p.label };
    if (!enabled && p.enabled === 1 && readable && school.password_sign_in === 0) {
      if ((await usableProviders(trx, secretKey, schoolId)) <= 1)
        return { kind: 'last-provider', label: p.label, school: school.name };
    }
    if ((p.enabled === 1) === enabled) return { kind: 'done', label: p.label };
    await trx
      .updateTable('sso_providers')
      .set({ enabled: enabled ? 1 : 0, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
    await audit(trx, actor, {
      action: enabled ? 'sso.provider_enabled' : 'sso.provider_disabled',
      targetType: 'sso_provider',
      targetId: id,
      details: { schoolId, label: p.label },
    });
    return { kind: 'done', label: p.label };
  });
}

/** Deletes a provider; the accounts linked to it lose the link (and keep their other ways in). */
export async function deleteProvider(
  db: Db,
  secretKey: string,
  schoolId: number,
  id: number,
  actor: AuditActor,
): Promise<ProviderChange> {
  return db.transaction().execute(async (trx): Promise<ProviderChange> => {
    const school = await lockSchool(trx, schoolId);
    const p = school ? await findProvider(trx, schoolId, id) : undefined;
    if (!school || !p) return { kind: 'missing' };
    const usable = p.enabled === 1 && openSecret(secretKey, p.client_secret_enc) !== null;
    if (usable && school.password_sign_in === 0 && (await usableProviders(trx, secretKey, schoolId)) <= 1)
      return { kind: 'last-provider', label: p.label, school: school.name };
    const { n } = await trx
      .selectFrom('user_identities')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('provider_id', '=', id)
      .executeTakeFirstOrThrow();
    await trx.deleteFrom('sso_logins').where('provider_id', '=', id).execute();
    await trx.deleteFrom('user_identities').where('provider_id', '=', id).execute();
    await trx.deleteFrom('sso_providers').where('id', '=', id).execute();
    await audit(trx, actor, {
      action: 'sso.provider_deleted',
      targetType: 'sso_provider',
      targetId: id,
      details: {
        schoolId,
        ...described({
          kind: p.kind,
          label: p.label,
          issuer: p.issuer,
          clientId: p.client_id,
          allowedDomains: parseDomains(p.allowed_domains),
        }),
        linkedAccounts: Number(n),
      },
    });
    return { kind: 'done', label: p.label };
  });
}

export type PasswordSwitch =
  | { kind: 'done'; school: string; on: boolean }
  | { kind: 'missing' }
  /** Switching password sign-in off while no enabled provider could sign the pupils in. */
  | { kind: 'no-provider'; school: string };

/** The school's switch: may its pupils and teachers also sign in with a password? */
export async function setPasswordSignIn(
  db: Db,
  secretKey: string,
  schoolId: number,
  on: boolean,
  actor: AuditActor,
): Promise<PasswordSwitch> {
  return db.transaction().execute(async (trx): Promise<PasswordSwitch> => {
    const school = await lockSchool(trx, schoolId);
    if (!school) return { kind: 'missing' };
    if (!on && (await usableProviders(trx, secretKey, schoolId)) === 0)
      return { kind: 'no-provider', school: school.name };
    if ((school.password_sign_in === 1) === on) return { kind: 'done', school: school.name, on };
    await trx
      .updateTable('schools')
      .set({ password_sign_in: on ? 1 : 0 })
      .where('id', '=', schoolId)
      .execute();
    await audit(trx, actor, {
      action: 'sso.password_sign_in',
      targetType: 'school',
      targetId: schoolId,
      details: { passwordSignIn: on },
    });
    return { kind: 'done', school: school.name, on };
  });
}

// ---------------------------------------------------------------- checking the connection

export type ConnectionCheck =
  | { ok: true; authorizationEndpoint: string; discoveryUrl: string }
  | { ok: false; discoveryUrl: string; reason: string };

function discoveryUrlOf(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/** What an error thrown by fetch or openid-client may carry. */
interface ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  cause?: unknown;
}

const errorLike = (value: unknown): ErrorLike | null => (typeof value === 'object' && value !== null ? value : null);

/** A failed request in words: what did not answer, and how. */
function connectionError(err: unknown, url: URL): string {
  const e = errorLike(err);
  const cause = errorLike(e?.cause);
  const code = cause?.code ?? e?.code ?? '';
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || cause?.name === 'TimeoutError')
    return `no answer from ${url.host} within ${DISCOVERY_TIMEOUT_SECONDS} seconds`;
  if (code === 'ECONNREFUSED') return `nothing answers at ${url.host} (connection refused)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `there is no server called ${url.hostname}`;
  if (code === 'ECONNRESET') return `${url.host} closed the connection`;
  if (/CERT|SSL|TLS/i.test(code)) return `the certificate of ${url.host} is not trusted (${code})`;
  const detail = [e?.message, cause?.message].filter((m) => m && m !== 'fetch failed').join(': ');
  return detail || 'the request failed';
}

/** What openid-client's refusal of a discovery document means, in words. */
function discoveryError(err: unknown, issuer: string, url: URL): string {
  const e = errorLike(err);
  const status = (errorLike(e?.cause) as { status?: unknown } | null)?.status;
  if (e?.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && typeof status === 'number')
    return `${url.host} answered ${status} at ${url.pathname}, not a discovery document`;
  if (e?.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' || /issuer/i.test(e?.message ?? ''))
    return `the discovery document names another issuer than ${issuer}: copy the “issuer” value it shows exactly`;
  if (e?.code === 'OAUTH_PARSE_ERROR' || /JSON/i.test(e?.message ?? ''))
    return `${url.host} did not answer with a JSON discovery document`;
  if (e?.code?.startsWith('OAUTH_')) return e.message ?? 'the discovery document was refused';
  return connectionError(err, url);
}

/**
 * "Check connection": fetches the issuer's discovery document as the sign-in
 * flow will (openid-client), and says what it found. Changes nothing.
 */
export async function checkProviderConnection(issuer: string, opts: { production: boolean }): Promise<ConnectionCheck> {
  const discoveryUrl = discoveryUrlOf(issuer);
  const problem = issuerError(issuer, opts.production);
  if (problem) return { ok: false, discoveryUrl, reason: problem };
  const url = new URL(discoveryUrl);
  try {
    const config = await discovery(new URL(issuer), 'connection-check', undefined, undefined, {
      timeout: DISCOVERY_TIMEOUT_SECONDS,
      execute: url.protocol === 'http:' ? [allowInsecureRequests] : [],
    });
    const meta = config.serverMetadata();
    const missing = (['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const).filter((k) => !meta[k]);
    if (missing.length)
      return {
        ok: false,
        discoveryUrl,
        reason: `the discovery document lacks ${missing.join(', ')}: this provider cannot sign anyone in with OpenID Connect`,
      };
    return { ok: true, discoveryUrl, authorizationEndpoint: meta.authorization_endpoint! };
  } catch (err) {
    return { ok: false, discoveryUrl, reason: discoveryError(err, issuer, url) };
  }
}
