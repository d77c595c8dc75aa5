// The admin's competition forms: the competition itself (name, about text,
// start and end, schools), a competition challenge (the weekly challenge form
// with a duration instead of auto-lock) and a manual adjustment on the
// competition board. Field rules are zod schemas; the checks that need the
// database follow them.
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Competition, Database } from '../../db/schema.js';
import { checkbox, checkFields, formOutcome, validateForm, type FormOutcome } from '../../lib/forms.js';
import { isoToWallTime, wallTimeToIso } from '../../lib/school-time.js';
import {
  readChallengeForm,
  validateChallengeForm,
  type AnswerValidator,
  type ChallengeFormValues,
} from '../challenges/challenge-form.js';
import type { ChallengeInput } from '../challenges/challenges.js';
import { isBlankRichHtml, sanitizeRichHtml } from '../content/sanitize.js';
import { ADJUSTMENT_LIMIT } from './analytics.js';
import { competitionSchools, type CompetitionInput } from './competitions.js';
import { DURATION_HOURS } from './scoring.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

const COMPETITION_NAME_MAX = 120;
const ABOUT_MAX_LENGTH = 100_000;
const ADJUSTMENT_REASON_MAX = 300;

const chars = (s: string) => [...s].length;

// ---------------------------------------------------------------- the competition

export interface CompetitionFormValues {
  name: string;
  about_html: string;
  starts_at: string;
  ends_at: string;
  schoolIds: number[];
}

/** Schools are posted as one checkbox each: school-<id>=on. */
export function readCompetitionForm(fields: Record<string, string>): CompetitionFormValues {
  const schoolIds: number[] = [];
  for (const k of Object.keys(fields)) {
    const m = /^school-([1-9]\d{0,9})$/.exec(k);
    if (m && checkbox(fields, k)) schoolIds.push(Number(m[1]));
  }
  return {
    name: (fields.name ?? '').normalize('NFC').replace(/\s+/g, ' ').trim(),
    about_html: fields.about_html ?? '',
    starts_at: (fields.starts_at ?? '').trim(),
    ends_at: (fields.ends_at ?? '').trim(),
    schoolIds: [...new Set(schoolIds)].sort((a, b) => a - b),
  };
}

export async function competitionToForm(db: DbOrTrx, c: Competition, timeZone: string): Promise<CompetitionFormValues> {
  const schools = await competitionSchools(db, c.id);
  return {
    name: c.name,
    about_html: c.about_html,
    starts_at: isoToWallTime(c.starts_at, timeZone),
    ends_at: isoToWallTime(c.ends_at, timeZone),
    schoolIds: schools.map((s) => s.id),
  };
}

function competitionSchema(timeZone: string) {
  const wallTime = (message: string) =>
    z.string().transform((raw, ctx) => {
      const iso = raw ? wallTimeToIso(raw, timeZone) : null;
      if (!iso) ctx.addIssue({ code: 'custom', message, continue: true });
      return iso;
    });
  return z
    .object({
      name: z
        .string()
        .min(1, 'Enter the competition’s name.')
        .refine(
          (n) => chars(n) <= COMPETITION_NAME_MAX,
          `The name must be at most ${COMPETITION_NAME_MAX} characters.`,
        ),
      about_html: z.string().max(ABOUT_MAX_LENGTH, 'The about text is too long.'),
      starts_at: wallTime('Enter the start date and time (for example 2026-10-05T09:00).'),
      ends_at: wallTime('Enter the end date and time (for example 2026-10-30T17:00).'),
    })
    .superRefine((v, ctx) => {
      if (v.starts_at && v.ends_at && v.ends_at <= v.starts_at) {
        ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'The end must be after the start.' });
      }
    });
}

/** Names are unique regardless of case. */
async function competitionNameTaken(db: DbOrTrx, name: string, exceptId?: number): Promise<boolean> {
  const others = await db.selectFrom('competitions').select(['id', 'name']).execute();
  return others.some((o) => o.id !== exceptId && o.name.toLowerCase() === name.toLowerCase());
}

async function allSchoolsExist(db: DbOrTrx, ids: number[]): Promise<boolean> {
  if (!ids.length) return true;
  const known = await db.selectFrom('schools').select('id').where('id', 'in', ids).execute();
  return known.length === ids.length;
}

