// The rules that keep a school sign-in from opening the wrong account (ADR 031,
// ADR 036), through the app and a real OpenID provider on loopback, on SQLite
// and PostgreSQL: Microsoft's shared tenants refused by name and by ID and a
// token of another directory refused; an edited issuer or client unlinking its
// accounts; a generic provider's unconfirmed address refused; no automatic link
// to an administrator; the owner told of a new link by email; a registration
// nobody proved taken back; an over-long subject refused; one link per account
// and provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../../src/domain/accounts/users.js';
import { sealSecret } from '../../../src/domain/sso/secret-box.js';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { startOidcProvider, type OidcAccount, type TestOidcProvider } from '../../helpers/oidc-provider.js';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtp.js';
import { addSchool, auditRows, decode, registration, SCHOOL_DOMAIN } from '../accounts/helpers.js';

const CALLBACK = 'http://localhost/login/sso/callback';
const CLIENT = { clientId: 'maths-site', clientSecret: 'client-secret-a-0123456789abcdef', redirectUris: [CALLBACK] };
const TENANT = '1b2c3d4e-0000-4a5b-8c9d-0123456789ab';
const OTHER_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CONSUMERS = '9188040d-6c67-4c5b-b112-36a304b66dad';

let n = 0;
const unique = () => `${++n}-${Math.random().toString(36).slice(2, 8)}`;

