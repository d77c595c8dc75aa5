// No open redirect through the login route: a `next` that tries to leave the
// site (the attack strings of test/fixtures/open-redirects.ts) sends the
// signed-in user home, on GET /login and on POST /login, and is not carried
// in the login form either. Ordinary paths still work.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../helpers/app.js';
import { availableDialects } from '../helpers/db.js';
import { OPEN_REDIRECTS } from '../fixtures/open-redirects.js';

/** Where a browser on https://school.example/login goes on this Location. */
const destination = (location: unknown) => new URL(String(location), 'https://school.example/login');

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const hasControl = (text: string) => /[\u0000-\u001f]/.test(text);

/**
 * Home, or no redirect at all: a control character in a query or a one-line
 * field is refused with 400 before the route runs (input-hygiene.ts).
 */
function staysOnSite(res: LightMyRequestResponse, next: string): void {
  if (hasControl(next) && res.statusCode === 400) {
    expect(res.headers.location).toBeUndefined();
    return;
  }
  expect(res.statusCode).toBe(303);
  expect(destination(res.headers.location).host).toBe('school.example');
  expect(res.headers.location).toBe('/');
}

describe.each(await availableDialects())("the login route's next on %s", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(OPEN_REDIRECTS)('a signed-in user opening /login?next=%j stays on the site', async (next) => {
    const c = t.client();
    await c.loginAs(await t.createUser());
    staysOnSite(await c.get(`/login?next=${encodeURIComponent(next)}`), next);
  });

  it.each(OPEN_REDIRECTS)('logging in with next=%j lands on the site', async (next) => {
    const user = await t.createUser();
    staysOnSite(await t.client().post('/login', { email: user.email, password: TEST_PASSWORD, next }), next);
  });

  it('the login form does not carry a hostile next', async () => {
    for (const next of OPEN_REDIRECTS) {
      const res = await t.client().get(`/login?next=${encodeURIComponent(next)}`);
      if (res.statusCode === 400 && hasControl(next)) continue;
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('name="next"');
    }
  });

  it('ordinary paths with queries are followed after login', async () => {
    const user = await t.createUser();
    const c = t.client();
    const res = await c.post('/login', { email: user.email, password: TEST_PASSWORD, next: '/leaderboard?ks=KS4' });
    expect(res.headers.location).toBe('/leaderboard?ks=KS4');
    expect((await c.get('/login?next=%2Fchallenges%3Fpage%3D2')).headers.location).toBe('/challenges?page=2');
  });

  it('the login-required redirect passes the page through the same check', async () => {
    const res = await t.client().get('/profile?tab=sessions');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent('/profile?tab=sessions')}`);
  });
});
