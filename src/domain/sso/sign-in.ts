// Signing in with a school's identity provider (OpenID Connect, authorization
// code flow with PKCE; ADR 031). Two steps, each a plain function the web
// layer calls:
// - startSignIn: the provider's metadata (discovered, kept an hour), a fresh
//   state, nonce and PKCE verifier; the pending sign-in stored server-side
//   (only the state's hash), the address to send the browser to.
// - finishSignIn: the pending sign-in consumed (once, atomically), the code
//   exchanged; openid-client checks the ID token's signature (the provider's
//   keys), issuer, audience, expiry and nonce; then our rules: an address
//   the provider vouches for, in one of the provider's domains; the account
//   found by its link, else by that address (linked), else made.
// Tokens and secrets are never logged, audited or shown.
import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Config } from '../../config/index.js';
import type { Db, DbOrTrx } from '../../db/index.js';
import { audit, type AuditActor } from '../audit.js';
import { normalizeEmail } from '../accounts/emails.js';
import { normalizeName } from '../accounts/names.js';
import { isUniqueViolation, setPassword } from '../accounts/users.js';
import {
  emailDomainAllowed,
  loadSignInProvider,
  microsoftTenantOf,
  sharedMicrosoftTenantOf,
  type SignInProvider,
} from './providers.js';
import { ACCOUNT_CLOSED_MESSAGE } from '../accounts/leavers.js';
import { queueMail } from '../mail/outbox.js';
import { schoolSignInLinkedMail } from '../mail/templates/school-sign-in-linked.js';

/** How long a sign-in may stay at the provider before it must start again. */
export const PENDING_SIGN_IN_MINUTES = 10;
/** How long discovered provider metadata is trusted before it is fetched again. */
export const METADATA_TTL_MS = 60 * 60 * 1000;
const DISCOVERY_TIMEOUT_SECONDS = 10;
export const SSO_SCOPE = 'openid email profile';
/** The longest subject ("sub") kept; OpenID Connect allows 255 ASCII characters. */
export const SUBJECT_MAX = 255;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', '::1', 'localhost']);

/** A failed step: what the person is told, and the reason the audit log keeps. */
export interface SignInFailure {
  ok: false;
  status: 400 | 403 | 502;
  /** Shown after "Sign-in with X did not work: ". */
  message: string;
  /** A short code for the audit log, e.g. "state-replayed", "domain-not-allowed". */
  reason: string;
  providerId: number | null;
  providerLabel: string | null;
  /** An account the attempt was about (wrong school, archived), for the audit entry. */
  userId?: number | null;
  email?: string | null;
  /**
   * A callback that matches no sign-in started here (no state, an unknown or
   * used one) changes nothing, not even the audit log: anyone can send such a
   * link, any number of times. The request log keeps it.
   */
  unaudited?: boolean;
}

const fail = (
  status: SignInFailure['status'],
  reason: string,
  message: string,
  provider: { id: number; label: string } | null,
  extra: Partial<SignInFailure> = {},
): SignInFailure => ({
  ok: false,
  status,
  reason,
  message,
  providerId: provider?.id ?? null,
  providerLabel: provider?.label ?? null,
  ...extra,
});

export const stateHash = (state: string): string => createHash('sha256').update(state).digest('hex');

/**
 * The issuer may be used: https, or http to this machine itself outside
 * production (how the tests run a provider). A Microsoft issuer must name the
 * school's own directory (tenant) by its ID, never "common", "organizations"
 * or "consumers" (by name or by ID), which accept accounts of any directory.
 */
export function issuerProblem(issuer: string, kind: SignInProvider['kind'], config: Pick<Config, 'profile'>) {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'its issuer is not a web address';
  }
  if (url.protocol === 'http:') {
    if (config.profile === 'production' || !LOOPBACK_HOSTS.has(url.hostname)) return 'its issuer must use https';
  } else if (url.protocol !== 'https:') return 'its issuer must use https';
  if (kind === 'microsoft' && (sharedMicrosoftTenantOf(issuer) !== null || microsoftTenantOf(issuer) === null)) {
    return "its issuer must name the school's own Microsoft directory (tenant) by its ID, not a shared one";
  }
  return null;
}

