// The admin's challenge form: reading the posted fields (including the 1–10
// answer boxes, posted as box-<slot>-<field>) and validating them with zod
// schemas, so every message can be shown beside its field and nothing is saved
// until all of it is right. Correct answers are then checked with the math
// engine (passed in), so an answer the engine cannot read is refused at save
// time instead of marking every student wrong later. Each box also names the
// answer forms it requires (box-<slot>-form-<form> checkboxes) and whether a
// right value in another form costs an attempt.
import { z } from 'zod';
import { KEY_STAGES } from '../../config/index.js';
import {
  ANSWER_FORMS,
  ANSWER_KINDS,
  answerOptionsSchema,
  toleranceSchema,
  type AnswerForm,
  type AnswerOptions,
  type Tolerance,
} from '../../math/index.js';
import {
  ATTEMPTS,
  LOCK_HOURS,
  MAX_ANSWER_LENGTH,
  MAX_BOXES,
  MAX_LABEL_LENGTH,
  MAX_TITLE_LENGTH,
  boxOptions,
  type ChallengeInput,
} from './challenges.js';
import type { AnswerBox, Challenge } from '../../db/schema.js';
import {
  checkbox,
  checkFields,
  fieldErrors,
  formOutcome,
  type FieldErrors,
  type FormOutcome,
} from '../../lib/forms.js';
import { isKeyStage } from '../key-stage.js';
import { MAX_TAGS_FIELD, parseTags } from './tags.js';
import { isBlankRichHtml, sanitizeRichHtml } from '../content/sanitize.js';
import { isoToWallTime, wallTimeToIso } from '../../lib/school-time.js';

const MAX_CONTENT_LENGTH = 100_000;
/** Highest slot number the form may use (the editor numbers new boxes upwards). */
const MAX_SLOT = 99;

export interface BoxFormValues {
  slot: number;
  id: string;
  label: string;
  answer: string;
  kind: string;
  order: string;
  tolerance: string;
  /** The ticked answer forms, as posted (unknown names are refused when validating). */
  forms: string[];
  wrongFormCostsAttempt: boolean;
  remove: boolean;
}

export interface ChallengeFormValues {
  title: string;
  content_html: string;
  key_stage: string;
  release_at: string;
  lock_after_hours: string;
  attempts_per_box: string;
  /** Topic tags as typed, comma-separated. */
  tags: string;
  boxes: BoxFormValues[];
}

export const KIND_LABELS: Array<[string, string]> = [
  ['auto', 'Automatic (from the answer)'],
  ...ANSWER_KINDS.map((k): [string, string] => [
    k,
    {
      text: 'Text (words, case and spaces ignored)',
      number: 'Number',
      expression: 'Expression',
      equation: 'Equation',
      inequality: 'Inequality',
      point: 'Coordinate pair',
      list: 'List or set of answers',
      quantity: 'Quantity with a unit',
    }[k],
  ]),
];

/** The forms a new box starts with: most answers should be fully simplified. */
export const NEW_BOX_FORMS: readonly AnswerForm[] = ['simplified'];

/** At most this many form names are read per box: more than the engine knows can only be noise. */
const MAX_POSTED_FORMS = 20;

/** A box as posted: every checkbox not sent is unticked, so it starts with no forms. */
function emptyBox(slot: number): BoxFormValues {
  return {
    slot,
    id: '',
    label: '',
    answer: '',
    kind: 'auto',
    order: 'unordered',
    tolerance: '',
    forms: [],
    wrongFormCostsAttempt: false,
    remove: false,
  };
}

/** A new box as the editor first shows it. */
export function newBoxForm(slot: number): BoxFormValues {
  return { ...emptyBox(slot), forms: [...NEW_BOX_FORMS] };
}

/** Form values for a new challenge. */
export function blankChallengeForm(): ChallengeFormValues {
  return {
    title: '',
    content_html: '',
    key_stage: '',
    release_at: '',
    lock_after_hours: '',
    attempts_per_box: String(ATTEMPTS.default),
    tags: '',
    boxes: [newBoxForm(0)],
  };
}

/** The form with one more empty box, or why not ("Add another answer" without JavaScript). */
export function withAnotherBox(values: ChallengeFormValues): { values: ChallengeFormValues; error: string | null } {
  if (values.boxes.filter((b) => !b.remove).length >= MAX_BOXES)
    return { values, error: `A challenge can have at most ${MAX_BOXES} answer boxes.` };
  const slot = values.boxes.reduce((m, b) => Math.max(m, b.slot + 1), 0);
  if (slot > MAX_SLOT) return { values, error: 'Save the challenge before adding more boxes.' };
  return { values: { ...values, boxes: [...values.boxes, newBoxForm(slot)] }, error: null };
}

