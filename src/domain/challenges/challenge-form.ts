// The admin's challenge form: reading the posted fields (including the 1–10
// answer boxes, posted as box-<slot>-<field>) and validating them field by
// field, so every message can be shown beside its field and nothing is saved
// until all of it is right. Correct answers are checked with the math engine
// (passed in), so an answer the engine cannot read is refused at save time
// instead of marking every student wrong later.
import { KEY_STAGES } from '../../config/index.js';
import { ANSWER_KINDS, answerOptionsSchema, toleranceSchema, type AnswerOptions, type Tolerance } from '../../math/index.js';
import {
  ATTEMPTS, LOCK_HOURS, MAX_ANSWER_LENGTH, MAX_BOXES, MAX_LABEL_LENGTH, MAX_TITLE_LENGTH, boxOptions,
  type ChallengeInput,
} from './challenges.js';
import type { AnswerBox, Challenge } from '../../db/schema.js';
import { isKeyStage } from '../key-stage.js';
import { isBlankRichHtml, sanitizeRichHtml } from '../content/sanitize.js';
import { isoToWallTime, wallTimeToIso } from '../../lib/school-time.js';

export const MAX_CONTENT_LENGTH = 100_000;
/** Highest slot number the form may use (the editor numbers new boxes upwards). */
const MAX_SLOT = 99;

export type FieldErrors = Record<string, string>;

export interface BoxFormValues {
  slot: number;
  id: string;
  label: string;
  answer: string;
  kind: string;
  order: string;
  tolerance: string;
  simplified: boolean;
  remove: boolean;
}

export interface ChallengeFormValues {
  title: string;
  content_html: string;
  key_stage: string;
  release_at: string;
  lock_after_hours: string;
  attempts_per_box: string;
  boxes: BoxFormValues[];
}

export type ChallengeFormOutcome =
  | { ok: true; data: ChallengeInput; values: ChallengeFormValues }
  | { ok: false; errors: FieldErrors; values: ChallengeFormValues };

export const KIND_LABELS: Array<[string, string]> = [
  ['auto', 'Automatic (from the answer)'],
  ...ANSWER_KINDS.map((k): [string, string] => [k, {
    text: 'Text (words, case and spaces ignored)',
    number: 'Number',
    expression: 'Expression',
    equation: 'Equation',
    inequality: 'Inequality',
    point: 'Coordinate pair',
    list: 'List or set of answers',
    quantity: 'Quantity with a unit',
  }[k]]),
];

const CHECKED = new Set(['on', '1', 'true', 'yes']);

export function emptyBox(slot: number): BoxFormValues {
  return { slot, id: '', label: '', answer: '', kind: 'auto', order: 'unordered', tolerance: '', simplified: false, remove: false };
}

/** Form values for a new challenge. */
export function blankChallengeForm(): ChallengeFormValues {
  return {
    title: '', content_html: '', key_stage: '', release_at: '', lock_after_hours: '',
    attempts_per_box: String(ATTEMPTS.default), boxes: [emptyBox(0)],
  };
}

/** "0.01" · "1%" · "3 sf" · "2 dp" → tolerance; '' → none; null when unreadable. */
export function parseTolerance(raw: string): Tolerance | null {
  const text = raw.trim().toLowerCase().replace(/\s+/g, '').replace(/s\.f\.?$/, 'sf').replace(/d\.p\.?$/, 'dp');
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
    case 'none': return '';
    case 'absolute': return String(t.value);
    case 'relative': return `${Number((t.value * 100).toPrecision(12))}%`;
    case 'sigfigs': return `${t.value} sf`;
    case 'decimalPlaces': return `${t.value} dp`;
  }
}

/** Reads the posted fields into form values (nothing validated yet). */
export function readChallengeForm(fields: Record<string, string>): ChallengeFormValues {
  const slots = new Map<number, BoxFormValues>();
  for (const key of Object.keys(fields)) {
    const m = /^box-(\d{1,2})-(id|label|answer|kind|order|tolerance|simplified|remove)$/.exec(key);
    if (!m || Number(m[1]) > MAX_SLOT) continue;
    const slot = Number(m[1]);
    if (!slots.has(slot)) slots.set(slot, emptyBox(slot));
    const box = slots.get(slot)!;
    const value = fields[key] ?? '';
    switch (m[2]) {
      case 'simplified': box.simplified = CHECKED.has(value.toLowerCase()); break;
      case 'remove': box.remove = CHECKED.has(value.toLowerCase()); break;
      case 'label': box.label = value.normalize('NFC').replace(/\s+/g, ' ').trim(); break;
      case 'answer': box.answer = value.trim(); break;
      default: box[m[2] as 'id' | 'kind' | 'order' | 'tolerance'] = value.trim();
    }
  }
  return {
    title: (fields.title ?? '').normalize('NFC').replace(/\s+/g, ' ').trim(),
    content_html: fields.content_html ?? '',
    key_stage: (fields.key_stage ?? '').trim(),
    release_at: (fields.release_at ?? '').trim(),
    lock_after_hours: (fields.lock_after_hours ?? '').trim(),
    attempts_per_box: (fields.attempts_per_box ?? '').trim(),
    boxes: [...slots.values()].sort((a, b) => a.slot - b.slot),
  };
}