export async function validateCompetitionForm(
  db: DbOrTrx,
  values: CompetitionFormValues,
  opts: { timeZone: string; exceptId?: number },
): Promise<FormOutcome<CompetitionInput, CompetitionFormValues>> {
  const { data, errors } = checkFields(competitionSchema(opts.timeZone), values);
  if (!errors.name && (await competitionNameTaken(db, values.name, opts.exceptId))) {
    errors.name = `A competition called «${values.name}» already exists. Choose another name.`;
  }
  // The form shows the about text as it will be saved (nothing when it is blank).
  if (!errors.about_html) {
    const about = sanitizeRichHtml(values.about_html);
    values.about_html = isBlankRichHtml(about) ? '' : about;
  }
  if (!(await allSchoolsExist(db, values.schoolIds))) {
    errors.schools = 'A chosen school no longer exists. Reload the page and choose again.';
  }
  return formOutcome(values, errors, () => ({
    name: values.name,
    aboutHtml: values.about_html,
    startsAt: data!.starts_at!,
    endsAt: data!.ends_at!,
    schoolIds: values.schoolIds,
  }));
}

// ---------------------------------------------------------------- a competition challenge

const DURATION_ERROR = `The duration must be a whole number of hours from ${DURATION_HOURS.min} to ${DURATION_HOURS.max}.`;

const durationSchema = z
  .string()
  .transform((raw) => raw.trim())
  .refine(
    (v) => /^\d{1,3}$/.test(v) && Number(v) >= DURATION_HOURS.min && Number(v) <= DURATION_HOURS.max,
    DURATION_ERROR,
  )
  .transform(Number);

export type CompetitionChallengeValues = ChallengeFormValues & { duration_hours: string };

/** The weekly challenge form, with a duration in hours from release instead of an auto-lock. */
export async function validateCompetitionChallengeForm(
  fields: Record<string, string>,
  ctx: {
    timeZone: string;
    now: string;
    validateAnswer: AnswerValidator;
  },
): Promise<FormOutcome<{ challenge: ChallengeInput; durationHours: number }, CompetitionChallengeValues>> {
  const challenge = await validateChallengeForm(readChallengeForm({ ...fields, lock_after_hours: '' }), ctx);
  const duration = validateForm(z.object({ duration_hours: durationSchema }), {
    duration_hours: fields.duration_hours ?? '',
  });
  const values = { ...challenge.values, ...duration.values };
  if (challenge.ok && duration.ok)
    return { ok: true, values, data: { challenge: challenge.data, durationHours: duration.data.duration_hours } };
  return {
    ok: false,
    values,
    errors: { ...(challenge.ok ? {} : challenge.errors), ...(duration.ok ? {} : duration.errors) },
  };
}

// ---------------------------------------------------------------- a manual adjustment

export interface CompetitionAdjustmentInput {
  userId: number;
  points: number;
  reason: string;
}

const adjustmentSchema = z
  .object({
    user_id: z
      .string()
      .refine((v) => /^[1-9]\d{0,9}$/.test(v) && Number(v) <= 2_147_483_647, 'Choose a participant.')
      .transform(Number),
    points: z
      .string()
      .transform((v) => v.trim())
      .refine(
        (v) => /^-?\d{1,7}$/.test(v) && Number(v) !== 0 && Math.abs(Number(v)) <= ADJUSTMENT_LIMIT,
        `Points must be a whole number from −${ADJUSTMENT_LIMIT} to ${ADJUSTMENT_LIMIT}, not 0.`,
      )
      .transform(Number),
    reason: z
      .string()
      .transform((v) => v.replace(/\s+/g, ' ').trim())
      .pipe(
        z
          .string()
          .min(1, 'Give a reason for the adjustment.')
          .max(ADJUSTMENT_REASON_MAX, `The reason must be at most ${ADJUSTMENT_REASON_MAX} characters.`),
      ),
  })
  .transform((v): CompetitionAdjustmentInput => ({ userId: v.user_id, points: v.points, reason: v.reason }));

/** The board's adjustment form; the page shows its first message. */
export function validateCompetitionAdjustment(fields: Record<string, string>): FormOutcome<CompetitionAdjustmentInput> {
  return validateForm(adjustmentSchema, {
    user_id: fields.user_id ?? '',
    points: fields.points ?? '',
    reason: fields.reason ?? '',
  });
}
