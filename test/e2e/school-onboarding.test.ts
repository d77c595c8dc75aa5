// A school from its MIS export to pupils signing in with their school account
// and a teacher (not an admin) running a weekly challenge for their class, in
// the browser (issue 20, "School accounts"). Each step is a person clicking
// through the real pages of the production-profile site:
//   1. the admin sets up the school's sign-in: adds its OpenID provider (a
//      real node-oidc-provider over https on a loopback port), checks the
//      connection, enables it and switches password sign-in off;
//   2. the admin imports the pupils from a CSV file as an MIS writes it (byte-
//      order mark, semicolons, MIS headers), dry run first, then for real;
//   3. the admin makes a staff account a teacher and adds them to the class
//      the import made; the teacher, whose password no longer opens the site
//      (password sign-in is off for everyone of the school but admins, ADR
//      036), signs in with the school account and writes and releases a
//      weekly challenge for the pupils' key stage;
//   4. an imported pupil signs in with the school account (the password form
//      refuses them), is not asked their year, and solves the challenge;
//   5. the teacher sees the pupil's progress and the class board; the pupil
//      sees their class board; the teacher cannot open the accounts pages.
// The steps share their browser contexts (one per person) and run in order.
import type { Page } from 'playwright-core';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcProvider, type OidcAccount, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { TEST_PASSWORD } from '../helpers/app.js';
import { checkPage } from './checks.js';
import type { PageGuard } from './guard.js';
import { ADMIN, browserAvailable } from './harness.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E, type OpenPage } from './suite.js';
import { expectLoggedIn, flashes, logIn, mainText, submit, typeMath, visit } from './ui.js';

const DOMAIN = 'school.example.org';
const LABEL = 'Northfield Accounts';
const CLIENT = { clientId: 'northfield-maths-society', clientSecret: 'northfield-client-secret-0123456789abcdef' };
const CLASS_NAME = '9X';
const TITLE = 'Squares of the week';

const PUPILS = [
  { first: 'Mary', last: 'Somerville', email: `mary.somerville@${DOMAIN}`, sub: 'mis-0001' },
  { first: 'Srinivasa', last: 'Ramanujan', email: `srinivasa.ramanujan@${DOMAIN}`, sub: 'mis-0002' },
  { first: 'Emmy', last: 'Noether', email: `emmy.noether@${DOMAIN}`, sub: 'mis-0003' },
] as const;
const PUPIL = PUPILS[0];
const TEACHER = { first: 'Alan', last: 'Turing', email: `alan.turing@${DOMAIN}`, sub: 'staff-0042' };

/** The pupil list as an MIS exports it: UTF-8 with a byte-order mark, semicolons, CRLF, its own headers. */
const MIS_CSV =
  '\uFEFF' +
  [
    'Forename;Surname;Email address;Year;Reg group',
    ...PUPILS.map((p) => `${p.first};${p.last};${p.email};Year 9;${CLASS_NAME}`),
    `Carl;Gauss;carl.gauss@gmail.com;Year 9;${CLASS_NAME}`,
  ].join('\r\n') +
  '\r\n';

const idpAccount = (p: { first: string; last: string; email: string; sub: string }): OidcAccount => ({
  sub: p.sub,
  email: p.email,
  email_verified: true,
  given_name: p.first,
  family_name: p.last,
});

/** Clicks a link of the admin area's navigation and waits for its page. */
async function adminNav(page: Page, name: string): Promise<void> {
  await Promise.all([
    page.waitForNavigation(),
    page.getByRole('navigation', { name: /admin/i }).getByRole('link', { name, exact: true }).click(),
  ]);
}

/** Follows a link in the main region and waits for its page. */
async function follow(page: Page, link: ReturnType<Page['getByRole']>): Promise<void> {
  await Promise.all([page.waitForNavigation(), link.click()]);
}

