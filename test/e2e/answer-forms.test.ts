// Answer forms in the browser: an admin sets "expand and simplify" in the
// challenge editor (the forms listed with their examples, "simplified" ticked
// on every new box, "Expanded" ticked by hand); a pupil types the question back
// into the maths box, is told the value is right but not expanded without
// losing an attempt, then types the expanded answer and is marked right.
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ANSWER_FORMS, FORM_DESCRIPTIONS } from '../../src/math/index.js';
import { TEST_PASSWORD } from '../helpers/app.js';
import { ADMIN, browserAvailable } from './harness.js';
import { E2E_TIMEOUTS, useE2E } from './suite.js';
import { flashes, logIn, mathValue, sameTex, submit, typeMath, visit } from './ui.js';

const TITLE = 'Expand and simplify';
const PUPIL = { email: 'emmy.pupil@school.example.org', password: TEST_PASSWORD };

/** The caret of a MathLive field. */
const caret = (field: Locator) => field.evaluate((el) => (el as HTMLElement & { position: number }).position);

/**
 * Keeps typing into the focused maths field, a key at a time: a character must
 * change the field or move its caret; ArrowRight leaves a power (and may do
 * nothing at the end, when the box's typing rules have left it already).
 */
async function typeOn(page: Page, field: Locator, keys: string[]): Promise<void> {
  for (const key of keys) {
    if (key === 'ArrowRight') {
      await page.keyboard.press(key);
      continue;
    }
    for (const ch of key) {
      const before = `${await mathValue(field)}|${await caret(field)}`;
      await page.keyboard.type(ch);
      await expect
        .poll(async () => `${await mathValue(field)}|${await caret(field)}`, {
          message: `the maths box took "${ch}"`,
          timeout: 3000,
        })
        .not.toBe(before);
    }
  }
}

/** The maths as plain text: brackets without \left/\right, no braces or spaces. */
const plain = (latex: string) => latex.replace(/\\left|\\right/g, '').replace(/[{}\s]/g, '');

describe.runIf(browserAvailable())('answer forms: a right value in the wrong form', E2E_TIMEOUTS, () => {
  const e2e = useE2E();

  it('the editor lists the forms; the pupil is told "not expanded" for free, then is right', async () => {
    await e2e.site.test.createUser({ email: PUPIL.email, firstName: 'Emmy', yearGroup: 10, keyStage: 'KS4' });
    const admin = (await e2e.open()).page;
    await logIn(admin, ADMIN.email, ADMIN.password);
    await visit(admin, '/admin/challenges/new');

    // Every form with its one-line example; a new box starts with "simplified" ticked only.
    const boxes = admin.locator('fieldset.answer-boxes li.box-item');
    expect(await boxes.count()).toBe(1);
    const first = boxes.nth(0);
    const forms = await first.locator('.answer-forms').innerText();
    for (const form of ANSWER_FORMS) {
      expect(forms).toContain(FORM_DESCRIPTIONS[form].label);
      expect(forms).toContain(FORM_DESCRIPTIONS[form].example);
    }
    const ticked = (box: Locator) =>
      box
        .locator('.answer-forms input[type="checkbox"]')
        .evaluateAll((els) =>
          els.filter((el) => (el as HTMLInputElement).checked).map((el) => el.getAttribute('name')),
        );
    expect(await ticked(first)).toEqual(['box-0-form-simplified']);
    const costs = first.getByRole('checkbox', { name: 'A wrong form costs an attempt' });
    expect(await costs.isChecked()).toBe(false);

    // A box added by the editor starts the same way; it is removed again.
    await admin.getByRole('button', { name: 'Add another answer' }).click();
    expect(await boxes.count()).toBe(2);
    const added = boxes.nth(1);
    expect(await ticked(added)).toEqual([expect.stringMatching(/^box-\d+-form-simplified$/)]);
    expect(await added.getByRole('checkbox', { name: 'A wrong form costs an attempt' }).isChecked()).toBe(false);
    await added.getByRole('button', { name: 'Remove this box' }).click();
    expect(await boxes.count()).toBe(1);

    // The challenge: the answer 2x+3, which must be expanded (and simplified).
    await admin.getByLabel('Title').fill(TITLE);
    await admin.locator('.editor-surface [contenteditable="true"]').click();
    await admin.keyboard.type('Expand and simplify (x+1)² − x² + 2.');
    await admin.getByLabel('Key stage').selectOption('KS4');
    expect(sameTex(await typeMath(admin, first.locator('math-field'), ['2x+3']), '2x+3')).toBe(true);
    await first.getByRole('checkbox', { name: /^Expanded\b/ }).check();
    await submit(admin, 'Create challenge');
    expect((await flashes(admin)).join(' ')).toContain(`Challenge «${TITLE}» created`);
    const id = Number(/\/admin\/challenges\/(\d+)\/edit$/.exec(admin.url())?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(await ticked(admin.locator('fieldset.answer-boxes li.box-item').nth(0))).toEqual([
      'box-0-form-simplified',
      'box-0-form-expanded',
    ]);

    // The pupil types the question back: the right value, not expanded.
    const pupil = (await e2e.open()).page;
    await logIn(pupil, PUPIL.email, PUPIL.password);
    await visit(pupil, `/challenges/${id}`);
    const field = pupil.locator('#box-1 math-field');
    await typeMath(pupil, field, ['(']);
    await typeOn(pupil, field, ['x+1)^2', 'ArrowRight', '-x^2', 'ArrowRight', '+2']);
    expect(plain(await mathValue(field))).toBe('(x+1)^2-x^2+2');
    await Promise.all([pupil.waitForNavigation(), pupil.keyboard.press('Enter')]);
    expect(await flashes(pupil)).toEqual([
      'Your answer has the right value but is not expanded. This try did not use an attempt. You still have 3 attempts left for this box.',
    ]);
    expect(await pupil.locator('#box-1 .box-status').innerText()).toBe('3 attempts left');
    expect(await pupil.locator('#box-1 .try').count(), 'the free try is not in the history').toBe(0);

    // Expanded: right.
    expect(sameTex(await typeMath(pupil, pupil.locator('#box-1 math-field'), ['2x+3']), '2x+3')).toBe(true);
    await Promise.all([pupil.waitForNavigation(), pupil.keyboard.press('Enter')]);
    expect((await flashes(pupil)).join(' ')).toContain(`Correct — you have completed «${TITLE}»`);
    expect(await pupil.locator('#box-1').innerText()).toContain('Answered correctly');
  });
});
