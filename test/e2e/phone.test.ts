// Phones (375×812, touch): the header's menu button opens and closes the menu
// by tap and by keyboard; the admin area's section menu names the current
// section and folds the others away; boards, the profile and an admin list
// keep their tables inside marked scroll regions; with the on-screen maths
// keyboard open, "Check answer" stays in sight above it, and Enter checks the
// answer. Screenshots of each state go to test-results/screenshots/phone-*.png.
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoClippedTables, expectNoHorizontalScroll, expectReachable, saveScreenshot } from './checks.js';
import { seedArticle, seedChallenge } from './data.js';
import { ADMIN, browserAvailable } from './harness.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E, type StorageState } from './suite.js';
import { flashes, logIn, mainText, mathValue, typeMath, visit } from './ui.js';

const STUDENT = { email: 'small.screen@school.example.org', password: 'correct horse battery staple' };

interface Keyboard {
  visible: boolean;
  boundingRect: DOMRect;
}

/** What has keyboard focus: its tag, text and whether a focus ring shows. */
function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement;
    return {
      tag: el.tagName.toLowerCase(),
      text: el.textContent?.trim() ?? '',
      ring: getComputedStyle(el).outlineStyle !== 'none' && parseFloat(getComputedStyle(el).outlineWidth) > 0,
    };
  });
}

const isOpen = (menu: Locator) => menu.evaluate((d) => (d as HTMLDetailsElement).open);

