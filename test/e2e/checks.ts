// Checks applied to every page type: accessibility (axe, WCAG 2.1 A/AA: no
// serious or critical violation, which covers labels and colour contrast);
// at phone width no horizontal scrolling, no cut-off table and a compact
// header; and screenshots for review.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'screenshots');

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** No serious or critical axe violation on the page as it is now. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(WCAG_TAGS)
    // Only violations are reported in detail: much faster, and passes are not read.
    .options({ resultTypes: ['violations'] })
    .setLegacyMode(true)
    .analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = bad.map((v) => {
    const nodes = v.nodes
      .slice(0, 5)
      .map((n) => `      ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`);
    return `  - ${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} element(s)\n${nodes.join('\n')}`;
  });
  expect(report, `accessibility of ${label} (${page.url()})`).toEqual([]);
}

/** The page is no wider than the viewport (nothing to scroll sideways). */
export async function expectNoHorizontalScroll(page: Page, label: string): Promise<void> {
  const sizes = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
    // The culprits: elements reaching past the right edge that no scrolling box clips.
    widest: [...document.querySelectorAll('body *')]
      .filter((el) => {
        if (el.getBoundingClientRect().right <= document.documentElement.clientWidth + 1) return false;
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
          if (getComputedStyle(a).overflowX !== 'visible') return false;
        }
        return true;
      })
      .slice(0, 5)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`,
      ),
  }));
  expect(
    sizes.scroll,
    `${label} scrolls sideways at ${sizes.viewport}px; too wide: ${sizes.widest.join(', ')}`,
  ).toBeLessThanOrEqual(sizes.viewport);
}

/**
 * No table is cut off: a table wider than the box it sits in is inside a
 * scrolling wrapper that says so — a focusable, labelled region (so it can be
 * scrolled by keyboard and is announced) whose overflow scrolls, which
 * site.css marks with edge shadows and a "scroll sideways" line.
 */
export async function expectNoClippedTables(page: Page, label: string): Promise<void> {
  const clipped = await page.evaluate(() =>
    [...document.querySelectorAll('main table')]
      .filter((table) => {
        const box = table.parentElement!;
        if (table.getBoundingClientRect().width <= box.clientWidth + 1) return false;
        const wrap = table.closest('.table-wrap');
        const marked =
          wrap !== null &&
          wrap.getAttribute('role') === 'region' &&
          wrap.getAttribute('tabindex') === '0' &&
          Boolean(wrap.getAttribute('aria-label')) &&
          getComputedStyle(wrap).overflowX === 'auto' &&
          getComputedStyle(wrap, '::before').display === 'block';
        return !marked;
      })
      .map(
        (t) => t.closest('[aria-label]')?.getAttribute('aria-label') ?? t.querySelector('th')?.textContent ?? 'table',
      ),
  );
  expect(clipped, `${label}: tables wider than their box without a marked scroll region`).toEqual([]);
}

/**
 * The phone header is one compact row: the brand and a menu button, the menu
 * itself folded away until the button is used (a header with no menu at all,
 * such as one offering only "Log out", is compact too; a printable page has no header).
 */
export async function expectCompactHeader(page: Page, label: string): Promise<void> {
  const header = await page.evaluate(() => {
    const top = document.querySelector('header');
    // A printable page has no site header at all: nothing to fold.
    if (!top) return null;
    const menu = top.querySelector('details.site-menu');
    return {
      height: top.getBoundingClientRect().height,
      button: menu ? (menu.querySelector('summary')?.checkVisibility() ?? false) : 'no menu',
      navShown: document.querySelector<HTMLElement>('header nav')?.checkVisibility() ?? false,
    };
  });
  if (!header) return;
  expect({ button: header.button, navShown: header.navShown }, `${label}: phone header folded`).toEqual({
    button: header.button === 'no menu' ? 'no menu' : true,
    navShown: false,
  });
  expect(header.height, `${label}: phone header height`).toBeLessThanOrEqual(72);
}

/**
 * The control is reachable: once scrolled to, it is inside the viewport, and
 * a tap on its centre lands on it (nothing covers it).
 */
export async function expectReachable(control: Locator, label: string): Promise<void> {
  await control.scrollIntoViewIfNeeded();
  const hit = await control.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    const top = document.elementFromPoint(x, y);
    return {
      inside: r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight,
      onIt: top !== null && (top === el || el.contains(top)),
    };
  });
  expect(hit, `${label}: primary action reachable`).toEqual({ inside: true, onIt: true });
}

/** A screenshot under test-results/screenshots/ (kept out of git): the full page, or what the screen shows. */
export async function saveScreenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/**
 * The checks every page type gets at one viewport: accessible, and (on a
 * phone) no sideways scrolling, no cut-off table, a one-row header; plus a
 * screenshot named after the page type.
 */
export async function checkPage(page: Page, name: string, viewport: 'desktop' | 'phone'): Promise<void> {
  await page.waitForLoadState('load');
  // Fonts and client islands settle before anything is measured or pictured.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await saveScreenshot(page, `${name}-${viewport}`);
  if (viewport === 'phone') {
    await expectNoHorizontalScroll(page, name);
    await expectNoClippedTables(page, name);
    await expectCompactHeader(page, name);
  }
  await expectAccessible(page, `${name} (${viewport})`);
}
