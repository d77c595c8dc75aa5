// The admin's math engine tester: two MathLive fields typed with the keyboard,
// answer forms ticked, the verdict fetched from the JSON API (CSRF header,
// production CSP) and shown in the page without leaving it.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN, browserAvailable } from './harness.js';
import { E2E_TIMEOUTS, useE2E } from './suite.js';
import { clearMath, logIn, sameTex, typeMath } from './ui.js';

/** Sends the tester form and waits for the verdict the API gave. */
async function check(page: Page): Promise<{ verdict: string; expr1: string; expr2: string; reason: string }> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/math/test-equivalence')),
    page.locator('#math-tester-form').getByRole('button', { name: 'Check' }).click(),
  ]);
  expect(response.status()).toBe(200);
  const result = page.locator('#math-result');
  await result.locator('[data-result="verdict"]').waitFor();
  expect(new URL(page.url()).pathname, 'the page was not left').toBe('/admin/math');
  return {
    verdict: await result.locator('[data-result="verdict"]').innerText(),
    expr1: await result.locator('[data-result="expr1"]').innerText(),
    expr2: await result.locator('[data-result="expr2"]').innerText(),
    reason: await result.locator('[data-result="reason"]').innerText(),
  };
}

describe.runIf(browserAvailable())('math engine tester page', E2E_TIMEOUTS, () => {
  const e2e = useE2E();

  it('tells the admin whether two typed answers are equivalent, and why', async () => {
    const { page } = await e2e.open();
    await logIn(page, ADMIN.email, ADMIN.password);
    await Promise.all([page.waitForNavigation(), page.locator('header').getByRole('link', { name: 'Admin' }).click()]);
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('navigation', { name: /admin/i }).getByRole('link', { name: 'Math tester' }).click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/admin/math');

    const correct = page.locator('math-field#expr1');
    const student = page.locator('math-field#expr2');
    const typed = await typeMath(page, correct, ['2', 'sqrt', '2']);
    expect(sameTex(typed, '2\\sqrt{2}'), typed).toBe(true);
    const typed2 = await typeMath(page, student, ['sqrt', '8']);
    expect(sameTex(typed2, '\\sqrt{8}'), typed2).toBe(true);
    const same = await check(page);
    expect(same.verdict, JSON.stringify(same)).toMatch(/^Equivalent/);
    expect(same.expr1).not.toBe('(could not be read)');
    expect(same.expr2).not.toBe('(could not be read)');

    // Replace the student's answer with a wrong one: a fraction this time.
    await clearMath(page, student);
    expect(sameTex(await typeMath(page, student, ['3', '/', '2']), '\\frac{3}{2}')).toBe(true);
    const different = await check(page);
    expect(different.verdict).toMatch(/^Not equivalent/);

    // Require the simplest surd form: √8 has the right value but is refused, naming the form.
    const surd = page.getByRole('checkbox', { name: /Simplest surd form/ });
    await surd.check();
    await clearMath(page, student);
    expect(sameTex(await typeMath(page, student, ['sqrt', '8']), '\\sqrt{8}')).toBe(true);
    const refused = await check(page);
    expect(refused.verdict, JSON.stringify(refused)).toMatch(/^Not equivalent/);
    expect(refused.reason).toMatch(/^wrong-form/);
    expect(await page.locator('#math-result [data-result="form"]').innerText()).toBe('Simplest surd form');

    await clearMath(page, student);
    expect(sameTex(await typeMath(page, student, ['2', 'sqrt', '2']), '2\\sqrt{2}')).toBe(true);
    const accepted = await check(page);
    expect(accepted.verdict, JSON.stringify(accepted)).toMatch(/^Equivalent/);
    expect(await page.locator('#math-result [data-result="form"]').count()).toBe(0);
    expect(await surd.isChecked()).toBe(true);
  });
});
