// Checks applied to every page type: accessibility (axe, WCAG 2.1 A/AA: no
// serious or critical violation, which covers labels and colour contrast),
// no horizontal scrolling at phone width, and screenshots for review.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
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

/** A full-page screenshot under test-results/screenshots/ (kept out of git). */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The checks every page type gets at one viewport: accessible, and (on a
 * phone) no sideways scrolling; plus a screenshot named after the page type.
 */
export async function checkPage(page: Page, name: string, viewport: 'desktop' | 'phone'): Promise<void> {
  await page.waitForLoadState('load');
  // Fonts and client islands settle before anything is measured or pictured.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await saveScreenshot(page, `${name}-${viewport}`);
  if (viewport === 'phone') await expectNoHorizontalScroll(page, name);
  await expectAccessible(page, `${name} (${viewport})`);
}
