// Admin challenge management through the real forms: lists, create with
// answer boxes, validation messages, edit, lock/unlock, image upload, delete,
// audit entries, and CSRF on every change.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { availableDialects } from '../../helpers/db.js';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { decode, flashes, hoursFromNow, multipartBody, seedChallenge } from './fixtures.js';
import { tinyPng } from './images.js';

function form(fields: Record<string, string> = {}): Record<string, string> {
  return {
    title: 'Area of a circle',
    content_html:
      '<p>A circle has radius <span class="math-inline" data-latex="r=2">r=2</span>.</p><script>alert(1)</script>',
    key_stage: 'KS4',
    release_at: '',
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

describe.each(await availableDialects())('admin challenge management on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let adminId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const a = await t.createUser({ isAdmin: true });
    adminId = a.id;
    admin = t.client();
    await admin.loginAs(a);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    for (const table of ['submissions', 'completions', 'scores', 'challenges', 'uploads', 'audit_log'] as const)
      await t.db.deleteFrom(table).execute();
  });

  async function upload(id: number, file: Buffer, filename: string, token?: string) {
    const boundary = 'testboundary42';
    const csrf = token ?? (await admin.csrfToken());
    const res = await t.app.inject({
      method: 'POST',
      url: `/admin/challenges/${id}/image`,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
      payload: multipartBody(boundary, [
        { name: '_csrf', value: csrf },
        { name: 'image', filename, type: 'image/png', data: file },
      ]),
    });
    // Keep the flash cookie, as the browser would.
    for (const c of res.cookies as Array<{ name: string; value: string }>) admin.cookies.set(c.name, c.value);
    return res;
  }

  it('lists scheduled and released challenges with their lock state', async () => {
    await seedChallenge(t, { title: 'Next week', releaseAt: hoursFromNow(100) });
    const locked = await seedChallenge(t, { title: 'Locked one', releaseAt: hoursFromNow(-10) });
    await t.db.updateTable('challenges').set({ is_locked: 1 }).where('id', '=', locked.id).execute();
    await seedChallenge(t, { title: 'Timed out', releaseAt: hoursFromNow(-10), lockAfterHours: 2 });
    await seedChallenge(t, { title: 'Open one', releaseAt: hoursFromNow(-1), lockAfterHours: 48 });
    const body = (await admin.get('/admin/challenges')).body;
    const scheduled = body.slice(body.indexOf('Scheduled (1)'), body.indexOf('Released (3)'));
    expect(scheduled).toContain('Next week');
    const released = body.slice(body.indexOf('Released (3)'));
    const row = (title: string) =>
      released.slice(released.indexOf(title), released.indexOf('</tr>', released.indexOf(title)));
    expect(row('Locked one')).toContain('<span class="badge badge-locked">Locked</span>');
    expect(row('Locked one')).toContain('>Unlock</button>');
    expect(row('Timed out')).toContain('Locked (timed)');
    expect(row('Open one')).toContain('badge-ok">Open');
    expect(row('Open one')).toMatch(/<td><time[^>]*>[^<]+<\/time><\/td><td>48 h: <time/); // release time, auto-lock hours and time
    expect(row('Locked one')).toContain('<td>—</td>'); // no auto-lock
  });

  it('creates a challenge: sanitised content, release now by default, boxes with engine options, audited', async () => {
    const before = new Date().toISOString();
    const res = await admin.post(
      '/admin/challenges/new',
      form({
        'box-1-label': 'Roots',
        'box-1-answer': 'x=2, x=-3',
        'box-1-kind': 'list',
        'box-1-order': 'unordered',
        'box-2-label': 'Estimate',
        'box-2-answer': '3.14',
        'box-2-kind': 'number',
        'box-2-tolerance': '2 dp',
        'box-2-simplified': 'on',
      }),
    );
    expect(res.statusCode).toBe(303);
    const c = await t.db.selectFrom('challenges').selectAll().executeTakeFirstOrThrow();
    expect(res.headers.location).toBe(`/admin/challenges/${c.id}/edit`);
    expect(flashes((await admin.get(res.headers.location as string)).body)).toEqual([
      'success: Challenge «Area of a circle» created. You can add an image below.',
    ]);
    expect(c).toMatchObject({
      title: 'Area of a circle',
      key_stage: 'KS4',
      attempts_per_box: 3,
      lock_after_hours: null,
      is_locked: 0,
      created_by: adminId,
    });
    expect(c.content_html).not.toContain('script');
    expect(c.content_html).toContain('class="math-inline"');
    expect(c.release_at >= before && c.release_at <= new Date().toISOString()).toBe(true);
    const boxes = await t.db
      .selectFrom('answer_boxes')
      .selectAll()
      .where('challenge_id', '=', c.id)
      .orderBy('position')
      .execute();
    expect(boxes.map((b) => [b.position, b.label, b.correct_answer])).toEqual([
      [1, 'Area', '4\\pi'],
      [2, 'Roots', 'x=2, x=-3'],
      [3, 'Estimate', '3.14'],
    ]);
    expect(JSON.parse(boxes[1]!.options_json)).toMatchObject({ kind: 'list', listOrder: 'unordered' });
    expect(JSON.parse(boxes[2]!.options_json)).toMatchObject({
      kind: 'number',
      tolerance: { type: 'decimalPlaces', value: 2 },
      requireSimplified: true,
    });
    const audit = await t.db.selectFrom('audit_log').selectAll().executeTakeFirstOrThrow();
    expect(audit).toMatchObject({
      action: 'challenge.create',
      actor_id: adminId,
      target_type: 'challenge',
      target_id: String(c.id),
    });
    // A student can now answer "-3, 2" on the list box.
    const s = t.client();
    await s.loginAs(await t.createUser());
    await s.post(`/challenges/${c.id}/boxes/${boxes[1]!.id}/answer`, { answer: '-3, 2' });
    expect(flashes((await s.get(`/challenges/${c.id}`)).body)[0]).toMatch(/^success: Correct!/);
  });

  it('reads the release time in the school time zone and keeps a scheduled challenge hidden', async () => {
    const res = await admin.post(
      '/admin/challenges/new',
      form({ release_at: '2099-07-01T08:00', lock_after_hours: '168' }),
    );
    expect(res.statusCode).toBe(303);
    const c = await t.db.selectFrom('challenges').selectAll().executeTakeFirstOrThrow();
    expect(c.release_at).toBe('2099-07-01T07:00:00.000Z'); // 08:00 BST
    expect(c.lock_after_hours).toBe(168);
    const edit = await admin.get(`/admin/challenges/${c.id}/edit`);
    expect(edit.body).toContain('value="2099-07-01T08:00"');
    const s = t.client();
    await s.loginAs(await t.createUser());
    expect((await s.get(`/challenges/${c.id}`)).statusCode).toBe(404);
  });

  it('shows every problem beside its field and saves nothing', async () => {
    const res = await admin.post(
      '/admin/challenges/new',
      form({
        title: 'x'.repeat(101),
        content_html: '<p> </p><script>x</script>',
        key_stage: 'KS9',
        release_at: 'next monday',
        lock_after_hours: '9000',
        attempts_per_box: '0',
        'box-0-answer': '',
        'box-1-label': 'bad',
        'box-1-answer': '\\frac{1}{',
        'box-2-label': 'tol',
        'box-2-answer': '1',
        'box-2-tolerance': 'lots',
      }),
    );
    expect(res.statusCode).toBe(400);
    const body = decode(res.body);
    for (const message of [
      'The title must be at most 100 characters.',
      'Write the problem students should solve.',
      'Choose the key stage (KS3, KS4, KS5).',
      'Enter the release date and time as shown',
      'Auto-lock must be a whole number of hours from 1 to 8760, or blank for no auto-lock.',
      'Attempts per box must be a whole number from 1 to 20.',
      'Enter the correct answer.',
      'The math engine cannot grade against this answer',
      'Write the tolerance as 0.01 (plus or minus), 1% (relative), 3 sf or 2 dp, or leave it blank.',
    ])
      expect(body).toContain(message);
    expect(body).toContain('aria-invalid="true"');
    expect(body).toContain('value="bad"'); // values are kept for correcting
    expect(await t.db.selectFrom('challenges').selectAll().execute()).toEqual([]);
  });

  it('needs one to ten answer boxes', async () => {
    const none = await admin.post('/admin/challenges/new', form({ 'box-0-label': '', 'box-0-answer': '' }));
    expect(decode(none.body)).toContain('A challenge needs at least one answer box with its correct answer.');
    const eleven: Record<string, string> = {};
    for (let i = 0; i < 11; i++)
      Object.assign(eleven, {
        [`box-${i}-answer`]: String(i + 1),
        [`box-${i}-kind`]: 'auto',
        [`box-${i}-order`]: 'unordered',
      });
    const many = await admin.post('/admin/challenges/new', form(eleven));
    expect(decode(many.body)).toContain('A challenge can have at most 10 answer boxes.');
    expect(await t.db.selectFrom('challenges').selectAll().execute()).toEqual([]);
    const ten: Record<string, string> = {};
    for (let i = 0; i < 10; i++) Object.assign(ten, { [`box-${i * 3}-answer`]: String(i + 1) }); // slot numbers need not be contiguous
    expect((await admin.post('/admin/challenges/new', form(ten))).statusCode).toBe(303);
    const boxes = await t.db
      .selectFrom('answer_boxes')
      .select(['position', 'correct_answer'])
      .orderBy('position')
      .execute();
    expect(boxes.map((b) => b.correct_answer)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  });

  it('edits a challenge and its boxes; the form shows tries per box', async () => {
    const { id, boxIds } = await seedChallenge(t, {
      title: 'Draft',
      boxes: [
        { label: 'a', answer: '1' },
        { label: 'b', answer: '2' },
      ],
    });
    const s = t.client();
    await s.loginAs(await t.createUser());
    await s.post(`/challenges/${id}/boxes/${boxIds[1]}/answer`, { answer: '5' });
    const page = decode((await admin.get(`/admin/challenges/${id}/edit`)).body);
    expect(page).toContain('value="Draft"');
    expect(page).toContain('Remove this box (its 1 try will be deleted)');
    expect(page).toContain('<template id="box-template">');
    expect(page).toMatch(/<script type="module" src="\/assets\/challenge-editor-[^"]+\.js" nonce=/);

    const res = await admin.post(
      `/admin/challenges/${id}/edit`,
      form({
        title: 'Final',
        attempts_per_box: '5',
        lock_after_hours: '24',
        'box-0-id': String(boxIds[1]),
        'box-0-label': 'b first',
        'box-0-answer': '2',
        'box-1-id': String(boxIds[0]),
        'box-1-label': 'a second',
        'box-1-answer': '1',
        'box-1-kind': 'auto',
        'box-1-order': 'unordered',
      }),
    );
    expect(res.statusCode).toBe(303);
    expect(flashes((await admin.get(`/admin/challenges/${id}/edit`)).body)).toEqual([
      'success: Challenge «Final» saved.',
    ]);
    const c = await t.db.selectFrom('challenges').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(c).toMatchObject({ title: 'Final', attempts_per_box: 5, lock_after_hours: 24 });
    const boxes = await t.db
      .selectFrom('answer_boxes')
      .select(['id', 'position', 'label'])
      .where('challenge_id', '=', id)
      .orderBy('position')
      .execute();
    expect(boxes).toEqual([
      { id: boxIds[1], position: 1, label: 'b first' },
      { id: boxIds[0], position: 2, label: 'a second' },
    ]);
    // The try stays with its box.
    expect(await t.db.selectFrom('submissions').select('box_id').execute()).toEqual([{ box_id: boxIds[1] }]);
    expect(
      await t.db.selectFrom('audit_log').select('action').where('action', '=', 'challenge.update').execute(),
    ).toHaveLength(1);
  });

  it('refuses a box id from another challenge', async () => {
    const a = await seedChallenge(t, { title: 'A' });
    const b = await seedChallenge(t, { title: 'B' });
    const res = await admin.post(`/admin/challenges/${a.id}/edit`, form({ 'box-0-id': String(b.boxIds[0]) }));
    expect(res.statusCode).toBe(400);
    expect(decode(res.body)).toContain('An answer box in the form does not belong to this challenge.');
    const boxB = await t.db
      .selectFrom('answer_boxes')
      .select(['challenge_id', 'label'])
      .where('id', '=', b.boxIds[0]!)
      .executeTakeFirstOrThrow();
    expect(boxB).toEqual({ challenge_id: b.id, label: 'x =' });
  });

  it('locks and unlocks with POST, audited', async () => {
    const { id } = await seedChallenge(t, { title: 'Lockable' });
    const lock = await admin.post(`/admin/challenges/${id}/lock`);
    expect(lock.statusCode).toBe(303);
    expect(flashes((await admin.get('/admin/challenges')).body)).toEqual([
      'success: «Lockable» is locked: it accepts no answers and shows the correct answers.',
    ]);
    expect(
      (await t.db.selectFrom('challenges').select('is_locked').where('id', '=', id).executeTakeFirstOrThrow())
        .is_locked,
    ).toBe(1);
    await admin.post(`/admin/challenges/${id}/unlock`);
    expect(flashes((await admin.get('/admin/challenges')).body)).toEqual(['success: «Lockable» is unlocked.']);
    expect(
      (await t.db.selectFrom('challenges').select('is_locked').where('id', '=', id).executeTakeFirstOrThrow())
        .is_locked,
    ).toBe(0);
    expect(
      (
        await t.db.selectFrom('audit_log').select('action').where('action', 'like', '%lock').orderBy('id').execute()
      ).map((a) => a.action),
    ).toEqual(['challenge.lock', 'challenge.unlock']);
    // GET never changes anything.
    expect((await admin.get(`/admin/challenges/${id}/lock`)).statusCode).toBe(404);
    expect((await admin.post('/admin/challenges/999999/lock')).statusCode).toBe(404);
  });

  it('uploads a validated image, serves it, replaces and removes it', async () => {
    const { id } = await seedChallenge(t, { title: 'Picture' });
    const none = await upload(id, Buffer.alloc(0), '');
    expect(none.statusCode).toBe(303);
    expect(flashes((await admin.get(`/admin/challenges/${id}/edit`)).body)).toEqual([
      'error: Choose an image file to upload.',
    ]);
    const res = await upload(id, tinyPng(), 'circle.png');
    expect(res.statusCode).toBe(303);
    expect(flashes((await admin.get(`/admin/challenges/${id}/edit`)).body)).toEqual(['success: Image saved.']);
    const c = await t.db
      .selectFrom('challenges')
      .select('image_upload_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const first = await t.db
      .selectFrom('uploads')
      .selectAll()
      .where('id', '=', c.image_upload_id!)
      .executeTakeFirstOrThrow();
    expect(first).toMatchObject({ original_name: 'circle.png', mime: 'image/png', kind: 'image' });
    expect(first.stored_name).toMatch(/^[a-f0-9]{32}\.png$/);
    expect((await t.client().get(`/challenges/${id}/image`)).statusCode).toBe(200);

    // Not an image: refused with a message, the old image stays.
    const fake = await upload(id, Buffer.from('<html><script>alert(1)</script></html>'), 'evil.png');
    expect(fake.statusCode).toBe(303);
    expect(flashes((await admin.get(`/admin/challenges/${id}/edit`)).body)[0]).toMatch(
      /^error: The file’s contents are not an image/,
    );
    expect(
      (await t.db.selectFrom('challenges').select('image_upload_id').where('id', '=', id).executeTakeFirstOrThrow())
        .image_upload_id,
    ).toBe(first.id);

    await upload(id, tinyPng(), 'second.png');
    const after = await t.db.selectFrom('uploads').selectAll().execute();
    expect(after.map((u) => u.original_name)).toEqual(['second.png']);

    await admin.post(`/admin/challenges/${id}/image/remove`);
    expect(flashes((await admin.get(`/admin/challenges/${id}/edit`)).body)).toEqual(['success: Image removed.']);
    expect(await t.db.selectFrom('uploads').selectAll().execute()).toEqual([]);
    await admin.post(`/admin/challenges/${id}/image/remove`);
    expect(flashes((await admin.get(`/admin/challenges/${id}/edit`)).body)).toEqual([
      'success: The challenge had no image.',
    ]);
    expect((await t.client().get(`/challenges/${id}/image`)).statusCode).toBe(404);
  });

  it('image uploads need the CSRF token and an admin', async () => {
    const strict = await createTestApp(dialect, { CSRF_ENABLED: 'true' });
    try {
      const { id } = await seedChallenge(strict);
      const a = strict.client();
      await a.loginAs(await strict.createUser({ isAdmin: true }));
      const boundary = 'b0undary';
      const res = await strict.app.inject({
        method: 'POST',
        url: `/admin/challenges/${id}/image`,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          cookie: [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        },
        payload: multipartBody(boundary, [{ name: 'image', filename: 'a.png', type: 'image/png', data: tinyPng() }]),
      });
      expect(res.statusCode).toBe(403);
      expect(await strict.db.selectFrom('uploads').selectAll().execute()).toEqual([]);
      const s = strict.client();
      await s.loginAs(await strict.createUser());
      const student = await strict.app.inject({
        method: 'POST',
        url: `/admin/challenges/${id}/image`,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          cookie: [...s.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        },
        payload: multipartBody(boundary, [{ name: 'image', filename: 'a.png', type: 'image/png', data: tinyPng() }]),
      });
      expect(student.statusCode).toBe(403);
      // The other admin forms refuse a missing token too.
      expect((await a.post(`/admin/challenges/${id}/lock`, {}, { csrf: false })).statusCode).toBe(403);
      expect((await a.post(`/admin/challenges/${id}/delete`, {}, { csrf: false })).statusCode).toBe(403);
      expect((await a.post('/admin/challenges/new', form(), { csrf: false })).statusCode).toBe(403);
      expect(await strict.db.selectFrom('challenges').select('is_locked').execute()).toEqual([{ is_locked: 0 }]);
    } finally {
      await strict.close();
    }
  });

  it('confirms before deleting, then deletes with boxes, tries and image', async () => {
    const { id, boxIds } = await seedChallenge(t, { title: 'Doomed' });
    await upload(id, tinyPng(), 'doomed.png');
    const s = t.client();
    await s.loginAs(await t.createUser());
    await s.post(`/challenges/${id}/boxes/${boxIds[0]}/answer`, { answer: '3/4' });
    const confirm = decode((await admin.get(`/admin/challenges/${id}/delete`)).body);
    expect(confirm).toContain('Delete «Doomed»?');
    expect(confirm).toContain('1 student completed it, earning 3 points in total.');
    expect(confirm).toContain('name="keep_points"');
    expect(await t.db.selectFrom('challenges').selectAll().execute()).toHaveLength(1);

    await admin.post(`/admin/challenges/${id}/delete`);
    for (const table of ['challenges', 'answer_boxes', 'submissions', 'completions', 'uploads'] as const) {
      expect(await t.db.selectFrom(table).selectAll().execute()).toEqual([]);
    }
    expect((await s.get(`/challenges/${id}`)).statusCode).toBe(404);
    expect((await admin.post(`/admin/challenges/${id}/delete`)).statusCode).toBe(404);
  });
});
