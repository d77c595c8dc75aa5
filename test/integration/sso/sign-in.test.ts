// Signing in with a school account, through the app (app.inject) and a real
// OpenID provider over HTTP (test/helpers/oidc-provider.ts): the happy paths,
// account linking and the safe take-over of an unconfirmed account, and every
// way a sign-in must be refused with nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealSecret } from '../../../src/domain/sso/secret-box.js';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import {
  startOidcProvider,
  startOidcProviderProcess,
  type OidcAccount,
  type TestOidcProvider,
} from '../../helpers/oidc-provider.js';
import { addSchool, auditRows, decode, SCHOOL_DOMAIN } from '../accounts/helpers.js';

const CALLBACK = 'http://localhost/login/sso/callback';
const CLIENT_A = { clientId: 'maths-site', clientSecret: 'client-secret-a-0123456789abcdef', redirectUris: [CALLBACK] };
const CLIENT_B = { clientId: 'other-site', clientSecret: 'client-secret-b-0123456789abcdef', redirectUris: [CALLBACK] };
const STATE_COOKIE = 'mathsoc_sso';
const SESSION_COOKIE = 'mathsoc_session';

let n = 0;
const unique = () => `${++n}-${Math.random().toString(36).slice(2, 8)}`;

describe.each(await availableDialects())('sign-in with a school account on %s', (dialect) => {
  let t: TestApp;
  let idp: TestOidcProvider;
  let schoolId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    schoolId = await addSchool(t);
    idp = await startOidcProvider({ clients: [CLIENT_A, CLIENT_B] });
  });
  afterAll(async () => {
    await idp?.close();
    await t?.close();
  });

  async function addProvider(
    fields: Partial<{
      issuer: string;
      kind: 'oidc' | 'google' | 'microsoft';
      label: string;
      client: typeof CLIENT_A;
      domains: string;
      enabled: boolean;
      sealedSecret: string;
    }> = {},
  ): Promise<number> {
    const now = new Date().toISOString();
    const client = fields.client ?? CLIENT_A;
    const row = await t.db
      .insertInto('sso_providers')
      .values({
        school_id: schoolId,
        kind: fields.kind ?? 'oidc',
        label: fields.label ?? `School login ${unique()}`,
        issuer: fields.issuer ?? idp.issuer,
        client_id: client.clientId,
        client_secret_enc: fields.sealedSecret ?? sealSecret(t.config.secretKey, client.clientSecret),
        allowed_domains: fields.domains ?? SCHOOL_DOMAIN,
        enabled: fields.enabled === false ? 0 : 1,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  function pupil(fields: Partial<OidcAccount> = {}): OidcAccount {
    const id = unique();
    const account: OidcAccount = {
      sub: `sub-${id}`,
      email: `pupil-${id}@${SCHOOL_DOMAIN}`,
      email_verified: true,
      given_name: 'Priya',
      family_name: 'Patel',
      ...fields,
    };
    idp.addAccount(account);
    return account;
  }

  /** Presses "Sign in with …": the app's answer and where it sends the browser. */
  async function start(c: TestClient, providerId: number, next?: string) {
    const res = await c.post(`/login/sso/${providerId}`, next === undefined ? {} : { next });
    return { res, location: String(res.headers.location ?? '') };
  }

  /** The provider's redirect back, opened in the browser `c`. */
  const callback = (c: TestClient, url: string) => {
    const u = new URL(url);
    expect(u.origin + u.pathname).toBe(CALLBACK);
    return c.get(u.pathname + u.search);
  };

  /** A whole sign-in: start, the provider's login page, back to the app. */
  async function signIn(c: TestClient, providerId: number, account: OidcAccount, next?: string) {
    const { res, location } = await start(c, providerId, next);
    expect(res.statusCode).toBe(303);
    return callback(c, await idp.signIn(location, account.sub));
  }

  const countUsers = async () =>
    Number(
      (
        await t.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const userByEmail = (email: string) =>
    t.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const signedIn = async (c: TestClient) => (await c.get('/profile')).statusCode === 200;
  const failures = async () => (await auditRows(t, 'login.failure')).map((r) => JSON.parse(r.details!) as object);
  const lastFailure = async () => (await failures()).at(-1);

  it('shows one "Sign in with" button per enabled provider on the login page, keeping next', async () => {
    const shown = await addProvider({ label: 'Northfield Microsoft' });
    const hidden = await addProvider({ label: 'Switched off', enabled: false });
    const login = await t.client().get('/login?next=/leaderboard');
    const page = login.body;
    // The browser holds the redirect after the form's POST to the page's form-action: it names the provider.
    const formAction = /form-action ([^;]+)/.exec(String(login.headers['content-security-policy']))![1]!.trim();
    expect(formAction).toBe(`'self' ${idp.issuer}`);
    expect(decode(page)).toContain('Sign in with Northfield Microsoft');
    expect(page).toContain(`action="/login/sso/${shown}"`);
    expect(page).not.toContain(`action="/login/sso/${hidden}"`);
    expect(page).not.toContain('Switched off');
    const form = /<form method="post" action="\/login\/sso\/\d+">([\s\S]*?)<\/form>/.exec(page)![1]!;
    expect(form).toContain('name="_csrf"');
    expect(form).toContain('name="next" value="/leaderboard"');
  });

  it('creates a pupil in the provider school on the first sign-in, asks the year once, then signs straight in', async () => {
    const providerId = await addProvider({ label: 'Northfield' });
    const account = pupil();
    const c = t.client({ ip: '198.51.100.7' });
    const { res, location } = await start(c, providerId);
    expect(res.statusCode).toBe(303);
    const auth = new URL(location);
    expect(auth.origin).toBe(idp.issuer);
    expect(auth.searchParams.get('scope')).toBe('openid email profile');
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    // The state is stored hashed, never as sent; the browser holds it in a signed, httpOnly, Lax cookie.
    const state = auth.searchParams.get('state')!;
    const pending = await t.db.selectFrom('sso_logins').selectAll().where('provider_id', '=', providerId).execute();
    expect(pending).toHaveLength(1);
    expect(pending[0]!.state_hash).not.toBe(state);
    expect(pending[0]!.state_hash).toMatch(/^[0-9a-f]{64}$/);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/mathsoc_sso=[^;]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax/);
    expect(c.cookies.get(STATE_COOKIE)).not.toBe(state);

    const back = await callback(c, await idp.signIn(location, account.sub));
    expect(back.statusCode).toBe(303);
    expect(back.headers.location).toBe('/welcome');
    expect(c.cookies.has(STATE_COOKIE)).toBe(false);
    expect(c.cookies.has(SESSION_COOKIE)).toBe(true);
    expect(await t.db.selectFrom('sso_logins').selectAll().where('provider_id', '=', providerId).execute()).toEqual([]);

    const user = (await userByEmail(account.email!))!;
    expect(user).toMatchObject({
      first_name: 'Priya',
      last_name: 'Patel',
      school_id: schoolId,
      user_type: 'student',
      is_admin: 0,
      year_group: null,
      key_stage: null,
    });
    expect(user.email_verified_at).not.toBeNull();
    expect(user.last_login_at).not.toBeNull();
    expect(
      await t.db
        .selectFrom('user_identities')
        .select(['user_id', 'subject'])
        .where('provider_id', '=', providerId)
        .execute(),
    ).toEqual([{ user_id: user.id, subject: account.sub }]);
    const created = (await auditRows(t, 'sso.account_created')).at(-1)!;
    expect(created.target_id).toBe(String(user.id));
    expect(created.ip).toBe('198.51.100.7');
    const success = (await auditRows(t, 'login.success')).at(-1)!;
    expect(success.actor_id).toBe(user.id);
    expect(JSON.parse(success.details!)).toMatchObject({ method: 'sso', provider: 'Northfield' });
    // No password signs in to this account: its hash is no password's.
    expect((await t.client().post('/login', { email: account.email!, password: user.password_hash })).statusCode).toBe(
      401,
    );

    // Until the year is given, every page leads to the question.
    expect((await c.get('/challenges')).headers.location).toBe('/welcome?next=%2Fchallenges');
    const ask = await c.get('/welcome');
    expect(ask.statusCode).toBe(200);
    expect(decode(ask.body)).toContain('Welcome, Priya!');
    const wrong = await c.post('/welcome', { year_group: '6' });
    expect(wrong.statusCode).toBe(400);
    expect(decode(wrong.body)).toContain('Choose your school year (7 to 13).');
    expect((await userByEmail(account.email!))!.year_group).toBeNull();
    const saved = await c.post('/welcome', { year_group: '10' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/challenges');
    expect(await userByEmail(account.email!)).toMatchObject({ year_group: 10, key_stage: 'KS4' });
    expect((await c.get('/challenges')).statusCode).toBe(200);
    // Asked once: the page now sends them on.
    expect((await c.get('/welcome')).headers.location).toBe('/');

    // The second sign-in: the same account, no question, straight to where they were going.
    const again = t.client();
    const users = await countUsers();
    const second = await signIn(again, providerId, account, '/leaderboard');
    expect(second.statusCode).toBe(303);
    expect(second.headers.location).toBe('/leaderboard');
    expect(await countUsers()).toBe(users);
    expect(await signedIn(again)).toBe(true);
    const identity = await t.db
      .selectFrom('user_identities')
      .select('last_used_at')
      .where('subject', '=', account.sub)
      .executeTakeFirstOrThrow();
    expect(identity.last_used_at).not.toBeNull();
  });

  it('lets a new pupil pick their class from the school classes, or none', async () => {
    const providerId = await addProvider();
    const now = new Date().toISOString();
    const klass = await t.db
      .insertInto('classes')
      .values({ school_id: schoolId, name: `10X${unique().slice(0, 3)}`, created_at: now, updated_at: now })
      .returning(['id', 'name'])
      .executeTakeFirstOrThrow();
    const otherSchool = await addSchool(t, `other-${unique()}.example.org`);
    const foreign = await t.db
      .insertInto('classes')
      .values({ school_id: otherSchool, name: 'Not yours', created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const account = pupil();
    const c = t.client();
    await signIn(c, providerId, account);
    const page = decode((await c.get('/welcome')).body);
    expect(page).toContain(klass.name);
    expect(page).not.toContain('Not yours');
    const refused = await c.post('/welcome', { year_group: '10', class_id: String(foreign.id) });
    expect(refused.statusCode).toBe(400);
    expect(decode(refused.body)).toContain('Choose one of the classes in the list, or none.');
    const user = (await userByEmail(account.email!))!;
    expect(await t.db.selectFrom('class_members').selectAll().where('user_id', '=', user.id).execute()).toEqual([]);
    const ok = await c.post('/welcome', { year_group: '12', class_id: String(klass.id) });
    expect(ok.statusCode).toBe(303);
    expect(await userByEmail(account.email!)).toMatchObject({
      year_group: 12,
      key_stage: 'KS5',
      maths_class: klass.name,
    });
    expect(await t.db.selectFrom('class_members').selectAll().where('user_id', '=', user.id).execute()).toEqual([
      { class_id: klass.id, user_id: user.id },
    ]);
    expect((await auditRows(t, 'account.welcome')).at(-1)!.target_id).toBe(String(user.id));
    // Answered in a second tab afterwards: nothing changes.
    const welcomes = (await auditRows(t, 'account.welcome')).length;
    expect((await c.post('/welcome', { year_group: '7' })).statusCode).toBe(303);
    expect(await userByEmail(account.email!)).toMatchObject({ year_group: 12, key_stage: 'KS5' });
    expect(await auditRows(t, 'account.welcome')).toHaveLength(welcomes);
  });

  it('links to an existing confirmed account by its address, keeping its password', async () => {
    const providerId = await addProvider();
    const existing = await t.createUser({ email: `linked-${unique()}@${SCHOOL_DOMAIN}`, yearGroup: 9, schoolId });
    const account = pupil({ email: existing.email });
    const users = await countUsers();
    const c = t.client();
    const res = await signIn(c, providerId, account);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(await countUsers()).toBe(users);
    expect(
      await t.db.selectFrom('user_identities').select('user_id').where('subject', '=', account.sub).execute(),
    ).toEqual([{ user_id: existing.id }]);
    const linked = (await auditRows(t, 'sso.account_linked')).at(-1)!;
    expect(linked.target_id).toBe(String(existing.id));
    expect(JSON.parse(linked.details!)).toMatchObject({ confirmedAndPasswordRemoved: false });
    expect((await t.client().post('/login', { email: existing.email, password: TEST_PASSWORD })).statusCode).toBe(303);
  });

  it('takes over an unconfirmed account safely: confirmed, its password removed, its sessions ended', async () => {
    const providerId = await addProvider();
    const squatter = await t.createUser({
      email: `taken-${unique()}@${SCHOOL_DOMAIN}`,
      emailVerified: false,
      yearGroup: 8,
      schoolId,
    });
    const theirs = t.client();
    await theirs.loginAs(squatter);
    expect((await theirs.get('/')).statusCode).toBe(200);
    const account = pupil({ email: squatter.email });
    const c = t.client();
    const res = await signIn(c, providerId, account);
    expect(res.statusCode).toBe(303);
    expect(await signedIn(c)).toBe(true);
    const row = (await userByEmail(squatter.email))!;
    expect(row.email_verified_at).not.toBeNull();
    // Whoever registered the address first can neither log in with their password nor keep their session.
    expect((await t.client().post('/login', { email: squatter.email, password: TEST_PASSWORD })).statusCode).toBe(401);
    expect((await theirs.get('/profile')).headers.location).toMatch(/^\/login/);
    const linked = (await auditRows(t, 'sso.account_linked')).at(-1)!;
    expect(JSON.parse(linked.details!)).toMatchObject({ confirmedAndPasswordRemoved: true });
  });

  it('requires a Google Workspace account of the school (kind google): hd must be one of its domains', async () => {
    const providerId = await addProvider({ kind: 'google', label: 'Google' });
    const personal = pupil();
    const refused = await signIn(t.client(), providerId, personal);
    expect(refused.statusCode).toBe(403);
    expect(decode(refused.body)).toContain(
      `Sign-in with Google did not work: ${personal.email} is not an account of the school's Google Workspace.`,
    );
    expect(await userByEmail(personal.email!)).toBeUndefined();
    const workspace = pupil({ hd: SCHOOL_DOMAIN });
    expect((await signIn(t.client(), providerId, workspace)).statusCode).toBe(303);
    expect(await userByEmail(workspace.email!)).toBeTruthy();
  });

  describe('refusals: a clear page, a login.failure entry, nothing changed', () => {
    async function expectNothingChanged(before: number, c: TestClient) {
      expect(await countUsers()).toBe(before);
      expect(c.cookies.has(SESSION_COOKIE)).toBe(false);
      expect(await signedIn(c)).toBe(false);
    }

    it('refuses a replayed state: the same callback twice', async () => {
      const providerId = await addProvider();
      const account = pupil();
      const c = t.client();
      const { location } = await start(c, providerId);
      const back = await idp.signIn(location, account.sub);
      // The browser's cookie, kept to replay with.
      const cookie = c.cookies.get(STATE_COOKIE)!;
      expect((await callback(c, back)).statusCode).toBe(303);
      const users = await countUsers();
      const audited = (await t.db.selectFrom('audit_log').select('id').execute()).length;
      const attacker = t.client();
      attacker.cookies.set(STATE_COOKIE, cookie);
      const replay = await callback(attacker, back);
      expect(replay.statusCode).toBe(400);
      expect(decode(replay.body)).toContain(
        'Sign-in with your school account did not work: this sign-in has already been used or was not started here.',
      );
      expect(replay.body).toContain('href="/login"');
      await expectNothingChanged(users, attacker);
      // A link that matches no pending sign-in changes nothing at all, not even the audit log.
      expect((await t.db.selectFrom('audit_log').select('id').execute()).length).toBe(audited);
    });

    it('refuses a state from another browser (login CSRF), and the state is then used up', async () => {
      const providerId = await addProvider({ label: 'Northfield' });
      const account = pupil();
      const attacker = t.client();
      const { location } = await start(attacker, providerId);
      const back = await idp.signIn(location, account.sub);
      const victim = t.client();
      const users = await countUsers();
      const res = await callback(victim, back);
      expect(res.statusCode).toBe(400);
      expect(decode(res.body)).toContain(
        'Sign-in with Northfield did not work: it was started in another browser, or a newer sign-in replaced it.',
      );
      await expectNothingChanged(users, victim);
      expect(await lastFailure()).toMatchObject({ reason: 'state-other-browser', provider: 'Northfield' });
      expect((await callback(attacker, back)).statusCode).toBe(400);
      await expectNothingChanged(users, attacker);
    });

    it('refuses an expired pending sign-in', async () => {
      const providerId = await addProvider();
      const account = pupil();
      const c = t.client();
      const { location } = await start(c, providerId);
      await t.db
        .updateTable('sso_logins')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('provider_id', '=', providerId)
        .execute();
      const users = await countUsers();
      const res = await callback(c, await idp.signIn(location, account.sub));
      expect(res.statusCode).toBe(400);
      expect(decode(res.body)).toContain('it took too long');
      await expectNothingChanged(users, c);
      expect(await lastFailure()).toMatchObject({ reason: 'state-expired' });
    });

    it('refuses a code issued to another client: the provider row changed to another client mid-sign-in', async () => {
      const providerId = await addProvider({ label: 'Swapped', client: CLIENT_A });
      const account = pupil();
      const c = t.client();
      const { location } = await start(c, providerId);
      const back = await idp.signIn(location, account.sub);
      await t.db
        .updateTable('sso_providers')
        .set({ client_id: CLIENT_B.clientId, client_secret_enc: sealSecret(t.config.secretKey, CLIENT_B.clientSecret) })
        .where('id', '=', providerId)
        .execute();
      const users = await countUsers();
      const res = await callback(c, back);
      expect(res.statusCode).toBe(400);
      expect(decode(res.body)).toContain('Sign-in with Swapped did not work: Swapped would not complete the sign-in');
      await expectNothingChanged(users, c);
      expect(await lastFailure()).toMatchObject({ reason: 'token-error:invalid_grant' });
    });

    it('refuses an authorization an attacker made for another client with this sign-in state, nonce and PKCE challenge', async () => {
      const providerId = await addProvider({ client: CLIENT_B });
      const account = pupil();
      const c = t.client();
      const { location } = await start(c, providerId);
      const forged = new URL(location);
      forged.searchParams.set('client_id', CLIENT_A.clientId);
      const back = await idp.signIn(forged.href, account.sub);
      const users = await countUsers();
      const res = await callback(c, back);
      expect(res.statusCode).toBe(400);
      await expectNothingChanged(users, c);
      expect(await lastFailure()).toMatchObject({ reason: 'token-error:invalid_grant' });
    });

    it('refuses an address outside the provider domains', async () => {
      const providerId = await addProvider({ label: 'Northfield' });
      const account = pupil({ email: `outsider-${unique()}@elsewhere.example.org` });
      const c = t.client();
      const users = await countUsers();
      const res = await signIn(c, providerId, account);
      expect(res.statusCode).toBe(403);
      expect(decode(res.body)).toContain(
        `Sign-in with Northfield did not work: ${account.email} is not an address of this school (@${SCHOOL_DOMAIN}).`,
      );
      await expectNothingChanged(users, c);
      expect(await lastFailure()).toMatchObject({ reason: 'domain-not-allowed' });
    });

    it('refuses a look-alike domain (a subdomain is not the domain)', async () => {
      const providerId = await addProvider();
      const account = pupil({ email: `x-${unique()}@evil.${SCHOOL_DOMAIN}` });
      const c = t.client();
      const users = await countUsers();
      expect((await signIn(c, providerId, account)).statusCode).toBe(403);
      await expectNothingChanged(users, c);
    });

    it('refuses an address the provider has not verified (email_verified false)', async () => {
      const providerId = await addProvider({ label: 'Northfield' });
      const account = pupil({ email_verified: false });
      const c = t.client();
      const users = await countUsers();
      const res = await signIn(c, providerId, account);
      expect(res.statusCode).toBe(403);
      expect(decode(res.body)).toContain(`Northfield has not confirmed that ${account.email} is yours.`);
      await expectNothingChanged(users, c);
      expect(await lastFailure()).toMatchObject({ reason: 'email-unverified' });
    });

    it('refuses a sign-in with no email claim', async () => {
      const providerId = await addProvider({ label: 'Northfield' });
      const account = pupil({ email: undefined, email_verified: undefined });
      const c = t.client();
      const users = await countUsers();
      const res = await signIn(c, providerId, account);
      expect(res.statusCode).toBe(400);
      expect(decode(res.body)).toContain('Northfield did not share your email address');
      await expectNothingChanged(users, c);
    });

    it('refuses a disabled, an unknown and an unreadable provider before anything is stored', async () => {
      const disabled = await addProvider({ label: 'Off', enabled: false });
      const unreadable = await addProvider({
        label: 'Old key',
        sealedSecret: sealSecret('a-different-secret-key-0123456789abcdef', CLIENT_A.clientSecret),
      });
      const plainHttp = await addProvider({ label: 'Plain', issuer: 'http://idp.example.org' });
      const c = t.client();
      const cases: Array<[string, number, string]> = [
        [`/login/sso/${disabled}`, 403, 'Sign-in with Off did not work: this sign-in option is switched off.'],
        [`/login/sso/${unreadable}`, 403, 'until an administrator enters its client secret again'],
        [`/login/sso/${plainHttp}`, 403, 'its issuer must use https'],
        ['/login/sso/987654', 400, 'this sign-in option does not exist.'],
        ['/login/sso/abc', 400, 'this sign-in option does not exist.'],
      ];
      for (const [url, status, text] of cases) {
        const res = await c.post(url);
        expect(res.statusCode, url).toBe(status);
        expect(decode(res.body), url).toContain(text);
        expect(c.cookies.has(STATE_COOKIE), url).toBe(false);
      }
      for (const id of [disabled, unreadable, plainHttp]) {
        expect(await t.db.selectFrom('sso_logins').selectAll().where('provider_id', '=', id).execute()).toEqual([]);
      }
      expect((await failures()).slice(-5).map((f) => (f as { reason: string }).reason)).toEqual([
        'provider-disabled',
        'provider-secret-unreadable',
        'provider-issuer-refused',
        'provider-unknown',
        'provider-unknown',
      ]);
    });

    it('refuses a provider switched off while the pupil was at its login page', async () => {
      const providerId = await addProvider({ label: 'Off soon' });
      const account = pupil();
      const c = t.client();
      const { location } = await start(c, providerId);
      await t.db.updateTable('sso_providers').set({ enabled: 0 }).where('id', '=', providerId).execute();
      const users = await countUsers();
      const res = await callback(c, await idp.signIn(location, account.sub));
      expect(res.statusCode).toBe(403);
      await expectNothingChanged(users, c);
    });

    it('refuses an archived account (a leaver), by its link and by its address', async () => {
      const providerId = await addProvider();
      const account = pupil();
      await signIn(t.client(), providerId, account);
      const leaver = (await userByEmail(account.email!))!;
      await t.db
        .updateTable('users')
        .set({ archived_at: new Date().toISOString() })
        .where('id', '=', leaver.id)
        .execute();
      const c = t.client();
      const res = await signIn(c, providerId, account);
      expect(res.statusCode).toBe(403);
      expect(decode(res.body)).toContain('this account was closed when you left school');
      expect(await signedIn(c)).toBe(false);
      expect(await lastFailure()).toMatchObject({ reason: 'account-archived' });
      expect((await auditRows(t, 'login.failure')).at(-1)!.target_id).toBe(String(leaver.id));

      const archived = await t.createUser({ email: `left-${unique()}@${SCHOOL_DOMAIN}` });
      await t.db
        .updateTable('users')
        .set({ archived_at: new Date().toISOString() })
        .where('id', '=', archived.id)
        .execute();
      const other = t.client();
      expect((await signIn(other, providerId, pupil({ email: archived.email }))).statusCode).toBe(403);
      expect(await t.db.selectFrom('user_identities').selectAll().where('user_id', '=', archived.id).execute()).toEqual(
        [],
      );
    });

    it('refuses a sign-in cancelled at the provider (error=access_denied)', async () => {
      const providerId = await addProvider({ label: 'Northfield' });
      const c = t.client();
      const { location } = await start(c, providerId);
      const back = await idp.cancel(location);
      expect(new URL(back).searchParams.get('error')).toBe('access_denied');
      const users = await countUsers();
      const res = await callback(c, back);
      expect(res.statusCode).toBe(403);
      expect(decode(res.body)).toContain(
        'Sign-in with Northfield did not work: you or Northfield cancelled the sign-in.',
      );
      await expectNothingChanged(users, c);
      expect(await lastFailure()).toMatchObject({ reason: 'provider-access-denied' });
    });

    it('refuses a callback with no state or a made-up one, without a 500', async () => {
      const c = t.client();
      for (const query of ['', '?code=x', '?code=x&state=made-up', `?state=${'x'.repeat(500)}`]) {
        const res = await c.get(`/login/sso/callback${query}`);
        expect(res.statusCode, query).toBe(400);
        expect(res.body).toContain('href="/login"');
      }
    });

    it('never lets next lead off the site', async () => {
      const providerId = await addProvider();
      const account = pupil();
      await signIn(t.client(), providerId, account);
      await t.db
        .updateTable('users')
        .set({ year_group: 9, key_stage: 'KS4' })
        .where('email', '=', account.email!)
        .execute();
      const res = await signIn(t.client(), providerId, account, '//evil.example/');
      expect(res.headers.location).toBe('/');
    });
  });

  it('refuses an ID token that has expired (a provider whose clock runs two hours behind)', async () => {
    const slow = await startOidcProviderProcess({
      clients: [CLIENT_A],
      accounts: [{ sub: 'slow-1', email: `slow-${unique()}@${SCHOOL_DOMAIN}`, email_verified: true }],
      clockOffsetSeconds: -2 * 3600,
    });
    try {
      const providerId = await addProvider({ issuer: slow.issuer, label: 'Slow clock' });
      const c = t.client();
      const { location } = await start(c, providerId);
      const users = await countUsers();
      const res = await callback(c, await slow.signIn(location, 'slow-1'));
      expect(res.statusCode).toBe(400);
      expect(decode(res.body)).toContain(
        'Sign-in with Slow clock did not work: the answer from Slow clock has expired.',
      );
      expect(await countUsers()).toBe(users);
      expect(await signedIn(c)).toBe(false);
      expect(await lastFailure()).toMatchObject({ reason: 'id-token-expired' });
    } finally {
      await slow.close();
    }
  });

  it('keeps the code and state out of the access log', async () => {
    const { loggedUrl } = await import('../../../src/logger.js');
    expect(loggedUrl('/login/sso/callback?code=abc&state=def&iss=http%3A%2F%2Fidp')).toBe(
      '/login/sso/callback?code=[redacted]&state=[redacted]&iss=http%3A%2F%2Fidp',
    );
  });

  it('answers 502 with a page when the provider cannot be reached, storing nothing', async () => {
    const providerId = await addProvider({ issuer: 'http://127.0.0.1:9', label: 'Unreachable' });
    const c = t.client();
    const res = await c.post(`/login/sso/${providerId}`);
    expect(res.statusCode).toBe(502);
    expect(decode(res.body)).toContain('Sign-in with Unreachable did not work: the site could not reach Unreachable');
    expect(c.cookies.has(STATE_COOKIE)).toBe(false);
    expect(await t.db.selectFrom('sso_logins').selectAll().where('provider_id', '=', providerId).execute()).toEqual([]);
    expect(await lastFailure()).toMatchObject({ reason: 'provider-unreachable' });
  });

  it('never writes a token, code or secret to the audit log', async () => {
    const rows = await t.db.selectFrom('audit_log').select(['details']).execute();
    const text = rows.map((r) => r.details ?? '').join('\n');
    expect(text).not.toContain(CLIENT_A.clientSecret);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    expect(text).not.toMatch(/"(code|state|id_token|access_token)"/);
  });
});

describe.each(await availableDialects())('school sign-in rate limits on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { RATELIMIT_ENABLED: 'true', RATELIMIT_LOGIN: '2 per minute' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('rate limits starting and finishing a sign-in as the password login is', async () => {
    const c = t.client({ ip: '203.0.113.50' });
    expect((await c.post('/login/sso/987654')).statusCode).toBe(400);
    expect((await c.post('/login/sso/987654')).statusCode).toBe(400);
    expect((await c.post('/login/sso/987654')).statusCode).toBe(429);
    expect((await c.get('/login/sso/callback?state=a')).statusCode).toBe(400);
    expect((await c.get('/login/sso/callback?state=b')).statusCode).toBe(400);
    expect((await c.get('/login/sso/callback?state=c')).statusCode).toBe(429);
    // Another address is counted apart.
    expect((await t.client({ ip: '203.0.113.51' }).get('/login/sso/callback?state=d')).statusCode).toBe(400);
  });
});