/**
 * A new, unsaved challenge copied from a past one: its text, boxes, forms and
 * tags, but no release time (it is not scheduled) and none of its tries.
 */
export function templateForm(c: Challenge, boxes: AnswerBox[], tags: string[], timeZone: string): ChallengeFormValues {
  const form = challengeToForm(c, boxes, timeZone, tags);
  return {
    ...form,
    title: [...`Copy of ${c.title}`].slice(0, MAX_TITLE_LENGTH).join(''),
    release_at: '',
    boxes: form.boxes.map((b) => ({ ...b, id: '' })),
  };
}

/** "0.01" · "1%" · "3 sf" · "2 dp" → tolerance; '' → none; null when unreadable. */
export function parseTolerance(raw: string): Tolerance | null {
  const text = raw
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/s\.f\.?$/, 'sf')
    .replace(/d\.p\.?$/, 'dp');
  if (text === '') return { type: 'none' };
  let m = /^(\d+)(?:sf|sigfigs?|significantfigures?)$/.exec(text);
  if (m) return check({ type: 'sigfigs', value: Number(m[1]) });
  m = /^(\d+)(?:dp|decimalplaces?)$/.exec(text);
  if (m) return check({ type: 'decimalPlaces', value: Number(m[1]) });
  m = /^(\d+(?:\.\d+)?|\.\d+)%$/.exec(text);
  if (m) return check({ type: 'relative', value: Number(m[1]) / 100 });
  m = /^±?(\d+(?:\.\d+)?(?:e-?\d+)?|\.\d+)$/.exec(text);
  if (m) return check({ type: 'absolute', value: Number(m[1]) });
  return null;
  function check(t: Tolerance): Tolerance | null {
    return toleranceSchema.safeParse(t).success ? t : null;
  }
}

/** The tolerance as the admin types it. */
export function formatTolerance(t: Tolerance): string {
  switch (t.type) {
    case 'none':
      return '';
    case 'absolute':
      return String(t.value);
    case 'relative':
      return `${Number((t.value * 100).toPrecision(12))}%`;
    case 'sigfigs':
      return `${t.value} sf`;
    case 'decimalPlaces':
      return `${t.value} dp`;
  }
}

/** Reads the posted fields into form values (nothing validated yet). */
export function readChallengeForm(fields: Record<string, string>): ChallengeFormValues {
  const slots = new Map<number, BoxFormValues>();
  for (const key of Object.keys(fields)) {
    const m =
      /^box-(\d{1,2})-(id|label|answer|kind|order|tolerance|simplified|wrong_form_costs_attempt|remove|form-([a-z0-9-]{1,40}))$/.exec(
        key,
      );
    if (!m || Number(m[1]) > MAX_SLOT) continue;
    const slot = Number(m[1]);
    if (!slots.has(slot)) slots.set(slot, emptyBox(slot));
    const box = slots.get(slot)!;
    const value = fields[key] ?? '';
    if (m[3] !== undefined) {
      if (checkbox(fields, key) && !box.forms.includes(m[3]) && box.forms.length < MAX_POSTED_FORMS)
        box.forms.push(m[3]);
      continue;
    }
    switch (m[2]) {
      case 'simplified':
        // The one checkbox the editor had before answer forms: the same as ticking "simplified".
        if (checkbox(fields, key) && !box.forms.includes('simplified')) box.forms.push('simplified');
        break;
      case 'wrong_form_costs_attempt':
        box.wrongFormCostsAttempt = checkbox(fields, key);
        break;
      case 'remove':
        box.remove = checkbox(fields, key);
        break;
      case 'label':
        box.label = value.normalize('NFC').replace(/\s+/g, ' ').trim();
        break;
      case 'answer':
        box.answer = value.trim();
        break;
      default:
        box[m[2] as 'id' | 'kind' | 'order' | 'tolerance'] = value.trim();
    }
  }
  return {
    title: (fields.title ?? '').normalize('NFC').replace(/\s+/g, ' ').trim(),
    content_html: fields.content_html ?? '',
    key_stage: (fields.key_stage ?? '').trim(),
    release_at: (fields.release_at ?? '').trim(),
    lock_after_hours: (fields.lock_after_hours ?? '').trim(),
    attempts_per_box: (fields.attempts_per_box ?? '').trim(),
    tags: (fields.tags ?? '').slice(0, MAX_TAGS_FIELD + 1),
    boxes: [...slots.values()].sort((a, b) => a.slot - b.slot),
  };
}

