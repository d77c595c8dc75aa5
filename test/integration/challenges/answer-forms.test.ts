// Answer forms on weekly challenges: the editor's form checkboxes (examples,
// "simplified" ticked on new boxes, stored options, unknown names refused, old
// requireSimplified boxes), the message for a right value in a wrong form, the
// rule "a wrong form costs an attempt" both ways, and the words for the other
// engine reasons.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ANSWER_FORMS, FORM_DESCRIPTIONS, type AnswerOptionsInput } from '../../../src/math/index.js';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { decode, flashes, seedChallenge } from './fixtures.js';

/** The `<input …>` tag named `name` in a page. */
function inputTag(body: string, name: string): string {
  const tag = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(body);
  if (!tag) throw new Error(`no input named ${name}`);
  return tag[0];
}
const isChecked = (body: string, name: string) => /\schecked(?:[\s/>=])/.test(inputTag(body, name));

function challengeForm(fields: Record<string, string> = {}): Record<string, string> {
  return {
    title: 'Expand and simplify',
    content_html: '<p>Expand and simplify (x+1)² − x² + 2.</p>',
    key_stage: 'KS4',
    release_at: '',
    lock_after_hours: '',
    attempts_per_box: '3',
    'box-0-answer': '2x+3',
    'box-0-kind': 'auto',
    'box-0-order': 'unordered',
    'box-0-tolerance': '',
    ...fields,
  };
}

/** One form each: a correct answer in that form and the same value written otherwise. */
const FORM_CASES: Array<{ form: string; answer: string; other: string; options?: AnswerOptionsInput; says: string }> = [
  { form: 'simplified', answer: '3/4', other: '6/8', says: 'is not fully simplified' },
  { form: 'fraction', answer: '3/4', other: '0.75', says: 'is not a single fraction' },
  { form: 'mixed-number', answer: '2\\frac{1}{2}', other: '5/2', says: 'is not a mixed number' },
  {
    form: 'decimal',
    answer: '0.75',
    other: '3/4',
    options: { tolerance: { type: 'decimalPlaces', value: 2 } },
    says: 'is not a decimal (to 2 decimal places)',
  },
  { form: 'standard-form', answer: '3.2\\times10^{4}', other: '32000', says: 'is not in standard form' },
  { form: 'factorised', answer: '2(x+3)(x-1)', other: '2x^2+4x-6', says: 'is not factorised fully' },
  { form: 'expanded', answer: '2x+3', other: '(x+1)^2-x^2+2', says: 'is not expanded' },
  { form: 'power', answer: '3^4', other: '81', says: 'is not written as a power' },
  { form: 'surd', answer: '2\\sqrt{2}', other: '\\sqrt{8}', says: 'is not in simplest surd form' },
  {
    form: 'exact',
    answer: '\\sqrt{2}',
    other: '1.414',
    options: { tolerance: { type: 'decimalPlaces', value: 3 } },
    says: 'is not exact',
  },
];

