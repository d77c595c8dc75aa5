// A pupil who forgot their password: "Forgot your password?" on the login
// page, the email delivered by a real SMTP server, its link opened in the
// browser, a new password chosen, and signing in with it.
import { afterAll, describe, expect, it } from 'vitest';
import { startSmtpServer } from '../helpers/smtp.js';
import { checkPage } from './checks.js';
import { browserAvailable } from './harness.js';
import { E2E_TIMEOUTS, useE2E } from './suite.js';
import { expectLoggedIn, flashes, logIn, mainText, submit, visit } from './ui.js';

const PUPIL = { email: 'forgetful.pupil@school.example.org', oldPassword: 'correct horse battery staple' };
const NEW_PASSWORD = 'lighthouse marmalade quartz';

const smtp = await startSmtpServer();

describe.runIf(browserAvailable())('password reset journey', E2E_TIMEOUTS, () => {
  const e2e = useE2E({ SMTP_URL: smtp.url });
  afterAll(async () => {
    await smtp.close();
  });

  it('forgot password → the emailed link → a new password → signed in', async () => {
    await e2e.site.test.createUser({ email: PUPIL.email, firstName: 'Fern', lastName: 'Forgetful' });
    const { page } = await e2e.open('phone');

    await visit(page, '/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL(/\/forgot-password$/);
    await checkPage(page, 'forgot-password', 'phone');
    await page.getByLabel('Email').fill(PUPIL.email);
    await submit(page, 'Email me a link');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect((await flashes(page)).join(' ')).toContain(`If an account uses ${PUPIL.email}, we have emailed it a link`);

    const mail = await smtp.waitForMail({ to: PUPIL.email, subject: 'Reset your Maths Society password' });
    const [link] = smtp.linksIn(mail);
    expect(link).toBeDefined();
    // The link names this site as the browser knows it, over https.
    expect(link!.startsWith(`${e2e.site.baseUrl}/reset-password?token=`)).toBe(true);

    await visit(page, link!);
    expect(await mainText(page)).toContain(`For the account ${PUPIL.email}`);
    await checkPage(page, 'reset-password', 'phone');
    // Nothing on the page may send the address (and its token) on as a Referer.
    expect(await page.evaluate(() => document.referrer)).toBe('');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await submit(page, 'Set new password');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect((await flashes(page)).join(' ')).toContain('Your password has been changed');

    await logIn(page, PUPIL.email, NEW_PASSWORD);
    await expectLoggedIn(page);

    const notice = await smtp.waitForMail({ to: PUPIL.email, subject: 'Your Maths Society password was changed' });
    expect(notice.text).toContain('password-reset link');

    // The link was for one use only.
    const { page: other, guard } = await e2e.open('desktop');
    guard.allowConsoleErrorOnce(/status of 410/);
    await visit(other, link!, 410);
    expect(await mainText(other)).toContain('This link has already been used');
  });
});