/** Form values showing a stored challenge. */
export function challengeToForm(
  c: Challenge,
  boxes: AnswerBox[],
  timeZone: string,
  tags: string[] = [],
): ChallengeFormValues {
  return {
    title: c.title,
    content_html: c.content_html,
    key_stage: c.key_stage,
    release_at: isoToWallTime(c.release_at, timeZone),
    lock_after_hours: c.lock_after_hours === null ? '' : String(c.lock_after_hours),
    attempts_per_box: String(c.attempts_per_box),
    tags: tags.join(', '),
    boxes: boxes.map((b, i) => {
      const o = boxOptions(b);
      return {
        slot: i,
        id: String(b.id),
        label: b.label,
        answer: b.correct_answer,
        kind: o.kind,
        order: o.listOrder,
        tolerance: formatTolerance(o.tolerance),
        forms: storedForms(o),
        wrongFormCostsAttempt: b.wrong_form_costs_attempt === 1,
        remove: false,
      };
    }),
  };
}

/**
 * The forms a stored box requires, in the editor's order. A box saved with the older
 * `requireSimplified` reads as the form `simplified` (the engine's options fold it in).
 */
export function storedForms(o: AnswerOptions): AnswerForm[] {
  return ANSWER_FORMS.filter((f) => o.form.includes(f));
}

/** Why the engine refuses a correct answer, or null when it can grade against it. */
export type AnswerValidator = (answer: string, options: AnswerOptions) => Promise<string | null>;

