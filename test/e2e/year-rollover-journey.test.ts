// The new school year in the browser (ADR 035): the admin opens "New school
// year", reads the preview (each year group's move, the Year 13 leavers by
// name), confirms, and sees the result and the history. A Year 13 pupil who
// was signed in in another browser is signed out on their next page, and their
// right password then meets "This account was closed when you left school…";
// a Year 9 pupil's profile says Year 10; and starting the same school year
// again is refused with the reason, nothing changed.
import { describe, expect, it } from 'vitest';
import { ACCOUNT_CLOSED_MESSAGE } from '../../src/domain/accounts/leavers.js';
import { schoolYearLabel } from '../../src/domain/accounts/year-rollover.js';
import { keyStageForYear } from '../../src/domain/key-stage.js';
import { ADMIN, browserAvailable } from './harness.js';
import { E2E_TIMEOUTS, useE2E } from './suite.js';
import { expectLoggedIn, flashes, logIn, mainText, submit, visit } from './ui.js';

const PASSWORD = 'correct horse battery staple';
const NINE = { email: 'ivy.nine@school.example.org', firstName: 'Ivy', lastName: 'Nine', yearGroup: 9 };
const ELEVEN = { email: 'owen.eleven@school.example.org', firstName: 'Owen', lastName: 'Eleven', yearGroup: 11 };
const LEAVER = { email: 'lena.leaver@school.example.org', firstName: 'Lena', lastName: 'Leaver', yearGroup: 13 };

