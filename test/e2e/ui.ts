// Steps a person takes in the browser, shared by the journeys. Everything goes
// through the real pages: labels, buttons and links as a visitor sees them.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Opens a page and expects it to answer with the given status. */
export async function visit(page: Page, path: string, status = 200): Promise<void> {
  const response = await page.goto(path);
  expect(response?.status(), `status of ${path}`).toBe(status);
}

/** Submits a form by clicking its button and waits for the page that answers it. */
export async function submit(page: Page, buttonName: string | RegExp, scope = page.locator('main')): Promise<void> {
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    scope.getByRole('button', { name: buttonName, exact: typeof buttonName === 'string' }).click(),
  ]);
}

/** Logs in through the login form and expects to be logged in. */
export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await visit(page, '/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await submit(page, 'Log in');
  await expectLoggedIn(page);
}

export async function expectLoggedIn(page: Page): Promise<void> {
  const logout = page.locator('header').getByRole('button', { name: 'Log out' });
  expect(await logout.count(), `logged in on ${page.url()}`).toBe(1);
}

export async function logOut(page: Page): Promise<void> {
  await submit(page, 'Log out', page.locator('header'));
  expect(await page.locator('header').getByRole('link', { name: 'Log in' }).count()).toBe(1);
}

/** The visible text of the page's main region, whitespace collapsed. */
export async function mainText(page: Page): Promise<string> {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

/** The flash messages shown at the top of the page. */
export async function flashes(page: Page): Promise<string[]> {
  return (await page.locator('.flash').allInnerTexts()).map((t) => t.trim());
}
