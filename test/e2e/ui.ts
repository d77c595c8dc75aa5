// Steps a person takes in the browser, shared by the journeys. Everything goes
// through the real pages: labels, buttons and links as a visitor sees them.
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/** Opens a page and expects it to answer with the given status. */
export async function visit(page: Page, path: string, status = 200): Promise<void> {
  const response = await page.goto(path);
  expect(response?.status(), `status of ${path}`).toBe(status);
}

/**
 * Opens a public page that production serves from a short cache
 * (PUBLIC_CACHE_SECONDS: the home page's data, the public leaderboard) and
 * reloads it, as a person would, until `text` shows — for at most the cache
 * period plus a margin, so a page that never shows it still fails.
 */
export async function visitUntilShown(page: Page, path: string, text: string, cacheSeconds: number): Promise<void> {
  const end = Date.now() + (cacheSeconds + 5) * 1000;
  for (;;) {
    await visit(page, path);
    const shown = (await mainText(page)).includes(text);
    if (shown || Date.now() > end) {
      expect(shown, `${path} shows "${text}" within ${cacheSeconds} s (its cache period)`).toBe(true);
      return;
    }
    await page.waitForTimeout(1000);
  }
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
  // On a phone the account links are in the folded menu: present, though hidden until it opens.
  const logout = page.locator('header').getByRole('button', { name: 'Log out', includeHidden: true });
  expect(await logout.count(), `logged in on ${page.url()}`).toBe(1);
}

/** Opens the header's menu if it is folded behind its button (phone width). */
export async function openMenu(page: Page): Promise<void> {
  const button = page.locator('header summary.menu-button');
  if ((await button.isVisible()) && (await page.locator('header details.site-menu[open]').count()) === 0) {
    await button.click();
  }
}

export async function logOut(page: Page): Promise<void> {
  await openMenu(page);
  await submit(page, 'Log out', page.locator('header'));
  expect(await page.locator('header').getByRole('link', { name: 'Log in', includeHidden: true }).count()).toBe(1);
}

/** The visible text of the page's main region, whitespace collapsed. */
export async function mainText(page: Page): Promise<string> {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

/** The flash messages shown at the top of the page. */
export async function flashes(page: Page): Promise<string[]> {
  return (await page.locator('.flash').allInnerTexts()).map((t) => t.trim());
}

type MathField = HTMLElement & { getValue(format: string): string; hasFocus(): boolean };

/** Clicks a MathLive field and waits until it has focus (keys sent before that would be lost). */
async function focusMath(field: Locator): Promise<void> {
  await field.waitFor({ state: 'visible' });
  await field.click();
  // Focus has really moved when this field has it, the document says so, and
  // no other math field still holds the keyboard.
  await field.evaluate(
    (el) =>
      new Promise<void>((resolve) => {
        const moved = () =>
          (el as MathField).hasFocus() &&
          document.activeElement === el &&
          [...document.querySelectorAll('math-field')].every((f) => f === el || !(f as MathField).hasFocus());
        const ready = () => (moved() ? requestAnimationFrame(() => resolve()) : requestAnimationFrame(ready));
        ready();
      }),
  );
}

/** Empties a MathLive field with the keyboard: select all, delete. */
export async function clearMath(page: Page, field: Locator): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    await focusMath(field);
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Backspace');
    const end = Date.now() + 1500;
    while (Date.now() < end) {
      if ((await mathValue(field)) === '') return;
      await page.waitForTimeout(50);
    }
  }
  expect(await mathValue(field), 'the math field was emptied').toBe('');
}

/** The LaTeX a MathLive field holds. */
export function mathValue(field: Locator): Promise<string> {
  return field.evaluate((el) => (el as MathField).getValue('latex'));
}

/**
 * Types into a MathLive field with the keyboard, as a person does: clicks it,
 * then sends the keys one at a time, each after the field has taken the
 * previous one ("/" makes a fraction, "sqrt" a square root; names such as
 * "ArrowRight" are pressed as keys). Returns the LaTeX the field then holds.
 */
export async function typeMath(page: Page, field: Locator, keys: string[]): Promise<string> {
  await focusMath(field);
  return typeInto(page, field, keys);
}

/** Types into the math field that has keyboard focus already (reached with Tab, say). */
export async function typeMathFocused(page: Page, keys: string[]): Promise<string> {
  const field = page.locator('math-field:focus');
  expect(await field.count(), 'a math field has focus').toBe(1);
  return typeInto(page, field, keys);
}

async function typeInto(page: Page, field: Locator, keys: string[]): Promise<string> {
  const send = (k: string) => (/^[A-Z][a-zA-Z]+$/.test(k) ? page.keyboard.press(k) : page.keyboard.type(k));
  const changed = async (before: string, ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if ((await mathValue(field)) !== before) return true;
      await page.waitForTimeout(50);
    }
    return false;
  };
  // Character by character, so that a lost keystroke is noticed where it happened.
  const strokes = keys.flatMap((k) => (/^[A-Z][a-zA-Z]+$/.test(k) ? [k] : [...k]));
  const allFields = () =>
    page
      .locator('math-field')
      .evaluateAll((els) => els.map((el) => (el as MathField).getValue('latex')).join('\u0000'));
  for (const k of strokes) {
    const before = await mathValue(field);
    const everything = await allFields();
    await send(k);
    if (await changed(before, 3000)) continue;
    // Retyping is only right when the key went nowhere (not into another field).
    expect(await allFields(), `"${k}" went into another math field`).toBe(everything);
    // A key that left no trace was never taken (MathLive can drop the very first
    // keystrokes while it sets up its keyboard sink): a person would type it again.
    await field.focus();
    await send(k);
    expect(await changed(before, 5000), `the math field took "${k}"`).toBe(true);
  }
  return mathValue(field);
}

/** Same TeX, whether or not single-character arguments are braced (MathLive writes \frac34). */
export const sameTex = (a: string, b: string): boolean => a.replace(/[{}\s]/g, '') === b.replace(/[{}\s]/g, '');
