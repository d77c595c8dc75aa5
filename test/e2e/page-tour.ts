// The page tour: every page type, as the person who would see it, at desktop
// and phone width — no serious or critical accessibility violation (axe, WCAG
// 2.1 AA: labels, contrast, names, landmarks); at 375 px no sideways
// scrolling, no cut-off table and a folded header; the page's main action
// reachable; and a screenshot of each for review. The tour is split by role into
// pages-*.test.ts so that the files can run side by side.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPage, expectReachable } from './checks.js';
import { minimalPdf, seedAnnouncement, seedArticle, seedChallenge, seedCompetition } from './data.js';
import { ADMIN, browserAvailable, type ViewportName } from './harness.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E, type StorageState } from './suite.js';
import { logIn, submit, visit } from './ui.js';

export type Role = 'visitor' | 'student' | 'admin';

/** Records the page tour needs to exist (ids filled in by beforeAll). */
export interface Seeded {
  challenge: number;
  lockedChallenge: number;
  article: number;
  newsletter: number;
  announcement: number;
  student: number;
  competition: number;
  competitionChallenge: number;
}

export interface PageType {
  name: string;
  as: Role;
  /** Where the page is; or the steps that bring it up (e.g. a form sent back with errors). */
  path?: string | ((s: Seeded) => string);
  open?: (page: Page) => Promise<void>;
  status?: number;
  /** The page's main action, which must be reachable at every width: a button or link in main, by name. */
  primary?: { role: 'button' | 'link'; name: string };
}

