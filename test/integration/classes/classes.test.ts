// Classes through the real app: teachers and admins make and change classes,
// add and remove pupils and co-teachers; a teacher reaches only the classes
// they teach; the class board's contents and order; the progress grid from
// real answers; pupils see their own classes' boards and no other; bad input
// is refused with a message and changes nothing.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addToBoard } from '../../../src/domain/challenges/scoring.js';
import { createTestApp, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { decode, flashes, hoursFromNow, seedChallenge } from '../challenges/fixtures.js';

describe.each(await availableDialects())('classes on %s', (dialect) => {
  let t: TestApp;
  let schoolA: number;
  let schoolB: number;
  let admin: TestUser;
  let teacher1: TestUser;
  let teacher2: TestUser;
  let teacherB: TestUser;
  let ada: TestUser;
  let ben: TestUser;
  let cat: TestUser;
  let dan: TestUser;
  let leaver: TestUser;
  let waiting: TestUser;
  let outsider: TestUser;
  const clients = new Map<number, TestClient>();

  /** A signed-in client for the user (one per user, kept). */
  async function as(u: TestUser): Promise<TestClient> {
    let c = clients.get(u.id);
    if (!c) {
      c = t.client();
      await c.loginAs(u);
      clients.set(u.id, c);
    }
    return c;
  }

  beforeAll(async () => {
    // Addresses must be confirmed, so the board visibility rule is in force.
    t = await createTestApp(dialect, { REQUIRE_EMAIL_VERIFICATION: 'true' });
    const now = new Date().toISOString();
    const school = (name: string, domain: string) =>
      t.db
        .insertInto('schools')
        .values({ name, email_domain: domain, address: null, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
    schoolA = (await school('Hill School', 'hill.example.org')).id;
    schoolB = (await school('Vale School', 'vale.example.org')).id;
    admin = await t.createUser({ isAdmin: true, firstName: 'Alma', lastName: 'Admin' });
    teacher1 = await t.createUser({ teacher: true, schoolId: schoolA, firstName: 'Tess', lastName: 'One' });
    teacher2 = await t.createUser({ teacher: true, schoolId: schoolA, firstName: 'Tom', lastName: 'Two' });
    teacherB = await t.createUser({ teacher: true, schoolId: schoolB, firstName: 'Val', lastName: 'Vale' });
    const pupil = (first: string, last: string, extra: Partial<TestUser> = {}) =>
      t.createUser({
        firstName: first,
        lastName: last,
        email: `${first.toLowerCase()}@hill.example.org`,
        schoolId: schoolA,
        yearGroup: 10,
        keyStage: 'KS4',
        ...extra,
      });
    ada = await pupil('Ada', 'Lovelace');
    ben = await pupil('Ben', 'Babbage');
    cat = await pupil('Cat', 'Cantor');
    dan = await pupil('Dan', 'Dedekind', { yearGroup: 8, keyStage: 'KS3' });
    leaver = await pupil('Lee', 'Leaver');
    waiting = await pupil('Wes', 'Waiting', { emailVerified: false });
    outsider = await t.createUser({
      firstName: 'Olga',
      lastName: 'Other',
      email: 'olga@vale.example.org',
      schoolId: schoolB,
    });
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    for (const table of [
      'class_members',
      'class_teachers',
      'classes',
      'submissions',
      'completions',
      'scores',
      'challenges',
      'audit_log',
    ] as const)
      await t.db.deleteFrom(table).execute();
    await t.db.updateTable('users').set({ archived_at: null }).execute();
  });

  const count = async (table: 'classes' | 'class_members' | 'class_teachers') =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const actions = async () =>
    (await t.db.selectFrom('audit_log').select('action').orderBy('id').execute()).map((r) => r.action);
  const memberIds = async (classId: number) =>
    (
      await t.db
        .selectFrom('class_members')
        .select('user_id')
        .where('class_id', '=', classId)
        .orderBy('user_id')
        .execute()
    ).map((r) => r.user_id);
  const fieldError = (body: string, field: string) =>
    decode(new RegExp(`<p class="field-error" id="${field}-error">([^<]*)</p>`).exec(body)?.[1] ?? '');

  /** Makes a class through the form as the user; returns its id. */
  async function makeClass(by: TestUser, name: string, schoolId?: number): Promise<number> {
    const res = await (await as(by)).post('/admin/classes/new', { name, school_id: schoolId });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    const m = /^\/admin\/classes\/(\d+)$/.exec(String(res.headers.location));
    expect(m).not.toBeNull();
    return Number(m![1]);
  }

  async function addByEmail(by: TestUser, classId: number, emails: string) {
    return (await as(by)).post(`/admin/classes/${classId}/members`, { emails });
  }

  describe('making and changing classes', () => {
    it('a teacher makes a class in their school and becomes its teacher; the audit log says so', async () => {
      const id = await makeClass(teacher1, '  10   A ');
      const row = await t.db.selectFrom('classes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ name: '10 A', school_id: schoolA });
      const teachers = await t.db.selectFrom('class_teachers').selectAll().where('class_id', '=', id).execute();
      expect(teachers).toEqual([{ class_id: id, user_id: teacher1.id }]);
      expect(await actions()).toEqual(['class.created']);
      const page = await (await as(teacher1)).get(`/admin/classes/${id}`);
      expect(page.statusCode).toBe(200);
      expect(flashes(page.body)).toEqual(['success: Class 10 A created. Now add its pupils.']);
      expect(page.body).toContain('Tess One');
      // A teacher cannot put a class in another school by sending its id.
      const other = await makeClass(teacher1, 'Sneaky', schoolB);
      expect(
        (await t.db.selectFrom('classes').select('school_id').where('id', '=', other).executeTakeFirst())?.school_id,
      ).toBe(schoolA);
    });

    it('an admin makes a class for a chosen school and is not made its teacher', async () => {
      const id = await makeClass(admin, '11B', schoolB);
      expect((await t.db.selectFrom('classes').selectAll().where('id', '=', id).executeTakeFirst())?.school_id).toBe(
        schoolB,
      );
      expect(await count('class_teachers')).toBe(0);
      const res = await (await as(admin)).post('/admin/classes/new', { name: '11C' });
      expect(res.statusCode).toBe(400);
      expect(fieldError(res.body, 'school_id')).toBe('Choose the school the class belongs to.');
      expect(await count('classes')).toBe(1);
    });

    it('refuses an empty name and a name the school already has, changing nothing', async () => {
      await makeClass(teacher1, '10A');
      const c = await as(teacher1);
      const empty = await c.post('/admin/classes/new', { name: '   ' });
      expect(empty.statusCode).toBe(400);
      expect(fieldError(empty.body, 'name')).toBe('Enter the class’s name, for example 10A or Year 9 set 1.');
      const dup = await c.post('/admin/classes/new', { name: '10a' });
      expect(dup.statusCode).toBe(400);
      expect(fieldError(dup.body, 'name')).toBe('Hill School already has a class called «10a». Choose another name.');
      const long = await c.post('/admin/classes/new', { name: 'x'.repeat(61) });
      expect(fieldError(long.body, 'name')).toBe('The name must be at most 60 characters.');
      expect(await count('classes')).toBe(1);
      expect(await actions()).toEqual(['class.created']);
      // The same name in another school is another class.
      await makeClass(admin, '10A', schoolB);
      expect(await count('classes')).toBe(2);
    });

    it('renames and deletes a class, keeping the pupils’ accounts', async () => {
      const id = await makeClass(teacher1, '10A');
      const other = await makeClass(teacher1, '10B');
      expect((await addByEmail(teacher1, id, ada.email)).statusCode).toBe(303);
      const c = await as(teacher1);
      const taken = await c.post(`/admin/classes/${id}/rename`, { name: '10B' });
      expect(taken.statusCode).toBe(400);
      expect(fieldError(taken.body, 'name')).toBe('Hill School already has a class called «10B». Choose another name.');
      const blank = await c.post(`/admin/classes/${id}/rename`, { name: '' });
      expect(blank.statusCode).toBe(400);
      expect((await t.db.selectFrom('classes').select('name').where('id', '=', id).executeTakeFirst())?.name).toBe(
        '10A',
      );
      const ok = await c.post(`/admin/classes/${id}/rename`, { name: '10 Alpha' });
      expect(ok.statusCode).toBe(303);
      expect((await t.db.selectFrom('classes').select('name').where('id', '=', id).executeTakeFirst())?.name).toBe(
        '10 Alpha',
      );
      const del = await c.post(`/admin/classes/${id}/delete`);
      expect(del.statusCode).toBe(303);
      expect(del.headers.location).toBe('/admin/classes');
      expect(await t.db.selectFrom('classes').select('id').execute()).toEqual([{ id: other }]);
      expect(await memberIds(id)).toEqual([]);
      expect(await t.db.selectFrom('users').select('id').where('id', '=', ada.id).executeTakeFirst()).toBeDefined();
      expect(await actions()).toEqual([
        'class.created',
        'class.created',
        'class.member_added',
        'class.renamed',
        'class.deleted',
      ]);
      const entry = await t.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'class.deleted')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(entry.details!)).toMatchObject({ name: '10 Alpha', pupils: 1 });
      expect(entry.actor_id).toBe(teacher1.id);
    });
  });

  describe('pupils and teachers of a class', () => {
    it('adds pupils by address and from the pick list, each with an audit entry, and removes one', async () => {
      const id = await makeClass(teacher1, '10A');
      const page = await (await as(teacher1)).get(`/admin/classes/${id}`);
      // The pick list: the school's pupils, not the other school's, not teachers.
      expect(page.body).toContain(`name="user_id" value="${ben.id}"`);
      expect(page.body).not.toContain(`name="user_id" value="${outsider.id}"`);
      expect(page.body).not.toContain(`name="user_id" value="${teacher2.id}"`);

      const res = await addByEmail(teacher1, id, ` ${ada.email.toUpperCase()}, ${cat.email}\n${ada.email}`);
      expect(res.statusCode).toBe(303);
      expect(await memberIds(id)).toEqual([ada.id, cat.id].sort((a, b) => a - b));
      await (await as(teacher1)).get(`/admin/classes/${id}`); // shows (and clears) the first message
      // Ticked boxes arrive as a repeated field.
      const c = await as(teacher1);
      const picked = await c.post(
        `/admin/classes/${id}/members`,
        `user_id=${ben.id}&user_id=${ada.id}&_csrf=${encodeURIComponent(await c.csrfToken())}`,
      );
      expect(picked.statusCode).toBe(303);
      expect(flashes((await (await as(teacher1)).get(`/admin/classes/${id}`)).body)).toEqual([
        'success: 1 pupil added to 10A. 1 pupil was in it already.',
      ]);
      expect(await memberIds(id)).toEqual([ada.id, ben.id, cat.id].sort((a, b) => a - b));
      expect((await actions()).filter((a) => a === 'class.member_added')).toHaveLength(3);

      const removed = await (await as(teacher1)).post(`/admin/classes/${id}/members/${cat.id}/remove`);
      expect(removed.statusCode).toBe(303);
      expect(await memberIds(id)).toEqual([ada.id, ben.id].sort((a, b) => a - b));
      expect((await actions()).at(-1)).toBe('class.member_removed');
      const again = await (await as(teacher1)).post(`/admin/classes/${id}/members/${cat.id}/remove`);
      expect(again.statusCode).toBe(404);
    });

    it('refuses unknown addresses, pupils of another school, teachers and leavers, and adds nobody', async () => {
      const id = await makeClass(teacher1, '10A');
      await t.db
        .updateTable('users')
        .set({ archived_at: new Date().toISOString() })
        .where('id', '=', leaver.id)
        .execute();
      const cases: Array<[string, string]> = [
        ['', 'Enter a pupil’s email address, or tick pupils in the list.'],
        ['not-an-address', 'Not an email address: not-an-address.'],
        // One answer whatever the reason, so the form tells nobody who has an account here.
        [
          `${ada.email}, nobody@hill.example.org`,
          'These addresses are not pupils of Hill School who can join a class: nobody@hill.example.org. Nobody was added.',
        ],
        [
          `${ben.email} ${outsider.email}`,
          'These addresses are not pupils of Hill School who can join a class: olga@vale.example.org. Nobody was added.',
        ],
        [
          teacher2.email,
          `These addresses are not pupils of Hill School who can join a class: ${teacher2.email}. Nobody was added.`,
        ],
        [
          leaver.email,
          'These addresses are not pupils of Hill School who can join a class: lee@hill.example.org. Nobody was added.',
        ],
      ];
      for (const [emails, message] of cases) {
        const res = await addByEmail(teacher1, id, emails);
        expect(res.statusCode, emails).toBe(400);
        expect(fieldError(res.body, 'emails'), emails).toBe(message);
      }
      // A ticked id of another school's pupil (a forged form) is refused too.
      const forged = await (await as(teacher1)).post(`/admin/classes/${id}/members`, { user_id: String(outsider.id) });
      expect(forged.statusCode).toBe(400);
      expect(fieldError(forged.body, 'user_id')).toBe(
        'Some of the ticked pupils are not pupils of Hill School any more. Reload the page and try again.',
      );
      expect(await count('class_members')).toBe(0);
      expect(await actions()).toEqual(['class.created']);
      // The page shows what was typed, escaped.
      const xss = await addByEmail(teacher1, id, '<script>alert(1)</script>');
      expect(xss.body).not.toContain('<script>alert(1)');
    });

    it('adds a co-teacher of the same school; a teacher may not remove the last teacher, an admin may', async () => {
      const id = await makeClass(teacher1, '10A');
      const page = await (await as(teacher1)).get(`/admin/classes/${id}`);
      expect(page.body).toContain(`<option value="${teacher2.id}">`);
      expect(page.body).not.toContain(`<option value="${teacherB.id}">`);
      const wrong = await (
        await as(teacher1)
      ).post(`/admin/classes/${id}/teachers`, { teacher_id: String(teacherB.id) });
      expect(wrong.statusCode).toBe(400);
      expect(fieldError(wrong.body, 'teacher_id')).toBe(
        'Choose one of the teachers of Hill School who does not teach the class yet.',
      );
      const pupilAsTeacher = await (
        await as(teacher1)
      ).post(`/admin/classes/${id}/teachers`, {
        teacher_id: String(ada.id),
      });
      expect(pupilAsTeacher.statusCode).toBe(400);
      expect(await count('class_teachers')).toBe(1);

      expect((await (await as(teacher2)).get(`/admin/classes/${id}`)).statusCode).toBe(403);
      const added = await (
        await as(teacher1)
      ).post(`/admin/classes/${id}/teachers`, { teacher_id: String(teacher2.id) });
      expect(added.statusCode).toBe(303);
      expect((await (await as(teacher2)).get(`/admin/classes/${id}`)).statusCode).toBe(200);

      // Teacher 2 takes themself off: back to their list, and the class is closed to them.
      const self = await (await as(teacher2)).post(`/admin/classes/${id}/teachers/${teacher2.id}/remove`);
      expect(self.headers.location).toBe('/admin/classes');
      expect((await (await as(teacher2)).get(`/admin/classes/${id}`)).statusCode).toBe(403);
      // Teacher 1 is the last one now.
      const last = await (await as(teacher1)).post(`/admin/classes/${id}/teachers/${teacher1.id}/remove`);
      expect(last.statusCode).toBe(303);
      expect(flashes((await (await as(teacher1)).get(`/admin/classes/${id}`)).body)).toEqual([
        'error: 10A keeps at least one teacher: add another teacher before removing this one.',
      ]);
      expect(await count('class_teachers')).toBe(1);
      const byAdmin = await (await as(admin)).post(`/admin/classes/${id}/teachers/${teacher1.id}/remove`);
      expect(byAdmin.statusCode).toBe(303);
      expect(await count('class_teachers')).toBe(0);
      expect((await actions()).filter((a) => a.startsWith('class.teacher_'))).toEqual([
        'class.teacher_added',
        'class.teacher_removed',
        'class.teacher_removed',
      ]);
    });
  });

  describe('who may reach a class', () => {
    it('a teacher sees and changes only the classes they teach; an admin sees every class', async () => {
      const mine = await makeClass(teacher1, '10A');
      await addByEmail(teacher1, mine, ada.email);
      const theirs = await makeClass(teacher2, '9C');
      const t1 = await as(teacher1);
      const t2 = await as(teacher2);

      const list1 = (await t1.get('/admin/classes')).body;
      expect(list1).toContain(`href="/admin/classes/${mine}"`);
      expect(list1).not.toContain(`href="/admin/classes/${theirs}"`);
      const adminList = (await (await as(admin)).get('/admin/classes')).body;
      expect(adminList).toContain(`href="/admin/classes/${mine}"`);
      expect(adminList).toContain(`href="/admin/classes/${theirs}"`);

      const before = {
        classes: await t.db.selectFrom('classes').selectAll().orderBy('id').execute(),
        members: await memberIds(mine),
        teachers: await count('class_teachers'),
      };
      const refused: Array<[string, Record<string, string>?]> = [
        [`/admin/classes/${mine}/rename`, { name: 'Mine now' }],
        [`/admin/classes/${mine}/members`, { emails: ben.email }],
        [`/admin/classes/${mine}/members/${ada.id}/remove`],
        [`/admin/classes/${mine}/teachers`, { teacher_id: String(teacher2.id) }],
        [`/admin/classes/${mine}/teachers/${teacher1.id}/remove`],
        [`/admin/classes/${mine}/delete`],
      ];
      for (const [url, body] of refused) {
        const res = await t2.post(url, body ?? {});
        expect(res.statusCode, url).toBe(403);
        expect(res.body, url).toContain('You do not teach this class.');
      }
      for (const url of [
        `/admin/classes/${mine}`,
        `/admin/classes/${mine}/progress`,
        `/admin/classes/${mine}/progress.csv`,
      ]) {
        const res = await t2.get(url);
        expect(res.statusCode, url).toBe(403);
        expect(res.body, url).not.toContain('Lovelace');
      }
      expect({
        classes: await t.db.selectFrom('classes').selectAll().orderBy('id').execute(),
        members: await memberIds(mine),
        teachers: await count('class_teachers'),
      }).toEqual(before);
      expect((await t2.get('/admin/classes/999999')).statusCode).toBe(404);
      expect((await (await as(admin)).get(`/admin/classes/${mine}`)).statusCode).toBe(200);
      expect((await (await as(admin)).get(`/admin/classes/${theirs}/progress`)).statusCode).toBe(200);
    });

    it('a teacher or pupil who moves to another school no longer reaches the old school’s class', async () => {
      const id = await makeClass(teacher1, '10M');
      expect((await addByEmail(teacher1, id, ada.email)).statusCode).toBe(303);
      expect((await (await as(teacher1)).get(`/admin/classes/${id}`)).statusCode).toBe(200);
      expect((await (await as(ada)).get(`/leaderboard/class/${id}`)).statusCode).toBe(200);
      const move = (u: TestUser, school: number) =>
        t.db.updateTable('users').set({ school_id: school }).where('id', '=', u.id).execute();
      try {
        await move(teacher1, schoolB);
        await move(ada, schoolB);
        for (const path of [
          `/admin/classes/${id}`,
          `/admin/classes/${id}/progress`,
          `/admin/classes/${id}/progress.csv`,
        ])
          expect((await (await as(teacher1)).get(path)).statusCode, path).toBe(403);
        expect((await (await as(teacher1)).get('/admin/classes')).body).not.toContain('10M');
        expect((await (await as(ada)).get(`/leaderboard/class/${id}`)).statusCode).toBe(403);
        expect((await (await as(ada)).get('/leaderboard/class')).body).not.toContain('10M');
      } finally {
        await move(teacher1, schoolA);
        await move(ada, schoolA);
      }
    });

    it('pupils and visitors are kept out of the class pages', async () => {
      const id = await makeClass(teacher1, '10A');
      await addByEmail(teacher1, id, ada.email);
      const pupil = await as(ada);
      for (const url of [
        '/admin/classes',
        '/admin/classes/new',
        `/admin/classes/${id}`,
        `/admin/classes/${id}/progress`,
      ]) {
        const res = await pupil.get(url);
        expect(res.statusCode, url).toBe(403);
      }
      expect((await pupil.post(`/admin/classes/${id}/delete`)).statusCode).toBe(403);
      expect((await pupil.post('/admin/classes/new', { name: 'Mine' })).statusCode).toBe(403);
      expect(await count('classes')).toBe(1);
      const anon = await t.client().get(`/admin/classes/${id}`);
      expect(anon.statusCode).toBe(302);
      expect(String(anon.headers.location)).toMatch(/^\/login\?next=/);
    });
  });

  describe('class leaderboard', () => {
    /** Rows of the board as shown: [rank, name, points]. */
    const boardRows = (body: string) =>
      [
        ...body.matchAll(
          /<tr(?: class="board-me")?><td class="board-rank">([^<]+)<\/td><td>([^<]+)(?:<span[^>]*>[^<]*<\/span>)?<\/td><td>(-?\d+)<\/td>/g,
        ),
      ].map((m) => [decode(m[1]!), decode(m[2]!), Number(m[3])]);

    async function seedBoard(): Promise<{ id: number; other: number }> {
      const id = await makeClass(teacher1, '10A');
      await addByEmail(teacher1, id, [ada, ben, cat, dan, leaver, waiting].map((u) => u.email).join(','));
      const other = await makeClass(teacher2, '9C');
      await addByEmail(teacher2, other, ben.email);
      const now = new Date().toISOString();
      await addToBoard(t.db, { userId: ada.id, keyStage: 'KS4', points: 4, completed: 2, now });
      await addToBoard(t.db, { userId: ben.id, keyStage: 'KS4', points: 7, completed: 3, now });
      // Points on two boards (a pupil who changed key stage) count together.
      await addToBoard(t.db, { userId: dan.id, keyStage: 'KS3', points: 3, completed: 1, now });
      await addToBoard(t.db, { userId: dan.id, keyStage: 'KS4', points: 1, completed: 1, now });
      await addToBoard(t.db, { userId: leaver.id, keyStage: 'KS4', points: 20, completed: 9, now });
      await addToBoard(t.db, { userId: waiting.id, keyStage: 'KS4', points: 30, completed: 9, now });
      // Someone outside the class with points is not on it.
      await addToBoard(t.db, { userId: outsider.id, keyStage: 'KS4', points: 50, completed: 9, now });
      await t.db.updateTable('users').set({ archived_at: now }).where('id', '=', leaver.id).execute();
      return { id, other };
    }

    it('ranks the class’s pupils by points, ties shared, pupils without points last; leavers and unconfirmed accounts left out', async () => {
      const { id } = await seedBoard();
      const res = await (await as(ada)).get(`/leaderboard/class/${id}`);
      expect(res.statusCode).toBe(200);
      expect(boardRows(res.body)).toEqual([
        ['1', 'Ben B.', 7],
        ['2', 'Ada L.', 4],
        ['2', 'Dan D.', 4],
        ['–', 'Cat C.', 0],
      ]);
      expect(res.body).not.toContain('Lovelace');
      expect(res.body).toContain('<tr class="board-me">');
      // The teacher's class page shows the same board with full names.
      const page = await (await as(teacher1)).get(`/admin/classes/${id}`);
      expect(boardRows(page.body)).toEqual([
        ['1', 'Ben Babbage', 7],
        ['2', 'Ada Lovelace', 4],
        ['2', 'Dan Dedekind', 4],
        ['–', 'Cat Cantor', 0],
      ]);
      expect(page.body).not.toContain('Lee Leaver');
    });

    it('a pupil sees the board of each of their classes, and no other class’s', async () => {
      const { id, other } = await seedBoard();
      const ben_ = await as(ben);
      const mine = await ben_.get('/leaderboard/class');
      expect(mine.statusCode).toBe(200);
      expect(mine.body).toContain('>10A</h2>');
      expect(mine.body).toContain('>9C</h2>');
      expect((await ben_.get(`/leaderboard/class/${other}`)).statusCode).toBe(200);

      const ada_ = await as(ada);
      const adaBoards = (await ada_.get('/leaderboard/class')).body;
      expect(adaBoards).toContain('>10A</h2>');
      expect(adaBoards).not.toContain('>9C</h2>');
      const refused = await ada_.get(`/leaderboard/class/${other}`);
      expect(refused.statusCode).toBe(403);
      expect(refused.body).not.toContain('Ben B.');
      expect((await ada_.get('/leaderboard/class/999999')).statusCode).toBe(404);
      expect((await ada_.get('/leaderboard/class/abc')).statusCode).toBe(404);
      // A pupil of another school, and a teacher who does not teach the class, are refused too.
      expect((await (await as(outsider)).get(`/leaderboard/class/${id}`)).statusCode).toBe(403);
      expect((await (await as(teacher2)).get(`/leaderboard/class/${id}`)).statusCode).toBe(403);
      expect((await (await as(teacher1)).get(`/leaderboard/class/${id}`)).statusCode).toBe(200);
      expect((await (await as(admin)).get(`/leaderboard/class/${other}`)).statusCode).toBe(200);
      // The key-stage board points signed-in pupils to theirs.
      expect((await ada_.get('/leaderboard')).body).toContain('<a href="/leaderboard/class">Your class boards</a>');
      // A pupil in no class is told so; a visitor must sign in.
      expect((await (await as(outsider)).get('/leaderboard/class')).body).toContain('You are in no class yet.');
      expect((await t.client().get('/leaderboard/class')).statusCode).toBe(302);
    });
  });

  describe('class progress', () => {
    async function answer(u: TestUser, challengeId: number, boxId: number, value: string) {
      const res = await (await as(u)).post(`/challenges/${challengeId}/boxes/${boxId}/answer`, { answer: value });
      expect(res.statusCode).toBe(303);
    }
    const cells = (body: string) =>
      [...body.matchAll(/<tr><th scope="row">([^<]+)<\/th>([\s\S]*?)<\/tr>/g)].map((m) => [
        decode(m[1]!),
        [...m[2]!.matchAll(/<td data-state="([a-z-]+)">([\s\S]*?)<\/td>/g)].map(
          (c) => `${c[1]}${c[1] === 'tried' ? ` ${/(\d+ tr(?:y|ies))/.exec(c[2]!)?.[1]}` : ''}`,
        ),
      ]);

    it('shows completed (with when), tried and not solved (with tries) and not tried, from real answers', async () => {
      const id = await makeClass(teacher1, '10A');
      await addByEmail(teacher1, id, [ada, ben, cat].map((u) => u.email).join(','));
      const old = await seedChallenge(t, { title: 'Old one', releaseAt: hoursFromNow(-24 * 7 * 10) });
      const first = await seedChallenge(t, { title: 'Fractions', releaseAt: hoursFromNow(-24 * 8) });
      const second = await seedChallenge(t, { title: 'More fractions', releaseAt: hoursFromNow(-2) });
      const ks3 = await seedChallenge(t, { title: 'KS3 one', keyStage: 'KS3', releaseAt: hoursFromNow(-3) });
      await seedChallenge(t, { title: 'Not yet', releaseAt: hoursFromNow(24) });

      await answer(ada, first.id, first.boxIds[0]!, '1/2');
      await answer(ada, first.id, first.boxIds[0]!, '3/4');
      await answer(ben, first.id, first.boxIds[0]!, '1/2');
      await answer(ben, first.id, first.boxIds[0]!, '2/3');
      await answer(ben, second.id, second.boxIds[0]!, '3/4');
      await answer(ada, old.id, old.boxIds[0]!, '3/4');
      // An admin's try is no pupil's.
      await answer(admin, second.id, second.boxIds[0]!, '1/2');

      const page = await (await as(teacher1)).get(`/admin/classes/${id}/progress?ks=KS4`);
      expect(page.statusCode).toBe(200);
      const titles = [...page.body.matchAll(/<a href="\/challenges\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);
      expect(titles).toEqual(['Fractions', 'More fractions']);
      expect(cells(page.body)).toEqual([
        ['Ben Babbage', ['tried 2 tries', 'completed']],
        ['Cat Cantor', ['not-tried', 'not-tried']],
        ['Ada Lovelace', ['completed', 'not-tried']],
      ]);
      expect(page.body).toContain('1 of 3 completed');
      const completedAt = (
        await t.db
          .selectFrom('completions')
          .select('completed_at')
          .where('user_id', '=', ada.id)
          .where('challenge_id', '=', first.id)
          .executeTakeFirstOrThrow()
      ).completed_at;
      expect(page.body).toContain(`<time datetime="${completedAt}">`);

      // All key stages, and a longer window, bring in the KS3 challenge and the old one.
      const all = await (await as(teacher1)).get(`/admin/classes/${id}/progress?weeks=12`);
      expect([...all.body.matchAll(/<a href="\/challenges\/(\d+)">/g)].map((m) => Number(m[1]))).toEqual([
        old.id,
        first.id,
        ks3.id,
        second.id,
      ]);
      // A malformed filter is the default (6 weeks, every key stage).
      const odd = await (await as(teacher1)).get(`/admin/classes/${id}/progress?weeks=abc&ks=KS9`);
      expect(odd.statusCode).toBe(200);
      expect(odd.body).toContain('value="6"');

      const csv = await (await as(teacher1)).get(`/admin/classes/${id}/progress.csv?ks=KS4`);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(String(csv.headers['content-disposition'])).toMatch(/^attachment; filename="class-10A-progress-/);
      const [header, ...rows] = parse(csv.body.replace(/^\uFEFF/, ''));
      expect(header!.slice(0, 4)).toEqual(['First name', 'Last name', 'Email', 'Year']);
      expect(header!.slice(4, 6)).toEqual([
        expect.stringMatching(/^Fractions \(KS4, .+\)$/),
        expect.stringMatching(/^More fractions \(KS4, .+\)$/),
      ]);
      expect(header![6]).toBe('Completed');
      expect(rows).toEqual([
        ['Ben', 'Babbage', ben.email, '10', 'Not solved, 2 tries', expect.stringMatching(/^Completed /), '1'],
        ['Cat', 'Cantor', cat.email, '10', 'Not tried', 'Not tried', '0'],
        ['Ada', 'Lovelace', ada.email, '10', expect.stringMatching(/^Completed /), 'Not tried', '1'],
      ]);
    });

    it('leaves out pupils who have left the school', async () => {
      const id = await makeClass(teacher1, '10A');
      await addByEmail(teacher1, id, [ada.email, leaver.email].join(','));
      await seedChallenge(t, { title: 'Fractions', releaseAt: hoursFromNow(-2) });
      await t.db
        .updateTable('users')
        .set({ archived_at: new Date().toISOString() })
        .where('id', '=', leaver.id)
        .execute();
      const page = await (await as(teacher1)).get(`/admin/classes/${id}/progress`);
      expect(cells(page.body).map((r) => r[0])).toEqual(['Ada Lovelace']);
    });
  });
});