describe.each(await availableDialects())('answer forms on weekly challenges on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    for (const table of ['submissions', 'completions', 'scores', 'challenges', 'audit_log'] as const)
      await t.db.deleteFrom(table).execute();
  });

  async function student(): Promise<TestClient> {
    const c = t.client();
    await c.loginAs(await t.createUser());
    return c;
  }

  async function answer(c: TestClient, challengeId: number, boxId: number, value: string): Promise<string[]> {
    const res = await c.post(`/challenges/${challengeId}/boxes/${boxId}/answer`, { answer: value });
    expect(res.statusCode).toBe(303);
    return flashes((await c.get(`/challenges/${challengeId}`)).body);
  }

  async function seedFormBox(form: string[], costs: boolean, attempts = 3, answerText = '2x+3') {
    const seeded = await seedChallenge(t, {
      attempts,
      boxes: [{ answer: answerText, options: { form: form as never } }],
    });
    if (costs)
      await t.db
        .updateTable('answer_boxes')
        .set({ wrong_form_costs_attempt: 1 })
        .where('id', '=', seeded.boxIds[0]!)
        .execute();
    return seeded;
  }

  const boxRows = () => t.db.selectFrom('answer_boxes').selectAll().orderBy('position').execute();

  describe('the editor', () => {
    it('lists every form with its example; a new box has "simplified" ticked and costs no attempt', async () => {
      const body = (await admin.get('/admin/challenges/new')).body;
      const text = decode(body);
      for (const form of ANSWER_FORMS) {
        expect(text).toContain(FORM_DESCRIPTIONS[form].label);
        expect(text).toContain(FORM_DESCRIPTIONS[form].example);
        expect(isChecked(body, `box-0-form-${form}`), form).toBe(form === 'simplified');
        // The template the editor script copies for added boxes starts the same way.
        expect(isChecked(body, `box-__SLOT__-form-${form}`), form).toBe(form === 'simplified');
      }
      expect(text).toContain('A wrong form costs an attempt');
      expect(isChecked(body, 'box-0-wrong_form_costs_attempt')).toBe(false);
      expect(isChecked(body, 'box-__SLOT__-wrong_form_costs_attempt')).toBe(false);
    });

    it('saves the ticked forms into the box options and the attempt rule into the box, and shows them again', async () => {
      const res = await admin.post(
        '/admin/challenges/new',
        challengeForm({
          'box-0-form-expanded': 'on',
          'box-0-form-simplified': 'on',
          'box-0-wrong_form_costs_attempt': 'on',
          'box-1-answer': '3/4',
          'box-1-kind': 'auto',
          'box-1-order': 'unordered',
        }),
      );
      expect(res.statusCode).toBe(303);
      const [first, second] = await boxRows();
      expect(JSON.parse(first!.options_json)).toMatchObject({ form: ['expanded', 'simplified'] });
      expect(first!.wrong_form_costs_attempt).toBe(1);
      // Nothing ticked: any answer with the right value.
      expect(JSON.parse(second!.options_json)).toMatchObject({ form: [], requireSimplified: false });
      expect(second!.wrong_form_costs_attempt).toBe(0);

      const edit = (await admin.get(res.headers.location as string)).body;
      for (const form of ANSWER_FORMS)
        expect(isChecked(edit, `box-0-form-${form}`), form).toBe(form === 'expanded' || form === 'simplified');
      expect(isChecked(edit, 'box-0-wrong_form_costs_attempt')).toBe(true);
      expect(isChecked(edit, 'box-1-wrong_form_costs_attempt')).toBe(false);
      for (const form of ANSWER_FORMS) expect(isChecked(edit, `box-1-form-${form}`), form).toBe(false);

      // Unticking the rule on an edit stores it.
      const id = Number(/\/admin\/challenges\/(\d+)\/edit/.exec(res.headers.location as string)![1]);
      const saved = await admin.post(
        `/admin/challenges/${id}/edit`,
        challengeForm({ 'box-0-id': String(first!.id), 'box-0-form-expanded': 'on' }),
      );
      expect(saved.statusCode).toBe(303);
      const [after] = await boxRows();
      expect(JSON.parse(after!.options_json)).toMatchObject({ form: ['expanded'], requireSimplified: false });
      expect(after!.wrong_form_costs_attempt).toBe(0);
    });

    it('refuses a form name it does not know, beside the box, and saves nothing', async () => {
      const res = await admin.post(
        '/admin/challenges/new',
        challengeForm({ 'box-0-form-expanded': 'on', 'box-0-form-rounded': 'on' }),
      );
      expect(res.statusCode).toBe(400);
      const body = decode(res.body);
      expect(body).toContain(
        '<p class="field-error" id="box-0-forms-error">«rounded» is not an answer form. Tick forms from the list.</p>',
      );
      // The form comes back with what was ticked.
      expect(isChecked(res.body, 'box-0-form-expanded')).toBe(true);
      expect(await t.db.selectFrom('challenges').selectAll().execute()).toEqual([]);
    });

    it('refuses a correct answer that is not itself in a required form', async () => {
      const res = await admin.post(
        '/admin/challenges/new',
        challengeForm({ 'box-0-answer': '(x+1)^2-x^2+2', 'box-0-form-expanded': 'on' }),
      );
      expect(res.statusCode).toBe(400);
      expect(decode(res.body)).toContain(
        'This answer is not expanded, but the box requires that form: write it so, or untick the form.',
      );
      expect(await t.db.selectFrom('challenges').selectAll().execute()).toEqual([]);
    });

    it('shows a box saved with requireSimplified as "simplified" ticked, and saving writes the form', async () => {
      const { id, boxIds } = await seedChallenge(t, { boxes: [{ answer: '3/4' }] });
      await t.db
        .updateTable('answer_boxes')
        .set({ options_json: '{"requireSimplified":true}' })
        .where('id', '=', boxIds[0]!)
        .execute();
      const edit = (await admin.get(`/admin/challenges/${id}/edit`)).body;
      for (const form of ANSWER_FORMS) expect(isChecked(edit, `box-0-form-${form}`), form).toBe(form === 'simplified');
      const saved = await admin.post(
        `/admin/challenges/${id}/edit`,
        challengeForm({ 'box-0-id': String(boxIds[0]), 'box-0-answer': '3/4', 'box-0-form-simplified': 'on' }),
      );
      expect(saved.statusCode).toBe(303);
      const [box] = await boxRows();
      expect(JSON.parse(box!.options_json)).toMatchObject({ form: ['simplified'] });
    });
  });

  describe('a right value in a wrong form', () => {
    it('is explained and uses no attempt when the box says so (the default); the right form then counts', async () => {
      const { id, boxIds } = await seedFormBox(['expanded'], false);
      const c = await student();
      expect(await answer(c, id, boxIds[0]!, '(x+1)^2-x^2+2')).toEqual([
        'warning: Your answer has the right value but is not expanded. This try did not use an attempt. You still have 3 attempts left for this box.',
      ]);
      expect(await t.db.selectFrom('submissions').selectAll().execute()).toEqual([]);
      expect(await t.db.selectFrom('scores').selectAll().execute()).toEqual([]);
      expect((await c.get(`/challenges/${id}`)).body).toContain('3 attempts left');
      // Again: still free.
      expect(await answer(c, id, boxIds[0]!, '(x+1)^2-x^2+2')).toEqual([
        'warning: Your answer has the right value but is not expanded. This try did not use an attempt. You still have 3 attempts left for this box.',
      ]);
      expect(await answer(c, id, boxIds[0]!, '2x+3')).toEqual([
        'success: Correct — you have completed «Fractions»! You were the first to finish: +3 points.',
      ]);
      const tries = await t.db.selectFrom('submissions').select(['answer', 'is_correct']).execute();
      expect(tries).toEqual([{ answer: '2x+3', is_correct: 1 }]);
    });

    it('is recorded like a wrong answer when the box says a wrong form costs an attempt', async () => {
      const { id, boxIds } = await seedFormBox(['expanded'], true, 2);
      const c = await student();
      expect(await answer(c, id, boxIds[0]!, '(x+1)^2-x^2+2')).toEqual([
        'error: Your answer has the right value but is not expanded. You have 1 attempt left for this box.',
      ]);
      expect(await t.db.selectFrom('submissions').select(['answer', 'is_correct']).execute()).toEqual([
        { answer: '(x+1)^2-x^2+2', is_correct: 0 },
      ]);
      expect(await t.db.selectFrom('scores').select('submissions').execute()).toEqual([{ submissions: 1 }]);
      expect(await answer(c, id, boxIds[0]!, 'x^2+2x+1-x^2+2')).toEqual([
        'error: Your answer has the right value but is not expanded. That was your last attempt for this box.',
      ]);
      const page = (await c.get(`/challenges/${id}`)).body;
      expect(page).toContain('✗ No attempts left');
      expect(await answer(c, id, boxIds[0]!, '2x+3')).toEqual([
        'warning: You have used all your attempts for this box.',
      ]);
    });

    it('gives no free try on a box whose attempts are used up', async () => {
      const { id, boxIds } = await seedFormBox(['expanded'], false, 1);
      const c = await student();
      expect(await answer(c, id, boxIds[0]!, '(x+1)^2-x^2+2')).toEqual([
        'warning: Your answer has the right value but is not expanded. This try did not use an attempt. You still have 1 attempt left for this box.',
      ]);
      expect(await answer(c, id, boxIds[0]!, '2x+4')).toEqual([
        'error: Not quite, and that was your last attempt for this box.',
      ]);
      expect(await answer(c, id, boxIds[0]!, '(x+1)^2-x^2+2')).toEqual([
        'warning: You have used all your attempts for this box.',
      ]);
      expect(await t.db.selectFrom('submissions').selectAll().execute()).toHaveLength(1);
    });

    it('names the form that failed, for every form, without giving the answer away', async () => {
      const c = await student();
      for (const k of FORM_CASES) {
        const { id, boxIds } = await seedChallenge(t, {
          title: k.form,
          boxes: [{ answer: k.answer, options: { ...k.options, form: [k.form as never] } }],
        });
        const shown = await answer(c, id, boxIds[0]!, k.other);
        expect(shown, k.form).toEqual([
          `warning: Your answer has the right value but ${k.says}. This try did not use an attempt. You still have 3 attempts left for this box.`,
        ]);
        // And the right form is accepted.
        expect((await answer(c, id, boxIds[0]!, k.answer))[0], k.form).toMatch(/^success: Correct/);
      }
      expect(await t.db.selectFrom('submissions').where('is_correct', '=', 0).selectAll().execute()).toEqual([]);
    });

    it('tells an admin too, without storing the try', async () => {
      const { id, boxIds } = await seedFormBox(['expanded'], false);
      expect(await answer(admin, id, boxIds[0]!, '(x+1)^2-x^2+2')).toEqual([
        'warning: Your answer has the right value but is not expanded. This try did not use an attempt.',
      ]);
      expect(await t.db.selectFrom('submissions').selectAll().execute()).toEqual([]);
    });
  });

  it('explains the other ways an answer can be wrong, counting them as tries', async () => {
    const c = await student();
    const cases = [
      {
        expected: 'y=2x+1',
        answer: '3',
        says: 'Your answer is not the kind of answer this box asks for. Read the question again: does it want a number, an expression, an equation, a point or a list?',
      },
      {
        expected: '5\\,\\mathrm{cm}',
        answer: '5',
        says: 'Check the unit of your answer: it is missing, or it measures something different from what the question asks for.',
      },
      {
        expected: '3/4',
        answer: '(1+',
        says: 'The checker could not read your answer as maths. Check that every bracket is closed and that no sign is missing or doubled.',
      },
      {
        expected: 'x<3',
        answer: '2x<6',
        says: 'Your answer still needs solving: finish it so that the letter is on its own.',
      },
      {
        expected: '3/4',
        answer: '1/0',
        says: 'Your answer has no value: it divides by zero or takes the square root of a negative number.',
      },
      { expected: '3/4', answer: '7', says: 'Not quite.' },
    ];
    for (const k of cases) {
      const { id, boxIds } = await seedChallenge(t, { boxes: [{ answer: k.expected }] });
      expect(await answer(c, id, boxIds[0]!, k.answer), k.answer).toEqual([
        `error: ${k.says} You have 2 attempts left for this box.`,
      ]);
    }
    expect(await t.db.selectFrom('submissions').selectAll().execute()).toHaveLength(cases.length);
  });
});

describe.each(await availableDialects())('free wrong-form tries and the rate limit on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { RATELIMIT_ENABLED: 'true', RATELIMIT_WRONG_ANSWERS: '3 per minute' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts them towards the wrong-answer limit, so they cannot be sent without end', async () => {
    const { id, boxIds } = await seedChallenge(t, { boxes: [{ answer: '2x+3', options: { form: ['expanded'] } }] });
    const c = t.client();
    await c.loginAs(await t.createUser());
    for (let i = 0; i < 3; i++) {
      await c.post(`/challenges/${id}/boxes/${boxIds[0]}/answer`, { answer: '(x+1)^2-x^2+2' });
      expect(flashes((await c.get(`/challenges/${id}`)).body)[0]).toMatch(/^warning: Your answer has the right value/);
    }
    await c.post(`/challenges/${id}/boxes/${boxIds[0]}/answer`, { answer: '2x+3' });
    expect(flashes((await c.get(`/challenges/${id}`)).body)[0]).toMatch(/^error: Too many wrong answers/);
    expect(await t.db.selectFrom('submissions').selectAll().execute()).toEqual([]);
  });
});
