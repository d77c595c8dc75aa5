// A student's whole first week, in the browser: registers, logs out and in
// again, opens a challenge, types answers into the MathLive fields with the
// keyboard (a fraction and a square root), gets one wrong and then right,
// completes the challenge, and finds the points on the leaderboard and the
// profile.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from './harness.js';
import { seedChallenge } from './data.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E } from './suite.js';
import {
  expectLoggedIn,
  flashes,
  logIn,
  logOut,
  mainText,
  sameTex,
  submit,
  typeMath,
  visit,
  visitUntilShown,
} from './ui.js';

const STUDENT = {
  first: 'Maryam',
  last: "O'Neill-Mirzakhani",
  email: 'maryam.oneill@school.example.org',
  password: 'triangles are my favourite shape',
};
const TITLE = 'Fractions and roots';

/**
 * Types into box `position`'s MathLive field, checks the LaTeX the field will
 * send, and sends it with Enter (the field submits its form, as a text input does).
 */
async function answer(page: Page, position: number, keys: string[], expectedLatex: string): Promise<void> {
  const field = page.locator(`#box-${position} math-field`);
  const latex = await typeMath(page, field, keys);
  expect(sameTex(latex, expectedLatex), `${latex} is ${expectedLatex}`).toBe(true);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  expect(page.url()).toMatch(new RegExp(`/challenges/\\d+#box-${position}$`));
}

describe.runIf(browserAvailable())('student journey: register, solve a challenge, see the points', E2E_TIMEOUTS, () => {
  // This journey is about what comes after joining: confirming the address by email is
  // test/e2e/verified-registration.test.ts's journey, so registration here signs in at once.
  const e2e = useE2E({ REQUIRE_EMAIL_VERIFICATION: 'false' });

  beforeAll(async () => {
    await seedChallenge(e2e.site, {
      title: TITLE,
      contentHtml:
        '<p>Half of <span class="math-inline" data-latex="\\frac{3}{2}">\\frac{3}{2}</span>, and the square root of 8.</p>',
      keyStage: 'KS4',
      boxes: [
        { label: 'Half of 3/2', answer: '\\frac{3}{4}' },
        { label: 'Root of 8', answer: '2\\sqrt{2}' },
      ],
    });
  }, E2E_HOOK_TIMEOUT);

  it('registers, answers with the keyboard, completes the challenge and scores on the board and profile', async () => {
    const { page } = await e2e.open();

    // Registration
    await visit(page, '/');
    await Promise.all([
      page.waitForNavigation(),
      page.locator('main').getByRole('link', { name: /join/i }).first().click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/register');
    await page.getByLabel('First name').fill(STUDENT.first);
    await page.getByLabel('Last name').fill(STUDENT.last);
    await page.getByLabel('School email').fill(`  ${STUDENT.email.toUpperCase()} `);
    await page.getByLabel('School year').selectOption('10');
    await page.getByLabel('Maths class').fill('10X2');
    await page.getByLabel('Password', { exact: true }).fill(STUDENT.password);
    await page.getByLabel('Confirm password').fill(STUDENT.password);
    await submit(page, 'Create account');
    expect(new URL(page.url()).pathname).toBe('/challenges');
    expect((await flashes(page)).join(' ')).toContain(`Welcome to the Maths Society, ${STUDENT.first}`);
    await expectLoggedIn(page);

    // Log out, and back in with the email as typed at registration (case and spaces do not matter).
    await logOut(page);
    await logIn(page, STUDENT.email, STUDENT.password);

    // Open the challenge from the list.
    await visit(page, '/challenges');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: TITLE }).click()]);
    expect(await page.locator('h1').innerText()).toBe(TITLE);
    expect(await page.locator('.challenge .katex').count(), 'the math in the problem is rendered').toBeGreaterThan(0);

    // Box 1: a wrong fraction first, then the right one.
    await answer(page, 1, ['2', '/', '3'], '\\frac{2}{3}');
    expect((await flashes(page)).join(' ')).toMatch(/Not quite\. You have 2 attempts left/);
    expect(await page.locator('#box-1 .try-wrong').count()).toBe(1);
    await answer(page, 1, ['3', '/', '4'], '\\frac{3}{4}');
    expect((await flashes(page)).join(' ')).toMatch(/Correct! Now answer the remaining boxes/);
    expect(await page.locator('#box-1').innerText()).toContain('Answered correctly');
    expect(await page.locator('#box-1 math-field').count(), 'a solved box takes no more answers').toBe(0);

    // Box 2: a square root, typed as "sqrt"; √8 is the same number as 2√2.
    await answer(page, 2, ['sqrt', '8'], '\\sqrt{8}');
    const done = (await flashes(page)).join(' ');
    expect(done).toContain(`you have completed «${TITLE}»`);
    expect(done).toContain('+3 points');
    expect(await page.locator('.banner-completed').innerText()).toContain('3 points');

    // The leaderboard (KS4: Year 10) shows the student first with 3 points, and the activity feed says so.
    // The public board is served from a short cache in production: it shows the points within that period.
    await visitUntilShown(page, '/leaderboard?ks=KS4', STUDENT.first, e2e.site.test.config.publicCache.seconds);
    const row = page.locator('table.board tbody tr', { hasText: STUDENT.first });
    expect(await row.count()).toBe(1);
    expect((await row.locator('td').allInnerTexts()).map((t) => t.trim())).toEqual([
      '1',
      expect.stringContaining(STUDENT.first),
      '3',
      '1',
    ]);
    expect(await page.locator('.board-mine').innerText()).toMatch(/#1.*3 points.*1 challenge/);
    expect(await page.locator('.activity').innerText()).toContain(`completed «${TITLE}» +3`);

    // The profile shows the points and the completed challenge.
    await visit(page, '/profile');
    const text = await mainText(page);
    expect(text).toContain(`${STUDENT.first} ${STUDENT.last}`);
    expect(
      await page
        .locator('tr', { has: page.locator('th', { hasText: 'KS4' }) })
        .locator('td')
        .allInnerTexts(),
    ).toEqual(['3', '1']);
    expect(await page.getByTestId('challenges-completed').innerText()).toBe('1');
  });
});
