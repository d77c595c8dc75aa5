// A student of a participating school registers for the competition through
// its own form (a look-alike email domain is refused), answers a competition
// challenge in MathLive, and appears with the school on the competition's
// leaderboard and school rankings.
import { beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from './harness.js';
import { seedChallenge, seedCompetition } from './data.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E } from './suite.js';
import { flashes, mainText, sameTex, submit, typeMath, visit } from './ui.js';

const COMPETITION = 'Autumn competition';
const SCHOOL = { name: 'Riverside Academy', domain: 'riverside.example.org' };
const CHALLENGE = 'Stacking boxes';

describe.runIf(browserAvailable())(
  'competition journey: register through a school, answer, score for the school',
  E2E_TIMEOUTS,
  () => {
    // This journey is about what comes after joining: confirming the address by email is
    // test/e2e/verified-registration.test.ts's journey, so registration here signs in at once.
    const e2e = useE2E({ REQUIRE_EMAIL_VERIFICATION: 'false' });
    let competitionId: number;

    beforeAll(async () => {
      const c = await seedCompetition(e2e.site, {
        name: COMPETITION,
        schools: [SCHOOL, { name: 'Hilltop School', domain: 'hilltop.example.org' }],
      });
      competitionId = c.id;
      await seedChallenge(
        e2e.site,
        { title: CHALLENGE, keyStage: 'KS4', boxes: [{ label: 'Height of the stack', answer: '\\frac{5}{2}' }] },
        { competitionId, durationHours: 48 },
      );
    }, E2E_HOOK_TIMEOUT);

    it('registers with the school email, answers the challenge and shows on the competition boards', async () => {
      const { page, guard } = await e2e.open();
      await visit(page, '/competition');
      expect(await page.locator('h1').innerText()).toBe(COMPETITION);
      expect(await page.locator('.school-list').innerText()).toContain(SCHOOL.name);
      await Promise.all([
        page.waitForNavigation(),
        page.getByRole('link', { name: 'Register for the competition' }).click(),
      ]);
      expect(await page.locator('h1').innerText()).toBe(`Register for ${COMPETITION}`);

      await page.getByLabel('School', { exact: true }).selectOption({ label: SCHOOL.name });
      await page.getByLabel('First name').fill('Sofia');
      await page.getByLabel('Last name').fill('Kovalevskaya');
      // A domain that only ends like the school's is not the school's.
      await page.getByLabel('School email').fill(`sofia@evil-${SCHOOL.domain}`);
      await page.getByLabel('School year').selectOption('10');
      await page.getByLabel('Password', { exact: true }).fill('partial differential equations');
      await page.getByLabel('Confirm password').fill('partial differential equations');
      guard.allowConsoleErrorOnce(/status of 400/);
      await submit(page, 'Register');
      expect(await page.getByLabel('School email').getAttribute('aria-invalid')).toBe('true');
      expect(await mainText(page)).toContain(SCHOOL.domain);

      await page.getByLabel('School email').fill(`sofia@${SCHOOL.domain}`);
      await page.getByLabel('Password', { exact: true }).fill('partial differential equations');
      await page.getByLabel('Confirm password').fill('partial differential equations');
      await submit(page, 'Register');
      expect(new URL(page.url()).pathname).toBe(`/competitions/${competitionId}/challenges`);
      expect((await flashes(page)).join(' ')).toContain(`You are registered for ${COMPETITION} in KS4`);

      // The competition challenge, answered in MathLive.
      await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: CHALLENGE }).click()]);
      const latex = await typeMath(page, page.locator('#box-1 math-field'), ['5', '/', '2']);
      expect(sameTex(latex, '\\frac{5}{2}')).toBe(true);
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      const done = (await flashes(page)).join(' ');
      expect(done).toContain(`you have completed «${CHALLENGE}»`);
      expect(done).toContain('+3 points');

      // The competition page: first on the KS4 board with the school, and the school ranked.
      await visit(page, `/competitions/${competitionId}`);
      const board = page.locator('section.competition-board', {
        has: page.locator('h2', { hasText: 'KS4 leaderboard' }),
      });
      const row = board.locator('table').first().locator('tbody tr').first();
      const cells = (await row.locator('td').allInnerTexts()).map((t) => t.trim());
      expect(cells[0]).toMatch(/^1/);
      expect(cells[1]).toContain('Sofia');
      expect(cells.slice(2)).toEqual([SCHOOL.name, '3', '1']);
      const ranking = (await board.locator('table.school-rankings tbody tr').first().locator('td').allInnerTexts()).map(
        (t) => t.trim(),
      );
      expect(ranking).toEqual(['1', SCHOOL.name, '3', '1', '1', '3.0']);
      expect(await page.locator('.activity').innerText()).toContain(`(${SCHOOL.name}) completed «${CHALLENGE}»`);
    });
  },
);
