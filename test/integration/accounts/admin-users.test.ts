import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { addSchool, addSolvedChallenge, auditRows, controlAttributes, count, decode, fieldError } from './helpers.js';

const rowIds = (html: string) => [...html.matchAll(/data-user-row="(\d+)"/g)].map((m) => Number(m[1]));
const otp = (html: string) => /data-one-time-password(?:="true")?>([^<]+)</.exec(html)?.[1] ?? null;

describe.each(await availableDialects())('admin users area on %s', (dialect) => {
  let t: TestApp;
  let admin: TestUser;
  let a: TestClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await addSchool(t);
    admin = await t.createUser({
      isAdmin: true,
      firstName: 'Alan',
      lastName: 'Admin',
      email: 'alan.admin@school.example.org',
    });
    a = t.client({ ip: '192.0.2.77' });
    await a.loginAs(admin);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('access', () => {
    it.each(['/admin', '/admin/users', '/admin/users/new', '/admin/users/search?q=ab', '/admin/audit'])(
      '%s is for admins only',
      async (url) => {
        const student = await t.createUser();
        const s = t.client();
        await s.loginAs(student);
        expect((await s.get(url)).statusCode).toBe(403);
        const anon = await t.client().get(url);
        expect([302, 401]).toContain(anon.statusCode);
        expect((await a.get(url)).statusCode).toBe(200);
      },
    );

    it('refuses every admin action from a student, changing nothing', async () => {
      const student = await t.createUser();
      const victim = await t.createUser();
      const s = t.client();
      await s.loginAs(student);
      expect(
        (
          await s.post(`/admin/users/${student.id}`, {
            first_name: student.firstName,
            last_name: student.lastName,
            email: student.email,
            role: 'admin',
            year_group: '9',
          })
        ).statusCode,
      ).toBe(403);
      expect((await s.post(`/admin/users/${victim.id}/delete`)).statusCode).toBe(403);
      expect((await s.post(`/admin/users/${victim.id}/reset-password`)).statusCode).toBe(403);
      expect(
        (await s.post('/admin/users/bulk', JSON.stringify({ action: 'promote', ids: [student.id] }), { json: true }))
          .statusCode,
      ).toBe(403);
      const row = await t.db
        .selectFrom('users')
        .select('is_admin')
        .where('id', '=', student.id)
        .executeTakeFirstOrThrow();
      expect(row.is_admin).toBe(0);
      expect(await count(t, 'users', ['id', victim.id])).toBe(1);
    });
  });

  describe('table', () => {
    let ids: Record<string, number>;
    beforeAll(async () => {
      const make = async (key: string, f: Parameters<TestApp['createUser']>[0]) =>
        [key, (await t.createUser(f)).id] as const;
      ids = Object.fromEntries(
        await Promise.all([
          make('zed', {
            firstName: 'Zed',
            lastName: 'Zimmer',
            yearGroup: 7,
            keyStage: 'KS3',
            mathsClass: '7Q1',
            email: 'zed.zimmer@school.example.org',
          }),
          make('yara', {
            firstName: 'Yara',
            lastName: 'Young',
            yearGroup: 12,
            keyStage: 'KS5',
            mathsClass: '12M',
            email: 'yara@school.example.org',
          }),
          make('xena', {
            firstName: 'Xena',
            lastName: 'Xu',
            yearGroup: 10,
            keyStage: 'KS4',
            mathsClass: '10Q3',
            email: 'xena.xu@school.example.org',
          }),
          make('teach', {
            firstName: 'Tess',
            lastName: 'Teacher',
            yearGroup: null,
            keyStage: null,
            isAdmin: true,
            email: 'tess.t@school.example.org',
          }),
        ]),
      );
      await t.db.updateTable('users').set({ user_type: 'teacher' }).where('id', '=', ids.teach!).execute();
    });

    it('searches name, full name, email, class and exact id, case-insensitively', async () => {
      const search = async (q: string) => rowIds((await a.get(`/admin/users?q=${encodeURIComponent(q)}`)).body);
      expect(await search('zimm')).toEqual([ids.zed]);
      expect(await search('ZED ZIM')).toEqual([ids.zed]);
      expect(await search('yara@')).toEqual([ids.yara]);
      expect(await search('10q3')).toEqual([ids.xena]);
      expect(await search(String(ids.xena))).toContain(ids.xena);
      expect(await search('%')).toEqual([]);
      expect(await search('_')).toEqual([]);
    });

    it('filters by key stage, year, type and admin', async () => {
      const list = async (qs: string) => rowIds((await a.get(`/admin/users?${qs}&per_page=100`)).body);
      expect(await list('key_stage=KS3')).toContain(ids.zed);
      expect(await list('key_stage=KS3')).not.toContain(ids.yara);
      expect(await list('year=12')).toEqual([ids.yara]);
      const teachers = await list('type=teacher');
      expect(teachers).toContain(ids.teach);
      expect(teachers).not.toContain(ids.zed);
      const admins = await list('admin=yes');
      expect(admins).toContain(ids.teach);
      expect(admins).toContain(admin.id);
      expect(admins).not.toContain(ids.zed);
      expect(await list('admin=no')).not.toContain(ids.teach);
      // The role as the account has it: an admin whatever the type, else the type.
      const byRole = async (role: string) => list(`role=${role}`);
      expect(await byRole('admin')).toEqual(expect.arrayContaining([ids.teach, admin.id]));
      expect(await byRole('admin')).not.toContain(ids.zed);
      expect(await byRole('student')).toContain(ids.zed);
      expect(await byRole('student')).not.toContain(ids.teach);
      expect(await byRole('teacher')).not.toContain(ids.teach);
      await t.db.updateTable('users').set({ is_admin: 0 }).where('id', '=', ids.teach!).execute();
      expect(await byRole('teacher')).toEqual([ids.teach]);
      expect(await byRole('admin')).not.toContain(ids.teach);
      const html = decode((await a.get(`/admin/users?role=teacher`)).body);
      expect(html).toMatch(new RegExp(`data-user-row="${ids.teach}"[\\s\\S]*?<td data-role="teacher">Teacher</td>`));
      expect(html).toMatch(
        /<option value="teacher" selected="">Teachers<\/option>|<option value="teacher" selected>Teachers<\/option>/,
      );
      await t.db.updateTable('users').set({ is_admin: 1 }).where('id', '=', ids.teach!).execute();
      expect(await list('key_stage=KS4&year=7')).toEqual([]);
    });

    it('ignores filter values it does not know instead of failing', async () => {
      const res = await a.get(
        '/admin/users?key_stage=KS9&year=99&type=robot&admin=maybe&sort=password_hash&dir=sideways&page=-3&per_page=7',
      );
      expect(res.statusCode).toBe(200);
      expect(rowIds(res.body).length).toBeGreaterThan(0);
    });

    it('sorts by a column in either direction', async () => {
      const three = [ids.zed, ids.yara, ids.xena];
      const order = async (qs: string) =>
        rowIds((await a.get(`/admin/users?per_page=100&${qs}`)).body).filter((id) => three.includes(id));
      expect(await order('sort=name')).toEqual([ids.xena, ids.yara, ids.zed]);
      expect(await order('sort=name&dir=desc')).toEqual([ids.zed, ids.yara, ids.xena]);
      expect(await order('sort=year')).toEqual([ids.zed, ids.xena, ids.yara]);
      expect(await order('sort=email')).toEqual([ids.xena, ids.yara, ids.zed]);
    });

    it('pages by 25, 50 or 100', async () => {
      const existing = await count(t, 'users');
      for (let i = existing; i < 60; i++) await t.createUser({ lastName: `Paged${String(i).padStart(3, '0')}` });
      const total = await count(t, 'users');
      const page1 = await a.get('/admin/users');
      expect(rowIds(page1.body)).toHaveLength(25);
      expect(page1.body).toContain(`data-total="${total}"`);
      const page3 = await a.get('/admin/users?page=3');
      expect(rowIds(page3.body)).toHaveLength(total - 50);
      const fifty = await a.get('/admin/users?per_page=50&page=2');
      expect(rowIds(fifty.body)).toHaveLength(total - 50);
      const hundred = await a.get('/admin/users?per_page=100');
      expect(rowIds(hundred.body)).toHaveLength(total);
      const seen = new Set([
        ...rowIds(page1.body),
        ...rowIds((await a.get('/admin/users?page=2')).body),
        ...rowIds(page3.body),
      ]);
      expect(seen.size).toBe(total);
      // Beyond the last page shows the last page.
      expect(rowIds((await a.get('/admin/users?page=999')).body)).toEqual(rowIds(page3.body));
      // Page links keep the filters.
      expect(decode(page1.body)).toContain('href="/admin/users?page=2"');
      expect(decode((await a.get('/admin/users?per_page=25&type=student')).body)).toContain(
        'href="/admin/users?type=student&page=2"',
      );
    });

    it('cannot tick your own row for bulk actions', async () => {
      const res = await a.get(`/admin/users?q=${admin.id}`);
      const mine = new RegExp(`<input[^>]*value="${admin.id}"[^>]*data-user-id="true"[^>]*disabled`);
      expect(res.body).toMatch(mine);
    });
  });

  describe('create', () => {
    it('creates a user with a one-time password shown once, who must change it at first login', async () => {
      const res = await a.post('/admin/users', {
        first_name: 'Katherine',
        last_name: 'Johnson',
        email: 'K.Johnson@Partner-School.org',
        role: 'student',
        year_group: '11',
        maths_class: '11X',
        is_participant: 'on',
      });
      expect(res.statusCode).toBe(201);
      const password = otp(res.body);
      expect(password).toMatch(/^[A-Za-z2-9]{20}$/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['set-cookie']?.toString() ?? '').not.toContain(password!);
      const user = await t.db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', 'k.johnson@partner-school.org')
        .executeTakeFirstOrThrow();
      expect(user).toMatchObject({
        key_stage: 'KS4',
        year_group: 11,
        must_change_password: 1,
        is_admin: 0,
        is_participant: 1,
        user_type: 'student',
      });
      const entry = (await auditRows(t, 'user.create')).find((e) => e.target_id === String(user.id));
      expect(entry).toMatchObject({ actor_id: admin.id, actor_email: admin.email, ip: '192.0.2.77' });
      expect(JSON.stringify(await t.db.selectFrom('audit_log').selectAll().execute())).not.toContain(password!);
      // The password works once, straight into the change-password page.
      const c = t.client();
      const login = await c.post('/login', { email: user.email, password: password! });
      expect(login.headers.location).toBe('/profile/password');
      expect((await c.get('/challenges')).headers.location).toBe('/profile/password');
    });

    it('can create an administrator', async () => {
      const res = await a.post('/admin/users', {
        first_name: 'Mary',
        last_name: 'Cartwright',
        email: 'mc@school.example.org',
        role: 'admin',
      });
      expect(res.statusCode).toBe(201);
      const user = await t.db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', 'mc@school.example.org')
        .executeTakeFirstOrThrow();
      expect(user).toMatchObject({ is_admin: 1, user_type: 'teacher', year_group: null, key_stage: null });
    });

    it.each([
      [{ first_name: '' }, 'first_name', /Enter the first name/],
      [{ last_name: 'Bad<tag>' }, 'last_name', /only letters/],
      [{ email: 'nope' }, 'email', /valid email/],
      [{ email: 'alan.admin@school.example.org' }, 'email', /already uses this email/],
      [{ role: 'overlord' }, 'role', /student, teacher or administrator/],
      [{ year_group: '' }, 'year_group', /Students need a school year/],
      [{ year_group: '15' }, 'year_group', /from 7 to 13/],
      [{ maths_class: '<x>' }, 'maths_class', /may contain letters/],
    ])('refuses %j with a message next to the field', async (overrides, name, message) => {
      const before = await count(t, 'users');
      const form = {
        first_name: 'Valid',
        last_name: 'Person',
        email: `valid${Date.now()}@school.example.org`,
        role: 'student',
        year_group: '9',
        maths_class: '9A',
        ...overrides,
      };
      const res = await a.post('/admin/users', form);
      expect(res.statusCode).toBe(400);
      expect(fieldError(res.body, name)).toMatch(message);
      expect(controlAttributes(res.body, 'first_name')?.value).toBe(form.first_name);
      expect(await count(t, 'users')).toBe(before);
    });
  });

  describe('edit', () => {
    it('saves details, recomputes the key stage from the year, and audits the changes', async () => {
      const user = await t.createUser({ lastName: 'Hypatia', yearGroup: 8, keyStage: 'KS3', mathsClass: '8B' });
      const page = await a.get(`/admin/users/${user.id}/edit`);
      expect(page.statusCode).toBe(200);
      expect(controlAttributes(page.body, 'email')?.value).toBe(user.email);
      const res = await a.post(`/admin/users/${user.id}`, {
        first_name: 'Renamed',
        last_name: user.lastName,
        email: user.email,
        role: 'student',
        year_group: '12',
        maths_class: '12Z',
        key_stage: 'KS3',
        is_admin: 'on',
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe(`/admin/users/${user.id}/edit`);
      const row = await t.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        first_name: 'Renamed',
        year_group: 12,
        key_stage: 'KS5',
        maths_class: '12Z',
        is_admin: 0,
      });
      const entry = (await auditRows(t, 'user.update')).find((e) => e.target_id === String(user.id));
      expect((JSON.parse(entry!.details!) as { changes: unknown }).changes).toMatchObject({
        first_name: ['Test', 'Renamed'],
        year_group: [8, 12],
        key_stage: ['KS3', 'KS5'],
        maths_class: ['8B', '12Z'],
      });
    });

    it('refuses an email another account uses, keeping the input', async () => {
      const user = await t.createUser();
      const other = await t.createUser();
      const res = await a.post(`/admin/users/${user.id}`, {
        first_name: 'Kept',
        last_name: 'Input',
        email: other.email.toUpperCase(),
        role: 'student',
        year_group: '9',
      });
      expect(res.statusCode).toBe(400);
      expect(fieldError(res.body, 'email')).toMatch(/already uses/);
      expect(controlAttributes(res.body, 'first_name')?.value).toBe('Kept');
      const row = await t.db.selectFrom('users').select('email').where('id', '=', user.id).executeTakeFirstOrThrow();
      expect(row.email).toBe(user.email);
    });

    it('answers 404 for a user that does not exist or a malformed id', async () => {
      expect((await a.get('/admin/users/999999/edit')).statusCode).toBe(404);
      expect((await a.get('/admin/users/abc/edit')).statusCode).toBe(404);
      expect((await a.post('/admin/users/99999999999999999999', { first_name: 'x' })).statusCode).toBe(404);
    });
  });

  describe('reset password', () => {
    it('shows a strong one-time password once, ends the user’s sessions and forces a change', async () => {
      const user = await t.createUser();
      const victimSession = t.client();
      await victimSession.loginAs(user);
      const res = await a.post(`/admin/users/${user.id}/reset-password`);
      expect(res.statusCode).toBe(200);
      const password = otp(res.body)!;
      expect(password).toMatch(/^[A-Za-z2-9]{20}$/);
      expect(res.headers['set-cookie']?.toString() ?? '').not.toContain(password);
      expect((await victimSession.get('/profile')).statusCode).toBe(302);
      const row = await t.db
        .selectFrom('users')
        .select('must_change_password')
        .where('id', '=', user.id)
        .executeTakeFirstOrThrow();
      expect(row.must_change_password).toBe(1);
      expect((await t.client().post('/login', { email: user.email, password: TEST_PASSWORD })).statusCode).toBe(401);
      const c = t.client();
      expect((await c.post('/login', { email: user.email, password })).headers.location).toBe('/profile/password');
      const entry = (await auditRows(t, 'user.password_reset')).find((e) => e.target_id === String(user.id));
      expect(entry?.actor_id).toBe(admin.id);
      expect(entry?.details).not.toContain(password);
      // The next page the admin sees does not repeat it.
      expect((await a.get(`/admin/users/${user.id}/edit`)).body).not.toContain(password);
    });

    it('is refused on yourself', async () => {
      const before = await t.db
        .selectFrom('users')
        .select('password_hash')
        .where('id', '=', admin.id)
        .executeTakeFirstOrThrow();
      const res = await a.post(`/admin/users/${admin.id}/reset-password`);
      expect(res.statusCode).toBe(403);
      expect(otp(res.body)).toBeNull();
      const after = await t.db
        .selectFrom('users')
        .select(['password_hash', 'must_change_password'])
        .where('id', '=', admin.id)
        .executeTakeFirstOrThrow();
      expect(after).toEqual({ ...before, must_change_password: 0 });
    });
  });

  describe('roles', () => {
    const editForm = (u: TestUser, role: string, year = '9') => ({
      first_name: u.firstName,
      last_name: u.lastName,
      email: u.email,
      role,
      year_group: year,
    });
    const roleRow = async (id: number) =>
      t.db.selectFrom('users').select(['user_type', 'is_admin']).where('id', '=', id).executeTakeFirstOrThrow();

    it('student → teacher → administrator → student on the account page, each audited with from and to, each at once', async () => {
      const user = await t.createUser({ firstName: 'Rosalind', lastName: 'Franklin' });
      const theirs = t.client();
      await theirs.loginAs(user);
      expect((await theirs.get('/admin')).statusCode).toBe(403);

      const toTeacher = await a.post(`/admin/users/${user.id}`, editForm(user, 'teacher'));
      expect(toTeacher.statusCode).toBe(303);
      expect(await roleRow(user.id)).toEqual({ user_type: 'teacher', is_admin: 0 });
      const flash = decode((await a.get(`/admin/users/${user.id}/edit`)).body);
      expect(flash).toContain('is now a teacher: it applies from their next page.');
      expect(flash).toContain('<span data-role="teacher">Teacher</span>');
      // Their session carries on, under the new role.
      expect((await theirs.get('/admin')).statusCode).toBe(200);
      expect((await theirs.get('/admin/users')).statusCode).toBe(403);

      expect((await a.post(`/admin/users/${user.id}`, editForm(user, 'admin'))).statusCode).toBe(303);
      expect(await roleRow(user.id)).toEqual({ user_type: 'teacher', is_admin: 1 });
      expect((await theirs.get('/admin/users')).statusCode).toBe(200);

      expect((await a.post(`/admin/users/${user.id}`, editForm(user, 'student'))).statusCode).toBe(303);
      expect(await roleRow(user.id)).toEqual({ user_type: 'student', is_admin: 0 });
      expect((await theirs.get('/admin')).statusCode).toBe(403);

      const changes = (await auditRows(t, 'user.role_changed'))
        .filter((e) => e.target_id === String(user.id))
        .map((e) => ({ actor: e.actor_id, ...(JSON.parse(e.details!) as object) }));
      expect(changes).toEqual(
        expect.arrayContaining([
          { actor: admin.id, from: 'student', to: 'teacher' },
          { actor: admin.id, from: 'teacher', to: 'admin' },
          { actor: admin.id, from: 'admin', to: 'student' },
        ]),
      );
      expect(changes).toHaveLength(3);
    });

    it('a student needs a school year: a teacher made a student without one is refused, nothing changed', async () => {
      const teacher = await t.createUser({ teacher: true, firstName: 'Tom', lastName: 'Teacher' });
      const before = await roleRow(teacher.id);
      const res = await a.post(`/admin/users/${teacher.id}`, editForm(teacher, 'student', ''));
      expect(res.statusCode).toBe(400);
      expect(fieldError(res.body, 'year_group')).toMatch(/Students need a school year/);
      expect(await roleRow(teacher.id)).toEqual(before);
      expect((await auditRows(t, 'user.role_changed')).some((e) => e.target_id === String(teacher.id))).toBe(false);
    });

    it('refuses a role it does not know, changing nothing', async () => {
      const user = await t.createUser({ firstName: 'Rosalind', lastName: 'Franklin' });
      const res = await a.post(`/admin/users/${user.id}`, editForm(user, 'superuser'));
      expect(res.statusCode).toBe(400);
      expect(fieldError(res.body, 'role')).toMatch(/student, teacher or administrator/);
      expect(await roleRow(user.id)).toEqual({ user_type: 'student', is_admin: 0 });
    });

    it('never changes your own role', async () => {
      const page = await a.get(`/admin/users/${admin.id}/edit`);
      expect(controlAttributes(page.body, 'role')?.type).toBe('hidden');
      expect(decode(page.body)).toContain('You cannot change your own role');
      const res = await a.post(`/admin/users/${admin.id}`, editForm(admin, 'teacher', ''));
      expect(res.statusCode).toBe(400);
      expect(fieldError(res.body, 'role')).toContain('You cannot change your own role');
      expect(await roleRow(admin.id)).toEqual({ user_type: 'teacher', is_admin: 1 });
      expect((await a.get('/admin/users')).statusCode).toBe(200);
      expect((await auditRows(t, 'user.role_changed')).some((e) => e.target_id === String(admin.id))).toBe(false);
    });

    it('another account’s page offers the three roles', async () => {
      const user = await t.createUser({ firstName: 'Rosalind', lastName: 'Franklin' });
      const html = (await a.get(`/admin/users/${user.id}/edit`)).body;
      expect(controlAttributes(html, 'role')?.type).toBeUndefined();
      for (const [value, label] of [
        ['student', 'Student'],
        ['teacher', 'Teacher'],
        ['admin', 'Administrator'],
      ])
        expect(html).toMatch(new RegExp(`<option value="${value}"[^>]*>${label}</option>`));
    });
  });

  describe('delete', () => {
    it('asks for confirmation, then deletes the account and its records and audits it', async () => {
      const user = await t.createUser({ firstName: 'Rosalind', lastName: 'Franklin' });
      await addSolvedChallenge(t, user.id);
      const theirs = t.client();
      await theirs.loginAs(user);
      const confirm = await a.get(`/admin/users/${user.id}/delete`);
      expect(confirm.statusCode).toBe(200);
      expect(confirm.body).toContain(`action="/admin/users/${user.id}/delete"`);
      const res = await a.post(`/admin/users/${user.id}/delete`);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/admin/users');
      expect(await count(t, 'users', ['id', user.id])).toBe(0);
      expect(await count(t, 'submissions', ['user_id', user.id])).toBe(0);
      expect(await count(t, 'scores', ['user_id', user.id])).toBe(0);
      expect((await theirs.get('/profile')).statusCode).toBe(302);
      const entry = (await auditRows(t, 'user.delete')).find((e) => e.target_id === String(user.id));
      expect(entry).toMatchObject({ actor_id: admin.id });
      expect(JSON.parse(entry!.details!)).toMatchObject({ email: user.email, submissions: 2, completions: 1 });
    });

    it('never deletes yourself', async () => {
      expect((await a.get(`/admin/users/${admin.id}/delete`)).statusCode).toBe(403);
      const res = await a.post(`/admin/users/${admin.id}/delete`);
      expect(res.statusCode).toBe(403);
      expect(await count(t, 'users', ['id', admin.id])).toBe(1);
    });
  });

  describe('bulk actions', () => {
    const bulk = (body: unknown) =>
      a.post('/admin/users/bulk', typeof body === 'string' ? body : JSON.stringify(body), { json: true });

    it('promotes and demotes, ending the sessions of those changed', async () => {
      const u1 = await t.createUser();
      const u2 = await t.createUser();
      const s1 = t.client();
      await s1.loginAs(u1);
      const res = await bulk({ action: 'promote', ids: [u1.id, u2.id, 987654] });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        ok: true,
        action: 'promote',
        changed: [u1.id, u2.id].sort((x, y) => x - y),
        unchanged: [],
        missing: [987654],
        message: '2 users made administrator. 1 no longer exists.',
      });
      expect((await s1.get('/profile')).statusCode).toBe(302);
      const admins = await t.db
        .selectFrom('users')
        .select('id')
        .where('id', 'in', [u1.id, u2.id])
        .where('is_admin', '=', 1)
        .execute();
      expect(admins).toHaveLength(2);
      const again = await bulk({ action: 'promote', ids: [u1.id] });
      expect(again.json()).toMatchObject({
        changed: [],
        unchanged: [u1.id],
        message: '0 users made administrator. 1 already was.',
      });
      const demote = await bulk({ action: 'demote', ids: [u1.id, u2.id] });
      expect(demote.json<{ changed: number[] }>().changed).toHaveLength(2);
      expect(
        await t.db
          .selectFrom('users')
          .select('id')
          .where('id', 'in', [u1.id, u2.id])
          .where('is_admin', '=', 1)
          .execute(),
      ).toHaveLength(0);
      const entries = (await auditRows(t, 'user.bulk_promote')).filter((e) =>
        [String(u1.id), String(u2.id)].includes(e.target_id!),
      );
      expect(entries).toHaveLength(2);
      expect(entries.every((e) => e.actor_id === admin.id)).toBe(true);
      expect(
        (await auditRows(t, 'user.bulk_demote')).filter((e) => [String(u1.id), String(u2.id)].includes(e.target_id!)),
      ).toHaveLength(2);
    });

    it('marks and unmarks competition participants', async () => {
      const u = await t.createUser();
      expect((await bulk({ action: 'mark_participant', ids: [u.id] })).statusCode).toBe(200);
      expect(
        (await t.db.selectFrom('users').select('is_participant').where('id', '=', u.id).executeTakeFirstOrThrow())
          .is_participant,
      ).toBe(1);
      expect((await bulk({ action: 'unmark_participant', ids: [u.id] })).statusCode).toBe(200);
      expect(
        (await t.db.selectFrom('users').select('is_participant').where('id', '=', u.id).executeTakeFirstOrThrow())
          .is_participant,
      ).toBe(0);
      expect((await auditRows(t, 'user.bulk_mark_participant')).some((e) => e.target_id === String(u.id))).toBe(true);
      expect((await auditRows(t, 'user.bulk_unmark_participant')).some((e) => e.target_id === String(u.id))).toBe(true);
    });

    it('deletes in one transaction', async () => {
      const u1 = await t.createUser();
      const u2 = await t.createUser();
      await addSolvedChallenge(t, u1.id);
      const res = await bulk({ action: 'delete', ids: [u1.id, u2.id] });
      expect(res.statusCode).toBe(200);
      expect((await count(t, 'users', ['id', u1.id])) + (await count(t, 'users', ['id', u2.id]))).toBe(0);
      expect(await count(t, 'submissions', ['user_id', u1.id])).toBe(0);
      expect(
        (await auditRows(t, 'user.bulk_delete')).filter((e) => [String(u1.id), String(u2.id)].includes(e.target_id!)),
      ).toHaveLength(2);
    });

    it.each(['promote', 'demote', 'mark_participant', 'unmark_participant', 'delete'])(
      'refuses %s when the selection includes yourself, changing nothing',
      async (action) => {
        const other = await t.createUser();
        const audits = await count(t, 'audit_log');
        const res = await bulk({ action, ids: [other.id, admin.id] });
        expect(res.statusCode).toBe(403);
        expect(res.json<{ error: string }>().error).toMatch(/own account/);
        expect(await count(t, 'users', ['id', other.id])).toBe(1);
        const me = await t.db
          .selectFrom('users')
          .select(['is_admin', 'is_participant'])
          .where('id', '=', admin.id)
          .executeTakeFirstOrThrow();
        expect(me).toEqual({ is_admin: 1, is_participant: 0 });
        expect(
          (await t.db.selectFrom('users').select('is_admin').where('id', '=', other.id).executeTakeFirstOrThrow())
            .is_admin,
        ).toBe(0);
        expect(await count(t, 'audit_log')).toBe(audits);
      },
    );

    it.each([
      [{}],
      [{ action: 'promote' }],
      [{ action: 'promote', ids: [] }],
      [{ action: 'explode', ids: [1] }],
      [{ action: 'promote', ids: ['1'] }],
      [{ action: 'promote', ids: [-1] }],
      [{ action: 'promote', ids: [1.5] }],
      [{ action: 'promote', ids: Array.from({ length: 501 }, (_, i) => i + 1) }],
      [{ action: 'promote', ids: [1], extra: true }],
      ['not json'],
    ])('answers a malformed body %j with 400 JSON', async (body) => {
      const res = await bulk(body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: expect.any(String) as unknown });
    });
  });

  describe('JSON search', () => {
    beforeAll(async () => {
      for (let i = 0; i < 55; i++) await t.createUser({ firstName: 'Searchable', lastName: `Person${i}` });
    });

    it('clamps the limit to 1–50', async () => {
      const n = async (limit: string) =>
        (await a.get(`/admin/users/search?q=searchable&limit=${limit}`)).json<unknown[]>().length;
      expect(await n('5')).toBe(5);
      expect(await n('50')).toBe(50);
      expect(await n('51')).toBe(50);
      expect(await n('100000')).toBe(50);
      expect(await n('0')).toBe(1);
      expect(await n('-7')).toBe(1);
      expect(await n('abc')).toBe(10);
      expect(await n('')).toBe(10);
    });

    it('finds nothing for a query under 2 characters unless it is an id', async () => {
      const get = async (q: string) =>
        (await a.get(`/admin/users/search?q=${encodeURIComponent(q)}`)).json<Array<{ id: number }>>();
      expect(await get('')).toEqual([]);
      expect(await get('s')).toEqual([]);
      expect(await get(' s ')).toEqual([]);
      expect((await a.get('/admin/users/search')).json()).toEqual([]);
      const byId = await get(String(admin.id));
      expect(byId[0]?.id).toBe(admin.id);
    });

    it('returns the fields a picker needs, as JSON', async () => {
      const res = await a.get('/admin/users/search?q=Person1&limit=1');
      expect(res.headers['content-type']).toContain('application/json');
      const [first] = res.json<Array<Record<string, unknown>>>();
      expect(Object.keys(first!).sort()).toEqual([
        'email',
        'firstName',
        'id',
        'isAdmin',
        'keyStage',
        'lastName',
        'mathsClass',
        'name',
        'userType',
        'yearGroup',
      ]);
      expect(first!.name).toMatch(/^Searchable Person1/);
      expect(JSON.stringify(res.json())).not.toContain('argon2');
    });

    it('answers a student with 403 JSON', async () => {
      const student = await t.createUser();
      const s = t.client();
      await s.loginAs(student);
      const res = await s.get('/admin/users/search?q=searchable');
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ error: expect.any(String) as unknown });
    });
  });
});

