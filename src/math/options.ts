// Per-box grading options an admin can set; validated with zod at the web layer and here.
import { z } from 'zod';
import { ANSWER_FORMS, requiredForms } from './forms.js';
import { ANSWER_KINDS } from './types.js';

export const toleranceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('absolute'), value: z.number().finite().positive() }).strict(),
  z.object({ type: z.literal('relative'), value: z.number().finite().positive().max(1) }).strict(),
  z.object({ type: z.literal('sigfigs'), value: z.number().int().min(1).max(15) }).strict(),
  z.object({ type: z.literal('decimalPlaces'), value: z.number().int().min(0).max(15) }).strict(),
]);

export const answerOptionsSchema = z
  .object({
    /** 'auto' reads the kind from the expected answer. */
    kind: z.enum(['auto', ...ANSWER_KINDS]).default('auto'),
    /** Whether the order of list items matters. Sets ({…}) and points ignore this. */
    listOrder: z.enum(['unordered', 'ordered']).default('unordered'),
    /** Numeric tolerance for numbers, quantities, point coordinates and list items. */
    tolerance: toleranceSchema.default({ type: 'none' }),
    /** Older switch for form 'simplified'; kept as an alias (true adds it to `form`). */
    requireSimplified: z.boolean().default(false),
    /** Forms a right answer must also be written in, checked in this order (docs/math-engine.md). */
    form: z
      .array(z.enum(ANSWER_FORMS, { error: () => `Unknown answer form. The forms are: ${ANSWER_FORMS.join(', ')}.` }))
      .max(ANSWER_FORMS.length, `List at most the ${ANSWER_FORMS.length} answer forms, each once.`)
      .default([]),
  })
  .strict()
  // One meaning, one spelling: the alias folds into `form`, and `requireSimplified` mirrors it.
  .transform((o) => {
    const form = requiredForms(o);
    return { ...o, requireSimplified: form.includes('simplified'), form };
  });

/** Options after defaults are applied. */
export type AnswerOptions = z.output<typeof answerOptionsSchema>;
/** Options as an admin may write them (every field optional). */
export type AnswerOptionsInput = z.input<typeof answerOptionsSchema>;
export type Tolerance = z.output<typeof toleranceSchema>;

export const DEFAULT_OPTIONS: AnswerOptions = answerOptionsSchema.parse({});