const insecureAllowed = (issuer: string) => new URL(issuer).protocol === 'http:';

// Discovered metadata per provider, for an hour. The key holds the settings the
// metadata was made with, so an edited provider is discovered afresh at once.
interface CachedConfiguration {
  key: string;
  configuration: oidc.Configuration;
  expiresAt: number;
}
const configurations = new Map<number, CachedConfiguration>();

function cacheKey(p: SignInProvider): string {
  return createHash('sha256')
    .update(JSON.stringify([p.issuer, p.clientId, p.clientSecret]))
    .digest('hex');
}

/** Forgets a provider's metadata (after a failure, so the next attempt discovers it again). */
export function forgetProviderMetadata(providerId: number): void {
  configurations.delete(providerId);
}

async function providerConfiguration(p: SignInProvider & { clientSecret: string }): Promise<oidc.Configuration> {
  const key = cacheKey(p);
  const cached = configurations.get(p.id);
  if (cached && cached.key === key && cached.expiresAt > Date.now()) return cached.configuration;
  const configuration = await oidc.discovery(
    new URL(p.issuer),
    p.clientId,
    { client_secret: p.clientSecret },
    oidc.ClientSecretBasic(p.clientSecret),
    {
      execute: insecureAllowed(p.issuer) ? [oidc.allowInsecureRequests] : [],
      timeout: DISCOVERY_TIMEOUT_SECONDS,
    },
  );
  configurations.set(p.id, { key, configuration, expiresAt: Date.now() + METADATA_TTL_MS });
  return configuration;
}

/** The provider if it may be used now, or why not. */
async function usableProvider(
  db: DbOrTrx,
  config: Pick<Config, 'secretKey' | 'profile'>,
  providerId: number,
): Promise<{ ok: true; provider: SignInProvider & { clientSecret: string } } | SignInFailure> {
  const p = await loadSignInProvider(db, config.secretKey, providerId);
  if (!p) return fail(400, 'provider-unknown', 'this sign-in option does not exist.', null);
  if (!p.enabled) return fail(403, 'provider-disabled', 'this sign-in option is switched off.', p);
  if (p.clientSecret === null) {
    return fail(
      403,
      'provider-secret-unreadable',
      'the site cannot use this sign-in option until an administrator enters its client secret again.',
      p,
    );
  }
  const problem = issuerProblem(p.issuer, p.kind, config);
  if (problem) return fail(403, 'provider-issuer-refused', `this sign-in option cannot be used: ${problem}.`, p);
  return { ok: true, provider: { ...p, clientSecret: p.clientSecret } };
}

/**
 * The origins the login page's "Sign in with …" forms end up at: each enabled
 * provider's issuer and, once discovered, its authorization endpoint. The
 * browser applies the page's CSP form-action to the redirect that follows the
 * form's POST, so the login page must name them (ADR 031).
 */
export async function signInFormOrigins(db: Db, config: Pick<Config, 'profile'>): Promise<string[]> {
  const rows = await db.selectFrom('sso_providers').select(['id', 'kind', 'issuer']).where('enabled', '=', 1).execute();
  const origins = new Set<string>();
  for (const row of rows) {
    if (issuerProblem(row.issuer, row.kind, config) !== null) continue;
    origins.add(new URL(row.issuer).origin);
    const endpoint = configurations.get(row.id)?.configuration.serverMetadata().authorization_endpoint;
    if (endpoint && URL.canParse(endpoint)) origins.add(new URL(endpoint).origin);
  }
  return [...origins].sort();
}

export interface SignInStart {
  ok: true;
  /** The provider's authorization endpoint with our parameters: send the browser there. */
  redirectTo: string;
  /** The state, to bind this browser to the sign-in (a short-lived signed cookie). */
  state: string;
}

