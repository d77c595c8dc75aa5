// A pupil signs in with their school account, in the browser: "Sign in with
// …" on the login page, the identity provider's own login page (a real
// node-oidc-provider over https on a loopback port), back to the site, the
// one question (school year) on the welcome page, then the challenges page,
// signed in. The site runs in the production profile, so the provider must be
// https; the certificate is a throwaway self-signed one made here.
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealSecret } from '../../src/domain/sso/secret-box.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { checkPage } from './checks.js';
import { seedChallenge } from './data.js';
import { browserAvailable } from './harness.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E } from './suite.js';
import { expectLoggedIn, flashes, mainText, visit } from './ui.js';

const CLIENT = { clientId: 'maths-society', clientSecret: 'sso-journey-client-secret-0123456789' };
// The school's Microsoft Entra directory: its issuer names the tenant, and its tokens carry it as tid.
const TENANT = '5b1f6c2e-8d3a-4c7e-9f10-2a4b6c8d0e1f';
const PUPIL = {
  sub: 'entra-object-id-7f3a',
  tid: TENANT,
  email: 'grace.hopper@school.example.org',
  email_verified: true,
  given_name: 'Grace',
  family_name: 'Hopper',
};
const TITLE = 'Halfway there';
const LABEL = 'Northfield Academy';

describe.runIf(browserAvailable())('signing in with a school account', E2E_TIMEOUTS, () => {
  const e2e = useE2E();
  let idp: TestOidcProvider;
  let tlsCheckBefore: string | undefined;

  beforeAll(async () => {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 86400_000),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    idp = await startOidcProvider({
      clients: [{ ...CLIENT, redirectUris: [`${e2e.site.baseUrl}/login/sso/callback`] }],
      accounts: [PUPIL],
      tls: { key: pems.private, cert: pems.cert },
      path: `/${TENANT}/v2.0`,
    });
    // The site (in this process) must accept the provider's throwaway certificate when it
    // fetches the provider's metadata, keys and tokens; Node 20 has no call to trust one
    // certificate at run time, so certificate checks are off for this file's process only.
    tlsCheckBefore = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

    const db = e2e.site.test.db;
    const school = await db
      .selectFrom('schools')
      .select('id')
      .where('email_domain', '=', 'school.example.org')
      .executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    await db
      .insertInto('sso_providers')
      .values({
        school_id: school.id,
        kind: 'microsoft',
        label: LABEL,
        issuer: idp.issuer,
        client_id: CLIENT.clientId,
        client_secret_enc: sealSecret(e2e.site.test.config.secretKey, CLIENT.clientSecret),
        allowed_domains: 'school.example.org',
        enabled: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await seedChallenge(e2e.site, {
      title: TITLE,
      keyStage: 'KS4',
      boxes: [{ label: 'One half as a fraction', answer: '\\frac{1}{2}' }],
    });
  }, E2E_HOOK_TIMEOUT);

  afterAll(async () => {
    if (tlsCheckBefore === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = tlsCheckBefore;
    await idp?.close();
  });

  it('signs in at the school provider, answers the year once and reaches the challenges', async () => {
    const { page, guard } = await e2e.open();
    // The provider's own development login page (not the site) asks for a web font from
    // Google, which this machine cannot reach, and has no favicon.
    const escaped = new URL(idp.issuer).origin.replace(/[.:/]/g, (c) => `\\${c}`);
    guard.allowConsoleError(/ERR_NAME_NOT_RESOLVED \(at https:\/\/fonts\.googleapis\.com\//);
    guard.allowConsoleError(new RegExp(`404 \\(Not Found\\) \\(at ${escaped}\\/favicon\\.ico\\)`));
    await visit(page, '/login');
    await checkPage(page, 'login-with-sso', 'desktop');
    await page.getByRole('button', { name: `Sign in with ${LABEL}` }).click();

    // The provider's own login page.
    await page.waitForURL((url) => url.origin === new URL(idp.issuer).origin);
    await page.locator('input[name="login"]').fill(PUPIL.sub);
    await page.locator('input[name="password"]').fill('the pupil school password');
    await page.getByRole('button', { name: 'Sign-in' }).click();

    // Back on the site, signed in, asked their year once.
    await page.waitForURL((url) => url.origin === e2e.site.baseUrl && url.pathname === '/welcome');
    expect(await mainText(page)).toContain('Welcome, Grace!');
    await expectLoggedIn(page);
    await checkPage(page, 'sso-welcome', 'desktop');
    await page.getByLabel('School year').selectOption('10');
    await page.getByRole('button', { name: 'Save and continue' }).click();

    await page.waitForURL((url) => url.pathname === '/challenges');
    expect((await flashes(page)).join(' ')).toContain('You are all set.');
    expect(await mainText(page)).toContain(TITLE);
    await expectLoggedIn(page);

    const user = await e2e.site.test.db
      .selectFrom('users')
      .select(['year_group', 'key_stage', 'user_type', 'email_verified_at'])
      .where('email', '=', PUPIL.email)
      .executeTakeFirstOrThrow();
    expect(user).toMatchObject({ year_group: 10, key_stage: 'KS4', user_type: 'student' });
    expect(user.email_verified_at).not.toBeNull();

    // Asked once: the welcome page now sends them on.
    await page.goto(e2e.url('/welcome'));
    expect(new URL(page.url()).pathname).toBe('/');
  });
});
