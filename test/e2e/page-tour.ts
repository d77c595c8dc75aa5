// The page tour: every page type, as the person who would see it, at desktop
// and phone width — no serious or critical accessibility violation (axe, WCAG
// 2.1 AA: labels, contrast, names, landmarks); at 375 px no sideways
// scrolling, no cut-off table and a folded header; the page's main action
// reachable; and a screenshot of each for review. The tour is split by role into
// pages-*.test.ts so that the files can run side by side.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { challengeBoxes, recordTry } from '../../src/domain/challenges/challenges.js';
import { addClassMember, addClassTeacher, findOrCreateClass } from '../../src/domain/classes/class-records.js';
import { sealSecret } from '../../src/domain/sso/secret-box.js';
import { checkPage, expectReachable } from './checks.js';
import { minimalPdf, seedAnnouncement, seedArticle, seedChallenge, seedCompetition } from './data.js';
import { ADMIN, browserAvailable, type ViewportName } from './harness.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E, type StorageState } from './suite.js';
import { logIn, mainText, submit, visit } from './ui.js';

/** Who looks at a page: a newcomer is a pupil who has not yet said their school year (an SSO or imported pupil). */
export type Role = 'visitor' | 'student' | 'newcomer' | 'teacher' | 'admin';

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
  /** The default school (the tour's pupils, teacher and class are in it). */
  school: number;
  schoolName: string;
  /** The tour teacher's class, with the tour student in it. */
  class: number;
}

export interface PageType {
  name: string;
  as: Role;
  /** Where the page is; or the steps that bring it up (e.g. a form sent back with errors). */
  path?: string | ((s: Seeded) => string);
  open?: (page: Page, s: Seeded) => Promise<void>;
  status?: number;
  /** The page's main action, which must be reachable at every width: a button or link in main, by name. */
  primary?: { role: 'button' | 'link'; name: string };
}

/** The button the login page shows for the tour's school provider (a row only: the page never calls it). */
const SSO_LABEL = 'Northfield Academy';

/** A small MIS export for the import's dry run: a new pupil, the tour student moving to Year 10, and a refused row. */
const IMPORT_CSV = Buffer.from(
  [
    'First name,Surname,Email,Year,Class',
    'Nia,Newton,nia.newton@school.example.org,8,8B',
    'Page,Tour,page.tour@school.example.org,10,10A',
    'Omar,Outside,omar.outside@elsewhere.example.com,9,9C',
    '',
  ].join('\r\n'),
  'utf8',
);

