// Styles under the production CSP, as Chromium enforces it: no inline <style>
// and no stylesheet from elsewhere (style-src 'self', no 'unsafe-inline'); maths
// rendered by the server is MathML without a single style attribute; MathLive's
// field and its virtual keyboard, whose stylesheets are constructed in script,
// work with no violation. Only style attributes stay allowed, for MathLive's
// markup (docs/decisions/019-csp-styles.md).
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from './harness.js';
import { seedChallenge } from './data.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E, type E2E } from './suite.js';
import { logIn, mathValue, visit } from './ui.js';

const STUDENT = { email: 'ada.byron@school.example.org', password: 'a sum of squares is never negative' };
const TITLE = 'Halves and roots';

/** The CSP header as directive → sources. */
function directives(header: string): Map<string, string[]> {
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((p) => p[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

/** Waits for the browser's reports of a violation provoked on purpose, so none lands on a later test. */
async function settleReports(count: () => number): Promise<void> {
  let seen = count();
  for (let quiet = 0; quiet < 4;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    quiet = count() === seen ? quiet + 1 : 0;
    seen = count();
  }
}

async function studentPage(e2e: E2E, path: string): Promise<Page> {
  const { page } = await e2e.open();
  await logIn(page, STUDENT.email, STUDENT.password);
  await visit(page, path);
  return page;
}

describe.runIf(browserAvailable())('styles under the production CSP', E2E_TIMEOUTS, () => {
  const e2e = useE2E();
  let challengePath = '';

  beforeAll(async () => {
    await e2e.site.test.createUser({
      email: STUDENT.email,
      password: STUDENT.password,
      firstName: 'Ada',
      lastName: 'Byron',
      yearGroup: 10,
      keyStage: 'KS4',
    });
    const id = await seedChallenge(e2e.site, {
      title: TITLE,
      contentHtml:
        '<p>Half of <span class="math-inline" data-latex="\\frac{3}{2}">\\frac{3}{2}</span>, then</p>' +
        '<p><span class="math-display" data-latex="\\sqrt{8} = 2\\sqrt{2}">\\sqrt{8} = 2\\sqrt{2}</span></p>',
      keyStage: 'KS4',
      boxes: [{ label: 'Half of 3/2', answer: '\\frac{3}{4}' }],
    });
    challengePath = `/challenges/${id}`;
  }, E2E_HOOK_TIMEOUT);

  it("receives a policy without 'unsafe-inline' for stylesheets and <style> elements", async () => {
    const { page } = await e2e.open();
    const response = await page.goto('/');
    const csp = directives(response!.headers()['content-security-policy']!);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    // style-src-elem, where absent, is style-src.
    expect(csp.get('style-src-elem') ?? csp.get('style-src')).not.toContain("'unsafe-inline'");
    expect(csp.get('style-src-attr')).toEqual(["'unsafe-inline'"]);
    expect(csp.get('default-src')).toEqual(["'none'"]);
  });

  it('refuses a <style> element put into the page, as an HTML injection would', async () => {
    const { page, guard } = await e2e.open();
    await visit(page, '/?csp=style-element');
    const reports = () => e2e.site.cspReports.length;
    const before = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.evaluate(() => {
      document.body.insertAdjacentHTML(
        'beforeend',
        '<style>body { background-color: rgb(255, 0, 0) !important; }</style>',
      );
    });
    await expect
      .poll(() => guard.collect().find((p) => p.kind === 'csp')?.text ?? '', { timeout: 10_000 })
      .toContain('"directive":"style-src-elem"');
    expect(
      await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
      'the injected style did not apply',
    ).toBe(before);
    await expect.poll(() => guard.collect().some((p) => p.kind === 'csp-report'), { timeout: 10_000 }).toBe(true);
    await settleReports(reports);
    guard.take();
  });

  it('shows server-rendered maths as MathML the browser lays out, with no style attribute', async () => {
    const page = await studentPage(e2e, challengePath);
    const problem = page.locator('.challenge .content');
    expect(await problem.locator('.katex math').count(), 'inline and displayed maths').toBe(2);
    expect(await problem.locator('[style]').count(), 'style attributes in the problem').toBe(0);
    // Read as maths by assistive technology, with the LaTeX kept as its annotation.
    expect(await page.getByRole('math').count()).toBeGreaterThanOrEqual(2);
    expect(await problem.locator('annotation[encoding="application/x-tex"]').first().textContent()).toBe(
      '\\frac{3}{2}',
    );
    // Typeset, not left as a line of text: the numerator sits above the denominator,
    // the root has a radical sign around its radicand, and the displayed line is centred on its own.
    const layout = await problem.evaluate((root) => {
      const box = (sel: string) => root.querySelector(sel)!.getBoundingClientRect();
      const num = box('mfrac > :first-child');
      const den = box('mfrac > :last-child');
      const sqrt = box('msqrt');
      const radicand = box('msqrt > *');
      const display = root.querySelector('.katex-display')!;
      return {
        stacked: num.bottom <= den.top + 1 && num.left < den.right && den.left < num.right,
        rootWiderThanRadicand: sqrt.width > radicand.width + 2,
        displayBlock: getComputedStyle(display.querySelector('math')!).display.startsWith('block'),
      };
    });
    expect(layout).toEqual({ stacked: true, rootWiderThanRadicand: true, displayBlock: true });
  });

  it('runs MathLive and its virtual keyboard with no violation: constructed stylesheets, style attributes', async () => {
    const page = await studentPage(e2e, challengePath);
    const field = page.locator('#box-1 math-field');
    await field.click();
    await page.evaluate(() =>
      (window as unknown as { mathVirtualKeyboard: { show(): void } }).mathVirtualKeyboard.show(),
    );
    const keycap = page.locator('.ML__keyboard .MLK__keycap[aria-label="7"]:visible').first();
    await keycap.waitFor({ state: 'visible' });
    // Styled by MathLive's stylesheets: a sized, laid-out key, not a bare inline element.
    const styled = await keycap.evaluate((el) => {
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return { sized: r.width > 20 && r.height > 20, display: s.display, sheets: document.adoptedStyleSheets.length };
    });
    expect(styled.sized, JSON.stringify(styled)).toBe(true);
    expect(styled.display).not.toBe('inline');
    expect(styled.sheets).toBeGreaterThan(0);
    await keycap.click();
    await expect.poll(() => mathValue(field), { timeout: 5_000 }).toBe('7');
  });
});
