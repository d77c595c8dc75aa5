// The harness itself: the browser really sees the production site over https
// (CSP, __Host- cookies, HSTS), and the guard really catches each kind of
// failure it exists for — otherwise every other browser test could pass
// while proving nothing.
import { describe, expect, it } from 'vitest';
import { browserAvailable } from './harness.js';
import { E2E_TIMEOUTS, useE2E } from './suite.js';

// Each test opens its own address, so a late CSP report (which names its page) is charged to the test that caused it.
const kinds = (problems: Array<{ kind: string }>) => new Set(problems.map((p) => p.kind));

describe.runIf(browserAvailable())('browser harness and guard', E2E_TIMEOUTS, () => {
  const e2e = useE2E();

  /** Waits until no CSP report has arrived for two seconds (so none lands on the next test). */
  async function reportsSettled(): Promise<void> {
    let seen = e2e.site.cspReports.length;
    for (let quiet = 0; quiet < 4;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      quiet = e2e.site.cspReports.length === seen ? quiet + 1 : 0;
      seen = e2e.site.cspReports.length;
    }
  }

  it('serves the production profile over https: CSP with a nonce and no unsafe-eval, HSTS, __Host- cookies', async () => {
    const { page, context } = await e2e.open();
    const response = await page.goto('/');
    expect(response?.status()).toBe(200);
    expect(page.url()).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const headers = response!.headers();
    const csp = headers['content-security-policy'];
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).not.toContain('unsafe-eval');
    expect(headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);

    const cookies = await context.cookies();
    expect(cookies.length).toBeGreaterThan(0);
    for (const c of cookies) {
      expect(c.name.startsWith('__Host-'), `cookie ${c.name}`).toBe(true);
      expect(c.secure && c.httpOnly && c.path === '/', `cookie ${c.name} flags`).toBe(true);
    }
  });

  it('catches an inline event handler blocked by the CSP, in the page and at the report endpoint', async () => {
    const { page, guard } = await e2e.open();
    await page.goto('/?guard=handler');
    const counted = e2e.site.test.app.cspReports.sinceStart;
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<img alt="" src="/favicon.svg" onload="window.__xss = 1">');
    });
    await expect.poll(() => kinds(guard.collect()), { timeout: 10_000 }).toContain('csp');
    // The browser also sends the report to the server, which accepts and counts it
    // (the figure on the admin dashboard).
    await expect.poll(() => kinds(guard.collect()), { timeout: 10_000 }).toContain('csp-report');
    await expect.poll(() => e2e.site.test.app.cspReports.sinceStart, { timeout: 10_000 }).toBeGreaterThan(counted);
    await reportsSettled();
    const problems = guard.take();
    expect(kinds(problems).has('xss'), 'the blocked handler must not have run').toBe(false);
    expect(problems.find((p) => p.kind === 'csp')?.text).toContain('script-src-attr');
  });

  it('catches eval: production sends no unsafe-eval', async () => {
    const { page, guard } = await e2e.open();
    await page.goto('/?guard=eval');
    const ran = await page.evaluate(
      () =>
        new Promise((resolve) => {
          setTimeout(() => {
            try {
              resolve((0, eval)('"evaluated"'));
            } catch {
              resolve('blocked');
            }
          }, 0);
        }),
    );
    expect(ran).toBe('blocked');
    await expect
      .poll(() => guard.collect().find((p) => p.kind === 'csp')?.text ?? '', { timeout: 10_000 })
      .toContain('"blockedURI":"eval"');
    // Wait for the report too, so that it cannot land on the next test.
    await expect.poll(() => kinds(guard.collect()), { timeout: 10_000 }).toContain('csp-report');
    await reportsSettled();
    guard.take();
  });

  it('catches a script the server let into the HTML (a stored-XSS failure): blocked, reported, never run', async () => {
    const { page, guard } = await e2e.open();
    // The server's real answer, CSP header and all, with markup an escaping
    // bug would produce spliced into its body.
    await page.route(
      (url) => url.pathname === '/',
      async (route) => {
        const response = await route.fetch();
        const body = (await response.text()).replace(
          '</main>',
          '<script>window.__xss = "inline"</script><img alt="" src="/favicon.svg" onload="window.__xss = \'attr\'"></main>',
        );
        await route.fulfill({ response, body });
      },
    );
    await page.goto('/?guard=stored');
    await expect.poll(() => guard.collect().filter((p) => p.kind === 'csp').length, { timeout: 10_000 }).toBe(2);
    // The reports reach the server, in one delivery or several: wait until they stop coming.
    await expect.poll(() => kinds(guard.collect()), { timeout: 10_000 }).toContain('csp-report');
    await reportsSettled();
    const problems = guard.take();
    expect(kinds(problems).has('xss'), 'neither the script nor the handler may run').toBe(false);
    const directives = problems
      .filter((p) => p.kind === 'csp')
      .map((p) => (JSON.parse(p.text) as { directive: string }).directive)
      .sort();
    expect(directives).toEqual(['script-src-attr', 'script-src-elem']);
  });

  it('catches dialogs, the XSS marker, uncaught errors and console errors', async () => {
    const { page, guard } = await e2e.open();
    await page.goto('/?guard=dialogs');
    await page.evaluate(() => {
      (window as unknown as { __xss: number }).__xss = 1;
      alert('xss');
      console.error('something broke');
      setTimeout(() => {
        throw new Error('uncaught in the page');
      }, 0);
    });
    await expect
      .poll(() => kinds(guard.collect()), { timeout: 10_000 })
      .toEqual(new Set(['xss', 'dialog', 'console', 'pageerror']));
    guard.take();
  });

  it('catches the console error the browser logs for a failed request', async () => {
    const { page, guard } = await e2e.open();
    // A page that does not exist: the browser logs the 404, and the guard sees it.
    const response = await page.goto('/no-such-page-here');
    expect(response?.status()).toBe(404);
    expect(await page.locator('h1').innerText()).toBe('Page not found');
    const found = guard.take();
    expect(found.some((p) => p.kind === 'console' && /404/.test(p.text))).toBe(true);
  });
});