/** Begins a sign-in: stores the pending sign-in and gives the provider's address. */
export async function startSignIn(
  db: Db,
  config: Pick<Config, 'secretKey' | 'profile'>,
  providerId: number,
  opts: { redirectUri: string; next: string | null },
): Promise<SignInStart | SignInFailure> {
  const usable = await usableProvider(db, config, providerId);
  if (!usable.ok) return usable;
  const p = usable.provider;
  let configuration: oidc.Configuration;
  try {
    configuration = await providerConfiguration(p);
  } catch {
    forgetProviderMetadata(p.id);
    return fail(502, 'provider-unreachable', `the site could not reach ${p.label} just now. Try again in a minute.`, p);
  }
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const codeChallenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
  const now = new Date();
  await db.transaction().execute(async (trx) => {
    // Sign-ins never finished are swept away as new ones begin.
    await trx.deleteFrom('sso_logins').where('expires_at', '<=', now.toISOString()).execute();
    await trx
      .insertInto('sso_logins')
      .values({
        state_hash: stateHash(state),
        provider_id: p.id,
        nonce,
        code_verifier: codeVerifier,
        next_path: opts.next,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + PENDING_SIGN_IN_MINUTES * 60_000).toISOString(),
      })
      .execute();
  });
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: opts.redirectUri,
    scope: SSO_SCOPE,
    state,
    nonce,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  });
  return { ok: true, redirectTo: url.href, state };
}

/** The pending sign-in of this state, deleted in the same step: a state works once. */
async function consumePendingSignIn(db: Db, state: string) {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('sso_logins')
      .selectAll()
      .where('state_hash', '=', stateHash(state))
      .executeTakeFirst();
    if (!row) return null;
    const gone = await trx.deleteFrom('sso_logins').where('state_hash', '=', row.state_hash).executeTakeFirst();
    // Another request consumed it between our read and delete: it is theirs.
    if (Number(gone.numDeletedRows) !== 1) return null;
    return row;
  });
}

