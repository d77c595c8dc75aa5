// The admin rich-text editor in Chromium under the production CSP (no
// 'unsafe-eval', nonce'd scripts only): formatting, a link, inline math
// rendered by KaTeX, an image uploaded through the platform; then the saved
// article as a visitor sees it. The guard fails the test on any CSP
// violation, dialog or console error.
import { describe, expect, it } from 'vitest';
import { png } from '../unit/content/sample-files.js';
import { ADMIN, browserAvailable } from './harness.js';
import { E2E_TIMEOUTS, useE2E } from './suite.js';
import { logIn, submit, visit } from './ui.js';

describe.runIf(browserAvailable())('rich-text editor', E2E_TIMEOUTS, () => {
  const e2e = useE2E();

  it('writes an article with formatting, a link, maths and an uploaded image', async () => {
    const { page } = await e2e.open();
    await logIn(page, ADMIN.email, ADMIN.password);
    await visit(page, '/admin/articles/new');

    // The textarea is replaced by the editor (and stays in the form, hidden).
    const editor = page.locator('.editor .ProseMirror');
    await expect.poll(() => editor.count()).toBe(1);
    expect(await page.locator('textarea[name="content_html"]').isHidden()).toBe(true);

    await page.getByLabel('Title').fill('Editor journey');
    await editor.click();
    await page.keyboard.type('Hello ');
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type('world');
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type(' and ');

    await page.getByRole('button', { name: 'Inline maths (LaTeX)' }).click();
    await page.getByLabel(/Maths in LaTeX/).fill('\\frac{1}{2}');
    await expect.poll(() => page.locator('.editor-panel .katex').count()).toBe(1); // live preview
    await page.keyboard.press('Enter');
    await expect.poll(() => editor.locator('.editor-math .katex').count()).toBe(1);

    await page.keyboard.type(' see ');
    await page.getByRole('button', { name: 'Link' }).click();
    await page.getByLabel(/Link address/).fill('https://example.org/maths');
    await page.keyboard.press('Enter');
    // The editor takes the focus back in the next animation frame: type only once it has it.
    await expect.poll(() => editor.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await page.keyboard.type('this');

    await page.setInputFiles('.editor input[type="file"]', {
      name: 'diagram.png',
      mimeType: 'image/png',
      buffer: png(4, 4),
    });
    await page.getByLabel('Image description (alt text)').fill('A small grey square');
    await page.keyboard.press('Enter');
    await expect.poll(() => editor.locator('img[alt="A small grey square"]').count()).toBe(1);
    expect(await editor.locator('img').getAttribute('src')).toMatch(/^\/uploads\/[a-f0-9]{32}\.png$/);

    await submit(page, 'Publish');
    expect(page.url()).toMatch(/\/articles\/\d+$/);
    const content = page.locator('main .content');
    expect(await content.locator('strong').innerText()).toBe('world');
    expect(await content.locator('.katex').count()).toBe(1);
    expect(await content.locator('img').getAttribute('alt')).toBe('A small grey square');
    const link = content.locator('a[href="https://example.org/maths"]');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    // The uploaded image is served to visitors.
    const src = await content.locator('img').getAttribute('src');
    const res = await page.request.get(src!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('image/png');
  });

  it('an existing article’s content, math included, loads back into the editor', async () => {
    const { page } = await e2e.open();
    await logIn(page, ADMIN.email, ADMIN.password);
    const row = await e2e.site.test.db
      .selectFrom('articles')
      .select('id')
      .where('title', '=', 'Editor journey')
      .executeTakeFirstOrThrow();
    await visit(page, `/admin/articles/${row.id}/edit`);
    const editor = page.locator('.editor .ProseMirror');
    await expect.poll(() => editor.locator('.editor-math .katex').count()).toBe(1);
    expect(await editor.locator('strong').innerText()).toBe('world');
    // Changing the maths through its panel.
    await editor.locator('.editor-math').click();
    await page.getByLabel(/LaTeX \(empty to remove\)/).fill('x^2');
    await page.keyboard.press('Enter');
    await submit(page, 'Save changes');
    const stored = await e2e.site.test.db
      .selectFrom('articles')
      .select('content_html')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(stored.content_html).toContain('<span class="math-inline" data-latex="x^2">x^2</span>');
  });
});