function wholeNumber(raw: string, min: number, max: number): number | null {
  if (!/^\d{1,6}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= min && n <= max ? n : null;
}

/** A whole number of the form; blank means `blank`. */
const wholeNumberField = <B>(min: number, max: number, blank: B, message: string) =>
  z.string().transform((raw, ctx): number | B => {
    if (!raw) return blank;
    const n = wholeNumber(raw, min, max);
    if (n === null) {
      ctx.addIssue({ code: 'custom', message, continue: true });
      return z.NEVER;
    }
    return n;
  });

const chars = (s: string) => [...s].length;

/** The fields above the answer boxes; a blank release time means now. */
function challengeFieldsSchema(timeZone: string, now: string) {
  return z.object({
    title: z
      .string()
      .min(1, 'Enter a title.')
      .refine((t) => chars(t) <= MAX_TITLE_LENGTH, `The title must be at most ${MAX_TITLE_LENGTH} characters.`),
    content_html: z
      .string()
      .max(
        MAX_CONTENT_LENGTH,
        `The text is too long (at most ${MAX_CONTENT_LENGTH.toLocaleString('en-GB')} characters of HTML).`,
      )
      .transform((html) => sanitizeRichHtml(html))
      .refine((html) => !isBlankRichHtml(html), 'Write the problem students should solve.'),
    key_stage: z.string().refine(isKeyStage, `Choose the key stage (${KEY_STAGES.join(', ')}).`),
    release_at: z.string().transform((raw, ctx) => {
      if (!raw) return now;
      const iso = wallTimeToIso(raw, timeZone);
      if (iso) return iso;
      ctx.addIssue({
        code: 'custom',
        continue: true,
        message: 'Enter the release date and time as shown (e.g. 2026-03-02T08:00), or leave it blank to release now.',
      });
      return z.NEVER;
    }),
    lock_after_hours: wholeNumberField(
      LOCK_HOURS.min,
      LOCK_HOURS.max,
      null,
      `Auto-lock must be a whole number of hours from ${LOCK_HOURS.min} to ${LOCK_HOURS.max}, or blank for no auto-lock.`,
    ),
    attempts_per_box: wholeNumberField(
      ATTEMPTS.min,
      ATTEMPTS.max,
      ATTEMPTS.default,
      `Attempts per box must be a whole number from ${ATTEMPTS.min} to ${ATTEMPTS.max}.`,
    ),
  });
}

const isAnswerForm = (name: string): name is AnswerForm => (ANSWER_FORMS as readonly string[]).includes(name);

/**
 * The order the engine checks a box's forms in, which decides the message a student sees first:
 * the specific forms, then "simplified" (so "(x+1)² − x² + 2" hears "not expanded" where both are
 * ticked). One fixed order also means an unchanged box always serialises the same way.
 */
const CHECK_ORDER: readonly AnswerForm[] = [...ANSWER_FORMS.filter((f) => f !== 'simplified'), 'simplified'];

/** A box's answer options; an unreadable tolerance counts as none and unknown forms as absent here (each has its own message). */
const readBoxOptions = (box: { kind: string; order: string; tolerance: Tolerance | null; forms: string[] }) =>
  answerOptionsSchema.safeParse({
    kind: box.kind || 'auto',
    listOrder: box.order || 'unordered',
    tolerance: box.tolerance ?? { type: 'none' },
    form: CHECK_ORDER.filter((f) => box.forms.includes(f)),
  });

/** One answer box's own fields: the label, the correct answer, the tolerance and the answer options. */
const boxSchema = z
  .object({
    label: z
      .string()
      .refine((l) => chars(l) <= MAX_LABEL_LENGTH, `The label must be at most ${MAX_LABEL_LENGTH} characters.`),
    answer: z
      .string()
      .min(1, 'Enter the correct answer.')
      .max(MAX_ANSWER_LENGTH, `The answer must be at most ${MAX_ANSWER_LENGTH} characters.`),
    tolerance: z.string().transform((raw, ctx) => {
      const tolerance = parseTolerance(raw);
      if (tolerance) return tolerance;
      ctx.addIssue({
        code: 'custom',
        continue: true,
        message: 'Write the tolerance as 0.01 (plus or minus), 1% (relative), 3 sf or 2 dp, or leave it blank.',
      });
      return null;
    }),
    kind: z.string(),
    order: z.string(),
    forms: z.array(z.string()).superRefine((forms, ctx) => {
      const unknown = forms.filter((f) => !isAnswerForm(f));
      if (unknown.length)
        ctx.addIssue({
          code: 'custom',
          message: `${unknown.map((f) => `«${f}»`).join(', ')} ${unknown.length === 1 ? 'is not an answer form' : 'are not answer forms'}. Tick forms from the list.`,
        });
    }),
  })
  .superRefine((box, ctx) => {
    const options = readBoxOptions(box);
    if (options.success) return;
    // The engine may refuse a combination of forms; anything else is a tampered select.
    const formIssue = options.error.issues.find((i) => i.path[0] === 'form');
    ctx.addIssue(
      formIssue
        ? { code: 'custom', path: ['forms'], message: formIssue.message }
        : { code: 'custom', path: ['kind'], message: 'Choose the kind of answer and list order from the lists.' },
    );
  })
  .transform((box) => readBoxOptions(box).data!);

/**
 * The boxes to save, with a message under `box-<slot>-<field>` for each
 * problem. A removed box and an unused empty new box are left out; the engine
 * checks a correct answer only once the box's own fields are right.
 */
async function validateBoxes(
  boxes: BoxFormValues[],
  errors: FieldErrors,
  validateAnswer: AnswerValidator,
): Promise<ChallengeInput['boxes']> {
  const seenIds = new Set<number>();
  const kept: ChallengeInput['boxes'] = [];
  for (const box of boxes) {
    const id = box.id ? Number(box.id) : null;
    if (box.id && (!/^\d{1,10}$/.test(box.id) || seenIds.has(id!))) {
      errors.boxes = 'The answer boxes in the form are mixed up. Reload the page and try again.';
      continue;
    }
    if (id !== null) seenIds.add(id);
    if (box.remove) continue;
    if (id === null && !box.answer && !box.label) continue; // an unused empty box
    const checked = boxSchema.safeParse(box);
    if (!checked.success) {
      for (const [name, message] of Object.entries(fieldErrors(checked.error)))
        errors[`box-${box.slot}-${name}`] = message;
    } else {
      const problem = await validateAnswer(box.answer, checked.data);
      if (problem) errors[`box-${box.slot}-answer`] = problem;
    }
    kept.push({
      id,
      label: box.label,
      correctAnswer: box.answer,
      options: checked.success ? checked.data : answerOptionsSchema.parse({}),
      wrongFormCostsAttempt: box.wrongFormCostsAttempt,
    });
  }
  if (!errors.boxes) {
    if (kept.length === 0) errors.boxes = 'A challenge needs at least one answer box with its correct answer.';
    else if (kept.length > MAX_BOXES) errors.boxes = `A challenge can have at most ${MAX_BOXES} answer boxes.`;
  }
  return kept;
}

export async function validateChallengeForm(
  values: ChallengeFormValues,
  ctx: {
    timeZone: string;
    now: string;
    validateAnswer: AnswerValidator;
  },
): Promise<FormOutcome<ChallengeInput, ChallengeFormValues>> {
  const { data: fields, errors } = checkFields(challengeFieldsSchema(ctx.timeZone, ctx.now), values);
  // The form shows the text as it will be saved, unless it was refused as too long.
  if (values.content_html.length <= MAX_CONTENT_LENGTH)
    values.content_html = sanitizeRichHtml(values.content_html) || values.content_html;
  const boxes = await validateBoxes(values.boxes, errors, ctx.validateAnswer);
  const tags = parseTags(values.tags);
  if (tags.ok) values.tags = tags.tags.join(', ');
  else errors.tags = tags.error;
  return formOutcome(values, errors, () => {
    const f = fields!;
    return {
      title: f.title,
      contentHtml: f.content_html,
      keyStage: f.key_stage,
      releaseAt: f.release_at,
      lockAfterHours: f.lock_after_hours,
      attemptsPerBox: f.attempts_per_box,
      boxes,
      tags: tags.ok ? tags.tags : [],
    };
  });
}
