// Typing in the maths box reads as plain text does: every key sequence of the
// typing corpus (test/fixtures/math/corpus-typing.json) is typed with the real
// keyboard into a challenge's MathLive box; the LaTeX the form would send, and
// the LaTeX of the preview beside the box, must read as the intended answer
// (checked here with the engine itself). The four headline sequences are also
// sent, and the page must mark them right.
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkAnswer } from '../../src/math/index.js';
import { previewAnswer } from '../../src/math/preview.js';
import { TEST_PASSWORD } from '../helpers/app.js';
import { seedChallenge } from './data.js';
import { browserAvailable } from './harness.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E, type StorageState } from './suite.js';
import { clearMath, logIn, visit } from './ui.js';

interface TypingCase {
  id: string;
  keys: string;
  expected: string;
}

const corpus = JSON.parse(
  readFileSync(new URL('../fixtures/math/corpus-typing.json', import.meta.url), 'utf8'),
) as TypingCase[];
const HEADLINE = corpus.slice(0, 4);

const STUDENT = { email: 'plain.typist@school.example.org' };

/** Empties the box, then presses the keys one by one, as a student does. */
async function typeKeys(page: Page, box: Locator, keys: string): Promise<string> {
  await clearMath(page, box.locator('math-field'));
  for (const key of keys) await page.keyboard.type(key);
  // What the form sends: the hidden input, which the field updates on its input
  // event (a moment after the key); spaces around the answer are not sent.
  const input = box.locator('input[name="answer"]');
  await page.waitForFunction(
    ([field, hidden]) =>
      (hidden as HTMLInputElement).value ===
      (field as HTMLElement & { getValue(f: string): string })
        .getValue('latex')
        .replace(/^(?:\\ |\s)+|(?:\\ |\s)+$/g, ''),
    [await box.locator('math-field').elementHandle(), await input.elementHandle()] as const,
  );
  return input.inputValue();
}

/** Waits until the preview shows the reading of `latex`, and returns the LaTeX it typeset. */
async function previewOf(page: Page, box: Locator, latex: string): Promise<string> {
  const want = previewAnswer(latex).latex;
  expect(want, `the engine reads ${latex}`).toBeDefined();
  const region = box.locator('[data-answer-preview]');
  await page.waitForFunction(
    ([el, text]) => el?.querySelector('annotation[encoding="application/x-tex"]')?.textContent === text,
    [await region.elementHandle(), want] as const,
  );
  expect((await region.locator('.answer-preview-label').innerText()).trim()).toBe('We read your answer as:');
  return want ?? '';
}

describe.runIf(browserAvailable())('typing in the maths box reads as plain text', E2E_TIMEOUTS, () => {
  const e2e = useE2E();
  let student: StorageState;
  let scratchId = 0;

  beforeAll(async () => {
    await e2e.site.test.createUser({ email: STUDENT.email, firstName: 'Plain', lastName: 'Typist', yearGroup: 10 });
    const { page, context } = await e2e.open();
    await logIn(page, STUDENT.email, TEST_PASSWORD);
    student = await context.storageState();
    // A box that is typed into and never sent.
    scratchId = await seedChallenge(e2e.site, {
      title: 'Typing practice',
      boxes: [{ label: 'Anything', answer: '1' }],
    });
  }, E2E_HOOK_TIMEOUT);

  /** The practice page, opened once and kept for the whole file. */
  async function scratchBox(): Promise<{ page: Page; box: Locator }> {
    const { page } = await e2e.reuse('practice', 'desktop', student);
    if (!page.url().endsWith(`/challenges/${scratchId}`)) {
      await visit(page, `/challenges/${scratchId}`);
      await page.locator('#box-1 math-field').waitFor();
    }
    return { page, box: page.locator('#box-1') };
  }

  it.each(corpus.map((c) => [`${c.id} ${c.keys}`, c] as const))(
    '%s: the box sends, and the preview shows, the plain-text reading',
    async (_, c) => {
      const { page, box } = await scratchBox();
      const latex = await typeKeys(page, box, c.keys);
      const sent = checkAnswer(c.expected, latex);
      expect(sent.equivalent, `${c.keys} typed gives ${latex}: ${sent.reason} (${sent.detail})`).toBe(true);
      const shown = await previewOf(page, box, latex);
      expect(checkAnswer(c.expected, shown).equivalent, `${c.keys} previewed as ${shown}`).toBe(true);
    },
  );

  it('previews 3/4+1 as three quarters plus one, not a fraction over 4+1', async () => {
    const { page, box } = await scratchBox();
    const latex = await typeKeys(page, box, '3/4+1');
    await previewOf(page, box, latex);
    const math = box.locator('[data-answer-preview] math');
    expect(await math.locator('mfrac').count()).toBe(1);
    // MathML elements have text, not innerText.
    const text = (locator: Locator) => locator.evaluate((el) => el.textContent ?? '');
    expect(await text(math.locator('mfrac > :nth-child(1)'))).toBe('3');
    expect(await text(math.locator('mfrac > :nth-child(2)'))).toBe('4');
    // The whole reading, the TeX annotation left out: the fraction, then + 1 beside it.
    expect((await text(math.locator('semantics > :first-child'))).replace(/\s/g, '')).toBe('34+1');
  });

  it('says in plain words when the answer cannot be read yet, and clears when the box is emptied', async () => {
    const { page, box } = await scratchBox();
    const region = box.locator('[data-answer-preview]');
    expect(await region.getAttribute('aria-live')).toBe('polite');
    await typeKeys(page, box, '3/');
    await region.getByText("We can't read this yet: there is an empty box to fill in.").waitFor();
    await typeKeys(page, box, '(3+4');
    expect(await box.locator('input[name="answer"]').inputValue()).toBe('\\left(3+4\\right)');
    await region.locator('.answer-preview-label').waitFor();
    await clearMath(page, box.locator('math-field'));
    await page.waitForFunction((el) => el?.textContent === '', await region.elementHandle());
  });

  it('marks the four headline sequences right when they are sent', async () => {
    const id = await seedChallenge(e2e.site, {
      title: 'Typed the plain way',
      boxes: HEADLINE.map((c) => ({ label: `Type ${c.keys}`, answer: c.expected })),
    });
    const { page } = await e2e.open('desktop', student);
    await visit(page, `/challenges/${id}`);
    for (const [i, c] of HEADLINE.entries()) {
      const box = page.locator(`#box-${i + 1}`);
      await box.locator('math-field').waitFor();
      await typeKeys(page, box, c.keys);
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      expect(await page.locator(`#box-${i + 1}`).innerText(), `${c.keys} is marked right`).toContain(
        'Answered correctly',
      );
    }
  });
});
