// The admin side of single sign-on (ADR 036) through the real app, on SQLite
// and PostgreSQL: a school's providers added, edited, enabled, disabled and
// deleted; the Microsoft tenant turned into its issuer and the shared tenants
// refused; the client secret sealed, kept on a blank edit and never shown in a
// page, an audit entry or a log line; "Check connection" against a real
// discovery server on loopback (and failing ones); the password switch; the
// doctor's warnings; teachers and pupils refused.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/index.js';
import { gatherFacts } from '../../../src/domain/doctor-facts.js';
import { openSecret, sealSecret } from '../../../src/domain/sso/secret-box.js';
import { runChecks } from '../../../src/security/doctor.js';
import { createTestApp, TestClient, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { addSchool, decode, fieldError } from '../accounts/helpers.js';

const SECRET_KEY = 'test-secret-key-that-is-long-enough-0123456789';
const TENANT = '1B2C3D4E-0000-4A5B-8C9D-0123456789AB';
const SECRET = 'Xq8~sso-client-secret-VALUE-4242';
const NEW_SECRET = 'Zr5~replaced-client-secret-7373';

/** A discovery document server on loopback: `/.well-known/openid-configuration` as `answer` says. */
async function discoveryServer(
  answer: (origin: string) => { status: number; body: unknown },
): Promise<{ origin: string; close: () => Promise<void> }> {
  let origin = '';
  const server: Server = createServer((req, res) => {
    if (req.url !== '/.well-known/openid-configuration') {
      res.writeHead(404).end();
      return;
    }
    const { status, body } = answer(origin);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const goodDocument = (issuer: string) => ({
  issuer,
  authorization_endpoint: `${issuer}/authorize`,
  token_endpoint: `${issuer}/token`,
  jwks_uri: `${issuer}/jwks`,
  response_types_supported: ['code'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
});

describe.each(await availableDialects())('school sign-in administration on %s', (dialect) => {
  let t: TestApp;
  let logged: FastifyInstance;
  let dir: string;
  let logFile: string;
  let admin: TestClient;
  let schoolId: number;
  const domain = `northfield-${dialect}.example.org`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-sso-admin-'));
    logFile = join(dir, 'app.log');
    t = await createTestApp(dialect, { SECRET_KEY });
    // The same database, served by an app with its real logger at its most talkative, writing to a file.
    logged = await buildApp(
      loadConfig({
        APP_ENV: 'testing',
        SECRET_KEY,
        LOG_LEVEL: 'trace',
        LOG_TO_STDOUT: 'false',
        LOG_FILE: logFile,
      }),
      { database: t.database },
    );
    await logged.ready();
    admin = new TestClient(logged);
    await admin.loginAs(await t.createUser({ isAdmin: true }));
    schoolId = await addSchool(t, domain, 'Northfield Academy');
  });
  afterAll(async () => {
    await logged?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const base = () => `/admin/schools/${schoolId}/sign-in`;
  const providers = () =>
    t.db.selectFrom('sso_providers').selectAll().where('school_id', '=', schoolId).orderBy('id').execute();
  const provider = (id: number) =>
    t.db.selectFrom('sso_providers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const auditCount = async () =>
    Number(
      (
        await t.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const flashAfter = async (c: TestClient, res: LightMyRequestResponse) => {
    expect(res.statusCode).toBe(303);
    return decode((await c.get(res.headers.location as string)).body);
  };
  const addMicrosoft = async (fields: Record<string, string> = {}) => {
    const before = (await providers()).map((p) => p.id);
    const res = await admin.post(`${base()}/new`, {
      kind: 'microsoft',
      tenant: TENANT,
      client_id: 'app-client-id',
      client_secret: SECRET,
      ...fields,
    });
    expect(res.statusCode).toBe(303);
    return (await providers()).find((p) => !before.includes(p.id))!;
  };
  const addOidc = async (issuer: string) => {
    const before = (await providers()).map((p) => p.id);
    const res = await admin.post(`${base()}/new`, {
      kind: 'oidc',
      label: 'Trust ID',
      issuer,
      client_id: 'trust-client',
      client_secret: SECRET,
    });
    expect(res.statusCode).toBe(303);
    return (await providers()).find((p) => !before.includes(p.id))!;
  };

  it('the schools page links to each school’s sign-in page, which names the redirect URI to register', async () => {
    const list = await admin.get('/admin/schools');
    expect(list.body).toContain(`href="/admin/schools/${schoolId}/sign-in"`);
    const page = await admin.get(base());
    expect(page.statusCode).toBe(200);
    expect(decode(page.body)).toContain('Sign-in of Northfield Academy');
    expect(page.body).toContain('<code>http://localhost/login/sso/callback</code>');
    expect(page.body).toContain(`href="${base()}/new?kind=microsoft"`);
    expect(page.body).toContain('name="password_sign_in" checked');
  });

  it('Microsoft: a tenant ID becomes the tenant’s issuer; the secret is sealed; the domain defaults to the school’s', async () => {
    const form = await admin.get(`${base()}/new?kind=microsoft`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="tenant"');
    expect(form.body).not.toContain('name="issuer"');

    const p = await addMicrosoft({ allowed_domains: '' });
    expect(p).toMatchObject({
      kind: 'microsoft',
      label: 'Microsoft',
      issuer: `https://login.microsoftonline.com/${TENANT.toLowerCase()}/v2.0`,
      client_id: 'app-client-id',
      allowed_domains: domain,
      enabled: 0,
    });
    expect(p.client_secret_enc).not.toContain(SECRET);
    expect(openSecret(SECRET_KEY, p.client_secret_enc)).toBe(SECRET);

    const [entry] = (
      await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'sso.provider_created').execute()
    ).filter((r) => r.target_id === String(p.id));
    expect(JSON.parse(entry!.details!)).toEqual({
      schoolId,
      kind: 'microsoft',
      label: 'Microsoft',
      issuer: p.issuer,
      clientId: 'app-client-id',
      allowedDomains: [domain],
      enabled: false,
    });
    // The issuer itself, pasted, names the same tenant.
    const pasted = await addMicrosoft({ tenant: p.issuer, label: 'Microsoft (staff)' });
    expect(pasted.issuer).toBe(p.issuer);
  });

  it('refuses "common", "organizations" and "consumers", a malformed tenant, bad domains and a missing secret, changing nothing', async () => {
    const before = await providers();
    const audits = await auditCount();
    for (const tenant of ['common', 'organizations', 'consumers', 'Common']) {
      const res = await admin.post(`${base()}/new`, {
        kind: 'microsoft',
        tenant,
        client_id: 'x',
        client_secret: SECRET,
      });
      expect(res.statusCode).toBe(400);
      expect(fieldError(res.body, 'tenant')).toMatch(
        /is not one school’s directory: it lets in .*Enter your school’s Directory \(tenant\) ID instead\./,
      );
      // The secret typed is not sent back.
      expect(res.body).not.toContain(SECRET);
    }
    const guid = await admin.post(`${base()}/new`, {
      kind: 'microsoft',
      tenant: '1234-5678',
      client_id: 'x',
      client_secret: SECRET,
    });
    expect(fieldError(guid.body, 'tenant')).toMatch(/^Enter the Directory \(tenant\) ID, which looks like/);

    // A domain is looked up at Microsoft; one no directory has is refused, reachable or not.
    const unknownDomain = await admin.post(`${base()}/new`, {
      kind: 'microsoft',
      tenant: 'no-such-school.invalid',
      client_id: 'x',
      client_secret: SECRET,
    });
    expect(unknownDomain.statusCode).toBe(400);
    expect(fieldError(unknownDomain.body, 'tenant')).toMatch(
      /^Microsoft did not confirm a directory for no-such-school\.invalid \(.+\)\. Enter the Directory \(tenant\) ID instead: it is on the Overview page of Microsoft Entra ID\.$/,
    );

    const badDomain = await admin.post(`${base()}/new`, {
      kind: 'microsoft',
      tenant: TENANT,
      client_id: 'x',
      client_secret: SECRET,
      allowed_domains: `${domain}, under_score.org`,
    });
    expect(badDomain.statusCode).toBe(400);
    expect(fieldError(badDomain.body, 'allowed_domains')).toBe(
      '“under_score.org” is not an email domain: enter only the part after the @, for example school.org.',
    );
    const gmail = await admin.post(`${base()}/new`, {
      kind: 'google',
      client_id: 'x',
      client_secret: SECRET,
      allowed_domains: 'gmail.com',
    });
    expect(fieldError(gmail.body, 'allowed_domains')).toBe(
      'gmail.com is a public mail service: anyone can have an address there. List only your school’s own domains.',
    );
    const noSecret = await admin.post(`${base()}/new`, { kind: 'google', client_id: 'x', client_secret: '' });
    expect(fieldError(noSecret.body, 'client_secret')).toBe('Enter the client secret (its value, not its ID).');
    const noClient = await admin.post(`${base()}/new`, { kind: 'google', client_id: '', client_secret: SECRET });
    expect(fieldError(noClient.body, 'client_id')).toMatch(/^Enter the client ID/);
    const badKind = await admin.post(`${base()}/new`, { kind: 'saml', client_id: 'x', client_secret: SECRET });
    expect(badKind.statusCode).toBe(404);

    expect(await providers()).toEqual(before);
    expect(await auditCount()).toBe(audits);
  });

  it('another OpenID provider: https issuers, http only on loopback outside production', async () => {
    const attempt = (issuer: string) =>
      admin.post(`${base()}/new`, { kind: 'oidc', issuer, client_id: 'x', client_secret: SECRET });
    expect(fieldError((await attempt('http://id.example.org')).body, 'issuer')).toBe(
      'The issuer must start with https://. Only a provider on this machine (localhost, 127.0.0.1) may use http:// while testing.',
    );
    expect(fieldError((await attempt('ftp://id.example.org')).body, 'issuer')).toBe(
      'Enter the issuer as a full web address starting with https://.',
    );
    expect(fieldError((await attempt('https://id.example.org/?x=1')).body, 'issuer')).toMatch(/without a query/);
    const google = await admin.post(`${base()}/new`, {
      kind: 'google',
      client_id: 'google-client',
      client_secret: SECRET,
      allowed_domains: `@${domain.toUpperCase()}; pupils.${domain}`,
    });
    expect(google.statusCode).toBe(303);
    const g = (await providers()).at(-1)!;
    expect(g).toMatchObject({
      kind: 'google',
      label: 'Google',
      issuer: 'https://accounts.google.com',
      allowed_domains: `${domain},pupils.${domain}`,
    });
    const local = await addOidc('http://127.0.0.1:9/');
    expect(local.issuer).toBe('http://127.0.0.1:9/');
  });

  it('an edit with the secret left blank keeps it; a new one replaces it; the secret is in no page, audit entry or log line', async () => {
    const p = await addMicrosoft({ label: 'Office 365' });
    const edit = await admin.get(`${base()}/${p.id}/edit`);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain(`value="${TENANT.toLowerCase()}"`);
    expect(edit.body).toMatch(/<input[^>]*name="client_secret"[^>]*type="password"/);

    const kept = await admin.post(`${base()}/${p.id}/edit`, {
      label: 'Microsoft 365',
      tenant: TENANT,
      client_id: 'new-client-id',
      client_secret: '',
      allowed_domains: domain,
    });
    expect(await flashAfter(admin, kept)).toContain('Microsoft 365 saved.');
    const afterKeep = await provider(p.id);
    expect(afterKeep).toMatchObject({ label: 'Microsoft 365', client_id: 'new-client-id' });
    expect(afterKeep.client_secret_enc).toBe(p.client_secret_enc);

    const replaced = await admin.post(`${base()}/${p.id}/edit`, {
      label: 'Microsoft 365',
      tenant: TENANT,
      client_id: 'new-client-id',
      client_secret: NEW_SECRET,
      allowed_domains: domain,
    });
    expect(replaced.statusCode).toBe(303);
    expect(openSecret(SECRET_KEY, (await provider(p.id)).client_secret_enc)).toBe(NEW_SECRET);
    const updates = (
      await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'sso.provider_updated').execute()
    ).filter((r) => r.target_id === String(p.id));
    expect(updates.map((u) => (JSON.parse(u.details!) as { secretReplaced: boolean }).secretReplaced)).toEqual([
      false,
      true,
    ]);

    // Every page that shows the provider, every audit entry and every log line: no secret, sealed or not.
    const sealed = (await provider(p.id)).client_secret_enc;
    const pages = [
      await admin.get(base()),
      await admin.get(`${base()}/${p.id}/edit`),
      await admin.get('/admin/audit'),
      await admin.post(`${base()}/${p.id}/edit`, { tenant: 'common', client_id: 'x', client_secret: SECRET }),
    ];
    for (const page of pages) {
      for (const s of [SECRET, NEW_SECRET, sealed]) expect(page.body).not.toContain(s);
    }
    const audits = await t.db.selectFrom('audit_log').selectAll().execute();
    expect(audits.some((a) => a.action.startsWith('sso.'))).toBe(true);
    for (const a of audits) for (const s of [SECRET, NEW_SECRET, sealed]) expect(JSON.stringify(a)).not.toContain(s);
    await new Promise((r) => setTimeout(r, 300));
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('/sign-in/');
    for (const s of [SECRET, NEW_SECRET, sealed]) expect(log).not.toContain(s);
  });

  it('Check connection reads a real discovery document on loopback, reports failures in words, and changes nothing', async () => {
    const good = await discoveryServer((origin) => ({ status: 200, body: goodDocument(origin) }));
    const missing = await discoveryServer(() => ({ status: 500, body: { error: 'down' } }));
    const impostor = await discoveryServer(() => ({ status: 200, body: goodDocument('https://someone-else.example') }));
    const closed = await discoveryServer(() => ({ status: 200, body: {} }));
    await closed.close();
    try {
      const ok = await addOidc(good.origin);
      const before = await provider(ok.id);
      const audits = await auditCount();
      const res = await admin.post(`${base()}/${ok.id}/check`);
      expect(await flashAfter(admin, res)).toContain(
        `Trust ID: connection works. The provider’s discovery document at ${good.origin}/.well-known/openid-configuration was read. Sign-in goes to ${good.origin}/authorize.`,
      );
      expect(await provider(ok.id)).toEqual(before);
      expect(await auditCount()).toBe(audits);

      const cases: Array<[string, RegExp]> = [
        [
          missing.origin,
          /the connection does not work: 127\.0\.0\.1:\d+ answered 500 at \/\.well-known\/openid-configuration, not a discovery document\./,
        ],
        [
          impostor.origin,
          /the connection does not work: the discovery document names another issuer than http:\/\/127\.0\.0\.1:\d+/,
        ],
        [closed.origin, /the connection does not work: nothing answers at 127\.0\.0\.1:\d+ \(connection refused\)\./],
      ];
      for (const [issuer, message] of cases) {
        const p = await addOidc(issuer);
        const flash = await flashAfter(admin, await admin.post(`${base()}/${p.id}/check`));
        expect(flash).toMatch(message);
        expect(await provider(p.id)).toEqual(p);
      }
    } finally {
      await good.close();
      await missing.close();
      await impostor.close();
    }
  });

  it('enable and disable show and hide the button, audited; a provider of another school is not found here', async () => {
    const p = await addMicrosoft({ label: 'Toggle' });
    expect(await flashAfter(admin, await admin.post(`${base()}/${p.id}/enable`))).toContain(
      'Toggle enabled: its button shows on the login page.',
    );
    expect((await provider(p.id)).enabled).toBe(1);
    expect(await flashAfter(admin, await admin.post(`${base()}/${p.id}/disable`))).toContain('Toggle disabled');
    expect((await provider(p.id)).enabled).toBe(0);
    const actions = (await t.db.selectFrom('audit_log').selectAll().where('target_type', '=', 'sso_provider').execute())
      .filter((r) => r.target_id === String(p.id))
      .map((r) => r.action);
    expect(actions).toEqual(['sso.provider_created', 'sso.provider_enabled', 'sso.provider_disabled']);

    const other = await addSchool(t, `other-${dialect}.example.org`, 'Other School');
    expect((await admin.post(`/admin/schools/${other}/sign-in/${p.id}/enable`)).statusCode).toBe(404);
    expect((await admin.get(`/admin/schools/${other}/sign-in/${p.id}/edit`)).statusCode).toBe(404);
    expect((await admin.post(`/admin/schools/${other}/sign-in/${p.id}/delete`)).statusCode).toBe(404);
    expect((await provider(p.id)).enabled).toBe(0);
  });

  it('password sign-in switches off only with an enabled provider, which then cannot be disabled or deleted', async () => {
    const school = await addSchool(t, `switch-${dialect}.example.org`, 'Switch School');
    const page = `/admin/schools/${school}/sign-in`;
    const passwordSignIn = async () =>
      (await t.db.selectFrom('schools').select('password_sign_in').where('id', '=', school).executeTakeFirstOrThrow())
        .password_sign_in;

    const refused = await admin.post(`${page}/password`, {});
    expect(await flashAfter(admin, refused)).toContain(
      'Password sign-in stays on: Switch School has no enabled sign-in provider, so its pupils and teachers could not sign in at all.',
    );
    expect(await passwordSignIn()).toBe(1);

    await admin.post(`${page}/new`, { kind: 'google', client_id: 'g', client_secret: SECRET });
    const [g] = await t.db.selectFrom('sso_providers').selectAll().where('school_id', '=', school).execute();
    // Disabled (new): still refused.
    await admin.post(`${page}/password`, {});
    expect(await passwordSignIn()).toBe(1);

    await admin.post(`${page}/${g!.id}/enable`);
    const off = await admin.post(`${page}/password`, {});
    expect(await flashAfter(admin, off)).toContain(
      'Pupils and teachers of Switch School now sign in with their school account only.',
    );
    expect(await passwordSignIn()).toBe(0);
    expect((await admin.get(page)).body).not.toContain('name="password_sign_in" checked');

    for (const action of ['disable', 'delete']) {
      const res = await admin.post(`${page}/${g!.id}/${action}`);
      expect(await flashAfter(admin, res)).toContain(
        'Google is the only way the pupils and teachers of Switch School can sign in, because password sign-in is off. Switch password sign-in back on first.',
      );
    }
    expect(await t.db.selectFrom('sso_providers').selectAll().where('id', '=', g!.id).executeTakeFirst()).toMatchObject(
      {
        enabled: 1,
      },
    );

    await admin.post(`${page}/password`, { password_sign_in: 'on' });
    expect(await passwordSignIn()).toBe(1);
    expect(await flashAfter(admin, await admin.post(`${page}/${g!.id}/delete`))).toContain('Google deleted.');
    expect(await t.db.selectFrom('sso_providers').selectAll().where('school_id', '=', school).execute()).toEqual([]);
    const switches = (
      await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'sso.password_sign_in').execute()
    )
      .filter((r) => r.target_id === String(school))
      .map((r) => JSON.parse(r.details!) as unknown);
    expect(switches).toEqual([{ passwordSignIn: false }, { passwordSignIn: true }]);
  });

  it('a secret SECRET_KEY no longer opens: the page says to enter it again, it cannot be enabled, and the doctor warns', async () => {
    const school = await addSchool(t, `rekeyed-${dialect}.example.org`, 'Rekeyed School');
    const now = new Date().toISOString();
    const row = await t.db
      .insertInto('sso_providers')
      .values({
        school_id: school,
        kind: 'oidc',
        label: 'Old Key ID',
        issuer: 'http://127.0.0.1:9',
        client_id: 'c',
        client_secret_enc: sealSecret('a-previous-secret-key-of-this-site-0000', SECRET),
        allowed_domains: `rekeyed-${dialect}.example.org`,
        enabled: 1,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const page = `/admin/schools/${school}/sign-in`;
    expect(decode((await admin.get(page)).body)).toContain(
      'The client secret can no longer be read (SECRET_KEY has changed): edit the provider and enter the client secret again.',
    );
    await admin.post(`${page}/${row.id}/disable`);
    expect(await flashAfter(admin, await admin.post(`${page}/${row.id}/enable`))).toContain(
      'Old Key ID cannot be enabled: its client secret can no longer be read (SECRET_KEY has changed). Edit it and enter the client secret again.',
    );
    // The blank field no longer keeps anything: the secret must be typed.
    const blank = await admin.post(`${page}/${row.id}/edit`, { issuer: 'http://127.0.0.1:9', client_id: 'c' });
    expect(blank.statusCode).toBe(400);
    expect(fieldError(blank.body, 'client_secret')).toBe('Enter the client secret (its value, not its ID).');

    await t.db.updateTable('sso_providers').set({ enabled: 1 }).where('id', '=', row.id).execute();
    const facts = await gatherFacts(t.config, t.database, {});
    const results = runChecks(facts);
    expect(results.find((r) => r.id === 'sso-secrets')).toMatchObject({ ok: false, blocking: false });
    expect(results.find((r) => r.id === 'sso-secrets')!.detail).toContain('Old Key ID of Rekeyed School');
    expect(JSON.stringify(results)).not.toContain(SECRET);
    // Testing: http on loopback is fine. In production the same provider is reported.
    expect(results.find((r) => r.id === 'sso-https')).toMatchObject({ ok: true });
    const prod = runChecks({ ...facts, config: { ...facts.config, profile: 'production' } });
    expect(prod.find((r) => r.id === 'sso-https')).toMatchObject({ ok: false, blocking: false });
    expect(prod.find((r) => r.id === 'sso-https')!.detail).toContain(
      'Old Key ID of Rekeyed School (http://127.0.0.1:9)',
    );

    // Entering it again mends it.
    const mended = await admin.post(`${page}/${row.id}/edit`, {
      issuer: 'http://127.0.0.1:9',
      client_id: 'c',
      client_secret: NEW_SECRET,
    });
    expect(mended.statusCode).toBe(303);
    const after = runChecks(await gatherFacts(t.config, t.database, {}));
    expect(after.find((r) => r.id === 'sso-secrets')).toMatchObject({ ok: true });
    await admin.post(`${page}/${row.id}/disable`);
  });

  it('teachers and pupils are refused every page and action, and nothing changes', async () => {
    const p = await addMicrosoft({ label: 'Guarded' });
    const before = await providers();
    for (const fields of [{ teacher: true }, {}]) {
      const c = t.client();
      await c.loginAs(await t.createUser({ ...fields, schoolId }));
      expect((await c.get(base())).statusCode).toBe(403);
      expect((await c.get(`${base()}/new?kind=google`)).statusCode).toBe(403);
      expect((await c.get(`${base()}/${p.id}/edit`)).statusCode).toBe(403);
      for (const path of ['new', `${p.id}/edit`, `${p.id}/enable`, `${p.id}/delete`, `${p.id}/check`, 'password']) {
        const res = await c.post(`${base()}/${path}`, { kind: 'google', client_id: 'x', client_secret: SECRET });
        expect(res.statusCode).toBe(403);
      }
    }
    expect(await providers()).toEqual(before);
  });
});
