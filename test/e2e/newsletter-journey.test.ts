// An admin publishes a newsletter with a PDF through the admin pages, and a
// visitor (not logged in) finds it from the home page, reads it in the
// embedded viewer and downloads the same file.
import { describe, expect, it } from 'vitest';
import { ADMIN, browserAvailable } from './harness.js';
import { minimalPdf } from './data.js';
import { E2E_TIMEOUTS, useE2E } from './suite.js';
import { flashes, logIn, submit, visit, visitUntilShown } from './ui.js';

const TITLE = 'Spring term newsletter';
const PDF = minimalPdf('Maths Society — Spring term');

describe.runIf(browserAvailable())(
  'newsletter journey: an admin publishes a PDF newsletter, a visitor reads it',
  E2E_TIMEOUTS,
  () => {
    const e2e = useE2E();

    it('publishes through the admin form and shows it to a visitor with a working viewer and download', async () => {
      const { page: admin } = await e2e.open();
      await logIn(admin, ADMIN.email, ADMIN.password);
      await visit(admin, '/admin/articles');
      await Promise.all([
        admin.waitForNavigation(),
        admin.locator('main').getByRole('link', { name: 'New article or newsletter' }).click(),
      ]);

      await admin.getByLabel('Type').selectOption('newsletter');
      await admin.getByLabel('Title').fill(TITLE);
      await admin.getByLabel('Author name shown').fill('The Maths Society committee');
      const surface = admin.locator('.editor-surface [contenteditable="true"]');
      await surface.click();
      await admin.keyboard.type('Highlights of the term: ');
      await admin
        .getByRole('toolbar', { name: 'Formatting' })
        .getByRole('button', { name: 'Bold', exact: true })
        .click();
      await admin.keyboard.type('three new challenges');
      await admin
        .getByLabel(/Attach a PDF/)
        .setInputFiles({ name: 'spring-newsletter.pdf', mimeType: 'application/pdf', buffer: PDF });
      await submit(admin, 'Publish');
      expect((await flashes(admin)).join(' ')).toContain(`Newsletter “${TITLE}” published.`);
      const path = new URL(admin.url()).pathname;
      expect(path).toMatch(/^\/newsletters\/\d+$/);

      // A visitor finds it from the home page.
      const { page: visitor } = await e2e.open('phone');
      await visitUntilShown(visitor, '/', TITLE, e2e.site.test.config.publicCache.seconds);
      const pdfResponse = visitor.waitForResponse((r) =>
        /\/uploads\/[a-f0-9]{32}\.pdf$/.test(new URL(r.url()).pathname),
      );
      await Promise.all([
        visitor.waitForNavigation(),
        visitor.locator('main').getByRole('link', { name: TITLE }).first().click(),
      ]);
      expect(new URL(visitor.url()).pathname).toBe(path);
      expect(await visitor.locator('h1').innerText()).toBe(TITLE);
      expect(await visitor.locator('main strong', { hasText: 'three new challenges' }).count()).toBe(1);

      // The embedded viewer loads the PDF from the platform, served as a PDF.
      const frame = visitor.locator('iframe.pdf-frame');
      expect(await frame.getAttribute('title')).toContain(TITLE);
      const served = await pdfResponse;
      expect(served.status()).toBe(200);
      expect(served.headers()['content-type']).toBe('application/pdf');

      // The download link gives back exactly the uploaded file, under its own name.
      const [download] = await Promise.all([
        visitor.waitForEvent('download'),
        visitor.getByRole('link', { name: /Download PDF/ }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('spring-newsletter.pdf');
      const stream = await download.createReadStream();
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(PDF)).toBe(true);

      // And it is listed on the newsletters page.
      await visit(visitor, '/newsletters');
      expect(await visitor.locator('main').getByRole('link', { name: TITLE }).count()).toBeGreaterThan(0);
    });
  },
);
