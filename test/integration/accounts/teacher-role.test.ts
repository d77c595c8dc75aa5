// The teacher role through the real app (ADR 032): a teacher runs the weekly
// challenges (create, schedule, edit, image, lock), sees their tries and the
// boards, and is audited as the actor of each change; every other part of the
// admin area refuses them with 403 and changes nothing, whatever they send.
// An administrator gives and takes the role on the account's page: the
// person's next request carries the new powers, under a rotated session id.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { snapshot } from '../../security/routes.js';
import { decode, flashes, multipartBody, seedChallenge } from '../challenges/fixtures.js';
import { tinyPng } from '../challenges/images.js';
import { auditRows } from './helpers.js';

function challengeForm(fields: Record<string, string> = {}): Record<string, string> {
  return {
    title: 'Area of a circle',
    content_html: '<p>A circle has radius <span class="math-inline" data-latex="r=2">r=2</span>.</p>',
    key_stage: 'KS4',
    release_at: '2099-07-01T08:00',
    lock_after_hours: '',
    attempts_per_box: '3',
    'box-0-label': 'Area',
    'box-0-answer': '4\\pi',
    'box-0-kind': 'auto',
    'box-0-order': 'unordered',
    'box-0-tolerance': '',
    ...fields,
  };
}

const SESSION = 'mathsoc_session';

