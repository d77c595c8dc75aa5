// The tools for writing and reusing challenges, through the real admin pages:
// topic tags (normalised, bounded, clear messages), "Add another answer"
// without JavaScript, "Use as a template", the question bank filters, and the
// printable challenge, answer sheet and week's set.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChallenge } from '../../../src/domain/challenges/challenges.js';
import { answerOptionsSchema } from '../../../src/math/index.js';
import { availableDialects } from '../../helpers/db.js';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { ADMIN_ACTOR, decode, flashes, hoursFromNow, multipartBody, seedChallenge, type Part } from './fixtures.js';
import { tinyPng } from './images.js';

function form(fields: Record<string, string> = {}): Record<string, string> {
  return {
    title: 'Area of a triangle',
    content_html: '<p>The area is <span class="math-inline" data-latex="\\frac{1}{2}bh">\\frac{1}{2}bh</span>.</p>',
    key_stage: 'KS3',
    release_at: '',
    lock_after_hours: '',
    attempts_per_box: '3',
    'box-0-label': 'Area',
    'box-0-answer': '12',
    'box-0-kind': 'auto',
    'box-0-order': 'unordered',
    'box-0-tolerance': '',
    ...fields,
  };
}

/** The answer-box fieldsets of a challenge form (the template copy excluded). */
function boxCount(body: string): number {
  const list = body.slice(body.indexOf('data-box-list'), body.indexOf('<template id="box-template">'));
  return (list.match(/<li class="box-item"/g) ?? []).length;
}

async function tagsOf(t: TestApp, challengeId: number): Promise<string[]> {
  const rows = await t.db
    .selectFrom('challenge_tags')
    .innerJoin('tags', 'tags.id', 'challenge_tags.tag_id')
    .select('tags.name')
    .where('challenge_tags.challenge_id', '=', challengeId)
    .orderBy('tags.name')
    .execute();
  return rows.map((r) => r.name);
}