describe.runIf(browserAvailable())('on a phone', E2E_TIMEOUTS, () => {
  const e2e = useE2E();
  let student: StorageState;
  let admin: StorageState;
  let challenge: number;
  let article: number;

  beforeAll(async () => {
    await e2e.site.test.createUser({ email: STUDENT.email, firstName: 'Small', lastName: 'Screen' });
    challenge = await seedChallenge(e2e.site, {
      title: 'Thumbs only',
      boxes: [
        { label: 'Three fours', answer: '12' },
        { label: 'Half of ten', answer: '5' },
      ],
    });
    // An article with a table of eight wide columns, as a teacher might paste in.
    article = await seedArticle(e2e.site, {
      title: 'Square numbers',
      contentHtml: `<table><thead><tr>${Array.from({ length: 8 }, (_, i) => `<th>Term ${i + 1}</th>`).join('')}</tr></thead><tbody><tr>${Array.from({ length: 8 }, (_, i) => `<td>${(i + 1) ** 2 * 1_000_003}</td>`).join('')}</tr></tbody></table>`,
    });
    {
      const { page, context } = await e2e.open('phone');
      await logIn(page, STUDENT.email, STUDENT.password);
      student = await context.storageState();
    }
    {
      const { page, context } = await e2e.open('phone');
      await logIn(page, ADMIN.email, ADMIN.password);
      admin = await context.storageState();
    }
  }, E2E_HOOK_TIMEOUT);

  it('folds the header menu behind a button that opens and closes it by tap', async () => {
    const { page } = await e2e.open('phone', student);
    await visit(page, '/');
    const header = page.locator('header');
    const button = header.locator('summary.menu-button');
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await button.innerText()).toBe('Menu');
    expect(await nav.isVisible(), 'menu folded at first').toBe(false);
    expect((await header.boundingBox())!.height, 'one-row header').toBeLessThanOrEqual(72);
    await saveScreenshot(page, 'phone-header-closed', false);

    await button.tap();
    expect(await nav.isVisible(), 'menu open after a tap').toBe(true);
    expect(await header.getByRole('button', { name: 'Log out' }).isVisible()).toBe(true);
    for (const name of ['Home', 'Challenges', 'Leaderboard', 'Competition']) {
      await expectReachable(nav.getByRole('link', { name, exact: true }), `menu link ${name}`);
    }
    await expectNoHorizontalScroll(page, 'home with the menu open');
    await saveScreenshot(page, 'phone-header-open', false);

    await button.tap();
    expect(await nav.isVisible(), 'menu folded after a second tap').toBe(false);

    // A link in the menu goes where it says.
    await button.tap();
    await Promise.all([page.waitForNavigation(), nav.getByRole('link', { name: 'Challenges' }).tap()]);
    expect(new URL(page.url()).pathname).toBe('/challenges');
    expect(await nav.isVisible(), 'the next page starts with the menu folded').toBe(false);
  });

  it('opens and closes the header menu by keyboard, with focus rings, after the skip link', async () => {
    const { page } = await e2e.open('phone', student);
    await visit(page, '/');
    const menu = page.locator('header details.site-menu');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'a', text: 'Skip to content', ring: true });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'a', ring: true });
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'summary', text: 'Menu', ring: true });
    await page.keyboard.press('Enter');
    expect(await isOpen(menu), 'Enter opens the menu').toBe(true);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'a', text: 'Home', ring: true });
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Space');
    expect(await isOpen(menu), 'Space closes it').toBe(false);
    // Closed, the next Tab leaves the header for the page.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('main')))).toBe(true);
  });

  it('shows the menu inline with no menu button at desktop width', async () => {
    const { page } = await e2e.open('desktop', student);
    await visit(page, '/');
    expect(await page.locator('header summary.menu-button').isVisible()).toBe(false);
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
    expect(await page.locator('header').getByRole('button', { name: 'Log out' }).isVisible()).toBe(true);
  });

  it('names the current admin section and folds the others behind it', async () => {
    const { page } = await e2e.open('phone', admin);
    await visit(page, '/admin/users');
    const areas = page.getByRole('navigation', { name: 'Admin areas' });
    const button = areas.locator('summary');
    expect(await button.innerText()).toBe('Admin: Users');
    expect(await areas.getByRole('link', { name: 'Challenges' }).isVisible()).toBe(false);
    await expectNoClippedTables(page, 'admin users');
    await expectNoHorizontalScroll(page, 'admin users');
    await saveScreenshot(page, 'phone-admin-users');
    // The users table is wider than the screen: it scrolls in its own labelled region, and says so.
    const region = page.getByRole('region', { name: 'Users' });
    expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await region.evaluate((el) => getComputedStyle(el, '::before').content)).toContain('Scroll sideways');

    await button.tap();
    expect(await areas.getByRole('link', { name: 'Challenges' }).isVisible()).toBe(true);
    await saveScreenshot(page, 'phone-admin-menu-open', false);
    await Promise.all([page.waitForNavigation(), areas.getByRole('link', { name: 'Challenges' }).tap()]);
    expect(await areas.locator('summary').innerText()).toBe('Admin: Challenges');

    // By keyboard too.
    await areas.locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await areas.getByRole('link', { name: 'Audit log' }).isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await areas.getByRole('link', { name: 'Audit log' }).isVisible()).toBe(false);
  });

  it('keeps "Check answer" above the open maths keyboard, and Enter checks the answer', async () => {
    const { page } = await e2e.open('phone', student);
    await visit(page, `/challenges/${challenge}`);
    const box = page.locator('#box-1');
    expect(await box.innerText()).toContain('Press Enter to check your answer.');
    const field = box.locator('math-field');
    await field.tap();
    // On a touch screen the maths keyboard opens when the box is tapped.
    await page.waitForFunction(() => {
      const k = (window as unknown as { mathVirtualKeyboard: Keyboard }).mathVirtualKeyboard;
      return k.visible && k.boundingRect.height > 100 && k.boundingRect.bottom <= innerHeight + 1;
    });
    const check = box.getByRole('button', { name: 'Check answer' });
    // Once the keyboard has settled, the button sits above it, with nothing over it.
    await expect
      .poll(
        () =>
          check.evaluate((el) => {
            const k = (window as unknown as { mathVirtualKeyboard: Keyboard }).mathVirtualKeyboard;
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return { onScreen: r.top >= 0, aboveKeyboard: r.bottom <= k.boundingRect.top, uncovered: hit === el };
          }),
        { message: '"Check answer" in sight above the maths keyboard' },
      )
      .toEqual({ onScreen: true, aboveKeyboard: true, uncovered: true });
    await saveScreenshot(page, 'phone-challenge-keyboard-open', false);
    // Typed on the on-screen keys.
    const keys = page.locator('.ML__keyboard');
    for (const digit of ['1', '2']) await keys.locator(`.MLK__keycap[aria-label="${digit}"]:visible`).tap();
    await expect.poll(() => mathValue(field)).toBe('12');
    await Promise.all([page.waitForNavigation(), check.tap()]);
    expect((await flashes(page)).join(' ')).toMatch(/right|correct/i);

    // The second box, sent with Enter from the maths box.
    expect(await typeMath(page, page.locator('#box-2 math-field'), ['5'])).toBe('5');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect((await flashes(page)).join(' ')).toContain('completed «Thumbs only»');
  });

  it('lays out boards, the profile and an article without cut-off tables', async () => {
    const { page } = await e2e.open('phone', student);
    for (const [path, name] of [
      ['/leaderboard', 'phone-board'],
      ['/profile', 'phone-profile'],
    ] as const) {
      await visit(page, path);
      await expectNoHorizontalScroll(page, path);
      await expectNoClippedTables(page, path);
      await saveScreenshot(page, name);
    }
    // A wide table in an article scrolls within the text, not the page.
    await visit(page, `/articles/${article}`);
    await expectNoHorizontalScroll(page, 'article with a wide table');
    const table = page.locator('main .content table');
    expect(await table.evaluate((t) => t.scrollWidth > t.clientWidth && getComputedStyle(t).overflowX === 'auto')).toBe(
      true,
    );
    await saveScreenshot(page, 'phone-article-table');
    await visit(page, '/profile');
    // The profile's recent submissions list the answers sent above (the weekly challenge, in the test before).
    expect(await mainText(page)).toContain('Thumbs only');
  });
});