describe.runIf(browserAvailable())(
  'a school onboards: MIS import, school sign-in, a teacher runs a weekly challenge',
  E2E_TIMEOUTS,
  () => {
    const e2e = useE2E();
    let idp: TestOidcProvider;
    let tlsCheckBefore: string | undefined;
    let schoolId: number;
    let classId: number;
    let challengeId: number;

    const admin = () => e2e.reuse('admin', 'desktop');
    const teacher = () => e2e.reuse('teacher', 'desktop');
    const pupil = () => e2e.reuse('pupil', 'desktop');

    /** The provider's own development login page asks for a Google web font and has no favicon. */
    function allowProviderPage(guard: PageGuard): void {
      const escaped = idp.issuer.replace(/[.:/]/g, (c) => `\\${c}`);
      guard.allowConsoleError(/ERR_NAME_NOT_RESOLVED \(at https:\/\/fonts\.googleapis\.com\//);
      guard.allowConsoleError(new RegExp(`404 \\(Not Found\\) \\(at ${escaped}\\/favicon\\.ico\\)`));
    }

    /** "Sign in with …" on the login page, the provider's login page as `sub`, and back to the site. */
    async function signInWithSchool({ page, guard }: OpenPage, sub: string): Promise<void> {
      allowProviderPage(guard);
      if (new URL(page.url()).pathname !== '/login') await visit(page, '/login');
      await page.getByRole('button', { name: `Sign in with ${LABEL}` }).click();
      await page.waitForURL((url) => url.origin === idp.issuer);
      await page.locator('input[name="login"]').fill(sub);
      await page.locator('input[name="password"]').fill('the password of the school account');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      await page.waitForURL((url) => url.origin === e2e.site.baseUrl && url.pathname !== '/login/sso/callback');
      await page.waitForLoadState('load');
      await expectLoggedIn(page);
    }

    /** The login form with the right password of an account whose school signs in with its provider only. */
    async function passwordRefused({ page, guard }: OpenPage, email: string, password: string): Promise<void> {
      await visit(page, '/login');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      guard.allowConsoleErrorOnce(/status of 403/);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
        page.locator('main').getByRole('button', { name: 'Log in', exact: true }).click(),
      ]);
      expect(answer.status()).toBe(403);
      await page.waitForLoadState('load');
      expect(await mainText(page)).toContain(`Your school signs in with its ${LABEL} account: use the button below.`);
      expect(await page.locator('header').getByRole('link', { name: 'Log in', includeHidden: true }).count()).toBe(1);
    }

    beforeAll(async () => {
      const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
        keyType: 'ec',
        algorithm: 'sha256',
        notAfterDate: new Date(Date.now() + 86400_000),
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
      });
      // The school's directory: its pupils and its staff, as the MIS knows them.
      idp = await startOidcProvider({
        clients: [{ ...CLIENT, redirectUris: [`${e2e.site.baseUrl}/login/sso/callback`] }],
        accounts: [...PUPILS.map(idpAccount), idpAccount(TEACHER)],
        tls: { key: pems.private, cert: pems.cert },
      });
      // The site (in this process) must accept the provider's throwaway certificate when it reads
      // the provider's metadata, keys and tokens (as in sso-journey.test.ts): certificate checks
      // are off for this file's process only.
      tlsCheckBefore = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

      const school = await e2e.site.test.db
        .selectFrom('schools')
        .select('id')
        .where('email_domain', '=', DOMAIN)
        .executeTakeFirstOrThrow();
      schoolId = school.id;
      // A member of staff who made an account before the school's accounts were set up: a plain
      // account of the school with a password, no role yet.
      await e2e.site.test.createUser({
        email: TEACHER.email,
        firstName: TEACHER.first,
        lastName: TEACHER.last,
        schoolId,
        yearGroup: null,
        keyStage: null,
      });
    }, E2E_HOOK_TIMEOUT);

    afterAll(async () => {
      if (tlsCheckBefore === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = tlsCheckBefore;
      await idp?.close();
    });

    it('1. the admin adds the school’s provider, checks it, enables it and switches password sign-in off', async () => {
      const { page } = await admin();
      await logIn(page, ADMIN.email, ADMIN.password);
      await Promise.all([
        page.waitForNavigation(),
        page.locator('header').getByRole('link', { name: 'Admin' }).click(),
      ]);
      await adminNav(page, 'Schools');
      const row = page.locator('tr', { hasText: `@${DOMAIN}` });
      await follow(page, row.getByRole('link', { name: 'Sign-in' }));
      expect(new URL(page.url()).pathname).toBe(`/admin/schools/${schoolId}/sign-in`);
      // The page names the redirect URI to register at the provider: the one the provider knows.
      expect(await page.locator('main code').first().innerText()).toBe(`${e2e.site.baseUrl}/login/sso/callback`);
      expect(await mainText(page)).toContain('No sign-in provider yet');

      // The Microsoft and Google presets have fixed issuers (login.microsoftonline.com,
      // accounts.google.com); the school's directory here is a provider on this machine, so it is
      // added as "another OpenID provider" with its own issuer.
      await follow(page, page.getByRole('link', { name: 'Add another OpenID provider' }));
      await page.getByLabel('Name on the button').fill(LABEL);
      await page.getByLabel('Issuer').fill(idp.issuer);
      await page.getByLabel('Client ID').fill(CLIENT.clientId);
      await page.getByLabel('Client secret').fill(CLIENT.clientSecret);
      expect(await page.getByLabel('Allowed email domains').inputValue()).toBe(DOMAIN);
      await submit(page, 'Add provider');
      expect((await flashes(page)).join(' ')).toContain(`${LABEL} added for`);
      const provider = page.locator('tr', { hasText: LABEL });
      expect(await provider.innerText()).toContain('Disabled');
      // The secret is never sent back to the browser.
      expect(await page.content()).not.toContain(CLIENT.clientSecret);

      await submit(page, 'Check connection', provider);
      expect((await flashes(page)).join(' ')).toContain(`${LABEL}: connection works.`);
      await submit(page, 'Enable', provider);
      expect((await flashes(page)).join(' ')).toContain(`${LABEL} enabled: its button shows on the login page.`);
      expect(await page.locator('tr', { hasText: LABEL }).innerText()).toContain('Enabled');

      const passwords = page.getByLabel('Pupils and teachers of this school may also sign in with a password');
      expect(await passwords.isChecked()).toBe(true);
      await passwords.uncheck();
      await submit(page, 'Save');
      expect((await flashes(page)).join(' ')).toContain('now sign in with their school account only');
      expect(
        await page.getByLabel('Pupils and teachers of this school may also sign in with a password').isChecked(),
      ).toBe(false);
      await checkPage(page, 'admin-school-sign-in', 'desktop');
    });

    it('2. the admin imports the MIS export: a dry run with its refusal, then the import', async () => {
      const { page } = await admin();
      await adminNav(page, 'Users');
      await follow(page, page.getByRole('link', { name: 'Import pupils' }));
      expect(await page.locator('h1').innerText()).toBe('Import pupils');
      await page.getByLabel('School', { exact: true }).selectOption(String(schoolId));
      await page.getByLabel('CSV file').setInputFiles({
        name: 'SIMS pupils 9X.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(MIS_CSV, 'utf8'),
      });
      await submit(page, 'Check the file');

      expect(await page.locator('h1').innerText()).toBe('Import pupils: check');
      const summary = await page.locator('.import-summary').innerText();
      expect(summary).toContain('3 accounts to create');
      expect(summary).toContain('0 accounts to update');
      expect(summary).toContain('1 row refused');
      // The school signs in with its provider now: the welcome carries no password link.
      expect(await mainText(page)).toContain('signs in with its own accounts');
      const created = page.getByRole('region', { name: 'Accounts to create' });
      for (const p of PUPILS) {
        const line = await created.locator('tr', { hasText: p.email }).innerText();
        expect(line).toContain(`${p.first} ${p.last}`);
        expect(line).toMatch(/\b9\b/);
        expect(line).toContain('KS4');
        expect(line).toContain(CLASS_NAME);
      }
      const refused = page.getByRole('region', { name: 'Refused rows' }).locator('tbody tr');
      expect(await refused.count()).toBe(1);
      // Row 5: its line in the file (the header is row 1), then the name, the address and the reason.
      expect(await refused.locator('td').allInnerTexts()).toEqual([
        '5',
        'Carl Gauss',
        'carl.gauss@gmail.com',
        `The address is not at the school's domain (@${DOMAIN}).`,
      ]);
      // A dry run writes nothing.
      const before = await e2e.site.test.db
        .selectFrom('users')
        .select('id')
        .where(
          'email',
          'in',
          PUPILS.map((p) => p.email),
        )
        .execute();
      expect(before).toEqual([]);
      await checkPage(page, 'admin-import-dry-run', 'desktop');

      await submit(page, 'Import: create 3, update 0');
      expect(new URL(page.url()).pathname).toBe('/admin/users');
      const done = (await flashes(page)).join(' ');
      expect(done).toContain('Import done: 3 accounts created, 0 updated; 1 row refused and skipped.');
      expect(done).toContain('emailed a welcome telling them to sign in with their school account');
      for (const p of PUPILS) expect(await mainText(page)).toContain(p.email);
    });

    it('3. the admin makes a teacher of a staff account and of class 9X; the teacher signs in with the school account and releases a challenge', async () => {
      const { page } = await admin();
      // The staff member's own page: the role select.
      await visit(page, '/admin/users');
      await follow(page, page.locator('tr', { hasText: TEACHER.email }).getByRole('link').first());
      expect(await page.locator('h1').innerText()).toBe(`${TEACHER.first} ${TEACHER.last}`);
      await page.getByLabel('Role').selectOption('teacher');
      await submit(page, 'Save changes');
      expect(await page.locator('[data-role]').first().getAttribute('data-role')).toBe('teacher');

      // The class the import made: the admin adds the teacher to it.
      await adminNav(page, 'Classes');
      await follow(page, page.getByRole('link', { name: CLASS_NAME, exact: true }));
      classId = Number(/\/admin\/classes\/(\d+)$/.exec(page.url())?.[1]);
      expect(classId).toBeGreaterThan(0);
      const pupils = page.getByRole('region', { name: `Pupils of ${CLASS_NAME}` });
      for (const p of PUPILS) expect(await pupils.innerText()).toContain(p.email);
      await page
        .getByLabel('Add a teacher')
        .selectOption({ label: `${TEACHER.first} ${TEACHER.last} (${TEACHER.email})` });
      await submit(page, 'Add teacher');
      expect(await page.locator('section', { has: page.locator('#teachers-title') }).innerText()).toContain(
        TEACHER.email,
      );

      // The teacher: their password no longer opens the site (only admins keep it), the school account does.
      const teacherTab = await teacher();
      const tp = teacherTab.page;
      await passwordRefused(teacherTab, TEACHER.email, TEST_PASSWORD);
      await signInWithSchool(teacherTab, TEACHER.sub);
      expect(new URL(tp.url()).pathname).toBe('/');

      // "Teaching" in the header: the teaching areas only.
      await follow(tp, tp.locator('header').getByRole('link', { name: 'Teaching' }));
      const nav = tp.getByRole('navigation', { name: /admin/i });
      expect(await nav.getByRole('link', { name: 'Users' }).count()).toBe(0);
      await adminNav(tp, 'Classes');
      expect(await tp.getByRole('region', { name: 'Classes' }).innerText()).toContain(CLASS_NAME);

      // A weekly challenge for the pupils' key stage (Year 9: KS4 with the default KEY_STAGE_YEARS), released now.
      await adminNav(tp, 'Challenges');
      await follow(tp, tp.getByRole('link', { name: 'New challenge' }));
      await tp.getByLabel('Title').fill(TITLE);
      const surface = tp.locator('.editor-surface [contenteditable="true"]');
      await surface.click();
      await tp.keyboard.type('A square has sides of 12 cm. What is its area in square centimetres?');
      await tp.getByLabel('Key stage').selectOption('KS4');
      await tp.getByLabel('Release time').fill('');
      await tp.getByLabel('Attempts per box').fill('3');
      const box = tp.locator('fieldset.answer-boxes li.box-item:not(.is-removed)').first();
      await box.getByLabel('Label (optional)').fill('Area');
      expect(await typeMath(tp, box.locator('math-field'), ['1', '4', '4'])).toBe('144');
      await submit(tp, 'Create challenge');
      expect((await flashes(tp)).join(' ')).toContain(`Challenge «${TITLE}» created`);
      challengeId = Number(/\/admin\/challenges\/(\d+)\/edit$/.exec(tp.url())?.[1]);
      expect(challengeId).toBeGreaterThan(0);
      await visit(tp, '/admin/challenges');
      expect(await tp.locator('section', { has: tp.locator('#released-title') }).innerText()).toContain(TITLE);
    });

    it('4. an imported pupil signs in with the school account, is not asked their year, and solves the challenge', async () => {
      const pupilTab = await pupil();
      const { page } = pupilTab;
      // Imported pupils have no password anyone knows; the form refuses them whatever they type.
      await visit(page, '/login');
      await page.getByLabel('Email').fill(PUPIL.email);
      await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
      pupilTab.guard.allowConsoleErrorOnce(/status of 401/);
      await submit(page, 'Log in');
      expect(await mainText(page)).toContain('That email and password do not match an account.');
      expect(await page.locator('header').getByRole('link', { name: 'Log in', includeHidden: true }).count()).toBe(1);

      await signInWithSchool(pupilTab, PUPIL.sub);
      // The import gave the year: no welcome question.
      expect(new URL(page.url()).pathname).toBe('/');
      const account = await e2e.site.test.db
        .selectFrom('users')
        .select(['year_group', 'key_stage'])
        .where('email', '=', PUPIL.email)
        .executeTakeFirstOrThrow();
      expect(account).toEqual({ year_group: 9, key_stage: 'KS4' });

      await visit(page, '/challenges');
      await follow(page, page.getByRole('link', { name: TITLE }));
      expect(new URL(page.url()).pathname).toBe(`/challenges/${challengeId}`);
      expect(await mainText(page)).toContain('A square has sides of 12 cm.');
      expect(await typeMath(page, page.locator('#box-1 math-field'), ['1', '4', '4'])).toBe('144');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      expect((await flashes(page)).join(' ')).toContain(
        `Correct — you have completed «${TITLE}»! You were the first to finish: +3 points.`,
      );
    });

    it('5. the teacher sees the pupil completed and on the class board; the pupil sees the class board; the accounts pages stay closed to the teacher', async () => {
      const teacherTab = await teacher();
      const tp = teacherTab.page;
      await visit(tp, `/admin/classes/${classId}`);
      await follow(tp, tp.locator('main').getByRole('link', { name: 'Progress' }));
      expect(await tp.locator('h1').innerText()).toBe(`Progress of ${CLASS_NAME}`);
      const grid = tp.getByRole('region', { name: `Progress of ${CLASS_NAME}` });
      expect(await grid.locator('thead').innerText()).toContain(TITLE);
      expect(await grid.locator('thead').innerText()).toContain(`1 of ${PUPILS.length} completed`);
      const solved = grid.locator('tbody tr', { hasText: `${PUPIL.first} ${PUPIL.last}` });
      expect(await solved.locator('td[data-state]').getAttribute('data-state')).toBe('completed');
      for (const other of PUPILS.slice(1)) {
        const row = grid.locator('tbody tr', { hasText: `${other.first} ${other.last}` });
        expect(await row.locator('td[data-state]').getAttribute('data-state')).toBe('not-tried');
      }
      await checkPage(tp, 'teacher-class-progress', 'desktop');

      // The class's board on its page: the pupil first, with the first finisher's 3 points.
      await follow(tp, tp.getByRole('link', { name: 'Back to the class' }));
      const board = tp.getByRole('region', { name: `Leaderboard of ${CLASS_NAME}` });
      const first = await board.locator('tbody tr').first().locator('td').allInnerTexts();
      expect(first).toEqual(['1', `${PUPIL.first} ${PUPIL.last}`, '3', '1']);

      // The pupil's view of the same board: first name and initial.
      const { page } = await pupil();
      await visit(page, '/leaderboard/class');
      const theirs = page.getByRole('region', { name: `Leaderboard of ${CLASS_NAME}` });
      const mine = theirs.locator('tr.board-me');
      expect((await mine.locator('td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '))).toEqual([
        '1',
        `${PUPIL.first} ${PUPIL.last[0]}. (you)`,
        '3',
        '1',
      ]);
      expect(await theirs.innerText()).not.toContain(PUPIL.last);
      await checkPage(page, 'pupil-class-board', 'desktop');

      // A teacher, not an admin: the accounts pages are closed.
      teacherTab.guard.allowConsoleErrorOnce(/status of 403/);
      await visit(tp, '/admin/users', 403);
      expect(await mainText(tp)).toContain('This page is for administrators only.');
    });
  },
);