describe('admin bulk endpoint with CSRF protection on', () => {
  it('needs the X-CSRF-Token header', async () => {
    const t = await createTestApp('sqlite', { CSRF_ENABLED: 'true' });
    try {
      const admin = await t.createUser({ isAdmin: true });
      const user = await t.createUser({ firstName: 'Rosalind', lastName: 'Franklin' });
      const a = t.client();
      await a.loginAs(admin);
      const bare = await a.post(
        '/admin/users/bulk',
        { action: 'promote', ids: [user.id] },
        { json: true, csrf: false },
      );
      expect(bare.statusCode).toBe(403);
      const wrong = await a.post(
        '/admin/users/bulk',
        { action: 'promote', ids: [user.id] },
        { json: true, csrf: 'forged-token' },
      );
      expect(wrong.statusCode).toBe(403);
      expect(
        (await t.db.selectFrom('users').select('is_admin').where('id', '=', user.id).executeTakeFirstOrThrow())
          .is_admin,
      ).toBe(0);
      const ok = await a.post('/admin/users/bulk', { action: 'promote', ids: [user.id] }, { json: true });
      expect(ok.statusCode).toBe(200);
      expect(
        (await t.db.selectFrom('users').select('is_admin').where('id', '=', user.id).executeTakeFirstOrThrow())
          .is_admin,
      ).toBe(1);
    } finally {
      await t.close();
    }
  });
});
