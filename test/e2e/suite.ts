// Hooks every browser test file uses: one site and one browser per file, a
// fresh guarded browser context per page a test opens, and after each test
// the guard's verdict (a CSP violation, page error, console error, dialog, XSS
// marker or server error fails the test that caused it).
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Cookies and storage saved from a context (BrowserContext.storageState()). */
export type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { describeProblems, PageGuard } from './guard.js';
import { launchBrowser, startSite, VIEWPORTS, type Site, type ViewportName } from './harness.js';

/** Browser tests are slow: each file sets these on its describe block. */
export const E2E_TIMEOUTS = { timeout: 90_000 } as const;
export const E2E_HOOK_TIMEOUT = 120_000;

export interface OpenPage {
  page: Page;
  context: BrowserContext;
  guard: PageGuard;
}

export interface E2E {
  readonly site: Site;
  readonly browser: Browser;
  /**
   * A new browser context (its own cookies) with one guarded page; `state`
   * starts it with the cookies another context saved (a logged-in user).
   */
  open(viewport?: ViewportName, state?: StorageState): Promise<OpenPage>;
  /**
   * Like open, but the context lives until the end of the file and is handed
   * out again for the same name and viewport (a page tour need not pay for a
   * new browser context per page). The guard still judges each test on its own.
   */
  reuse(name: string, viewport: ViewportName, state?: StorageState): Promise<OpenPage>;
  /** Absolute URL on the site. */
  url(path: string): string;
}

export function useE2E(extraEnv: Record<string, string> = {}): E2E {
  let site: Site | null = null;
  let browser: Browser | null = null;
  let opened: OpenPage[] = [];
  const kept = new Map<string, OpenPage>();

  beforeAll(async () => {
    site = await startSite(extraEnv);
    browser = await launchBrowser();
  }, E2E_HOOK_TIMEOUT);

  afterEach(async () => {
    const pages = opened;
    opened = [];
    const problems = [];
    for (const p of pages) {
      // Let listeners still in flight (a late report, a binding call) arrive.
      await Promise.all(p.context.pages().map((pg) => pg.evaluate(() => undefined).catch(() => undefined)));
      problems.push(...p.guard.collect());
      await p.context.close();
    }
    for (const p of kept.values()) {
      await Promise.all(p.context.pages().map((pg) => pg.evaluate(() => undefined).catch(() => undefined)));
      problems.push(...p.guard.take());
    }
    const message = describeProblems(problems);
    expect(message, 'browser guard').toBeNull();
  }, E2E_HOOK_TIMEOUT);

  afterAll(async () => {
    for (const p of kept.values()) await p.context.close().catch(() => undefined);
    await browser?.close();
    await site?.close();
  }, E2E_HOOK_TIMEOUT);

  const e2e: E2E = {
    get site() {
      if (!site) throw new Error('the site is not started (useE2E must be called inside describe)');
      return site;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not started');
      return browser;
    },
    async reuse(name, viewport, state) {
      const key = `${name}/${viewport}`;
      let entry = kept.get(key);
      if (!entry) {
        entry = await e2e.open(viewport, state);
        opened = opened.filter((o) => o !== entry);
        kept.set(key, entry);
      }
      return entry;
    },
    async open(viewport = 'desktop', state) {
      const context = await e2e.browser.newContext({
        ...(state ? { storageState: state } : {}),
        baseURL: e2e.site.baseUrl,
        viewport: VIEWPORTS[viewport],
        // The certificate is a throwaway self-signed one; TLS is still real.
        ignoreHTTPSErrors: true,
        locale: 'en-GB',
        timezoneId: 'Europe/London',
        ...(viewport === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      });
      context.setDefaultTimeout(20_000);
      const guard = await PageGuard.attach(context, e2e.site);
      const page = await context.newPage();
      const entry = { page, context, guard };
      opened.push(entry);
      return entry;
    },
    url: (path) => new URL(path, e2e.site.baseUrl).toString(),
  };
  return e2e;
}