describe.each(await availableDialects())('school sign-in hardening on %s', (dialect) => {
  let t: TestApp;
  let idp: TestOidcProvider;
  /** A second server with the same client: another provider whose "sub" values name other people. */
  let otherIdp: TestOidcProvider;
  /** A Microsoft-like provider: its issuer names the school's directory, `/<tenant>/v2.0`. */
  let microsoftIdp: TestOidcProvider;
  let schoolId: number;
  let admin: TestClient;
  let smtp: TestSmtp;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp(dialect, { SMTP_URL: smtp.url });
    schoolId = await addSchool(t);
    idp = await startOidcProvider({ clients: [CLIENT] });
    otherIdp = await startOidcProvider({ clients: [CLIENT] });
    microsoftIdp = await startOidcProvider({ clients: [CLIENT], path: `/${TENANT}/v2.0` });
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await idp?.close();
    await otherIdp?.close();
    await microsoftIdp?.close();
    await t?.close();
    await smtp?.close();
  });

  async function addProvider(fields: { issuer?: string; kind?: 'oidc' | 'microsoft' } = {}): Promise<number> {
    const now = new Date().toISOString();
    const row = await t.db
      .insertInto('sso_providers')
      .values({
        school_id: schoolId,
        kind: fields.kind ?? 'oidc',
        label: `School login ${unique()}`,
        issuer: fields.issuer ?? idp.issuer,
        client_id: CLIENT.clientId,
        client_secret_enc: sealSecret(t.config.secretKey, CLIENT.clientSecret),
        allowed_domains: SCHOOL_DOMAIN,
        enabled: 1,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  function person(server: TestOidcProvider, fields: Partial<OidcAccount> = {}): OidcAccount {
    const id = unique();
    const account: OidcAccount = {
      sub: `sub-${id}`,
      email: `pupil-${id}@${SCHOOL_DOMAIN}`,
      email_verified: true,
      given_name: 'Priya',
      family_name: 'Patel',
      ...fields,
    };
    server.addAccount(account);
    return account;
  }

  /** A whole sign-in in browser `c`: start, the provider's login page, back to the app. */
  async function signIn(c: TestClient, server: TestOidcProvider, providerId: number, account: OidcAccount) {
    const res = await c.post(`/login/sso/${providerId}`, {});
    expect(res.statusCode).toBe(303);
    const back = new URL(await server.signIn(String(res.headers.location), account.sub));
    expect(back.origin + back.pathname).toBe(CALLBACK);
    return c.get(back.pathname + back.search);
  }

  const userByEmail = (email: string) =>
    t.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const identities = (providerId: number) =>
    t.db
      .selectFrom('user_identities')
      .select(['user_id', 'subject'])
      .where('provider_id', '=', providerId)
      .orderBy('id')
      .execute();
  const lastFailure = async () =>
    JSON.parse((await auditRows(t, 'login.failure')).at(-1)!.details!) as { reason: string };
  const mailsTo = (address: string) =>
    t.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', address).orderBy('id').execute();
  const passwordWorks = async (email: string, password = TEST_PASSWORD) =>
    (await t.client().post('/login', { email, password })).statusCode === 303;

  describe('Microsoft: only the school’s own directory', () => {
    it('signs in an account whose token names the issuer’s directory (tid)', async () => {
      const providerId = await addProvider({ kind: 'microsoft', issuer: microsoftIdp.issuer });
      const address = `upn-${unique()}@${SCHOOL_DOMAIN}`;
      // Entra sends no email claim for many accounts: the sign-in name is the address.
      const account = person(microsoftIdp, {
        email: undefined,
        email_verified: undefined,
        preferred_username: address,
        tid: TENANT.toUpperCase(),
      });
      const res = await signIn(t.client(), microsoftIdp, providerId, account);
      expect(res.statusCode).toBe(303);
      expect(await userByEmail(address)).toBeTruthy();
    });

    it('refuses a token of another directory, or one that names none, creating nothing', async () => {
      const providerId = await addProvider({ kind: 'microsoft', issuer: microsoftIdp.issuer });
      for (const tid of [OTHER_TENANT, CONSUMERS, undefined]) {
        const account = person(microsoftIdp, { tid });
        const c = t.client();
        const res = await signIn(c, microsoftIdp, providerId, account);
        expect(res.statusCode).toBe(403);
        expect(decode(res.body)).toContain("the account is not one of the school's");
        expect(await userByEmail(account.email!)).toBeUndefined();
        expect(await identities(providerId)).toEqual([]);
        expect(await lastFailure()).toMatchObject({ reason: 'tenant-mismatch' });
        expect((await c.get('/profile')).statusCode).not.toBe(200);
      }
    });

    it('refuses a provider whose issuer names the consumers tenant by its ID, or by name, or no tenant, storing nothing', async () => {
      const origin = new URL(microsoftIdp.issuer).origin;
      for (const issuer of [
        `${origin}/${CONSUMERS}/v2.0`,
        `${origin}/${CONSUMERS.toUpperCase()}/v2.0`,
        `${origin}/consumers/v2.0`,
        idp.issuer,
      ]) {
        const providerId = await addProvider({ kind: 'microsoft', issuer });
        const res = await t.client().post(`/login/sso/${providerId}`, {});
        expect(res.statusCode).toBe(403);
        expect(decode(res.body)).toContain("its issuer must name the school's own Microsoft directory");
        expect(
          await t.db.selectFrom('sso_logins').select('state_hash').where('provider_id', '=', providerId).execute(),
        ).toEqual([]);
      }
    });

    it('the admin form refuses the consumers tenant’s ID as it refuses its name', async () => {
      const before = await t.db.selectFrom('sso_providers').select('id').execute();
      for (const tenant of [
        CONSUMERS,
        CONSUMERS.toUpperCase(),
        `https://login.microsoftonline.com/${CONSUMERS}/v2.0`,
      ]) {
        const res = await admin.post(`/admin/schools/${schoolId}/sign-in/new`, {
          kind: 'microsoft',
          tenant,
          client_id: 'app-client-id',
          client_secret: 'Xq8~sso-client-secret-VALUE-4242',
        });
        expect(res.statusCode).toBe(400);
        expect(decode(res.body)).toContain(
          'is not one school’s directory: it lets in personal Microsoft accounts only',
        );
      }
      expect(await t.db.selectFrom('sso_providers').select('id').execute()).toEqual(before);
    });
  });

  describe('an edited issuer or client is another provider', () => {
    const editForm = (issuer: string, clientId = CLIENT.clientId, label = 'Trust ID') => ({
      label,
      issuer,
      client_id: clientId,
      client_secret: '',
      allowed_domains: SCHOOL_DOMAIN,
    });

    it('warns on the edit page, and unlinks every account when the issuer changes, so the new server’s same sub opens no old account', async () => {
      const providerId = await addProvider();
      const first = person(idp);
      await signIn(t.client(), idp, providerId, first);
      const old = (await userByEmail(first.email!))!;
      expect(await identities(providerId)).toEqual([{ user_id: old.id, subject: first.sub }]);
      // A sign-in on its way to the old server.
      expect((await t.client().post(`/login/sso/${providerId}`, {})).statusCode).toBe(303);

      const page = decode((await admin.get(`/admin/schools/${schoolId}/sign-in/${providerId}/edit`)).body);
      expect(page).toContain('every account linked to it is unlinked when you save');

      // A label alone keeps the links.
      const relabelled = await admin.post(
        `/admin/schools/${schoolId}/sign-in/${providerId}/edit`,
        editForm(idp.issuer, CLIENT.clientId, 'Trust ID (pupils)'),
      );
      expect(relabelled.statusCode).toBe(303);
      expect(await identities(providerId)).toHaveLength(1);

      const moved = await admin.post(
        `/admin/schools/${schoolId}/sign-in/${providerId}/edit`,
        editForm(otherIdp.issuer),
      );
      expect(moved.statusCode).toBe(303);
      expect(await identities(providerId)).toEqual([]);
      expect(
        await t.db.selectFrom('sso_logins').select('state_hash').where('provider_id', '=', providerId).execute(),
      ).toEqual([]);
      const updates = (await auditRows(t, 'sso.provider_updated')).filter((r) => r.target_id === String(providerId));
      expect(updates.map((u) => (JSON.parse(u.details!) as { linksRemoved: number }).linksRemoved)).toEqual([0, 1]);

      // Someone else on the new server happens to have the same sub: they get their own account.
      const stranger = person(otherIdp, { sub: first.sub });
      const c = t.client();
      expect((await signIn(c, otherIdp, providerId, stranger)).statusCode).toBe(303);
      const theirs = (await userByEmail(stranger.email!))!;
      expect(theirs.id).not.toBe(old.id);
      expect(await identities(providerId)).toEqual([{ user_id: theirs.id, subject: first.sub }]);
    });

    it('unlinks when the client ID changes', async () => {
      const providerId = await addProvider();
      await signIn(t.client(), idp, providerId, person(idp));
      const res = await admin.post(
        `/admin/schools/${schoolId}/sign-in/${providerId}/edit`,
        editForm(idp.issuer, 'another-client'),
      );
      expect(res.statusCode).toBe(303);
      expect(await identities(providerId)).toEqual([]);
    });
  });

  describe('linking by address', () => {
    it('refuses an address a generic provider does not say it has confirmed (no email_verified)', async () => {
      const providerId = await addProvider();
      for (const email_verified of [undefined, false]) {
        const account = person(idp, { email_verified });
        const res = await signIn(t.client(), idp, providerId, account);
        expect(res.statusCode).toBe(403);
        expect(decode(res.body)).toContain(`has not confirmed that ${account.email} is yours`);
        expect(await userByEmail(account.email!)).toBeUndefined();
      }
    });

    it('never links an administrator’s account by its address; the password still works', async () => {
      const providerId = await addProvider();
      const boss = await t.createUser({ email: `head-${unique()}@${SCHOOL_DOMAIN}`, isAdmin: true, schoolId });
      const c = t.client();
      const res = await signIn(c, idp, providerId, person(idp, { email: boss.email }));
      expect(res.statusCode).toBe(403);
      expect(decode(res.body)).toContain(
        "an administrator's account is not linked automatically: sign in with your password",
      );
      expect(await identities(providerId)).toEqual([]);
      expect((await c.get('/profile')).statusCode).not.toBe(200);
      expect(await lastFailure()).toMatchObject({ reason: 'admin-not-linked' });
      expect(await passwordWorks(boss.email)).toBe(true);
    });

    it('links a teacher’s account by its address, keeps its password and tells its owner by email', async () => {
      const providerId = await addProvider();
      const teacher = await t.createUser({ email: `teacher-${unique()}@${SCHOOL_DOMAIN}`, teacher: true, schoolId });
      const res = await signIn(t.client(), idp, providerId, person(idp, { email: teacher.email }));
      expect(res.statusCode).toBe(303);
      expect(await identities(providerId)).toHaveLength(1);
      expect(await passwordWorks(teacher.email)).toBe(true);
      const label = (
        await t.db.selectFrom('sso_providers').select('label').where('id', '=', providerId).executeTakeFirstOrThrow()
      ).label;
      expect((await mailsTo(teacher.email)).map((m) => m.kind)).toEqual(['school-sign-in-linked']);
      const mail = await smtp.waitForMail({ to: teacher.email });
      expect(mail.subject).toBe(`Your Maths Society account can now be opened with ${label}`);
      expect(mail.text).toContain(
        `Your Maths Society account can now be opened with ${label}; if this was not you, tell the school.`,
      );
      expect(mail.text).not.toContain('password has been removed');
      // Signing in again by the link tells nobody anything new.
      await signIn(t.client(), idp, providerId, { sub: (await identities(providerId))[0]!.subject });
      expect(await mailsTo(teacher.email)).toHaveLength(1);
    });

    it('takes back a registration nobody proved (addresses need no confirmation): password removed, sessions ended, owner told', async () => {
      expect(t.config.mail.requireVerification).toBe(false);
      const providerId = await addProvider();
      const email = `squatted-${unique()}@${SCHOOL_DOMAIN}`;
      const squatter = t.client();
      expect((await squatter.post('/register', registration({ email }))).statusCode).toBe(303);
      const registered = (await userByEmail(email))!;
      // Confirmed at once: the address was never proved.
      expect(registered.email_verified_at).not.toBeNull();
      expect((await squatter.get('/profile')).statusCode).toBe(200);

      const owner = t.client();
      expect((await signIn(owner, idp, providerId, person(idp, { email }))).statusCode).toBe(303);
      expect((await owner.get('/profile')).statusCode).toBe(200);
      expect((await squatter.get('/profile')).headers.location).toMatch(/^\/login/);
      expect(await passwordWorks(email, registration().password)).toBe(false);
      const linked = (await auditRows(t, 'sso.account_linked')).at(-1)!;
      expect(JSON.parse(linked.details!)).toMatchObject({ confirmedAndPasswordRemoved: true });
      expect((await mailsTo(email)).filter((m) => m.kind === 'school-sign-in-linked')).toHaveLength(1);
      const mail = await smtp.waitForMail({ to: email, subject: 'can now be opened with' });
      expect(mail.text).toContain('its password has been removed and every device signed out');
    });
  });

  describe('subjects', () => {
    it('refuses a subject longer than 255 characters instead of cutting it', async () => {
      const providerId = await addProvider();
      const account = person(idp, { sub: `s${'x'.repeat(255)}` });
      const res = await signIn(t.client(), idp, providerId, account);
      expect(res.statusCode).toBe(400);
      expect(decode(res.body)).toContain('an identifier longer than 255 characters');
      expect(await userByEmail(account.email!)).toBeUndefined();
      expect(await identities(providerId)).toEqual([]);
      expect(await lastFailure()).toMatchObject({ reason: 'subject-too-long' });
    });

    it('keeps at most one link per account and provider (the key a racing second link runs into)', async () => {
      const providerId = await addProvider();
      const account = person(idp);
      await signIn(t.client(), idp, providerId, account);
      const user = (await userByEmail(account.email!))!;
      const now = new Date().toISOString();
      const second = t.db
        .insertInto('user_identities')
        .values({
          user_id: user.id,
          provider_id: providerId,
          subject: `another-${account.sub}`,
          email: account.email!,
          created_at: now,
          last_used_at: now,
        })
        .execute();
      const err = await second.then(
        () => null,
        (e: unknown) => e,
      );
      expect(isUniqueViolation(err)).toBe(true);
      expect(await identities(providerId)).toEqual([{ user_id: user.id, subject: account.sub }]);
    });
  });
});