/** What the ID token says about the person, once our rules accept it. */
export interface VerifiedPerson {
  subject: string;
  email: string;
  firstName: string;
  lastName: string;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/**
 * Which address the provider vouches for, by kind (ADR 031):
 * - google: `email` with `email_verified` true, and `hd` (the Google Workspace
 *   domain) one of the allowed domains: a personal Google account made with a
 *   school address has no `hd`;
 * - microsoft: the tenant-specific issuer is the assurance (only that
 *   directory's accounts reach us), and the token's `tid` must be that
 *   directory's ID; `email`, else `preferred_username` when it is an address;
 *   `email_verified`, where sent, must be true;
 * - oidc: `email` with `email_verified` exactly true.
 * In every case the address's domain must be one of the provider's, and the
 * subject at most 255 characters (it is never cut: a cut one could match another).
 */
export function personFromClaims(
  p: Pick<SignInProvider, 'kind' | 'label' | 'id' | 'allowedDomains' | 'issuer'>,
  claims: Record<string, unknown>,
): VerifiedPerson | SignInFailure {
  const subject = text(claims.sub);
  if (!subject) return fail(400, 'subject-missing', `${p.label} did not say which account signed in.`, p);
  if (subject.length > SUBJECT_MAX) {
    return fail(
      400,
      'subject-too-long',
      `${p.label} named your account with an identifier longer than ${SUBJECT_MAX} characters, which this site cannot keep. Ask the school's IT staff.`,
      p,
    );
  }
  if (p.kind === 'microsoft') {
    // The issuer names the school's directory; the token must say it comes from that directory too.
    const tenant = microsoftTenantOf(p.issuer);
    const tid = text(claims.tid)?.toLowerCase() ?? null;
    if (tenant === null || tid !== tenant) {
      return fail(
        403,
        'tenant-mismatch',
        `the account is not one of the school's ${p.label} directory. Sign in with your school account.`,
        p,
      );
    }
  }
  let raw = text(claims.email);
  if (!raw && p.kind === 'microsoft') {
    const upn = text(claims.preferred_username);
    if (upn && /^[^@\s]+@[^@\s]+$/.test(upn)) raw = upn;
  }
  if (!raw) {
    return fail(
      400,
      'email-missing',
      `${p.label} did not share your email address, so the site cannot tell who you are.`,
      p,
    );
  }
  const email = normalizeEmail(raw);
  const verified = claims.email_verified;
  if (verified !== undefined && verified !== true && verified !== 'true') {
    return fail(403, 'email-unverified', `${p.label} has not confirmed that ${email} is yours.`, p, { email });
  }
  // Microsoft's "email domain owner verified" claim, where the directory sends it.
  if (p.kind === 'microsoft' && (claims.xms_edov === false || claims.xms_edov === 'false')) {
    return fail(403, 'email-unverified', `${p.label} has not confirmed that ${email} is yours.`, p, { email });
  }
  // Another provider that does not say it has confirmed the address is not trusted with it.
  if (p.kind === 'oidc' && verified !== true) {
    return fail(403, 'email-unverified', `${p.label} has not confirmed that ${email} is yours.`, p, { email });
  }
  if (p.kind === 'google') {
    if (verified === undefined) {
      return fail(403, 'email-unverified', `${p.label} has not confirmed that ${email} is yours.`, p, { email });
    }
    const hd = text(claims.hd)?.toLowerCase();
    if (!hd || !p.allowedDomains.includes(hd)) {
      return fail(
        403,
        'not-school-account',
        `${email} is not an account of the school's Google Workspace. Sign in with your school account.`,
        p,
        { email },
      );
    }
  }
  if (!emailDomainAllowed(email, p.allowedDomains)) {
    return fail(
      403,
      'domain-not-allowed',
      `${email} is not an address of this school (${p.allowedDomains.map((d) => `@${d}`).join(', ')}).`,
      p,
      { email },
    );
  }
  const local = email.slice(0, email.indexOf('@'));
  const name = text(claims.name) ?? '';
  const [first = '', ...rest] = name.split(/\s+/);
  const firstName = normalizeName(text(claims.given_name) ?? (first || local)).slice(0, 50) || 'Pupil';
  const lastName = normalizeName(text(claims.family_name) ?? rest.join(' ')).slice(0, 50) || '-';
  return { subject, email, firstName, lastName };
}

/** A password hash no password matches: the account signs in with its school account only. */
export function unusablePasswordHash(): string {
  return `!sso-only:${randomBytes(16).toString('hex')}`;
}

export interface SignInDone {
  ok: true;
  userId: number;
  email: string;
  providerId: number;
  providerLabel: string;
  /** Where to go next (already checked by the caller's safeNext when stored). */
  next: string | null;
  created: boolean;
  linked: boolean;
  /** The account's other sessions must end (an unconfirmed account was taken over). */
  endOtherSessions: boolean;
}

function describeProtocolError(err: unknown, label: string): { reason: string; message: string } {
  if (err instanceof oidc.AuthorizationResponseError) {
    if (err.error === 'access_denied') {
      return { reason: 'provider-access-denied', message: `you or ${label} cancelled the sign-in.` };
    }
    return { reason: `provider-error:${err.error.slice(0, 40)}`, message: `${label} refused the sign-in.` };
  }
  if (err instanceof oidc.ResponseBodyError) {
    return {
      reason: `token-error:${err.error.slice(0, 40)}`,
      message: `${label} would not complete the sign-in (it may have taken too long). Please try again.`,
    };
  }
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : '';
  if (code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' || /expir/i.test(message)) {
    return { reason: 'id-token-expired', message: `the answer from ${label} has expired. Please try again.` };
  }
  if (typeof code === 'string' && code.startsWith('OAUTH_')) {
    return {
      reason: `id-token-invalid:${code.slice(6, 46).toLowerCase()}`,
      message: `the answer from ${label} could not be verified.`,
    };
  }
  return { reason: 'provider-unreachable', message: `the site could not complete the sign-in with ${label}.` };
}

/**
 * Completes a sign-in from the provider's redirect. `callbackUrl` is the
 * redirect URI with the query the provider sent; `cookieState` is the state
 * this browser was given when it left (null: none).
 */
export async function finishSignIn(
  db: Db,
  config: Pick<Config, 'secretKey' | 'profile'>,
  opts: { callbackUrl: URL; cookieState: string | null; actor: AuditActor },
): Promise<SignInDone | SignInFailure> {
  const state = opts.callbackUrl.searchParams.get('state');
  if (!state || state.length > 200) {
    return fail(400, 'state-missing', 'the answer did not belong to a sign-in started here.', null, {
      unaudited: true,
    });
  }
  // Consumed first, whatever follows: a state is used once, even by a failure.
  const pending = await consumePendingSignIn(db, state);
  if (!pending) {
    return fail(
      400,
      'state-unknown',
      'this sign-in has already been used or was not started here. Start again from the login page.',
      null,
      { unaudited: true },
    );
  }
  const usable = await usableProvider(db, config, pending.provider_id);
  if (!usable.ok) return usable;
  const p = usable.provider;
  if (opts.cookieState === null || opts.cookieState !== state) {
    return fail(
      400,
      'state-other-browser',
      'it was started in another browser, or a newer sign-in replaced it. Start again from the login page.',
      p,
    );
  }
  if (pending.expires_at <= new Date().toISOString()) {
    return fail(400, 'state-expired', 'it took too long. Start again from the login page.', p);
  }

  let claims: Record<string, unknown>;
  try {
    const configuration = await providerConfiguration(p);
    const tokens = await oidc.authorizationCodeGrant(configuration, opts.callbackUrl, {
      pkceCodeVerifier: pending.code_verifier,
      expectedState: state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new Error('no ID token');
    claims = idClaims;
  } catch (err) {
    // Whatever went wrong, the next attempt starts from freshly discovered metadata and keys.
    if (!(err instanceof oidc.AuthorizationResponseError)) forgetProviderMetadata(p.id);
    const { reason, message } = describeProtocolError(err, p.label);
    const status = reason === 'provider-unreachable' ? 502 : reason.startsWith('provider-') ? 403 : 400;
    return fail(status, reason, message, p);
  }

  const person = personFromClaims(p, claims);
  if ('ok' in person) return person;
  try {
    return await resolveAccount(db, p, person, pending.next_path, opts.actor);
  } catch (err) {
    // Two sign-ins at once: the other attempt made the account, or linked it (to this or another
    // account of the provider: an account is linked to one account of each provider), first.
    if (isUniqueViolation(err)) {
      return fail(
        400,
        'account-race',
        `your account was being linked to ${p.label} by another sign-in at the same moment. Start again from the login page; if it is refused again, ask a teacher or administrator.`,
        p,
      );
    }
    throw err;
  }
}

/** The account was made by registering on the site (generally or for a competition). */
async function selfRegistered(trx: DbOrTrx, userId: number): Promise<boolean> {
  const row = await trx
    .selectFrom('audit_log')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('action', '=', 'account.register'), eb('target_id', '=', String(userId))]),
        eb.and([eb('action', '=', 'competition.register'), eb('actor_id', '=', userId)]),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** A school sign-in has vouched for the account before (linked now, or once: the audit log keeps it). */
async function everLinked(trx: DbOrTrx, userId: number): Promise<boolean> {
  const linked = await trx
    .selectFrom('user_identities')
    .select('id')
    .where('user_id', '=', userId)
    .limit(1)
    .executeTakeFirst();
  if (linked) return true;
  const audited = await trx
    .selectFrom('audit_log')
    .select('id')
    .where('action', '=', 'sso.account_linked')
    .where('target_id', '=', String(userId))
    .limit(1)
    .executeTakeFirst();
  return audited !== undefined;
}

/** Finds, links or makes the account, with its audit entries, in one transaction. */
async function resolveAccount(
  db: Db,
  p: SignInProvider,
  person: VerifiedPerson,
  next: string | null,
  actor: AuditActor,
): Promise<SignInDone | SignInFailure> {
  const now = new Date().toISOString();
  return db.transaction().execute(async (trx): Promise<SignInDone | SignInFailure> => {
    const done = (userId: number, email: string, extra: Partial<SignInDone> = {}): SignInDone => ({
      ok: true,
      userId,
      email,
      providerId: p.id,
      providerLabel: p.label,
      next,
      created: false,
      linked: false,
      endOtherSessions: false,
      ...extra,
    });
    const archived = (userId: number, email: string) =>
      fail(
        403,
        'account-archived',
        // The password login's words, after "Sign-in with … did not work: ".
        ACCOUNT_CLOSED_MESSAGE.charAt(0).toLowerCase() + ACCOUNT_CLOSED_MESSAGE.slice(1),
        p,
        { userId, email },
      );

    const identity = await trx
      .selectFrom('user_identities')
      .innerJoin('users', 'users.id', 'user_identities.user_id')
      .select(['user_identities.id as identityId', 'users.id as userId', 'users.email', 'users.archived_at'])
      .where('user_identities.provider_id', '=', p.id)
      .where('user_identities.subject', '=', person.subject)
      .executeTakeFirst();
    if (identity) {
      if (identity.archived_at !== null) return archived(identity.userId, identity.email);
      await trx
        .updateTable('user_identities')
        .set({ last_used_at: now, email: person.email })
        .where('id', '=', identity.identityId)
        .execute();
      return done(identity.userId, identity.email);
    }

    const existing = await trx
      .selectFrom('users')
      .select(['id', 'email', 'first_name', 'is_admin', 'archived_at', 'email_verified_at'])
      .where('email', '=', person.email)
      .executeTakeFirst();
    if (existing) {
      if (existing.archived_at !== null) return archived(existing.id, existing.email);
      if (existing.is_admin === 1) {
        // An administrator's account is too valuable to hand to whoever the provider vouches for.
        return fail(
          403,
          'admin-not-linked',
          "an administrator's account is not linked automatically: sign in with your password.",
          p,
          { userId: existing.id, email: existing.email },
        );
      }
      const other = await trx
        .selectFrom('user_identities')
        .select('id')
        .where('user_id', '=', existing.id)
        .where('provider_id', '=', p.id)
        .executeTakeFirst();
      if (other) {
        // The provider now names another account with this address (an address given to someone new):
        // it must not inherit the old account. An administrator decides.
        return fail(
          403,
          'linked-to-other-subject',
          `the account for ${person.email} is linked to a different ${p.label} account. Ask a teacher or administrator.`,
          p,
          { userId: existing.id, email: existing.email },
        );
      }
      // Someone may have registered this address before its owner: the provider proves the owner is
      // here, so whoever registered it loses the password and sessions. That is an account never
      // confirmed, or one made by registering on the site (confirmed at once when addresses need no
      // confirmation, REQUIRE_EMAIL_VERIFICATION=false) that no school sign-in has ever vouched for.
      const takenOver =
        existing.email_verified_at === null ||
        ((await selfRegistered(trx, existing.id)) && !(await everLinked(trx, existing.id)));
      await trx
        .insertInto('user_identities')
        .values({
          user_id: existing.id,
          provider_id: p.id,
          subject: person.subject,
          email: person.email,
          created_at: now,
          last_used_at: now,
        })
        .execute();
      if (takenOver) {
        await setPassword(trx, existing.id, unusablePasswordHash(), { mustChange: false });
        await trx
          .updateTable('users')
          .set({ email_verified_at: now, updated_at: now })
          .where('id', '=', existing.id)
          .execute();
      }
      await audit(
        trx,
        { ...actor, id: existing.id, email: existing.email },
        {
          action: 'sso.account_linked',
          targetType: 'user',
          targetId: existing.id,
          details: { provider: p.label, providerId: p.id, confirmedAndPasswordRemoved: takenOver },
        },
      );
      await queueMail(
        trx,
        schoolSignInLinkedMail({
          to: existing.email,
          firstName: existing.first_name,
          provider: p.label,
          passwordRemoved: takenOver,
        }),
      );
      return done(existing.id, existing.email, { linked: true, endOtherSessions: takenOver });
    }

    const user = await trx
      .insertInto('users')
      .values({
        email: person.email,
        first_name: person.firstName,
        last_name: person.lastName,
        password_hash: unusablePasswordHash(),
        year_group: null,
        key_stage: null,
        maths_class: null,
        school_id: p.schoolId,
        user_type: 'student',
        is_admin: 0,
        is_participant: 0,
        must_change_password: 0,
        email_verified_at: now,
        created_at: now,
        updated_at: now,
        last_login_at: null,
        password_changed_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('user_identities')
      .values({
        user_id: user.id,
        provider_id: p.id,
        subject: person.subject,
        email: person.email,
        created_at: now,
        last_used_at: now,
      })
      .execute();
    await audit(
      trx,
      { ...actor, id: user.id, email: person.email },
      {
        action: 'sso.account_created',
        targetType: 'user',
        targetId: user.id,
        details: { provider: p.label, providerId: p.id, schoolId: p.schoolId },
      },
    );
    return done(user.id, person.email, { created: true });
  });
}