export const PAGE_TYPES: PageType[] = [
  // Public
  { name: 'home', path: '/', as: 'visitor' },
  { name: 'login', path: '/login', as: 'visitor', primary: { role: 'button', name: 'Log in' } },
  {
    name: 'login-failed',
    as: 'visitor',
    status: 401,
    open: async (page) => {
      await visit(page, '/login');
      await page.getByLabel('Email').fill('nobody@school.example.org');
      await page.getByLabel('Password', { exact: true }).fill('not the password');
      await submit(page, 'Log in');
    },
  },
  { name: 'register', path: '/register', as: 'visitor', primary: { role: 'button', name: 'Create account' } },
  {
    name: 'register-errors',
    as: 'visitor',
    status: 400,
    open: async (page) => {
      await visit(page, '/register');
      await submit(page, 'Create account');
      expect(await page.locator('[aria-invalid="true"]').count()).toBeGreaterThan(0);
    },
  },
  { name: 'articles', path: '/articles', as: 'visitor' },
  { name: 'article', path: (s) => `/articles/${s.article}`, as: 'visitor' },
  { name: 'newsletters', path: '/newsletters', as: 'visitor' },
  { name: 'newsletter-pdf', path: (s) => `/newsletters/${s.newsletter}`, as: 'visitor' },
  { name: 'announcements', path: '/announcements', as: 'visitor' },
  { name: 'announcement', path: (s) => `/announcements/${s.announcement}`, as: 'visitor' },
  { name: 'about', path: '/about', as: 'visitor' },
  { name: 'privacy', path: '/privacy', as: 'visitor' },
  { name: 'competition-about', path: '/competition/about', as: 'visitor' },
  { name: 'leaderboard', path: '/leaderboard', as: 'visitor' },
  { name: 'competition', path: '/competition', as: 'visitor' },
  { name: 'competition-register', path: '/competition/register', as: 'visitor' },
  { name: 'not-found', path: '/no-such-page', as: 'visitor', status: 404 },
  // Student
  { name: 'home-student', path: '/', as: 'student' },
  { name: 'challenges', path: '/challenges', as: 'student' },
  {
    name: 'challenge',
    path: (s) => `/challenges/${s.challenge}`,
    as: 'student',
    primary: { role: 'button', name: 'Check answer' },
  },
  { name: 'challenge-locked', path: (s) => `/challenges/${s.lockedChallenge}`, as: 'student' },
  { name: 'profile', path: '/profile', as: 'student' },
  { name: 'profile-password', path: '/profile/password', as: 'student' },
  { name: 'profile-sessions', path: '/profile/sessions', as: 'student' },
  { name: 'profile-delete', path: '/profile/delete', as: 'student' },
  { name: 'competition-challenges', path: (s) => `/competitions/${s.competition}/challenges`, as: 'student' },
  {
    name: 'competition-challenge',
    path: (s) => `/competitions/${s.competition}/challenges/${s.competitionChallenge}`,
    as: 'student',
  },
  { name: 'forbidden', path: '/admin/articles', as: 'student', status: 403 },
  // Admin
  { name: 'admin-dashboard', path: '/admin', as: 'admin' },
  { name: 'admin-users', path: '/admin/users', as: 'admin', primary: { role: 'link', name: 'New user' } },
  { name: 'admin-user-new', path: '/admin/users/new', as: 'admin' },
  { name: 'admin-user-edit', path: (s) => `/admin/users/${s.student}/edit`, as: 'admin' },
  { name: 'admin-audit', path: '/admin/audit', as: 'admin' },
  { name: 'admin-challenges', path: '/admin/challenges', as: 'admin' },
  { name: 'admin-challenge-new', path: '/admin/challenges/new', as: 'admin' },
  { name: 'admin-challenge-edit', path: (s) => `/admin/challenges/${s.challenge}/edit`, as: 'admin' },
  { name: 'admin-challenge-delete', path: (s) => `/admin/challenges/${s.challenge}/delete`, as: 'admin' },
  { name: 'admin-challenge-bank', path: '/admin/challenges/bank', as: 'admin' },
  { name: 'admin-challenge-print', path: (s) => `/admin/challenges/${s.challenge}/print`, as: 'admin' },
  { name: 'admin-week-print', path: '/admin/challenges/print/week', as: 'admin' },
  { name: 'admin-leaderboard', path: '/admin/leaderboard', as: 'admin' },
  { name: 'admin-math-tester', path: '/admin/math', as: 'admin' },
  { name: 'admin-competitions', path: '/admin/competitions', as: 'admin' },
  { name: 'admin-competition-new', path: '/admin/competitions/new', as: 'admin' },
  { name: 'admin-competition', path: (s) => `/admin/competitions/${s.competition}`, as: 'admin' },
  { name: 'admin-competition-edit', path: (s) => `/admin/competitions/${s.competition}/edit`, as: 'admin' },
  { name: 'admin-competition-board', path: (s) => `/admin/competitions/${s.competition}/board`, as: 'admin' },
  { name: 'admin-competition-analytics', path: (s) => `/admin/competitions/${s.competition}/analytics`, as: 'admin' },
  {
    name: 'admin-competition-challenge-new',
    path: (s) => `/admin/competitions/${s.competition}/challenges/new`,
    as: 'admin',
  },
  {
    name: 'admin-competition-challenge-edit',
    path: (s) => `/admin/competitions/${s.competition}/challenges/${s.competitionChallenge}/edit`,
    as: 'admin',
  },
  { name: 'admin-schools', path: '/admin/schools', as: 'admin' },
  { name: 'admin-school-new', path: '/admin/schools/new', as: 'admin' },
  { name: 'challenge-admin', path: (s) => `/challenges/${s.challenge}`, as: 'admin' },
  { name: 'admin-articles', path: '/admin/articles', as: 'admin' },
  { name: 'admin-article-new', path: '/admin/articles/new', as: 'admin' },
  { name: 'admin-article-edit', path: (s) => `/admin/articles/${s.newsletter}/edit`, as: 'admin' },
  { name: 'admin-announcements', path: '/admin/announcements', as: 'admin' },
  { name: 'admin-announcement-new', path: '/admin/announcements/new', as: 'admin' },
  { name: 'admin-pages', path: '/admin/pages', as: 'admin' },
  { name: 'admin-page-edit', path: '/admin/pages/about', as: 'admin' },
];

