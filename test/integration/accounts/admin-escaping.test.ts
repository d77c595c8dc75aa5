// A student whose name is a script — from the old platform's data (today's
// registration form refuses such a name) — shows as text on every admin page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { addSchool, fieldError, registration } from './helpers.js';

const EVIL = "O'Brien</script><script>alert(1)</script>";

/** No script runs: no raw payload, and every <script> on the page is an external, nonce-carrying bundle. */
function expectInert(html: string): void {
  expect(html).not.toContain('<script>alert(1)');
  expect(html).not.toContain('</script><script>');
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  for (const tag of scripts) {
    expect(tag).toMatch(/ src="\/assets\/[^"]+"/);
    expect(tag).toMatch(/ nonce=/);
  }
  expect(html).not.toMatch(/\son[a-z]+=/i);
}

describe.each(await availableDialects())('names are text on admin pages (%s)', (dialect) => {
  let t: TestApp;
  let admin: TestUser;
  let student: TestUser;
  let a: TestClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await addSchool(t);
    admin = await t.createUser({ isAdmin: true });
    student = await t.createUser({
      firstName: EVIL,
      lastName: EVIL,
      mathsClass: '<b>9X</b>',
      email: 'obrien@school.example.org',
    });
    a = t.client();
    await a.loginAs(admin);
    // An edit puts the old name into the audit log's details.
    await a.post(`/admin/users/${student.id}`, {
      first_name: 'Safe',
      last_name: 'Name',
      email: student.email,
      role: 'student',
      year_group: '9',
    });
    await t.db.updateTable('users').set({ first_name: EVIL, last_name: EVIL }).where('id', '=', student.id).execute();
  });
  afterAll(async () => {
    await t.close();
  });

  it('the registration form itself refuses the name', async () => {
    const res = await t.client().post('/register', registration({ first_name: EVIL }));
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'first_name')).toMatch(/only letters/);
  });

  it.each([
    ['the user table', () => '/admin/users', true],
    ['a search for the name', () => `/admin/users?q=${encodeURIComponent("O'Brien")}`, true],
    ['the edit page', () => `/admin/users/${student.id}/edit`, true],
    ['the delete confirmation', () => `/admin/users/${student.id}/delete`, true],
    ['the audit log', () => '/admin/audit', true],
    ['the dashboard', () => '/admin', false],
  ])('%s shows it as text', async (_label, url, showsName) => {
    const res = await a.get(url());
    expect(res.statusCode).toBe(200);
    expectInert(res.body);
    if (showsName) expect(res.body).toContain('&lt;/script>&lt;script>alert(1)&lt;/script>');
  });

  it('the one-time password page shows it escaped', async () => {
    const res = await a.post(`/admin/users/${student.id}/reset-password`);
    expect(res.statusCode).toBe(200);
    expectInert(res.body);
    expect(res.body).toContain('&lt;/script>&lt;script>alert(1)&lt;/script>');
  });

  it('the JSON search returns it as JSON data, never HTML', async () => {
    const res = await a.get('/admin/users/search?q=obrien');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.json<Array<{ firstName: string }>>()[0]?.firstName).toBe(EVIL);
  });

  it('the student’s own profile shows it escaped', async () => {
    const other = await t.createUser({ firstName: EVIL, lastName: 'Student' });
    const c = t.client();
    await c.loginAs(other);
    const res = await c.get('/profile');
    expect(res.statusCode).toBe(200);
    expectInert(res.body);
    expect(res.body).toContain('&lt;/script>&lt;script>alert(1)&lt;/script>');
  });
});