describe.each(await availableDialects())('the teacher role on %s', (dialect) => {
  let t: TestApp;
  let admin: TestUser;
  let a: TestClient;
  let teacher: TestUser;
  let tc: TestClient;
  let student: TestUser;
  let sc: TestClient;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = await t.createUser({ isAdmin: true, firstName: 'Alan', lastName: 'Admin' });
    a = t.client();
    await a.loginAs(admin);
    teacher = await t.createUser({ teacher: true, firstName: 'Tamsin', lastName: 'Teacher' });
    tc = t.client();
    await tc.loginAs(teacher);
    student = await t.createUser({ firstName: 'Sam', lastName: 'Student', yearGroup: 10, keyStage: 'KS4' });
    sc = t.client();
    await sc.loginAs(student);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    for (const table of ['submissions', 'completions', 'scores', 'challenges', 'uploads', 'audit_log'] as const)
      await t.db.deleteFrom(table).execute();
  });

  it('a teacher creates, schedules, previews, edits, illustrates and locks a challenge, each change audited as theirs', async () => {
    const created = await tc.post('/admin/challenges/new', challengeForm());
    expect(created.statusCode).toBe(303);
    const c = await t.db.selectFrom('challenges').selectAll().executeTakeFirstOrThrow();
    expect(created.headers.location).toBe(`/admin/challenges/${c.id}/edit`);
    expect(c).toMatchObject({ title: 'Area of a circle', created_by: teacher.id, is_locked: 0 });
    // Scheduled: the teacher previews it, a student cannot see it yet.
    expect(c.release_at > new Date().toISOString()).toBe(true);
    const preview = await tc.get(`/challenges/${c.id}`);
    expect(preview.statusCode).toBe(200);
    expect(decode(preview.body)).toContain('Teacher view: your tries are recorded as staff tries.');
    expect((await sc.get(`/challenges/${c.id}`)).statusCode).toBe(404);

    const box = await t.db
      .selectFrom('answer_boxes')
      .select('id')
      .where('challenge_id', '=', c.id)
      .executeTakeFirstOrThrow();
    const edited = await tc.post(
      `/admin/challenges/${c.id}/edit`,
      challengeForm({ title: 'Area of a bigger circle', 'box-0-id': String(box.id), 'box-0-answer': '9\\pi' }),
    );
    expect(edited.statusCode).toBe(303);
    expect(flashes((await tc.get(`/admin/challenges/${c.id}/edit`)).body)).toEqual([
      'success: Challenge «Area of a bigger circle» saved.',
    ]);

    // The image form is multipart: a teacher's upload is read, a student's refused before it is.
    const boundary = 'teacherboundary';
    const upload = async (client: TestClient) =>
      t.app.inject({
        method: 'POST',
        url: `/admin/challenges/${c.id}/image`,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        },
        payload: multipartBody(boundary, [
          { name: '_csrf', value: await client.csrfToken() },
          { name: 'image', filename: 'circle.png', type: 'image/png', data: tinyPng() },
        ]),
      });
    const refused = await upload(sc);
    expect(refused.statusCode).toBe(403);
    expect(decode(refused.body)).toContain('for teachers and administrators only');
    expect((await upload(tc)).statusCode).toBe(303);
    expect((await t.db.selectFrom('uploads').select('created_by').executeTakeFirstOrThrow()).created_by).toBe(
      teacher.id,
    );
    // The scheduled challenge's image: for its writers, not yet for pupils.
    expect((await tc.get(`/challenges/${c.id}/image`)).statusCode).toBe(200);
    expect((await sc.get(`/challenges/${c.id}/image`)).statusCode).toBe(404);

    expect((await tc.post(`/admin/challenges/${c.id}/lock`)).statusCode).toBe(303);
    expect((await t.db.selectFrom('challenges').select('is_locked').executeTakeFirstOrThrow()).is_locked).toBe(1);

    const mine = (await t.db.selectFrom('audit_log').selectAll().orderBy('id').execute()).filter(
      (e) => e.target_type === 'challenge' && e.target_id === String(c.id),
    );
    expect(mine.map((e) => e.action)).toEqual([
      'challenge.create',
      'challenge.update',
      'challenge.image.set',
      'challenge.lock',
    ]);
    for (const e of mine) expect(e).toMatchObject({ actor_id: teacher.id, actor_email: teacher.email });

    // The administrators' audit log shows them under the teacher's address.
    const log = decode((await a.get(`/admin/audit?actor=${encodeURIComponent(teacher.email)}`)).body);
    for (const action of ['challenge.create', 'challenge.update', 'challenge.image.set', 'challenge.lock'])
      expect(log).toContain(`<code>${action}</code>`);
  });

  it('a teacher sees the tries on each challenge and the boards, but not the forms that change points', async () => {
    const ch = await seedChallenge(t, { title: 'Fractions' });
    const answered = await sc.post(`/challenges/${ch.id}/boxes/${ch.boxIds[0]}/answer`, { answer: '3/4' });
    expect(answered.statusCode).toBe(303);

    const list = (await tc.get('/admin/challenges')).body;
    const row = list.slice(
      list.indexOf(`data-challenge-id="${ch.id}"`),
      list.indexOf('</tr>', list.indexOf(`data-challenge-id="${ch.id}"`)),
    );
    expect(row).toMatch(/<td>1<\/td><td>1<\/td><td>1<\/td><td class="actions">/); // boxes, tries, completed by
    expect(row).toContain(`href="/admin/challenges/${ch.id}/edit"`);
    expect(row).not.toContain(`/admin/challenges/${ch.id}/delete`);
    expect((await a.get('/admin/challenges')).body).toContain(`/admin/challenges/${ch.id}/delete`);

    const adjusted = await a.post('/admin/leaderboard/adjustments', {
      user: student.email,
      points: '+2',
      reason: 'Puzzle hunt',
    });
    expect(adjusted.statusCode).toBe(303);
    const boards = await tc.get('/admin/leaderboard');
    expect(boards.statusCode).toBe(200);
    // The adjustments name pupils with their addresses and the admins who made them: not for teachers.
    expect(boards.body).not.toContain(student.email.toLowerCase());
    expect(boards.body).not.toContain(admin.email.toLowerCase());
    expect(boards.body).not.toContain('Puzzle hunt');
    expect((await a.get('/admin/leaderboard')).body).toContain('Puzzle hunt');
    expect(boards.body).toMatch(
      /<tr data-board="KS4"><th scope="row"><a href="\/leaderboard\?ks=KS4">KS4<\/a><\/th><td>1<\/td><td>5<\/td><td>1<\/td>/, // 3 points and the +2 adjustment
    );
    for (const hidden of [
      '/admin/leaderboard/reset',
      '/admin/leaderboard/recalculate',
      '/admin/leaderboard/adjustments',
    ])
      expect(boards.body).not.toContain(`action="${hidden}`);
    const adminBoards = (await a.get('/admin/leaderboard')).body;
    for (const shown of [
      '/admin/leaderboard/reset',
      '/admin/leaderboard/recalculate',
      '/admin/leaderboard/adjustments',
    ])
      expect(adminBoards).toContain(`action="${shown}`);

    // The export lists every pupil's address: administrators only, and not offered to a teacher.
    expect(boards.body).not.toContain('/admin/leaderboard/export.csv');
    const refused = await tc.get('/admin/leaderboard/export.csv?ks=KS4');
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('Sam,Student');
    const csv = await a.get('/admin/leaderboard/export.csv?ks=KS4');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('Sam,Student');
  });

  it('a teacher sees only their areas in the menus and a dashboard without accounts, content or server numbers', async () => {
    const home = decode((await tc.get('/')).body);
    expect(home).toContain('<a href="/admin">Teaching</a>');
    expect(decode((await sc.get('/')).body)).not.toContain('href="/admin"');
    expect(decode((await a.get('/')).body)).toContain('<a href="/admin">Admin</a>');

    const page = await tc.get('/admin');
    expect(page.statusCode).toBe(200);
    const html = decode(page.body);
    const nav = html.slice(
      html.indexOf('<nav class="admin-nav"'),
      html.indexOf('</nav>', html.indexOf('<nav class="admin-nav"')),
    );
    const links = [...nav.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual(['/admin', '/admin/challenges', '/admin/leaderboard', '/admin/classes', '/admin/math']);
    expect(html).toContain('<h1>Teaching dashboard</h1>');
    for (const key of ['released', 'scheduled', 'submissions-today']) expect(html).toContain(`data-stat="${key}"`);
    for (const key of ['users', 'admins', 'articles', 'csp-reports']) expect(html).not.toContain(`data-stat="${key}"`);
    for (const href of ['/admin/users', '/admin/audit', '/admin/schools', '/admin/pages', '/admin/competitions'])
      expect(html).not.toContain(`href="${href}"`);
    // The administrator's menu has every area, Classes included.
    const adminNav = decode((await a.get('/admin')).body);
    for (const href of ['/admin/users', '/admin/classes', '/admin/audit']) expect(adminNav).toContain(`href="${href}"`);
  });

  it('every other admin page and action refuses a teacher with 403 and changes nothing', async () => {
    const ch = await seedChallenge(t, { title: 'Keep me' });
    const other = await t.createUser({ firstName: 'Olive', lastName: 'Other' });
    const before = await snapshot(t);
    const gets = [
      '/admin/users',
      `/admin/users/${other.id}/edit`,
      `/admin/users/${teacher.id}/edit`,
      '/admin/users/new',
      '/admin/schools',
      '/admin/schools/new',
      '/admin/pages',
      '/admin/pages/about',
      '/admin/articles',
      '/admin/announcements',
      '/admin/competitions',
      '/admin/competitions/new',
      '/admin/audit',
      `/admin/challenges/${ch.id}/delete`,
    ];
    for (const url of gets) {
      const res = await tc.get(url);
      expect(res.statusCode, url).toBe(403);
      expect(decode(res.body), url).toContain('This page is for administrators only.');
    }
    const posts: Array<[string, Record<string, string>]> = [
      // Making themselves (or anyone) an administrator, or changing any account.
      [
        `/admin/users/${teacher.id}`,
        { first_name: 'Tamsin', last_name: 'Teacher', email: teacher.email, role: 'admin', year_group: '' },
      ],
      [
        `/admin/users/${other.id}`,
        { first_name: 'Olive', last_name: 'Other', email: other.email, role: 'teacher', year_group: '9' },
      ],
      [`/admin/users/${other.id}/reset-password`, {}],
      [`/admin/users/${other.id}/delete`, {}],
      ['/admin/schools/new', { name: 'Sneaky School', email_domain: 'sneaky.example.org', address: '1 Road' }],
      ['/admin/pages/about', { title: 'About', content_html: '<p>Changed by a teacher</p>' }],
      ['/admin/competitions/new', { name: 'Teacher Cup' }],
      [`/admin/challenges/${ch.id}/delete`, {}],
      ['/admin/leaderboard/adjustments', { user: String(student.id), key_stage: 'KS4', points: '5', reason: 'Nice' }],
      ['/admin/leaderboard/reset', { stage: 'all', confirm: 'yes' }],
      ['/admin/leaderboard/recalculate', {}],
    ];
    for (const [url, body] of posts) {
      const res = await tc.post(url, body);
      expect(res.statusCode, url).toBe(403);
    }
    const bulk = await tc.post('/admin/users/bulk', { action: 'promote', ids: [teacher.id] }, { json: true });
    expect(bulk.statusCode).toBe(403);
    expect(await snapshot(t)).toEqual(before);
    // Still a teacher, still able to teach.
    expect((await tc.get('/admin/challenges')).statusCode).toBe(200);
  });

  it('an administrator makes a student a teacher: the next request has the new powers, under a new session id', async () => {
    const pupil = await t.createUser({ firstName: 'Petra', lastName: 'Pupil', yearGroup: 11, keyStage: 'KS4' });
    const pc = t.client();
    const login = await pc.post('/login', { email: pupil.email, password: TEST_PASSWORD });
    expect(login.statusCode).toBe(303);
    const cookieBefore = pc.cookies.get(SESSION);
    expect(cookieBefore).toBeDefined();
    expect((await pc.get('/admin/challenges')).statusCode).toBe(403);

    const res = await a.post(`/admin/users/${pupil.id}`, {
      first_name: 'Petra',
      last_name: 'Pupil',
      email: pupil.email,
      role: 'teacher',
      year_group: '',
    });
    expect(res.statusCode).toBe(303);
    const change = (await auditRows(t, 'user.role_changed')).find((e) => e.target_id === String(pupil.id));
    expect(change).toMatchObject({ actor_id: admin.id });
    expect(JSON.parse(change!.details!)).toEqual({ from: 'student', to: 'teacher' });

    const next = await pc.get('/admin/challenges');
    expect(next.statusCode).toBe(200);
    const cookieAfter = pc.cookies.get(SESSION);
    expect(cookieAfter).toBeDefined();
    expect(cookieAfter).not.toBe(cookieBefore);
    // The old id is gone: whoever held it holds nothing.
    const stale = await t.app.inject({ url: '/admin/challenges', headers: { cookie: `${SESSION}=${cookieBefore}` } });
    expect(stale.statusCode).toBe(302);
    expect(String(stale.headers.location)).toMatch(/^\/login\?next=/);
    expect((await pc.post('/admin/challenges/new', challengeForm({ title: 'By the new teacher' }))).statusCode).toBe(
      303,
    );
    // Not an administrator for all that.
    expect((await pc.get('/admin/users')).statusCode).toBe(403);
  });

  it('an administrator demotes a teacher: the teaching area is gone at once', async () => {
    const former = await t.createUser({ teacher: true, firstName: 'Fern', lastName: 'Former' });
    const fc = t.client();
    expect((await fc.post('/login', { email: former.email, password: TEST_PASSWORD })).statusCode).toBe(303);
    expect((await fc.get('/admin')).statusCode).toBe(200);
    const res = await a.post(`/admin/users/${former.id}`, {
      first_name: 'Fern',
      last_name: 'Former',
      email: former.email,
      role: 'student',
      year_group: '12',
    });
    expect(res.statusCode).toBe(303);
    for (const url of ['/admin', '/admin/challenges', '/admin/leaderboard', '/admin/math']) {
      const refused = await fc.get(url);
      expect(refused.statusCode, url).toBe(403);
      expect(decode(refused.body)).toContain('for teachers and administrators only');
    }
    const before = await t.db
      .selectFrom('challenges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect((await fc.post('/admin/challenges/new', challengeForm())).statusCode).toBe(403);
    const after = await t.db
      .selectFrom('challenges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(decode((await fc.get('/')).body)).not.toContain('href="/admin"');
  });
});
