// The Cache-Control that Chromium actually receives, through the TLS proxy, for
// the scripts and stylesheets a page loads: content-hashed files under /assets
// are kept for a year and never revalidated; files whose names do not change
// with their content are not.
import type { Page, Response } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN, browserAvailable } from './harness.js';
import { E2E_TIMEOUTS, useE2E } from './suite.js';
import { logIn, visit } from './ui.js';

const HASHED = /\/assets\/(?:chunks\/)?[\w-]+-(?:[A-Z2-7]{8}|[a-f0-9]{10})\.(?:js|css)$/;

/** Every /assets/ answer the page receives from the network from now on. */
function recordAssets(page: Page): Response[] {
  const seen: Response[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/assets/')) seen.push(r);
  });
  return seen;
}

describe.runIf(browserAvailable())('static asset caching in the browser', E2E_TIMEOUTS, () => {
  const e2e = useE2E();

  it('receives a page’s hashed script and stylesheet with max-age=31536000 and immutable', async () => {
    const { page } = await e2e.open();
    const assets = recordAssets(page);
    await logIn(page, ADMIN.email, ADMIN.password);
    // The math tester loads a script bundle (and its shared chunk), the site stylesheet and fonts.
    await visit(page, '/admin/math');
    await page.locator('math-field#expr1').waitFor();

    const hashed = assets.filter((r) => HASHED.test(new URL(r.url()).pathname));
    const kinds = new Set(hashed.map((r) => r.request().resourceType()));
    expect(kinds.has('script'), hashed.map((r) => r.url()).join('\n')).toBe(true);
    expect(kinds.has('stylesheet'), hashed.map((r) => r.url()).join('\n')).toBe(true);
    for (const r of hashed) {
      const cacheControl = (await r.allHeaders())['cache-control'] ?? '';
      expect(cacheControl, r.url()).toMatch(/(?:^|,\s*)max-age=31536000(?:,|$)/);
      expect(cacheControl, r.url()).toMatch(/(?:^|,\s*)immutable(?:,|$)/);
    }
    for (const r of assets.filter((a) => !hashed.includes(a))) {
      expect((await r.allHeaders())['cache-control'] ?? '', r.url()).not.toContain('immutable');
    }
  });
});
