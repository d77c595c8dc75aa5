// Every unsafe route (POST/PUT/PATCH/DELETE) in the production profile refuses
// a missing token, a wrong token and a request another site started — and the
// refused requests change nothing in the database. The list comes from
// app.routeTable, so routes added later are covered without editing this.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { availableDialects } from '../helpers/db.js';
import { STRONG_SECRET } from './helpers.js';
import { hit, label, routes, seedData, snapshot, UNSAFE } from './routes.js';

/**
 * Unsafe routes allowed to skip the token: only endpoints browsers call on
 * their own, without a page (CSP reports). Adding one here needs a review.
 */
const TOKENLESS = ['POST /csp-report'];

function refusedByCsrf(res: LightMyRequestResponse, reason: RegExp): boolean {
  if (res.statusCode !== 403) return false;
  const text = res.headers['content-type']?.toString().includes('json')
    ? String(res.json<{ error: unknown }>().error)
    : res.body;
  return reason.test(text);
}

describe.each(await availableDialects())('CSRF matrix (production profile) on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let student: TestClient;
  let studentToken: string;
  beforeAll(async () => {
    t = await createTestApp(dialect, {
      APP_ENV: 'production',
      SECRET_KEY: STRONG_SECRET,
      RATELIMIT_ENABLED: 'false',
      SERVER_NAME: 'localhost',
    });
    await seedData(t);
    admin = t.client({ https: true });
    await admin.loginAs(await t.createUser({ isAdmin: true }));
    student = t.client({ https: true });
    await student.loginAs(await t.createUser());
    studentToken = await student.csrfToken();
  });
  afterAll(async () => {
    await t.close();
  });

  const protectedRoutes = () => routes(t.app).filter((r) => UNSAFE.has(r.method) && r.csrf);

  it('only the reviewed endpoints skip the token', () => {
    const skipped = routes(t.app)
      .filter((r) => UNSAFE.has(r.method) && !r.csrf)
      .map(label);
    expect(skipped.sort()).toEqual([...TOKENLESS].sort());
    expect(protectedRoutes().length).toBeGreaterThan(5);
  });

  it('every unsafe route refuses a missing token, a wrong token and a cross-site request, and nothing changes', async () => {
    const before = await snapshot(t);
    const problems: string[] = [];
    const adminToken = await admin.csrfToken();
    for (const r of protectedRoutes()) {
      const cases: Array<[string, () => Promise<LightMyRequestResponse>, RegExp]> = [
        ['anonymous, no token', () => hit(t, null, r, { https: true }), /security token/],
        ['student, no token', () => hit(t, student, r, { https: true }), /security token/],
        ['admin, no token', () => hit(t, admin, r, { https: true }), /security token/],
        [
          'admin, wrong token',
          () => hit(t, admin, r, { https: true, csrf: `${adminToken.slice(0, -2)}xx` }),
          /security token/,
        ],
        [
          "admin, another visitor's token",
          () => hit(t, admin, r, { https: true, csrf: studentToken }),
          /security token/,
        ],
        [
          'admin, valid token from another site',
          () => hit(t, admin, r, { https: true, csrf: adminToken, headers: { origin: 'https://evil.example' } }),
          /another site/,
        ],
        [
          'admin, valid token, Sec-Fetch-Site: cross-site',
          () => hit(t, admin, r, { https: true, csrf: adminToken, headers: { 'sec-fetch-site': 'cross-site' } }),
          /another site/,
        ],
      ];
      for (const [name, send, reason] of cases) {
        const res = await send();
        if (!refusedByCsrf(res, reason))
          problems.push(`${label(r)} (${name}): ${res.statusCode} ${res.body.slice(0, 120)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await snapshot(t)).toEqual(before);
  });

  it('with the valid token and a same-site Origin, the CSRF check lets a request through', async () => {
    // /logout is the one unsafe route every profile has; any protected route would do.
    const r = protectedRoutes().find((x) => x.url === '/logout') ?? protectedRoutes()[0]!;
    const client = t.client({ https: true });
    await client.loginAs(await t.createUser({ isAdmin: true }));
    const res = await hit(t, client, r, {
      https: true,
      csrf: await client.csrfToken(),
      headers: { host: 'localhost', origin: 'https://localhost' },
    });
    expect(refusedByCsrf(res, /security token|another site/)).toBe(false);
    expect(res.statusCode).toBeLessThan(500);
  });
});
