// A pupil of a competition guest school: the home page points them to their
// competition, the weekly challenges answer with a page saying whom they are
// for (linking to the competition), and the profile shows their competition
// points, rank and school rank — on a desktop and on a phone.
import { beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from './harness.js';
import { checkPage } from './checks.js';
import { seedChallenge, seedCompetition } from './data.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E } from './suite.js';
import { logIn, mainText, visit } from './ui.js';

const COMPETITION = 'Spring cup';
const GUEST_SCHOOL = { name: 'Dale Academy', domain: 'dale.example.org' };
const PUPIL = { email: 'gwen@dale.example.org', password: 'rolling hills and valleys' };

describe.runIf(browserAvailable())('a guest school’s pupil: competition only', E2E_TIMEOUTS, () => {
  const e2e = useE2E();
  let competitionId: number;

  beforeAll(async () => {
    const site = e2e.site;
    const c = await seedCompetition(site, { name: COMPETITION, schools: [GUEST_SCHOOL] });
    competitionId = c.id;
    const pupil = await site.test.createUser({
      email: PUPIL.email,
      password: PUPIL.password,
      firstName: 'Gwen',
      lastName: 'Guest',
      yearGroup: 10,
      keyStage: 'KS4',
      schoolId: c.schoolIds[0]!,
    });
    const now = new Date().toISOString();
    await site.test.db
      .insertInto('competition_participants')
      .values({
        competition_id: c.id,
        user_id: pupil.id,
        school_id: c.schoolIds[0]!,
        key_stage: 'KS4',
        created_at: now,
      })
      .execute();
    await site.test.db
      .insertInto('competition_scores')
      .values({
        competition_id: c.id,
        user_id: pupil.id,
        school_id: c.schoolIds[0]!,
        key_stage: 'KS4',
        points: 3,
        challenges_completed: 1,
        updated_at: now,
      })
      .execute();
    await seedChallenge(site, { title: 'Weekly puzzle', keyStage: 'KS4', boxes: [{ label: 'x', answer: '2' }] });
  }, E2E_HOOK_TIMEOUT);

  for (const viewport of ['desktop', 'phone'] as const) {
    it(`is pointed to the competition, not the weekly challenges (${viewport})`, async () => {
      const { page, guard } = await e2e.open(viewport);
      await logIn(page, PUPIL.email, PUPIL.password);

      await visit(page, '/');
      const mine = page.getByTestId('your-competitions');
      expect(await mine.innerText()).toContain(`${COMPETITION} is running: 3 points so far, rank #1 in KS4.`);
      expect(await page.getByRole('link', { name: 'See this week’s challenges' }).count()).toBe(0);

      guard.allowConsoleErrorOnce(/status of 403/);
      await visit(page, '/challenges', 403);
      expect(await page.locator('h1').innerText()).toBe('The weekly challenges are for members');
      const text = await mainText(page);
      expect(text).toContain(`You joined through ${GUEST_SCHOOL.name}, which takes part in our competitions.`);
      expect(text).not.toContain('Weekly puzzle');
      await checkPage(page, 'weekly-members-only', viewport);
      await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'go to its challenges' }).click()]);
      expect(new URL(page.url()).pathname).toBe(`/competitions/${competitionId}/challenges`);

      await visit(page, '/profile');
      const standings = page.getByTestId('competition-standings');
      const cells = (await standings.locator('tbody tr').first().locator('th, td').allInnerTexts()).map((t) =>
        t.trim(),
      );
      expect(cells).toEqual([`${COMPETITION} (running)`, 'KS4', '3', '#1', `${GUEST_SCHOOL.name} #1 of 1`]);
      expect(await mainText(page)).not.toMatch(/Total\s+0/);
      await checkPage(page, 'profile-competition-pupil', viewport);
    });
  }
});
