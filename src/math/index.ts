// The math answer engine: pure, synchronous, deterministic. The web layer should call it
// through the worker pool in ./pool.ts, which adds a hard timeout and a memory limit.
import { checkWithOptions, normalizeAnswer } from './engine.js';
import { answerOptionsSchema, type AnswerOptionsInput } from './options.js';
import type { CheckResult } from './types.js';

export { normalizeAnswer };
export { answerOptionsSchema, toleranceSchema, DEFAULT_OPTIONS } from './options.js';
export type { AnswerOptions, AnswerOptionsInput, Tolerance } from './options.js';
export { ANSWER_KINDS } from './types.js';
export { ANSWER_FORMS, FORM_DESCRIPTIONS } from './forms.js';
export type { AnswerForm } from './forms.js';
export type { AnswerKind, CheckResult, NormalizeResult, Reason } from './types.js';

/**
 * Is `submitted` an acceptable answer where `expected` is the correct one?
 * Never throws: unreadable, hostile or undefined input, and invalid options, give
 * `equivalent: false` with a reason.
 */
export function checkAnswer(expected: string, submitted: string, options?: AnswerOptionsInput): CheckResult {
  const parsed = answerOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    return {
      equivalent: false,
      reason: 'invalid-options',
      detail: parsed.error.issues[0]?.message ?? 'bad options',
      kind: null,
      normalizedExpected: null,
      normalizedSubmitted: null,
      form: null,
    };
  }
  return checkWithOptions(expected, submitted, parsed.data);
}
