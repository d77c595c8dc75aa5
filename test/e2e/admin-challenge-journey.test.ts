// An admin sets a challenge from start to finish in the browser: logs in,
// writes the problem in the rich-text editor (inline maths and an uploaded
// image), adds two answer boxes with MathLive, schedules it (students cannot
// see it), releases it, a student solves part of it, the admin locks it, and
// the student sees the correct answers revealed. Maths typed or pasted with
// $…$, $$…$$, \(…\) or \[…\] becomes maths, and answer boxes are added on request.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN, browserAvailable } from './harness.js';
import { solidPng } from './data.js';
import { E2E_TIMEOUTS, useE2E } from './suite.js';
import { flashes, logIn, mainText, sameTex, submit, typeMath, visit } from './ui.js';

const TITLE = 'Quarter past a half';
const STUDENT = { email: 'ada.student@school.example.org', password: 'correct horse battery staple' };

/** The date and time `days` from now as a datetime-local value, in the school's zone. */
function schoolWallTime(days: number): string {
  const at = new Date(Date.now() + days * 86400_000);
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** Clicks a toolbar button of the rich-text editor. */
async function tool(page: Page, name: string): Promise<void> {
  await page.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name, exact: true }).click();
}

describe.runIf(browserAvailable())(
  'admin journey: create, schedule, release and lock a challenge',
  E2E_TIMEOUTS,
  () => {
    const e2e = useE2E();

    it('builds the challenge with the editor and MathLive, and the student sees it only when released, then its answers when locked', async () => {
      await e2e.site.test.createUser({
        email: STUDENT.email,
        firstName: 'Ada',
        lastName: 'Student',
        yearGroup: 10,
        keyStage: 'KS4',
      });
      const admin = (await e2e.open()).page;
      const studentTab = await e2e.open();
      const student = studentTab.page;
      await logIn(admin, ADMIN.email, ADMIN.password);
      await logIn(student, STUDENT.email, STUDENT.password);

      // From the site's header to the new-challenge form.
      await Promise.all([
        admin.waitForNavigation(),
        admin.locator('header').getByRole('link', { name: 'Admin' }).click(),
      ]);
      await Promise.all([
        admin.waitForNavigation(),
        admin.getByRole('navigation', { name: /admin/i }).getByRole('link', { name: 'Challenges' }).click(),
      ]);
      await Promise.all([admin.waitForNavigation(), admin.getByRole('link', { name: 'New challenge' }).click()]);
      expect(await admin.locator('h1').innerText()).toBe('New challenge');

      await admin.getByLabel('Title').fill(TITLE);

      // The problem, in the editor: text, inline maths, an uploaded image with a description.
      const surface = admin.locator('.editor-surface [contenteditable="true"]');
      await surface.click();
      await admin.keyboard.type('Work out ');
      await tool(admin, 'Inline maths (LaTeX)');
      await admin.getByLabel(/Maths in LaTeX/).fill('\\frac{1}{2}+\\frac{1}{4}');
      expect(await admin.locator('.editor-preview .katex').count(), 'the LaTeX is previewed').toBeGreaterThan(0);
      await admin.keyboard.press('Enter');
      expect(await surface.locator('.editor-math .katex').count(), 'the maths is in the text').toBe(1);
      await admin.keyboard.type(' and then double it.');
      const [chooser] = await Promise.all([admin.waitForEvent('filechooser'), tool(admin, 'Upload an image')]);
      await chooser.setFiles({ name: 'square.png', mimeType: 'image/png', buffer: solidPng(40, 30, [30, 90, 200]) });
      const alt = admin.getByLabel('Image description (alt text)');
      await alt.waitFor({ state: 'visible' });
      await alt.fill('A blue rectangle');
      await alt.press('Enter');
      const uploaded = surface.locator('img[alt="A blue rectangle"]');
      await uploaded.waitFor();
      expect(await uploaded.getAttribute('src')).toMatch(/^\/uploads\/[a-f0-9]{32}\.png$/);

      // Key stage and a release time two days ahead: scheduled.
      await admin.getByLabel('Key stage').selectOption('KS4');
      await admin.getByLabel('Release time').fill(schoolWallTime(2));
      await admin.getByLabel('Attempts per box').fill('3');

      // Two answer boxes, each correct answer typed into MathLive.
      const boxes = admin.locator('fieldset.answer-boxes li.box-item:not(.is-removed)');
      await boxes.nth(0).getByLabel('Label (optional)').fill('The sum');
      expect(sameTex(await typeMath(admin, boxes.nth(0).locator('math-field'), ['3', '/', '4']), '\\frac{3}{4}')).toBe(
        true,
      );
      if ((await boxes.count()) < 2) await admin.getByRole('button', { name: 'Add another answer' }).click();
      await boxes.nth(1).getByLabel('Label (optional)').fill('Doubled');
      expect(sameTex(await typeMath(admin, boxes.nth(1).locator('math-field'), ['3', '/', '2']), '\\frac{3}{2}')).toBe(
        true,
      );

      await submit(admin, 'Create challenge');
      expect((await flashes(admin)).join(' ')).toContain(`Challenge «${TITLE}» created`);
      const id = Number(/\/admin\/challenges\/(\d+)\/edit$/.exec(admin.url())?.[1]);
      expect(id).toBeGreaterThan(0);

      // Scheduled: listed as such for the admin, invisible to the student by every address.
      await visit(admin, '/admin/challenges');
      expect(await admin.locator('section', { has: admin.locator('#scheduled-title') }).innerText()).toContain(TITLE);
      await visit(student, '/challenges');
      expect(await mainText(student)).not.toContain(TITLE);
      studentTab.guard.allowConsoleErrorOnce(/status of 404/);
      await visit(student, `/challenges/${id}`, 404);

      // Release it now: the admin clears the release time (blank = now).
      await visit(admin, `/admin/challenges/${id}/edit`);
      await admin.getByLabel('Release time').fill('');
      await submit(admin, 'Save changes');
      expect((await flashes(admin)).join(' ')).toContain(`Challenge «${TITLE}» saved`);
      await visit(admin, '/admin/challenges');
      expect(await admin.locator('section', { has: admin.locator('#released-title') }).innerText()).toContain(TITLE);

      // The student finds it, with the maths rendered and the image shown, and answers the first box.
      await visit(student, '/challenges');
      await Promise.all([student.waitForNavigation(), student.getByRole('link', { name: TITLE }).click()]);
      expect(await student.locator('.challenge .katex').count()).toBeGreaterThan(0);
      const picture = student.locator('.challenge img[alt="A blue rectangle"]');
      expect(
        await picture.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth),
      ).toBe(40);
      const latex = await typeMath(student, student.locator('#box-1 math-field'), ['0', '.', '7', '5']);
      expect(latex).toBe('0.75');
      await Promise.all([student.waitForNavigation(), student.keyboard.press('Enter')]);
      expect((await flashes(student)).join(' ')).toContain('Correct!');

      // The admin locks it from the list.
      await visit(admin, '/admin/challenges');
      const row = admin.locator('tr', { hasText: TITLE });
      await Promise.all([admin.waitForNavigation(), row.getByRole('button', { name: 'Lock' }).click()]);
      expect((await flashes(admin)).join(' ')).toContain(`«${TITLE}» is locked`);

      // The student sees it locked: no answer fields, both correct answers revealed as maths.
      await visit(student, `/challenges/${id}`);
      expect(await student.locator('.banner-locked').innerText()).toContain('This challenge is closed');
      expect(await student.locator('math-field').count()).toBe(0);
      const revealed = student.locator('.revealed');
      expect(await revealed.count()).toBe(2);
      expect(await revealed.locator('.katex').count()).toBe(2);
      expect(await revealed.nth(0).locator('annotation').textContent()).toMatch(/\\frac\{?3\}?\{?4\}?/);
      expect(await revealed.nth(1).locator('annotation').textContent()).toMatch(/\\frac\{?3\}?\{?2\}?/);
    });

    it('turns typed and pasted $…$, $$…$$, \\(…\\) and \\[…\\] into maths, adds answer boxes on request, saves the image with the first save, and the pupil sees typeset maths', async () => {
      const pupil = { email: 'tri.pupil@school.example.org', password: 'correct horse battery staple' };
      await e2e.site.test.createUser({ ...pupil, firstName: 'Tri', lastName: 'Pupil', yearGroup: 8, keyStage: 'KS3' });
      const admin = (await e2e.open()).page;
      await logIn(admin, ADMIN.email, ADMIN.password);
      await visit(admin, '/admin/challenges/new');
      await admin.getByLabel('Title').fill('Triangle area');

      // Typed: the closing delimiter turns the LaTeX into the same node the ƒx button makes.
      const surface = admin.locator('.editor-surface [contenteditable="true"]');
      await surface.click();
      await admin.keyboard.type('The area is $\\frac{1}{2}bh$ here');
      expect(await surface.locator('.editor-math').count()).toBe(1);
      expect(await surface.locator('.editor-math annotation').textContent()).toBe('\\frac{1}{2}bh');
      expect(await surface.innerText()).not.toContain('$');
      // A price is not maths.
      await admin.keyboard.type(', not $5 or $6.');
      expect(await surface.locator('.editor-math').count()).toBe(1);
      await admin.keyboard.press('Enter');
      await admin.keyboard.type('Also \\(b=2h\\) and \\[A=bh\\]');
      expect(await surface.locator('.editor-math').count()).toBe(3);

      // Pasted text is converted the same way.
      await admin.keyboard.press('Enter');
      await surface.evaluate((el) => {
        const data = new DataTransfer();
        data.setData('text/plain', 'Pasted $x^2$ and $$y=mx+c$$ end');
        el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      });
      await surface.getByText('end').waitFor();
      expect(await surface.locator('.editor-math').count()).toBe(5);
      expect(await surface.innerText()).not.toMatch(/\$[^56]|\\\(|\\\[/);
      const html = await admin.locator('textarea#content_html').inputValue();
      expect(html).toContain('<span class="math-inline" data-latex="\\frac{1}{2}bh">');
      expect(html).toContain('<span class="math-display" data-latex="A=bh">');
      expect(html).toContain('<span class="math-display" data-latex="y=mx+c">');
      expect(html).toContain('not $5 or $6.');

      // One box to start; "Add another answer" adds one in place (no reload), removed again.
      await admin.getByLabel('Key stage').selectOption('KS3');
      const boxes = admin.locator('fieldset.answer-boxes li.box-item');
      expect(await boxes.count()).toBe(1);
      const url = admin.url();
      await admin.getByRole('button', { name: 'Add another answer' }).click();
      expect(await boxes.count()).toBe(2);
      expect(admin.url()).toBe(url);
      await boxes.nth(1).getByRole('button', { name: 'Remove this box' }).click();
      expect(await boxes.count()).toBe(1);
      expect(sameTex(await typeMath(admin, boxes.nth(0).locator('math-field'), ['1', '2']), '12')).toBe(true);
      // The image comes with the first save.
      await admin.getByLabel('Image (optional)').setInputFiles({
        name: 'triangle.png',
        mimeType: 'image/png',
        buffer: solidPng(30, 20, [200, 60, 30]),
      });
      await submit(admin, 'Create challenge');
      expect((await flashes(admin)).join(' ')).toContain('Challenge «Triangle area» created with its image.');
      const id = Number(/\/admin\/challenges\/(\d+)\/edit$/.exec(admin.url())?.[1]);
      // The edit page shows the saved box only.
      expect(await boxes.count()).toBe(1);

      // The pupil sees typeset maths, never the delimiters.
      const student = (await e2e.open()).page;
      await logIn(student, pupil.email, pupil.password);
      await visit(student, `/challenges/${id}`);
      const problem = student.locator('.challenge .content');
      expect(await problem.locator('math').count()).toBe(5);
      expect(await problem.innerText()).toContain('The area is');
      expect(await problem.innerText()).not.toMatch(/\$[^56]|\\frac|\\\(|\\\[/);
      expect(await problem.locator('annotation').first().textContent()).toBe('\\frac{1}{2}bh');
      const picture = student.locator('.challenge img.challenge-image');
      expect(
        await picture.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth),
      ).toBe(30);
    });
  },
);