describe.each(await availableDialects())('challenge writing tools on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let student: TestClient;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
    student = t.client();
    await student.loginAs(await t.createUser());
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    for (const table of ['submissions', 'completions', 'scores', 'challenges', 'tags', 'uploads', 'audit_log'] as const)
      await t.db.deleteFrom(table).execute();
  });

  describe('topic tags', () => {
    it('are saved normalised (lower case, single spaces, no repeats) and shown again for editing', async () => {
      const res = await admin.post(
        '/admin/challenges/new',
        form({ tags: ' Fractions,  Area  of SHAPES , fractions,,' }),
      );
      expect(res.statusCode).toBe(303);
      const c = await t.db.selectFrom('challenges').select('id').executeTakeFirstOrThrow();
      expect(await tagsOf(t, c.id)).toEqual(['area of shapes', 'fractions']);
      const edit = decode((await admin.get(`/admin/challenges/${c.id}/edit`)).body);
      expect(edit).toContain('value="area of shapes, fractions"');

      // Editing replaces the set; a tag shared with another challenge stays one row.
      const other = await seedChallenge(t, { title: 'Other' });
      await admin.post(`/admin/challenges/${other.id}/edit`, form({ title: 'Other', tags: 'fractions' }));
      const edited = await admin.post(
        `/admin/challenges/${c.id}/edit`,
        form({
          'box-0-id': String(
            (
              await t.db
                .selectFrom('answer_boxes')
                .select('id')
                .where('challenge_id', '=', c.id)
                .executeTakeFirstOrThrow()
            ).id,
          ),
          tags: 'Algebra, fractions',
        }),
      );
      expect(edited.statusCode).toBe(303);
      expect(await tagsOf(t, c.id)).toEqual(['algebra', 'fractions']);
      expect(await tagsOf(t, other.id)).toEqual(['fractions']);
      expect((await t.db.selectFrom('tags').select('name').where('name', '=', 'fractions').execute()).length).toBe(1);
    });

    it('refuse too many, too long or odd tags with a message beside the field and save nothing', async () => {
      const cases: Array<[string, string]> = [
        ['a, b, c, d, e, f, g, h, i', 'Use at most 8 tags (you gave 9).'],
        [`${'x'.repeat(31)}`, `Each tag must be at most 30 characters: «${'x'.repeat(31)}» is too long.`],
        [
          'fractions, <b>bold</b>',
          'Tags may use letters, numbers, spaces, hyphens and apostrophes only: «<b>bold</b>» cannot be used.',
        ],
        ['x,'.repeat(200), 'Use at most 8 tags.'],
      ];
      for (const [tags, message] of cases) {
        const res = await admin.post('/admin/challenges/new', form({ tags }));
        expect(res.statusCode, tags).toBe(400);
        const body = decode(res.body);
        expect(body).toContain(message);
        expect(res.body).toContain('aria-invalid="true" aria-describedby="tags-hint tags-error"');
        expect(res.body).not.toContain('<b>bold</b>'); // escaped where it is shown
      }
      expect(await t.db.selectFrom('challenges').selectAll().execute()).toEqual([]);
      expect(await t.db.selectFrom('tags').selectAll().execute()).toEqual([]);
    });
  });

  describe('answer boxes', () => {
    it('the edit page shows only the saved boxes; "Add another answer" without JavaScript adds one box and saves nothing', async () => {
      const { id, boxIds } = await seedChallenge(t, {
        title: 'Two boxes',
        boxes: [
          { label: 'a', answer: '1' },
          { label: 'b', answer: '2' },
        ],
      });
      const page = decode((await admin.get(`/admin/challenges/${id}/edit`)).body);
      expect(boxCount(page)).toBe(2);
      expect(page).toMatch(
        /<button type="submit" name="add_box" value="1" formnovalidate [^>]*>Add another answer<\/button>/,
      );

      const fields = form({
        title: 'Changed but not saved',
        'box-0-id': String(boxIds[0]),
        'box-0-label': 'a',
        'box-0-answer': '1',
        'box-1-id': String(boxIds[1]),
        'box-1-label': 'b',
        'box-1-answer': '2',
        add_box: '1',
      });
      const res = await admin.post(`/admin/challenges/${id}/edit`, fields);
      expect(res.statusCode).toBe(200);
      const body = decode(res.body);
      expect(boxCount(body)).toBe(3);
      expect(body).toContain('value="Changed but not saved"'); // what was typed is kept
      expect(body).toContain('name="box-2-answer"');
      const c = await t.db.selectFrom('challenges').select('title').where('id', '=', id).executeTakeFirstOrThrow();
      expect(c.title).toBe('Two boxes');
      expect(await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'challenge.update').execute()).toEqual(
        [],
      );

      // Saving with the extra box left empty keeps two boxes.
      const { add_box: _unused, ...save } = fields;
      expect((await admin.post(`/admin/challenges/${id}/edit`, { ...save, 'box-2-answer': '' })).statusCode).toBe(303);
      expect(await t.db.selectFrom('answer_boxes').select('id').where('challenge_id', '=', id).execute()).toHaveLength(
        2,
      );
    });

    it('the new form starts with one box, grows by request, and stops at ten', async () => {
      expect(boxCount((await admin.get('/admin/challenges/new')).body)).toBe(1);
      const grown = await admin.post('/admin/challenges/new', form({ add_box: '1' }));
      expect(grown.statusCode).toBe(200);
      expect(boxCount(grown.body)).toBe(2);
      const ten: Record<string, string> = {};
      for (let i = 0; i < 10; i++) ten[`box-${i}-answer`] = String(i + 1);
      const full = await admin.post('/admin/challenges/new', form({ ...ten, add_box: '1' }));
      expect(full.statusCode).toBe(400);
      expect(decode(full.body)).toContain('A challenge can have at most 10 answer boxes.');
      expect(boxCount(full.body)).toBe(10);
      expect(await t.db.selectFrom('challenges').selectAll().execute()).toEqual([]);
    });
  });

  describe('image on the new-challenge form', () => {
    /** Posts the new-challenge form as the browser does (multipart, CSRF token first). */
    async function create(fields: Record<string, string>, image?: Part) {
      const boundary = 'newchallenge42';
      const parts: Part[] = [
        { name: '_csrf', value: await admin.csrfToken() },
        ...Object.entries(fields).map(([name, value]) => ({ name, value })),
        ...(image ? [image] : []),
      ];
      const res = await t.app.inject({
        method: 'POST',
        url: '/admin/challenges/new',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        },
        payload: multipartBody(boundary, parts),
      });
      for (const c of res.cookies as Array<{ name: string; value: string }>) admin.cookies.set(c.name, c.value);
      return res;
    }

    it('saves the image with the first save, checked as uploads are, and serves it', async () => {
      const page = (await admin.get('/admin/challenges/new')).body;
      expect(page).toContain('enctype="multipart/form-data"');
      expect(page).toContain('id="image" name="image" type="file"');

      const res = await create(form({ title: 'With a picture' }), {
        name: 'image',
        filename: 'triangle.png',
        type: 'image/png',
        data: tinyPng(),
      });
      expect(res.statusCode).toBe(303);
      const c = await t.db.selectFrom('challenges').selectAll().executeTakeFirstOrThrow();
      expect(c.image_upload_id).not.toBeNull();
      expect(flashes((await admin.get(res.headers.location as string)).body)).toEqual([
        'success: Challenge «With a picture» created with its image.',
      ]);
      const img = await admin.get(`/challenges/${c.id}/image`);
      expect(img.statusCode).toBe(200);
      expect(img.headers['content-type']).toBe('image/png');
    });

    it('refuses a file that is not an image, or the form with a mistake, and saves neither', async () => {
      const fake = await create(form({ title: 'Fake' }), {
        name: 'image',
        filename: 'evil.png',
        type: 'image/png',
        data: Buffer.from('<html><script>alert(1)</script></html>'),
      });
      expect(fake.statusCode).toBe(400);
      expect(decode(fake.body)).toMatch(/id="image-error">[^<]*(PNG|image)/);
      expect(fake.body).toContain('value="Fake"');

      const mistake = await create(form({ title: '' }), {
        name: 'image',
        filename: 'ok.png',
        type: 'image/png',
        data: tinyPng(),
      });
      expect(mistake.statusCode).toBe(400);
      const body = decode(mistake.body);
      expect(body).toContain('Enter a title.');
      expect(body).toContain('Choose the image again: the form does not keep a file.');
      expect(await t.db.selectFrom('challenges').selectAll().execute()).toEqual([]);
      expect(await t.db.selectFrom('uploads').selectAll().execute()).toEqual([]);
    });

    it('takes ten boxes with every field in one multipart form', async () => {
      const ten: Record<string, string> = {};
      for (let i = 0; i < 10; i++)
        Object.assign(ten, {
          [`box-${i}-label`]: `Box ${i}`,
          [`box-${i}-answer`]: String(i + 1),
          [`box-${i}-kind`]: 'number',
          [`box-${i}-order`]: 'unordered',
          [`box-${i}-tolerance`]: '',
          [`box-${i}-form-simplified`]: 'on',
          [`box-${i}-form-exact`]: 'on',
          [`box-${i}-wrong_form_costs_attempt`]: 'on',
        });
      const res = await create(form({ title: 'Ten boxes', tags: 'number', ...ten }), {
        name: 'image',
        filename: 'ok.png',
        type: 'image/png',
        data: tinyPng(),
      });
      expect(res.statusCode).toBe(303);
      expect(await t.db.selectFrom('answer_boxes').select('id').execute()).toHaveLength(10);
    });
  });

  describe('use as a template', () => {
    it('fills a new, unsaved form from a past challenge: "Copy of", text, boxes, forms and tags, no release time or tries', async () => {
      const src = await seedChallenge(t, {
        title: 'Halves',
        releaseAt: hoursFromNow(-200),
        boxes: [
          { label: 'Half of 8', answer: '4' },
          { label: 'As a fraction', answer: '\\frac{1}{2}', options: { form: ['simplified', 'fraction'] } },
        ],
      });
      await admin.post(`/admin/challenges/${src.id}/edit`, {
        ...form({
          title: 'Halves',
          key_stage: 'KS4',
          lock_after_hours: '48',
          attempts_per_box: '4',
          tags: 'fractions',
        }),
        'box-0-id': String(src.boxIds[0]),
        'box-0-label': 'Half of 8',
        'box-0-answer': '4',
        'box-1-id': String(src.boxIds[1]),
        'box-1-label': 'As a fraction',
        'box-1-answer': '\\frac{1}{2}',
        'box-1-form-fraction': 'on',
        'box-1-form-simplified': 'on',
        'box-1-wrong_form_costs_attempt': 'on',
      });
      await student.post(`/challenges/${src.id}/boxes/${src.boxIds[0]}/answer`, { answer: '4' });
      const before = await t.db.selectFrom('challenges').select('id').execute();

      const res = await admin.get(`/admin/challenges/new?from=${src.id}`);
      expect(res.statusCode).toBe(200);
      const body = decode(res.body);
      expect(body).toContain('A copy of «Halves»');
      expect(body).toContain('value="Copy of Halves"');
      expect(body).toContain('action="/admin/challenges/new"');
      expect(body).toMatch(/id="release_at" name="release_at" type="datetime-local" value /);
      expect(body).toContain('value="48"');
      expect(body).toContain('value="4"');
      expect(body).toContain('value="fractions"');
      expect(body).toContain('data-latex="\\frac{1}{2}bh"');
      expect(body).toContain('value="Half of 8"');
      expect(body).toContain('value="\\frac{1}{2}"');
      expect(body).toMatch(/name="box-1-form-fraction" checked/);
      expect(body).toMatch(/name="box-1-wrong_form_costs_attempt"[^>]*checked/);
      expect(body).not.toMatch(/name="box-\d+-id"/); // new boxes, not the old ones
      expect(body).not.toContain('tries recorded');
      // Reading the template saved nothing.
      expect(await t.db.selectFrom('challenges').select('id').execute()).toEqual(before);

      // Creating it makes an independent challenge with no tries.
      const created = await admin.post(
        '/admin/challenges/new',
        form({
          title: 'Copy of Halves',
          key_stage: 'KS4',
          release_at: '2099-01-05T08:00',
          tags: 'fractions',
          'box-0-label': 'Half of 8',
          'box-0-answer': '4',
        }),
      );
      expect(created.statusCode).toBe(303);
      const copy = await t.db
        .selectFrom('challenges')
        .selectAll()
        .where('title', '=', 'Copy of Halves')
        .executeTakeFirstOrThrow();
      expect(await t.db.selectFrom('submissions').selectAll().where('challenge_id', '=', copy.id).execute()).toEqual(
        [],
      );
      expect(await tagsOf(t, copy.id)).toEqual(['fractions']);
    });

    it('answers 404 for a missing challenge or a competition challenge, and needs an admin', async () => {
      expect((await admin.get('/admin/challenges/new?from=999999')).statusCode).toBe(404);
      expect((await admin.get('/admin/challenges/new?from=abc')).statusCode).toBe(404);
      const comp = await t.db
        .insertInto('competitions')
        .values({
          name: 'Cup',
          about_html: '',
          starts_at: hoursFromNow(-5),
          ends_at: hoursFromNow(50),
          created_at: hoursFromNow(-10),
          updated_at: hoursFromNow(-10),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const cc = await createChallenge(
        t.db,
        {
          title: 'Cup question',
          contentHtml: '<p>x</p>',
          keyStage: 'KS4',
          releaseAt: hoursFromNow(-1),
          lockAfterHours: null,
          attemptsPerBox: 3,
          boxes: [{ id: null, label: '', correctAnswer: '1', options: answerOptionsSchema.parse({}) }],
        },
        ADMIN_ACTOR,
        { competitionId: comp.id, durationHours: 24 },
      );
      expect((await admin.get(`/admin/challenges/new?from=${cc}`)).statusCode).toBe(404);
      const past = await seedChallenge(t, { title: 'Secret past' });
      const res = await student.get(`/admin/challenges/new?from=${past.id}`);
      expect(res.statusCode).toBe(403);
      expect(res.body).not.toContain('Secret past');
      await t.db.deleteFrom('competitions').execute();
    });
  });

  describe('question bank', () => {
    it('lists released weekly challenges, filtered by key stage and topic', async () => {
      const a = await seedChallenge(t, { title: 'KS3 fractions', keyStage: 'KS3', releaseAt: hoursFromNow(-300) });
      const b = await seedChallenge(t, { title: 'KS4 fractions', keyStage: 'KS4', releaseAt: hoursFromNow(-200) });
      const c = await seedChallenge(t, { title: 'KS4 algebra', keyStage: 'KS4', releaseAt: hoursFromNow(-100) });
      await seedChallenge(t, { title: 'Not yet out', keyStage: 'KS4', releaseAt: hoursFromNow(100) });
      for (const [id, title, ks, tags] of [
        [a.id, 'KS3 fractions', 'KS3', 'Fractions'],
        [b.id, 'KS4 fractions', 'KS4', 'fractions, ratio'],
        [c.id, 'KS4 algebra', 'KS4', 'algebra'],
      ] as const) {
        const boxId = (
          await t.db.selectFrom('answer_boxes').select('id').where('challenge_id', '=', id).executeTakeFirstOrThrow()
        ).id;
        const r = await admin.post(`/admin/challenges/${id}/edit`, {
          ...form({ title, key_stage: ks, tags, release_at: '' }),
          'box-0-id': String(boxId),
        });
        expect(r.statusCode).toBe(303);
      }
      // Saving with a blank release time released them now: put them back in the past.
      await t.db
        .updateTable('challenges')
        .set({ release_at: hoursFromNow(-50) })
        .where('title', '!=', 'Not yet out')
        .execute();

      const titles = (body: string) =>
        [...decode(body).matchAll(/<tr data-challenge-id="\d+"><td><a [^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);
      const all = await admin.get('/admin/challenges/bank');
      expect(all.statusCode).toBe(200);
      expect(titles(all.body).sort()).toEqual(['KS3 fractions', 'KS4 algebra', 'KS4 fractions']);
      expect(decode(all.body)).toContain('fractions (2)');
      expect(titles((await admin.get('/admin/challenges/bank?key_stage=KS4')).body).sort()).toEqual([
        'KS4 algebra',
        'KS4 fractions',
      ]);
      expect(titles((await admin.get('/admin/challenges/bank?tag=FRACTIONS')).body).sort()).toEqual([
        'KS3 fractions',
        'KS4 fractions',
      ]);
      const both = decode((await admin.get('/admin/challenges/bank?key_stage=KS4&tag=fractions')).body);
      expect(titles(both)).toEqual(['KS4 fractions']);
      expect(both).toContain('1 challenge for KS4 tagged «fractions».');
      expect(both).toContain(`href="/admin/challenges/new?from=${b.id}"`);
      expect(titles((await admin.get('/admin/challenges/bank?tag=geometry')).body)).toEqual([]);

      const bad = await admin.get('/admin/challenges/bank?key_stage=KS9');
      expect(bad.statusCode).toBe(400);
      expect(decode(bad.body)).toContain('Choose a key stage (KS3, KS4, KS5).');
      expect((await student.get('/admin/challenges/bank')).statusCode).toBe(403);
    });
  });

  describe('printable pages', () => {
    it('print a challenge with its maths typeset and no site navigation or answers', async () => {
      const { id } = await seedChallenge(t, {
        title: 'Print me',
        content: '<p>Find <span class="math-inline" data-latex="\\frac{1}{2}bh">\\frac{1}{2}bh</span>.</p>',
        boxes: [{ label: 'Area', answer: '\\frac{7}{3}' }],
      });
      const res = await admin.get(`/admin/challenges/${id}/print`);
      expect(res.statusCode).toBe(200);
      const body = res.body;
      expect(body).toContain('<h1>Print me</h1>');
      expect(body).toContain('<math');
      expect(body).not.toContain('$');
      expect(body).not.toContain('site-header');
      expect(body).not.toContain('admin-nav');
      expect(body).toMatch(/href="\/assets\/print-[^"]+\.css"/);
      expect(body).toContain('Area:');
      expect(body).not.toContain('frac{7}{3}');

      // Open challenge: the answer sheet refuses to show answers.
      const early = decode((await admin.get(`/admin/challenges/${id}/print?answers=1`)).body);
      expect(early).toContain('Answers are not shown: this challenge is still open.');
      expect(early).not.toContain('frac{7}{3}');

      // Locked: the answer sheet shows them, typeset.
      await admin.post(`/admin/challenges/${id}/lock`, {});
      const sheet = (await admin.get(`/admin/challenges/${id}/print?answers=1`)).body;
      expect(sheet).toContain('Answer sheet');
      expect(sheet).toMatch(/class="print-answer"><span class="answer-math"><span class="katex"><math/);
      expect(sheet).toContain('frac{7}{3}');

      expect((await admin.get(`/admin/challenges/${id}/print?answers=yes`)).statusCode).toBe(400);
      expect((await admin.get('/admin/challenges/999999/print')).statusCode).toBe(404);
      const s = await student.get(`/admin/challenges/${id}/print?answers=1`);
      expect(s.statusCode).toBe(403);
      expect(s.body).not.toContain('frac{7}{3}');
    });

    it("print a week's set: every weekly challenge released that school week, answers only for locked ones", async () => {
      // Monday 2 March 2026 to Sunday 8 March (GMT).
      await seedChallenge(t, {
        title: 'Week KS3',
        keyStage: 'KS3',
        releaseAt: '2026-03-02T08:00:00.000Z',
        boxes: [{ answer: '31' }],
      });
      const locked = await seedChallenge(t, {
        title: 'Week KS4',
        keyStage: 'KS4',
        releaseAt: '2026-03-08T23:00:00.000Z',
        boxes: [{ answer: '42' }],
      });
      await t.db.updateTable('challenges').set({ is_locked: 1 }).where('id', '=', locked.id).execute();
      await seedChallenge(t, { title: 'Week before', releaseAt: '2026-03-01T23:59:00.000Z' });
      await seedChallenge(t, { title: 'Week after', releaseAt: '2026-03-09T00:00:00.000Z' });

      const page = decode((await admin.get('/admin/challenges/print/week?week=2026-03-04')).body);
      expect(page).toContain('Challenges for the week of 2 March 2026');
      expect(page).toContain('Week KS3');
      expect(page).toContain('Week KS4');
      expect(page).not.toContain('Week before');
      expect(page).not.toContain('Week after');
      expect(page).not.toContain('print-answer');

      const answers = decode((await admin.get('/admin/challenges/print/week?week=2026-03-02&answers=1')).body);
      expect(answers).toContain('Answers: challenges for the week of 2 March 2026');
      expect((answers.match(/class="print-answer"/g) ?? []).length).toBe(1); // the locked one only
      expect(answers).toContain('Answers are not shown: this challenge is still open.');

      expect((await admin.get('/admin/challenges/print/week')).statusCode).toBe(200);
      const bad = await admin.get('/admin/challenges/print/week?week=next');
      expect(bad.statusCode).toBe(400);
      expect(decode(bad.body)).toContain('Write the week as a date, e.g. week=2026-03-02.');
      expect((await student.get('/admin/challenges/print/week')).statusCode).toBe(403);
    });
  });

  it('the list and the edit page link to the bank, the prints and the template', async () => {
    const { id } = await seedChallenge(t, { title: 'Linked' });
    const list = (await admin.get('/admin/challenges')).body;
    for (const href of [
      '/admin/challenges/bank',
      '/admin/challenges/print/week',
      `/admin/challenges/${id}/print`,
      `/admin/challenges/new?from=${id}`,
    ])
      expect(list).toContain(`href="${href}"`);
    const edit = (await admin.get(`/admin/challenges/${id}/edit`)).body;
    expect(edit).toContain(`href="/admin/challenges/${id}/print?answers=1"`);
    expect(flashes(edit)).toEqual([]);
  });
});