/** Form values showing a stored challenge. */
export function challengeToForm(c: Challenge, boxes: AnswerBox[], timeZone: string): ChallengeFormValues {
  return {
    title: c.title,
    content_html: c.content_html,
    key_stage: c.key_stage,
    release_at: isoToWallTime(c.release_at, timeZone),
    lock_after_hours: c.lock_after_hours === null ? '' : String(c.lock_after_hours),
    attempts_per_box: String(c.attempts_per_box),
    boxes: boxes.map((b, i) => {
      const o = boxOptions(b);
      return {
        slot: i, id: String(b.id), label: b.label, answer: b.correct_answer, kind: o.kind, order: o.listOrder,
        tolerance: formatTolerance(o.tolerance), simplified: o.requireSimplified, remove: false,
      };
    }),
  };
}

/** Why the engine refuses a correct answer, or null when it can grade against it. */
export type AnswerValidator = (answer: string, options: AnswerOptions) => Promise<string | null>;

function wholeNumber(raw: string, min: number, max: number): number | null {
  if (!/^\d{1,6}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= min && n <= max ? n : null;
}

export async function validateChallengeForm(values: ChallengeFormValues, ctx: {
  timeZone: string; now: string; validateAnswer: AnswerValidator;
}): Promise<ChallengeFormOutcome> {
  const errors: FieldErrors = {};

  if (!values.title) errors.title = 'Enter a title.';
  else if ([...values.title].length > MAX_TITLE_LENGTH) errors.title = `The title must be at most ${MAX_TITLE_LENGTH} characters.`;

  let contentHtml = '';
  if (values.content_html.length > MAX_CONTENT_LENGTH) {
    errors.content_html = `The text is too long (at most ${MAX_CONTENT_LENGTH.toLocaleString('en-GB')} characters of HTML).`;
  } else {
    contentHtml = sanitizeRichHtml(values.content_html);
    if (isBlankRichHtml(contentHtml)) errors.content_html = 'Write the problem students should solve.';
  }
  values.content_html = contentHtml || values.content_html;

  if (!isKeyStage(values.key_stage)) errors.key_stage = `Choose the key stage (${KEY_STAGES.join(', ')}).`;

  let releaseAt = ctx.now;
  if (values.release_at) {
    const iso = wallTimeToIso(values.release_at, ctx.timeZone);
    if (iso) releaseAt = iso;
    else errors.release_at = 'Enter the release date and time as shown (e.g. 2026-03-02T08:00), or leave it blank to release now.';
  }

  let lockAfterHours: number | null = null;
  if (values.lock_after_hours) {
    lockAfterHours = wholeNumber(values.lock_after_hours, LOCK_HOURS.min, LOCK_HOURS.max);
    if (lockAfterHours === null) {
      errors.lock_after_hours = `Auto-lock must be a whole number of hours from ${LOCK_HOURS.min} to ${LOCK_HOURS.max}, or blank for no auto-lock.`;
    }
  }

  let attempts: number = ATTEMPTS.default;
  if (values.attempts_per_box) {
    const n = wholeNumber(values.attempts_per_box, ATTEMPTS.min, ATTEMPTS.max);
    if (n === null) errors.attempts_per_box = `Attempts per box must be a whole number from ${ATTEMPTS.min} to ${ATTEMPTS.max}.`;
    else attempts = n;
  }

  const seenIds = new Set<number>();
  const kept: ChallengeInput['boxes'] = [];
  for (const box of values.boxes) {
    const id = box.id ? Number(box.id) : null;
    if (box.id && (!/^\d{1,10}$/.test(box.id) || seenIds.has(id!))) {
      errors.boxes = 'The answer boxes in the form are mixed up. Reload the page and try again.';
      continue;
    }
    if (id !== null) seenIds.add(id);
    if (box.remove) continue;
    if (id === null && !box.answer && !box.label) continue; // an unused empty box
    const name = (f: string) => `box-${box.slot}-${f}`;
    let ok = true;
    if ([...box.label].length > MAX_LABEL_LENGTH) {
      errors[name('label')] = `The label must be at most ${MAX_LABEL_LENGTH} characters.`;
      ok = false;
    }
    if (!box.answer) {
      errors[name('answer')] = 'Enter the correct answer.';
      ok = false;
    } else if (box.answer.length > MAX_ANSWER_LENGTH) {
      errors[name('answer')] = `The answer must be at most ${MAX_ANSWER_LENGTH} characters.`;
      ok = false;
    }
    const tolerance = parseTolerance(box.tolerance);
    if (!tolerance) {
      errors[name('tolerance')] = 'Write the tolerance as 0.01 (plus or minus), 1% (relative), 3 sf or 2 dp, or leave it blank.';
      ok = false;
    }
    const parsed = answerOptionsSchema.safeParse({
      kind: box.kind || 'auto', listOrder: box.order || 'unordered', tolerance: tolerance ?? { type: 'none' },
      requireSimplified: box.simplified,
    });
    if (!parsed.success) {
      errors[name('kind')] = 'Choose the kind of answer and list order from the lists.';
      ok = false;
    }
    if (ok && parsed.success) {
      const problem = await ctx.validateAnswer(box.answer, parsed.data);
      if (problem) {
        errors[name('answer')] = problem;
        ok = false;
      }
    }
    if (parsed.success) kept.push({ id, label: box.label, correctAnswer: box.answer, options: parsed.data });
    else kept.push({ id, label: box.label, correctAnswer: box.answer, options: answerOptionsSchema.parse({}) });
  }
  if (!errors.boxes) {
    if (kept.length === 0) errors.boxes = 'A challenge needs at least one answer box with its correct answer.';
    else if (kept.length > MAX_BOXES) errors.boxes = `A challenge can have at most ${MAX_BOXES} answer boxes.`;
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    data: {
      title: values.title,
      contentHtml,
      keyStage: values.key_stage as ChallengeInput['keyStage'],
      releaseAt,
      lockAfterHours,
      attemptsPerBox: attempts,
      boxes: kept,
    },
  };
}
