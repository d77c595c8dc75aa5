// A forced password change: the page shows the form, the site's name and Log
// out, and no menu whose links would lead back to the form; the footer's
// "Report a problem" is there. Once a new password is chosen the menu returns.
import { describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../helpers/app.js';
import { checkPage } from './checks.js';
import { browserAvailable } from './harness.js';
import { E2E_TIMEOUTS, useE2E } from './suite.js';
import { expectLoggedIn, openMenu, submit, visit } from './ui.js';

const NEW_PASSWORD = 'lighthouse marmalade quartz';

describe.runIf(browserAvailable())('header during a forced password change', E2E_TIMEOUTS, () => {
  const e2e = useE2E({ REPORT_PROBLEM_URL: 'mailto:maths@school.example.org' });

  for (const viewport of ['phone', 'desktop'] as const) {
    it(`shows only the form and Log out (${viewport})`, async () => {
      const user = await e2e.site.test.createUser({ mustChangePassword: true });
      const { page } = await e2e.open(viewport);
      await visit(page, '/login');
      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
      await submit(page, 'Log in');
      expect(new URL(page.url()).pathname).toBe('/profile/password');

      const header = page.locator('header');
      await expect.poll(() => header.getByRole('button', { name: 'Log out' }).isVisible()).toBe(true);
      expect(await header.getByRole('link', { name: /Maths Society/ }).isVisible()).toBe(true);
      expect(await header.locator('nav, summary').count()).toBe(0);
      expect(await header.getByRole('link', { name: 'Challenges', includeHidden: true }).count()).toBe(0);
      const report = page.locator('footer').getByRole('link', { name: 'Report a problem' });
      expect(await report.isVisible()).toBe(true);
      expect(await report.getAttribute('href')).toBe('mailto:maths@school.example.org');
      await checkPage(page, 'forced-password-change', viewport);

      await page.getByLabel('Current password').fill(TEST_PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
      await submit(page, 'Change password');
      await expectLoggedIn(page);
      await openMenu(page);
      expect(await header.getByRole('link', { name: 'Challenges' }).isVisible()).toBe(true);
    });
  }
});
