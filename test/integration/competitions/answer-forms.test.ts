// Answer forms on competition challenges: the competition's challenge editor
// saves the forms and the attempt rule like the weekly one, and a participant's
// right value in a wrong form is explained, free by default and counted (on the
// competition's records only) when the box says a wrong form costs an attempt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { decode, flashes } from '../challenges/fixtures.js';
import { seedCompetition, seedParticipant, seedSchool } from './fixtures.js';

describe.each(await availableDialects())('answer forms on competition challenges on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  let pupil: TestClient;
  let cid: number;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const school = await seedSchool(t, 'Alpha Academy', 'alpha.org');
    cid = await seedCompetition(t, [school]);
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
    pupil = t.client();
    await pupil.loginAs(await seedParticipant(t, cid, school, 'KS4', 'pupil@alpha.org'));
  });
  afterAll(async () => {
    await t.close();
  });

  const challengeForm = (title: string, fields: Record<string, string>) => ({
    title,
    content_html: '<p>Expand and simplify (x+1)² − x² + 2.</p>',
    key_stage: 'KS4',
    release_at: '',
    attempts_per_box: '3',
    duration_hours: '24',
    'box-0-answer': '2x+3',
    'box-0-kind': 'auto',
    'box-0-order': 'unordered',
    ...fields,
  });

  /** Creates a competition challenge through the editor; returns its id and its box. */
  async function create(title: string, fields: Record<string, string>) {
    const res = await admin.post(`/admin/competitions/${cid}/challenges/new`, challengeForm(title, fields));
    expect(res.statusCode).toBe(303);
    const ch = await t.db
      .selectFrom('challenges')
      .select('id')
      .where('title', '=', title)
      .where('competition_id', '=', cid)
      .executeTakeFirstOrThrow();
    const box = await t.db
      .selectFrom('answer_boxes')
      .selectAll()
      .where('challenge_id', '=', ch.id)
      .executeTakeFirstOrThrow();
    return { id: ch.id, box };
  }

  async function answer(ch: { id: number; box: { id: number } }, value: string): Promise<string[]> {
    const res = await pupil.post(`/competitions/${cid}/challenges/${ch.id}/boxes/${ch.box.id}/answer`, {
      answer: value,
    });
    expect(res.statusCode).toBe(303);
    return flashes((await pupil.get(`/competitions/${cid}/challenges/${ch.id}`)).body);
  }

  const tries = (challengeId: number) =>
    t.db
      .selectFrom('submissions')
      .select(['answer', 'is_correct'])
      .where('challenge_id', '=', challengeId)
      .orderBy('id')
      .execute();

  it('offers the forms in the competition editor, with "simplified" ticked on a new box, and refuses unknown ones', async () => {
    const page = decode((await admin.get(`/admin/competitions/${cid}/challenges/new`)).body);
    expect(page).toContain('The answer must be written as');
    expect(page.replace(/<[^>]+>/g, '')).toContain('Expanded — x² + 2x + 3, not (x+1)² + 2');
    expect(page).toMatch(/<input type="checkbox" name="box-0-form-simplified" checked/);
    expect(page).toMatch(/<input type="checkbox" name="box-0-wrong_form_costs_attempt"(?! checked)/);

    const refused = await admin.post(
      `/admin/competitions/${cid}/challenges/new`,
      challengeForm('Refused', { 'box-0-form-expanded': 'on', 'box-0-form-neat': 'on' }),
    );
    expect(refused.statusCode).toBe(400);
    expect(decode(refused.body)).toContain('«neat» is not an answer form. Tick forms from the list.');
    expect(await t.db.selectFrom('challenges').where('title', '=', 'Refused').selectAll().execute()).toEqual([]);
  });

  it('explains a wrong form without using an attempt by default', async () => {
    const ch = await create('Free form', { 'box-0-form-expanded': 'on' });
    expect(JSON.parse(ch.box.options_json)).toMatchObject({ form: ['expanded'] });
    expect(ch.box.wrong_form_costs_attempt).toBe(0);
    expect(await answer(ch, '(x+1)^2-x^2+2')).toEqual([
      'warning: Your answer has the right value but is not expanded. This try did not use an attempt. You still have 3 attempts left for this box.',
    ]);
    expect(await tries(ch.id)).toEqual([]);
    expect((await answer(ch, '2x+3'))[0]).toMatch(/^success: Correct — you have completed «Free form»!/);
    expect(await tries(ch.id)).toEqual([{ answer: '2x+3', is_correct: 1 }]);
  });

  it('records a wrong form like a wrong answer when the box says it costs an attempt', async () => {
    const ch = await create('Costly form', {
      'box-0-form-expanded': 'on',
      'box-0-wrong_form_costs_attempt': 'on',
    });
    expect(ch.box.wrong_form_costs_attempt).toBe(1);
    expect(await answer(ch, '(x+1)^2-x^2+2')).toEqual([
      'error: Your answer has the right value but is not expanded. You have 2 attempts left for this box.',
    ]);
    expect(await tries(ch.id)).toEqual([{ answer: '(x+1)^2-x^2+2', is_correct: 0 }]);
    // A wrong value, in words for the reason: the answer cannot be read.
    expect(await answer(ch, '2x+')).toEqual([
      'error: The checker could not read your answer as maths. Check that every bracket is closed and that no sign is missing or doubled. You have 1 attempt left for this box.',
    ]);
    // Never on the weekly boards.
    expect(await t.db.selectFrom('scores').selectAll().execute()).toEqual([]);
  });
});
