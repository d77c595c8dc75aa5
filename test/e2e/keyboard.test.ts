// Keyboard use: the skip link, a whole form without a mouse, and a visible
// focus ring on every control Tab reaches.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from './harness.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E, type StorageState } from './suite.js';
import { seedChallenge } from './data.js';
import { expectLoggedIn, logIn, sameTex, typeMathFocused, visit } from './ui.js';

const STUDENT = { email: 'keys.only@school.example.org', password: 'correct horse battery staple' };

describe.runIf(browserAvailable())('keyboard navigation', E2E_TIMEOUTS, () => {
  const e2e = useE2E();
  let student: StorageState;

  beforeAll(async () => {
    await e2e.site.test.createUser({ email: STUDENT.email, firstName: 'Keys', lastName: 'Only' });
    const { page, context } = await e2e.open();
    await logIn(page, STUDENT.email, STUDENT.password);
    student = await context.storageState();
  }, E2E_HOOK_TIMEOUT);

  it('can be used with the keyboard alone: skip link, then the login form', async () => {
    const { page } = await e2e.open();
    await visit(page, '/login');
    await page.keyboard.press('Tab');
    const skip = await focused(page);
    expect(skip).toMatchObject({ tag: 'a', text: 'Skip to content', visibleFocus: true });
    await page.keyboard.press('Enter');
    // The next Tab starts inside main: the first field of the form.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'email', visibleFocus: true });
    await page.keyboard.type(STUDENT.email);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'password', visibleFocus: true });
    await page.keyboard.type(STUDENT.password);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'remember', visibleFocus: true });
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'button', text: 'Log in', visibleFocus: true });
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await expectLoggedIn(page);
  });

  it("reaches a challenge's MathLive answer field with Tab and sends an answer with Enter", async () => {
    const id = await seedChallenge(e2e.site, {
      title: 'Keyboard only',
      boxes: [{ label: 'Seven eighths', answer: '\\frac{7}{8}' }],
    });
    const { page } = await e2e.open('desktop', student);
    await visit(page, `/challenges/${id}`);
    await page.locator('math-field').waitFor();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.tagName === 'MATH-FIELD');
    }
    expect(reached, 'Tab reaches the answer field').toBe(true);
    expect(sameTex(await typeMathFocused(page, ['7', '/', '8']), '\\frac{7}{8}')).toBe(true);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect((await page.locator('.flash').allInnerTexts()).join(' ')).toContain('completed «Keyboard only»');
  });

  it('shows a visible focus ring on every link and control of the header as Tab moves through it', async () => {
    const { page } = await e2e.open('desktop', student);
    await visit(page, '/');
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (!f.inHeader && i > 0) break;
      seen.push(`${f.tag}:${f.text || f.name}`);
      expect(f.visibleFocus, `focus ring on ${f.tag} "${f.text || f.name}"`).toBe(true);
    }
    expect(seen).toContain('button:Log out');
  });
});

interface Focused {
  tag: string;
  name: string;
  text: string;
  inHeader: boolean;
  visibleFocus: boolean;
}

/** What has keyboard focus, and whether the browser draws a focus indicator on it. */
function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { tag: 'body', name: '', text: '', inHeader: false, visibleFocus: false };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none';
    return {
      tag: el.tagName.toLowerCase(),
      name: el.getAttribute('name') ?? '',
      text: (el.innerText ?? '').trim(),
      inHeader: Boolean(el.closest('header')),
      visibleFocus: el.matches(':focus-visible') && (outline || shadow),
    };
  });
}