const VIEWPORT_NAMES: ViewportName[] = ['desktop', 'phone'];
export const TOUR_STUDENT = { email: 'page.tour@school.example.org', password: 'correct horse battery staple' };

/** Everything the page types show, made through the domain layer. */
async function seed(site: ReturnType<typeof useE2E>['site']): Promise<Seeded> {
  const math =
    '<p>Find <span class="math-inline" data-latex="\\frac{3}{4}+\\sqrt{2}">\\frac{3}{4}+\\sqrt{2}</span> and more.</p>';
  const seeded: Seeded = {
    challenge: await seedChallenge(site, {
      title: 'Fractions and roots',
      contentHtml: math,
      boxes: [
        { label: 'Half of 3/2', answer: '\\frac{3}{4}' },
        { label: 'Root of 8', answer: '2\\sqrt{2}' },
      ],
    }),
    lockedChallenge: await seedChallenge(site, {
      title: 'Last week’s puzzle',
      boxes: [{ label: 'Seven squared', answer: '49' }],
      lockAfterHours: 1,
      releaseAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
    }),
    article: await seedArticle(site, { title: 'Why primes never run out', contentHtml: math }),
    newsletter: await seedArticle(site, {
      type: 'newsletter',
      title: 'Autumn newsletter',
      pdf: minimalPdf('Autumn newsletter'),
    }),
    announcement: await seedAnnouncement(site, { title: 'Welcome back' }),
    student: (
      await site.test.createUser({
        email: TOUR_STUDENT.email,
        firstName: 'Page',
        lastName: 'Tour',
        yearGroup: 9,
        keyStage: 'KS4',
      })
    ).id,
    competition: 0,
    competitionChallenge: 0,
  };
  // The tour student's school (the default one) takes part, so the competition pages show a participant's view.
  const school = await site.test.db.selectFrom('schools').select('id').executeTakeFirstOrThrow();
  seeded.competition = (
    await seedCompetition(site, {
      name: 'Autumn competition',
      schools: [{ name: 'Hilltop School', domain: 'hilltop.example.org' }],
    })
  ).id;
  await site.test.db
    .insertInto('competition_schools')
    .values({ competition_id: seeded.competition, school_id: school.id })
    .execute();
  seeded.competitionChallenge = await seedChallenge(
    site,
    { title: 'Competition puzzle', boxes: [{ label: 'Answer', answer: '12' }] },
    { competitionId: seeded.competition, durationHours: 48 },
  );
  return seeded;
}

/** The tour of one role's page types, as one describe block. */
export function pageTour(role: Role): void {
  describe.runIf(browserAvailable())(`every ${role} page type`, E2E_TIMEOUTS, () => {
    const e2e = useE2E();
    let seeded: Seeded;
    let state: StorageState | undefined;

    beforeAll(async () => {
      seeded = await seed(e2e.site);
      if (role !== 'visitor') {
        const { page, context } = await e2e.open();
        await logIn(
          page,
          role === 'admin' ? ADMIN.email : TOUR_STUDENT.email,
          role === 'admin' ? ADMIN.password : TOUR_STUDENT.password,
        );
        state = await context.storageState();
      }
    }, E2E_HOOK_TIMEOUT);

    it.each(PAGE_TYPES.filter((t) => t.as === role))('$name: accessible, fits a phone, screenshots', async (type) => {
      for (const viewport of VIEWPORT_NAMES) {
        const { page, guard } = await e2e.reuse(role, viewport, state);
        // The browser logs the status of a page that answers with an error on purpose.
        if (type.status && type.status >= 400) guard.allowConsoleErrorOnce(new RegExp(`status of ${type.status}`));
        if (type.open) await type.open(page);
        else await visit(page, typeof type.path === 'function' ? type.path(seeded) : type.path!, type.status ?? 200);
        await checkPage(page, type.name, viewport);
        if (type.primary) {
          const { role, name } = type.primary;
          await expectReachable(page.locator('main').getByRole(role, { name, exact: true }).first(), type.name);
        }
      }
    });
  });
}
