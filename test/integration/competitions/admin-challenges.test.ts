// Admin competition challenges through the shared challenge form: a
// duration of 1–168 hours instead of auto-lock, edit with rescoring, delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { decode } from '../challenges/fixtures.js';
import { seedCompetition, seedSchool } from './fixtures.js';

/** The answer-box fieldsets of a challenge form (the template copy excluded). */
function boxCount(body: string): number {
  const list = body.slice(body.indexOf('data-box-list'), body.indexOf('<template id="box-template">'));
  return (list.match(/<li class="box-item"/g) ?? []).length;
}

describe.each(await availableDialects())('admin competition challenges on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let cid: number;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    cid = await seedCompetition(t, [await seedSchool(t, 'School One', 'school.org')]);
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
  });

  const form = (duration: string) => ({
    title: 'Speed round',
    content_html: '<p>Work it out.</p>',
    key_stage: 'KS3',
    release_at: '',
    attempts_per_box: '3',
    duration_hours: duration,
    'box-0-answer': '3/4',
    'box-0-kind': 'auto',
    'box-0-order': 'unordered',
  });

  it('refuses durations outside 1–168 hours and saves a valid one on the competition', async () => {
    for (const bad of ['0', '169', '', 'x']) {
      const res = await admin.post(`/admin/competitions/${cid}/challenges/new`, form(bad));
      expect(res.statusCode, bad).toBe(400);
      expect(decode(res.body)).toContain('The duration must be a whole number of hours from 1 to 168.');
    }
    expect(await t.db.selectFrom('challenges').selectAll().execute()).toEqual([]);
    const res = await admin.post(`/admin/competitions/${cid}/challenges/new`, form('168'));
    expect(res.statusCode).toBe(303);
    const ch = await t.db.selectFrom('challenges').selectAll().executeTakeFirstOrThrow();
    expect(ch).toMatchObject({ competition_id: cid, duration_hours: 168, lock_after_hours: null, key_stage: 'KS3' });

    expect(boxCount((await admin.get(`/admin/competitions/${cid}/challenges/new`)).body)).toBe(1);
    const more = await admin.post(`/admin/competitions/${cid}/challenges/new`, { ...form('6'), add_box: '1' });
    expect(more.statusCode).toBe(200);
    expect(boxCount(more.body)).toBe(2);
    expect(await t.db.selectFrom('challenges').selectAll().execute()).toHaveLength(1);

    const edit = await admin.get(`/admin/competitions/${cid}/challenges/${ch.id}/edit`);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('name="duration_hours"');
    expect(edit.body).not.toContain('name="lock_after_hours"');
    const box = await t.db
      .selectFrom('answer_boxes')
      .select('id')
      .where('challenge_id', '=', ch.id)
      .executeTakeFirstOrThrow();
    const saved = await admin.post(`/admin/competitions/${cid}/challenges/${ch.id}/edit`, {
      ...form('12'),
      title: 'Speed round 2',
      'box-0-id': String(box.id),
    });
    expect(saved.statusCode).toBe(303);
    expect(
      await t.db
        .selectFrom('challenges')
        .select(['title', 'duration_hours'])
        .where('id', '=', ch.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ title: 'Speed round 2', duration_hours: 12 });
    // The edit page shows the saved box only; "Add another answer" brings one more back, saving nothing.
    expect(boxCount((await admin.get(`/admin/competitions/${cid}/challenges/${ch.id}/edit`)).body)).toBe(1);
    const grown = await admin.post(`/admin/competitions/${cid}/challenges/${ch.id}/edit`, {
      ...form('12'),
      title: 'Not saved',
      'box-0-id': String(box.id),
      add_box: '1',
    });
    expect(grown.statusCode).toBe(200);
    expect(boxCount(grown.body)).toBe(2);
    expect(decode(grown.body)).toContain('value="Not saved"');
    expect(grown.body).toContain('name="duration_hours" type="number" value="12"');
    expect(
      (await t.db.selectFrom('challenges').select('title').where('id', '=', ch.id).executeTakeFirstOrThrow()).title,
    ).toBe('Speed round 2');
    // The weekly admin pages do not reach it.
    expect((await admin.get(`/admin/challenges/${ch.id}/edit`)).statusCode).toBe(404);
    await admin.post(`/admin/competitions/${cid}/challenges/${ch.id}/delete`);
    expect(await t.db.selectFrom('challenges').selectAll().execute()).toEqual([]);
  });
});
