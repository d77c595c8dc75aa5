// Every page type, as the person who would see it, at desktop and phone
// width: no serious or critical accessibility violation (axe, WCAG 2.1 AA:
// labels, contrast, names, landmarks), no sideways scrolling at 375 px, a
// screenshot of each for review, and keyboard-only use of the main forms.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPage } from './checks.js';
import { ADMIN, browserAvailable, type ViewportName } from './harness.js';
import { E2E_HOOK_TIMEOUT, E2E_TIMEOUTS, useE2E, type StorageState } from './suite.js';
import { expectLoggedIn, logIn, submit, visit } from './ui.js';

type Role = 'visitor' | 'student' | 'admin';

interface PageType {
  name: string;
  as: Role;
  /** Where the page is; or the steps that bring it up (e.g. a form sent back with errors). */
  path?: string;
  open?: (page: Page) => Promise<void>;
  status?: number;
}

const PAGE_TYPES: PageType[] = [
  { name: 'home', path: '/', as: 'visitor' },
  { name: 'home-student', path: '/', as: 'student' },
  { name: 'login', path: '/login', as: 'visitor' },
  {
    name: 'login-failed', as: 'visitor', status: 401,
    open: async (page) => {
      await visit(page, '/login');
      await page.getByLabel('Email').fill('nobody@school.example.org');
      await page.getByLabel('Password', { exact: true }).fill('not the password');
      await submit(page, 'Log in');
    },
  },
  { name: 'register', path: '/register', as: 'visitor' },
  {
    name: 'register-errors', as: 'visitor', status: 400,
    open: async (page) => {
      await visit(page, '/register');
      await submit(page, 'Create account');
      expect(await page.locator('[aria-invalid="true"]').count()).toBeGreaterThan(0);
    },
  },
  { name: 'not-found', path: '/no-such-page', as: 'visitor', status: 404 },
];

const VIEWPORT_NAMES: ViewportName[] = ['desktop', 'phone'];

describe.runIf(browserAvailable())('every page type', E2E_TIMEOUTS, () => {
  const e2e = useE2E();
  const states: Partial<Record<Role, StorageState>> = {};
  const STUDENT = { email: 'page.tour@school.example.org' };

  beforeAll(async () => {
    await e2e.site.test.createUser({ email: STUDENT.email, firstName: 'Page', lastName: 'Tour', yearGroup: 9, keyStage: 'KS4' });
    for (const [role, email, password] of [['student', STUDENT.email, 'correct horse battery staple'], ['admin', ADMIN.email, ADMIN.password]] as const) {
      const { page, context } = await e2e.open();
      await logIn(page, email, password);
      states[role] = await context.storageState();
    }
  }, E2E_HOOK_TIMEOUT);

  it.each(PAGE_TYPES)('$name ($as): accessible, fits a phone, screenshots', async (type) => {
    for (const viewport of VIEWPORT_NAMES) {
      const { page, guard } = await e2e.open(viewport, states[type.as as Exclude<Role, 'visitor'>]);
      // The browser logs the status of a page that answers with an error on purpose.
      if (type.status && type.status >= 400) guard.allowConsoleError(new RegExp(`status of ${type.status}`));
      if (type.open) await type.open(page);
      else await visit(page, type.path!, type.status ?? 200);
      await checkPage(page, type.name, viewport);
    }
  });

  it('can be used with the keyboard alone: skip link, then the login form', async () => {
    const { page } = await e2e.open();
    await visit(page, '/login');
    await page.keyboard.press('Tab');
    const skip = await focused(page);
    expect(skip).toMatchObject({ tag: 'a', text: 'Skip to content', visibleFocus: true });
    await page.keyboard.press('Enter');
    // The next Tab starts inside main: the first field of the form.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'email', visibleFocus: true });
    await page.keyboard.type(STUDENT.email);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'password', visibleFocus: true });
    await page.keyboard.type('correct horse battery staple');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'remember', visibleFocus: true });
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'button', text: 'Log in', visibleFocus: true });
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await expectLoggedIn(page);
  });

  it('shows a visible focus ring on every link and control of the header as Tab moves through it', async () => {
    const { page } = await e2e.open('desktop', states.student);
    await visit(page, '/');
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (!f.inHeader && i > 0) break;
      seen.push(`${f.tag}:${f.text || f.name}`);
      expect(f.visibleFocus, `focus ring on ${f.tag} "${f.text || f.name}"`).toBe(true);
    }
    expect(seen).toContain('button:Log out');
  });
});

interface Focused {
  tag: string;
  name: string;
  text: string;
  inHeader: boolean;
  visibleFocus: boolean;
}

/** What has keyboard focus, and whether the browser draws a focus indicator on it. */
function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { tag: 'body', name: '', text: '', inHeader: false, visibleFocus: false };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none';
    return {
      tag: el.tagName.toLowerCase(),
      name: el.getAttribute('name') ?? '',
      text: (el.innerText ?? '').trim(),
      inHeader: Boolean(el.closest('header')),
      visibleFocus: el.matches(':focus-visible') && (outline || shadow),
    };
  });
}
