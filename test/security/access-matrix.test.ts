// Every registered route × {anonymous, unverified, student, teacher, admin}:
// allowed or denied as the route declares (config.access: 'teacher' routes are
// for teachers and admins, 'admin' routes for admins only; allowUnverified for
// an account whose address is not confirmed yet), and never a server error. The
// list comes from app.routeTable, so routes added later are covered without
// editing this.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import type { RouteEntry } from '../../src/security/access.js';
import { createTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { availableDialects, createTestDatabase } from '../helpers/db.js';
import { hit, label, routes, seedData } from './routes.js';
import { STRONG_SECRET } from './helpers.js';

type Role = 'anonymous' | 'unverified' | 'student' | 'teacher' | 'admin';
const ROLES: Role[] = ['anonymous', 'unverified', 'student', 'teacher', 'admin'];

/** The only routes a signed-in account with an unconfirmed address may use beyond the public ones. */
const OPEN_TO_UNVERIFIED = ['POST /check-your-inbox/resend'];

function allowed(route: RouteEntry, role: Role): boolean {
  if (route.access === 'public') return true;
  if (role === 'unverified') return route.access === 'user' && route.allowUnverified;
  if (route.access === 'user') return role !== 'anonymous';
  if (route.access === 'teacher') return role === 'teacher' || role === 'admin';
  return role === 'admin';
}

/** What the access guard answers when it refuses; anything else means it let the request through. */
function deniedByGuard(res: LightMyRequestResponse, role: Role, route: RouteEntry): boolean {
  if (role === 'anonymous') {
    if (res.statusCode === 401) return true;
    return res.statusCode === 302 && String(res.headers.location).startsWith('/login?next=');
  }
  if (role === 'unverified') {
    // A HEAD request's 403 has no body.
    if (res.statusCode === 403) return res.body === '' || res.body.includes('Confirm your email address first');
    return res.statusCode === 302 && res.headers.location === '/check-your-inbox';
  }
  if (res.statusCode !== 403) return false;
  // The refusal names who the route is for: administrators, or teachers and administrators.
  const refusal = route.access === 'teacher' ? 'for teachers and administrators only' : 'for administrators only';
  return res.body === '' || res.body.includes(refusal);
}

describe.each(await availableDialects())('access matrix on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    // Addresses must be confirmed (the production default), so the unverified column is gated.
    t = await createTestApp(dialect, { REQUIRE_EMAIL_VERIFICATION: 'true' });
    await seedData(t);
  });
  afterAll(async () => {
    await t.close();
  });

  async function clientFor(role: Role): Promise<TestClient | null> {
    if (role === 'anonymous') return null;
    // A fresh account per request: no request can spoil the next one (logout, delete, demote…).
    const user = await t.createUser({
      isAdmin: role === 'admin',
      teacher: role === 'teacher',
      emailVerified: role !== 'unverified',
      lastName: `Matrix${role}`,
    });
    const client = t.client();
    await client.loginAs(user);
    return client;
  }

  it('the route table is not empty and every route declares its access', () => {
    const all = routes(t.app);
    expect(all.length).toBeGreaterThan(10);
    for (const r of all) expect(['public', 'user', 'teacher', 'admin'], label(r)).toContain(r.access);
  });

  it('teachers get the teaching part of the admin area and nothing else of it', () => {
    const teaching = routes(t.app)
      .filter((r) => r.access === 'teacher')
      .map(label);
    // The weekly challenges (but not deleting one), the boards and their export, the math tester.
    for (const expected of [
      'GET /admin',
      'GET /admin/challenges',
      'POST /admin/challenges/new',
      'POST /admin/challenges/:id/edit',
      'POST /admin/challenges/:id/lock',
      'GET /admin/challenges/bank',
      'GET /admin/leaderboard',
      'GET /admin/leaderboard/export.csv',
      'GET /admin/math',
      'POST /api/math/test-equivalence',
    ])
      expect(teaching, expected).toContain(expected);
    const adminOnly = routes(t.app)
      .filter((r) => r.access === 'admin')
      .map(label);
    for (const expected of [
      'GET /admin/challenges/:id/delete',
      'POST /admin/challenges/:id/delete',
      'POST /admin/leaderboard/adjustments',
      'POST /admin/leaderboard/reset',
      'POST /admin/leaderboard/recalculate',
      'GET /admin/users',
      'POST /admin/users/:id',
      'GET /admin/schools',
      'GET /admin/pages',
      'GET /admin/competitions',
      'GET /admin/audit',
    ])
      expect(adminOnly, expected).toContain(expected);
    // Nothing outside /admin and the math API is for teachers.
    for (const r of teaching) expect(r, r).toMatch(/^(GET|HEAD|POST) \/(admin(\/|$)|api\/math\/)/);
  });

  it('only the reviewed routes let an account with an unconfirmed address through', () => {
    const open = routes(t.app)
      .filter((r) => r.allowUnverified)
      .map(label)
      .sort();
    expect(open).toEqual(OPEN_TO_UNVERIFIED);
  });

  it.each(ROLES)('every route answers %s as declared, without a server error', async (role) => {
    const problems: string[] = [];
    for (const r of routes(t.app)) {
      const client = await clientFor(role);
      let res = await hit(t, client, r);
      // A HEAD answer has no body, so a handler's own 403 (a class that is not yours) looks like
      // the guard's: the GET twin's body tells them apart.
      if (r.method === 'HEAD' && res.statusCode === 403) res = await hit(t, client, { ...r, method: 'GET' });
      const expectAllowed = allowed(r, role);
      if (res.statusCode >= 500) problems.push(`${label(r)}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      else if (expectAllowed && deniedByGuard(res, role, r))
        problems.push(`${label(r)}: denied (${res.statusCode}) but declared ${r.access}`);
      else if (!expectAllowed && !deniedByGuard(res, role, r))
        problems.push(`${label(r)}: allowed (${res.statusCode}) but declared ${r.access}`);
    }
    expect(problems).toEqual([]);
  });

  it('anonymous visitors of pages that need login are sent to /login with a safe relative next', async () => {
    for (const r of routes(t.app).filter((x) => x.access !== 'public' && x.method === 'GET' && !x.json)) {
      const res = await hit(t, null, r);
      const next = new URL(String(res.headers.location), 'http://x').searchParams.get('next');
      expect(next, label(r)).toMatch(/^\/(?!\/)/);
    }
  });
});

describe('deny by default', () => {
  it('a route that does not declare config.access stops the start', async () => {
    const config = loadConfig({ APP_ENV: 'testing', SECRET_KEY: STRONG_SECRET, LOG_LEVEL: 'silent' });
    const database = await createTestDatabase('sqlite');
    const app = await buildApp(config, { database, logger: false });
    try {
      expect(() => app.get('/forgotten', async () => 'secret')).toThrow(/does not declare config.access/);
      expect(() => app.post('/forgotten', { config: { access: 'everyone' as never } }, async () => 'x')).toThrow(
        /config.access/,
      );
    } finally {
      await app.close();
      await database.dispose();
    }
  });
});