describe.runIf(browserAvailable())('the new school year', E2E_TIMEOUTS, () => {
  const e2e = useE2E();

  it('moves pupils up, closes the leavers’ accounts (signing them out), and cannot be run twice for one year', async () => {
    const site = e2e.site;
    const db = site.test.db;
    const school = await db
      .selectFrom('schools')
      .select('id')
      .where('email_domain', '=', 'school.example.org')
      .executeTakeFirstOrThrow();
    // The site's own map of years to key stages (KEY_STAGE_YEARS).
    const keyStage = (year: number) => keyStageForYear(site.test.config.accounts.keyStageByYear, year)!;
    const users: Record<string, number> = {};
    for (const p of [NINE, ELEVEN, LEAVER]) {
      users[p.email] = (
        await site.test.createUser({ ...p, password: PASSWORD, keyStage: keyStage(p.yearGroup), schoolId: school.id })
      ).id;
    }
    const teacher = await site.test.createUser({ teacher: true, schoolId: school.id });

    // The Year 13 pupil is signed in, in a browser of their own.
    const { page: leaver, guard: leaverGuard } = await e2e.open();
    await logIn(leaver, LEAVER.email, PASSWORD);
    await visit(leaver, '/challenges');
    await expectLoggedIn(leaver);

    // The admin goes from the admin area to "New school year".
    const { page: admin, guard: adminGuard } = await e2e.open();
    await logIn(admin, ADMIN.email, ADMIN.password);
    await visit(admin, '/admin');
    await Promise.all([
      admin.waitForNavigation({ waitUntil: 'load' }),
      admin.getByRole('navigation', { name: 'Admin areas' }).getByRole('link', { name: 'New school year' }).click(),
    ]);
    expect(new URL(admin.url()).pathname).toBe('/admin/year-rollover');
    await expect(admin.locator('h1').innerText()).resolves.toBe('New school year');

    // The preview: each year group's move, the leavers by name; nothing has changed yet.
    const moves = admin.getByRole('region', { name: 'Year groups moving up' });
    const move = async (from: number) =>
      (await moves.locator(`tr[data-move="${from}-${from + 1}"] td`).allInnerTexts()).map((t) => t.trim());
    expect(await move(9)).toEqual(['Year 9', 'Year 10', `${keyStage(9)} → ${keyStage(10)}`, '1']);
    expect(await move(11)).toEqual(['Year 11', 'Year 12', `${keyStage(11)} → ${keyStage(12)}`, '1']);
    expect(await moves.locator('tbody tr').count()).toBe(2);
    const preview = await mainText(admin);
    expect(preview).toContain('Moving up one year: 2 pupils');
    expect(preview).toContain('Leaving from Year 13, accounts closed: 1 pupil');
    const leavers = admin.getByRole('region', { name: 'Leavers' });
    expect((await leavers.locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
      `Leaver, Lena ${LEAVER.email} Maths Society School`,
    ]);
    expect(preview).toContain('School years started None yet.');
    const year = Number(await admin.getByLabel('School year (the calendar year it starts in)').inputValue());
    const label = schoolYearLabel(year);

    // Confirm and run it.
    await admin.getByRole('checkbox', { name: 'Yes, move 2 pupils up and close the accounts of 1 leaver' }).check();
    await submit(admin, 'Start the new school year');
    expect(new URL(admin.url()).pathname).toBe('/admin/year-rollover');
    expect(await flashes(admin)).toContainEqual(
      `School year ${label} started: 2 pupils moved up, 1 leaver’s account closed, 0 pupils without a school year left as they are.`,
    );
    const history = admin.getByRole('region', { name: 'School years started' });
    const row = (await history.locator(`tr[data-rollover="${year}"] td`).allInnerTexts()).map((t) => t.trim());
    expect([row[0], row[2], row[3], row[4]]).toEqual([label, ADMIN.email, '2', '1']);
    expect(await history.locator('tbody tr').count()).toBe(1);

    // The leaver's next page finds them signed out.
    await visit(leaver, '/profile');
    expect(new URL(leaver.url()).pathname).toBe('/login');
    expect(await leaver.locator('header').getByRole('button', { name: 'Log out', includeHidden: true }).count()).toBe(
      0,
    );
    // Their right password: the account is closed, and they are told so.
    await leaver.getByLabel('Email').fill(LEAVER.email);
    await leaver.getByLabel('Password', { exact: true }).fill(PASSWORD);
    leaverGuard.allowConsoleErrorOnce(/status of 403/);
    await submit(leaver, 'Log in');
    expect(await mainText(leaver)).toContain(ACCOUNT_CLOSED_MESSAGE);
    expect(await leaver.locator('header').getByRole('button', { name: 'Log out', includeHidden: true }).count()).toBe(
      0,
    );

    // The Year 9 pupil is in Year 10 now.
    const { page: nine } = await e2e.open();
    await logIn(nine, NINE.email, PASSWORD);
    await visit(nine, '/profile');
    expect(await mainText(nine)).toContain('School year Year 10');

    // Starting the same school year again is refused, and changes nothing.
    await visit(admin, '/admin/year-rollover');
    expect(await admin.getByLabel('School year (the calendar year it starts in)').inputValue()).toBe(String(year));
    await admin.getByRole('checkbox', { name: /^Yes, move 2 pupils up/ }).check();
    adminGuard.allowConsoleErrorOnce(/status of 409/);
    await submit(admin, 'Start the new school year');
    const ran = await db
      .selectFrom('year_rollovers')
      .select('ran_at')
      .where('school_year', '=', year)
      .executeTakeFirstOrThrow();
    expect(await mainText(admin)).toContain(
      `The new school year ${label} was already started on ${ran.ran_at.slice(0, 10)}: everyone has moved up once. Nothing was changed.`,
    );
    expect(await admin.getByRole('region', { name: 'School years started' }).locator('tbody tr').count()).toBe(1);
    const years = await db
      .selectFrom('users')
      .select(['id', 'year_group', 'archived_at'])
      .where('id', 'in', [...Object.values(users), teacher.id])
      .execute();
    const byId = new Map(years.map((u) => [u.id, u]));
    expect(byId.get(users[NINE.email]!)).toMatchObject({ year_group: 10, archived_at: null });
    expect(byId.get(users[ELEVEN.email]!)).toMatchObject({ year_group: 12, archived_at: null });
    expect(byId.get(users[LEAVER.email]!)?.year_group).toBe(13);
    expect(byId.get(users[LEAVER.email]!)?.archived_at).not.toBeNull();
    expect(byId.get(teacher.id)).toMatchObject({ year_group: null, archived_at: null });
  });
});
