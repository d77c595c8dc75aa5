// A pupil joins when addresses must be confirmed (the production default), in
// the browser: registers, is told to check their inbox, reads the email that a
// real SMTP server received, opens the link, confirms with the button, logs in
// and answers a challenge. Before confirming, the challenges are closed to them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD } from '../helpers/app.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { checkPage } from './checks.js';
import { seedChallenge } from './data.js';
import { browserAvailable } from './harness.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E } from './suite.js';
import { expectLoggedIn, flashes, logIn, mainText, sameTex, submit, typeMath, visit } from './ui.js';

const PUPIL = {
  first: 'Emmy',
  last: 'Noether',
  email: 'emmy.noether@school.example.org',
  password: 'rings and fields and ideals',
};
const TITLE = 'Three quarters';

// The site's mail goes to this server; it must be listening before the site starts.
const smtp = await startSmtpServer();
afterAll(async () => {
  await smtp.close();
});

describe.runIf(browserAvailable())(
  'verified registration: register, read the email, confirm, answer',
  E2E_TIMEOUTS,
  () => {
    const e2e = useE2E({ REQUIRE_EMAIL_VERIFICATION: 'true', SMTP_URL: smtp.url });

    beforeAll(async () => {
      await seedChallenge(e2e.site, {
        title: TITLE,
        keyStage: 'KS4',
        boxes: [{ label: 'Three quarters as a fraction', answer: '\\frac{3}{4}' }],
      });
    }, E2E_HOOK_TIMEOUT);

    it('registers, confirms the address from the delivered email, logs in and answers a challenge', async () => {
      const { page } = await e2e.open();

      await visit(page, '/register');
      await page.getByLabel('First name').fill(PUPIL.first);
      await page.getByLabel('Last name').fill(PUPIL.last);
      await page.getByLabel('School email').fill(PUPIL.email);
      await page.getByLabel('School year').selectOption('10');
      await page.getByLabel('Maths class').fill('10X1');
      await page.getByLabel('Password', { exact: true }).fill(PUPIL.password);
      await page.getByLabel('Confirm password').fill(PUPIL.password);
      await submit(page, 'Create account');
      expect(new URL(page.url()).pathname).toBe('/check-your-inbox');
      expect((await flashes(page)).join(' ')).toContain(`We have sent an email to ${PUPIL.email}`);
      await checkPage(page, 'check-your-inbox', 'desktop');
      expect(await page.locator('header').getByRole('link', { name: 'Log in' }).count(), 'nobody is signed in').toBe(1);

      // Signed in before confirming: only "check your inbox".
      await logIn(page, PUPIL.email, PUPIL.password);
      expect(new URL(page.url()).pathname).toBe('/check-your-inbox');
      await visit(page, '/challenges');
      expect(new URL(page.url()).pathname).toBe('/check-your-inbox');
      expect(await mainText(page)).toContain(PUPIL.email);

      // The email, as the pupil's mail program shows it, and its link.
      const mail = await smtp.waitForMail({ to: PUPIL.email, subject: 'Confirm your email address' });
      expect(mail.text).toContain(`Hello ${PUPIL.first},`);
      const link = smtp.linksIn(mail).find((l) => new URL(l).pathname === '/verify-email');
      expect(link, 'a confirmation link').toBeDefined();
      expect(new URL(link!).origin, 'the link leads to this site').toBe(e2e.site.baseUrl);

      // Opening the link only shows the button; pressing it confirms.
      const response = await page.goto(link!);
      expect(response?.status()).toBe(200);
      expect(await mainText(page)).toContain(`This confirms that ${PUPIL.email} belongs to`);
      await checkPage(page, 'verify-email', 'desktop');
      await submit(page, 'Confirm my email');
      expect(new URL(page.url()).pathname).toBe('/challenges');
      expect((await flashes(page)).join(' ')).toContain('your email address is confirmed');
      await expectLoggedIn(page);

      // And now the challenge takes an answer.
      await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: TITLE }).click()]);
      const field = page.locator('#box-1 math-field');
      const latex = await typeMath(page, field, ['3', '/', '4']);
      expect(sameTex(latex, '\\frac{3}{4}'), latex).toBe(true);
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      expect((await flashes(page)).join(' ')).toContain(`you have completed «${TITLE}»`);
    });

    it('changes an address on a phone: a link to the new address, confirmed there, the old one told', async () => {
      const old = 'sophie.germain@school.example.org';
      const next = 'sophie.g@school.example.org';
      const school = await e2e.site.test.db
        .selectFrom('schools')
        .select('id')
        .where('email_domain', '=', 'school.example.org')
        .executeTakeFirstOrThrow();
      await e2e.site.test.createUser({ email: old, firstName: 'Sophie', lastName: 'Germain', schoolId: school.id });
      const { page } = await e2e.open('phone');
      await logIn(page, old, TEST_PASSWORD);

      await visit(page, '/profile/email');
      await checkPage(page, 'profile-email', 'phone');
      await page.getByLabel('New email address').fill(next);
      await page.getByLabel('Current password').fill(TEST_PASSWORD);
      await submit(page, 'Send the link');
      expect(new URL(page.url()).pathname).toBe('/profile');
      expect((await flashes(page)).join(' ')).toContain(`We have sent a link to ${next}`);

      const mail = await smtp.waitForMail({ to: next, subject: 'Confirm your new email address' });
      const link = smtp.linksIn(mail).find((l) => new URL(l).pathname === '/confirm-email');
      expect(link, 'a confirmation link').toBeDefined();
      await page.goto(link!);
      expect(await mainText(page)).toContain(`from ${old} to ${next}`);
      await checkPage(page, 'confirm-email', 'phone');
      await submit(page, 'Confirm my new email');
      expect(new URL(page.url()).pathname).toBe('/profile');
      expect((await flashes(page)).join(' ')).toContain(`Your email address is now ${next}`);
      expect(await mainText(page)).toContain(next);

      const notice = await smtp.waitForMail({ to: old, subject: 'Your email address has been changed' });
      expect(notice.text).toContain(next);
    });
  },
);