export const PAGE_TYPES: PageType[] = [
  // Public
  { name: 'home', path: '/', as: 'visitor' },
  { name: 'login', path: '/login', as: 'visitor', primary: { role: 'button', name: 'Log in' } },
  {
    // A school signs in with its own provider: the login page offers "Sign in with …" above the password form.
    name: 'login-sso',
    path: '/login?next=%2Fchallenges',
    as: 'visitor',
    primary: { role: 'button', name: `Sign in with ${SSO_LABEL}` },
  },
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
  { name: 'class-boards', path: '/leaderboard/class', as: 'student' },
  { name: 'class-board', path: (s) => `/leaderboard/class/${s.class}`, as: 'student' },
  { name: 'forbidden', path: '/admin/articles', as: 'student', status: 403 },
  // A pupil without a school year (signed in with their school account, or imported without one)
  { name: 'welcome', path: '/welcome', as: 'newcomer', primary: { role: 'button', name: 'Save and continue' } },
  // Teacher
  { name: 'teacher-dashboard', path: '/admin', as: 'teacher' },
  { name: 'teacher-challenges', path: '/admin/challenges', as: 'teacher' },
  { name: 'teacher-leaderboard', path: '/admin/leaderboard', as: 'teacher' },
  { name: 'teacher-classes', path: '/admin/classes', as: 'teacher', primary: { role: 'link', name: 'New class' } },
  {
    name: 'teacher-class-new',
    path: '/admin/classes/new',
    as: 'teacher',
    primary: { role: 'button', name: 'Create class' },
  },
  {
    name: 'teacher-class',
    path: (s) => `/admin/classes/${s.class}`,
    as: 'teacher',
    primary: { role: 'button', name: 'Add pupils' },
  },
  { name: 'teacher-class-progress', path: (s) => `/admin/classes/${s.class}/progress`, as: 'teacher' },
  { name: 'teacher-forbidden', path: '/admin/users', as: 'teacher', status: 403 },
  // Admin
  { name: 'admin-dashboard', path: '/admin', as: 'admin' },
  { name: 'admin-users', path: '/admin/users', as: 'admin', primary: { role: 'link', name: 'New user' } },
  { name: 'admin-user-new', path: '/admin/users/new', as: 'admin' },
  { name: 'admin-user-edit', path: (s) => `/admin/users/${s.student}/edit`, as: 'admin' },
  {
    name: 'admin-user-import',
    path: '/admin/users/import',
    as: 'admin',
    primary: { role: 'button', name: 'Check the file' },
  },
  {
    // The dry run: what the file would create, update and refuse, and the button that confirms it.
    name: 'admin-user-import-check',
    as: 'admin',
    open: async (page, s) => {
      await visit(page, '/admin/users/import');
      await page.getByLabel('School', { exact: true }).selectOption({ value: String(s.school) });
      await page.getByLabel('CSV file').setInputFiles({ name: 'pupils.csv', mimeType: 'text/csv', buffer: IMPORT_CSV });
      await submit(page, 'Check the file');
      const text = await mainText(page);
      expect(text).toContain('nia.newton@school.example.org');
      expect(text).toContain('omar.outside@elsewhere.example.com');
    },
  },
  { name: 'admin-year-rollover', path: '/admin/year-rollover', as: 'admin' },
  { name: 'admin-classes', path: '/admin/classes', as: 'admin' },
  { name: 'admin-class', path: (s) => `/admin/classes/${s.class}`, as: 'admin' },
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
  { name: 'admin-school-sign-in', path: (s) => `/admin/schools/${s.school}/sign-in`, as: 'admin' },
  {
    name: 'admin-school-sign-in-new',
    path: (s) => `/admin/schools/${s.school}/sign-in/new?kind=microsoft`,
    as: 'admin',
    primary: { role: 'button', name: 'Add provider' },
  },
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
export const TOUR_NEWCOMER = { email: 'new.comer@school.example.org', password: 'correct horse battery staple' };
export const TOUR_TEACHER = { email: 'tess.teacher@school.example.org', password: 'correct horse battery staple' };

/** Who logs in for each role. */
function account(role: Exclude<Role, 'visitor'>): { email: string; password: string } {
  if (role === 'admin') return ADMIN;
  if (role === 'teacher') return TOUR_TEACHER;
  if (role === 'newcomer') return TOUR_NEWCOMER;
  return TOUR_STUDENT;
}

/** Everything the page types show, made through the domain layer. */
async function seed(site: ReturnType<typeof useE2E>['site']): Promise<Seeded> {
  const db = site.test.db;
  const school = await db
    .selectFrom('schools')
    .select(['id', 'name'])
    .where('email_domain', '=', 'school.example.org')
    .executeTakeFirstOrThrow();
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
        schoolId: school.id,
      })
    ).id,
    competition: 0,
    competitionChallenge: 0,
    school: school.id,
    schoolName: school.name,
    class: 0,
  };
  // The tour student's school (the default one) takes part, so the competition pages show a participant's view.
  seeded.competition = (
    await seedCompetition(site, {
      name: 'Autumn competition',
      schools: [{ name: 'Hilltop School', domain: 'hilltop.example.org' }],
    })
  ).id;
  await db
    .insertInto('competition_schools')
    .values({ competition_id: seeded.competition, school_id: school.id })
    .execute();
  seeded.competitionChallenge = await seedChallenge(
    site,
    { title: 'Competition puzzle', boxes: [{ label: 'Answer', answer: '12' }] },
    { competitionId: seeded.competition, durationHours: 48 },
  );

  // School accounts (issue 20): a teacher with a class of three pupils, one of whom has solved the
  // challenge and one tried in vain (so the class board and progress grid show every state);
  // a pupil without a school year (the welcome question), a Year 13 pupil (a leaver in the new
  // school year's preview), and the school's own sign-in provider.
  const teacher = await site.test.createUser({
    email: TOUR_TEACHER.email,
    firstName: 'Tess',
    lastName: 'Teacher',
    teacher: true,
    schoolId: school.id,
  });
  await site.test.createUser({
    email: TOUR_NEWCOMER.email,
    firstName: 'Nova',
    lastName: 'Comer',
    yearGroup: null,
    keyStage: null,
    schoolId: school.id,
  });
  await site.test.createUser({
    email: 'lena.leaver@school.example.org',
    firstName: 'Lena',
    lastName: 'Leaver',
    yearGroup: 13,
    keyStage: 'KS5',
    schoolId: school.id,
  });
  const pupil = (first: string, last: string) =>
    site.test.createUser({
      email: `${first}.${last}@school.example.org`.toLowerCase(),
      firstName: first,
      lastName: last,
      yearGroup: 9,
      keyStage: 'KS4',
      schoolId: school.id,
    });
  const solver = await pupil('Grace', 'Hopper');
  const trier = await pupil('Alan', 'Turing');
  seeded.class = await findOrCreateClass(db, school.id, '9M');
  await addClassTeacher(db, seeded.class, teacher.id);
  for (const id of [seeded.student, solver.id, trier.id]) await addClassMember(db, seeded.class, id);
  const [first, second] = await challengeBoxes(db, seeded.challenge);
  const answer = (userId: number, boxId: number, correct: boolean) =>
    recordTry(db, {
      challengeId: seeded.challenge,
      boxId,
      userId,
      isAdmin: false,
      answer: correct ? 'x' : 'y',
      correct,
    });
  await answer(solver.id, first!.id, true);
  await answer(solver.id, second!.id, true);
  await answer(trier.id, first!.id, false);

  const now = new Date().toISOString();
  await db
    .insertInto('sso_providers')
    .values({
      school_id: school.id,
      kind: 'microsoft',
      label: SSO_LABEL,
      issuer: 'https://login.microsoftonline.com/0b8f5c2e-4d1a-4c7e-9a53-7f2d6e1b3a90/v2.0',
      client_id: '6f1c2d3e-aaaa-4bbb-8ccc-0123456789ab',
      client_secret_enc: sealSecret(site.test.config.secretKey, 'page-tour-client-secret'),
      allowed_domains: 'school.example.org',
      enabled: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return seeded;
}

/** The tour of one role's page types, as one describe block. */
export function pageTour(...roles: Role[]): void {
  describe.runIf(browserAvailable())(`every ${roles.join(' and ')} page type`, E2E_TIMEOUTS, () => {
    const e2e = useE2E();
    let seeded: Seeded;
    const states = new Map<Role, StorageState>();

    beforeAll(async () => {
      seeded = await seed(e2e.site);
      for (const role of roles) {
        if (role === 'visitor') continue;
        const { page, context } = await e2e.open();
        const { email, password } = account(role);
        await logIn(page, email, password);
        states.set(role, await context.storageState());
      }
    }, E2E_HOOK_TIMEOUT);

    it.each(PAGE_TYPES.filter((t) => roles.includes(t.as)))(
      '$name: accessible, fits a phone, screenshots',
      async (type) => {
        for (const viewport of VIEWPORT_NAMES) {
          const { page, guard } = await e2e.reuse(type.as, viewport, states.get(type.as));
          // The browser logs the status of a page that answers with an error on purpose.
          if (type.status && type.status >= 400) guard.allowConsoleErrorOnce(new RegExp(`status of ${type.status}`));
          if (type.open) await type.open(page, seeded);
          else await visit(page, typeof type.path === 'function' ? type.path(seeded) : type.path!, type.status ?? 200);
          await checkPage(page, type.name, viewport);
          if (type.primary) {
            const { role, name } = type.primary;
            await expectReachable(page.locator('main').getByRole(role, { name, exact: true }).first(), type.name);
          }
        }
      },
    );
  });
}
