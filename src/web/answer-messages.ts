// What a student is told about an answer the engine did not accept, in words a
// 12-year-old understands: one sentence per engine reason and one per answer
// form. Weekly and competition answer pages both use these tables, so the
// wording is the same everywhere. No message ever contains the correct answer.
import type { AnswerForm, AnswerOptions, CheckResult, Reason } from '../math/index.js';

/** One sentence for every reason the engine can give. */
export const REASON_MESSAGES: Record<Reason, string> = {
  equivalent: 'Correct!',
  // A readable answer that is simply wrong: anything more would give the answer away.
  'not-equivalent': 'Not quite.',
  'wrong-form': 'Your answer has the right value but is not written in the form this box asks for.',
  'kind-mismatch':
    'Your answer is not the kind of answer this box asks for. Read the question again: does it want a number, an expression, an equation, a point or a list?',
  'not-solved': 'Your answer still needs solving: finish it so that the letter is on its own.',
  'unit-mismatch':
    'Check the unit of your answer: it is missing, or it measures something different from what the question asks for.',
  'unknown-unit':
    'Your answer uses a unit the checker does not know. Check how you wrote it, for example cm, kg or m/s.',
  empty: 'Your answer was empty. Type an answer before checking it.',
  'parse-error':
    'The checker could not read your answer as maths. Check that every bracket is closed and that no sign is missing or doubled.',
  undefined: 'Your answer has no value: it divides by zero or takes the square root of a negative number.',
  unsupported: 'Your answer uses something the checker does not understand. Try writing it in a simpler way.',
  html: 'Your answer contains something that is not maths. Type only the maths.',
  'forbidden-command': 'Your answer contains a command that is not allowed in answers. Type only the maths.',
  'too-long': 'Your answer is too long for the checker. Write it more simply.',
  'too-deep': 'Your answer has too many brackets inside brackets. Write it more simply.',
  'too-complex': 'Your answer is too complicated for the checker. Write it more simply.',
  'out-of-bounds': 'Your answer has a number that is far too big to check. Write it more simply.',
  'invalid-expected':
    'Something is wrong with the correct answer stored for this box, so your answer was not counted. Please tell your teacher.',
  'invalid-options':
    'Something is wrong with the settings of this box, so your answer was not counted. Please tell your teacher.',
  timeout:
    'The answer checker could not finish checking that answer in time, so it was not counted. Please try again, or write it more simply.',
  busy: 'The answer checker is busy right now, so your answer was not counted. Please try again in a moment.',
  'worker-error': 'The answer checker is busy right now, so your answer was not counted. Please try again in a moment.',
  'internal-error':
    'The answer checker is busy right now, so your answer was not counted. Please try again in a moment.',
};

/** What is missing when the value is right but the form is not: "Your answer has the right value but …". */
export const FORM_MESSAGES: Record<AnswerForm, string> = {
  simplified: 'is not fully simplified',
  fraction: 'is not a single fraction',
  'mixed-number': 'is not a mixed number',
  decimal: 'is not a decimal',
  'standard-form': 'is not in standard form',
  factorised: 'is not factorised fully',
  expanded: 'is not expanded',
  power: 'is not written as a power',
  surd: 'is not in simplest surd form',
  exact: 'is not exact',
};

/** "Your answer has the right value but is not expanded." A decimal names the rounding the box asks for. */
export function wrongFormMessage(form: AnswerForm, options: Pick<AnswerOptions, 'tolerance'>): string {
  let what = FORM_MESSAGES[form];
  const t = options.tolerance;
  if (form === 'decimal' && t.type === 'decimalPlaces')
    what += ` (to ${t.value} decimal place${t.value === 1 ? '' : 's'})`;
  if (form === 'decimal' && t.type === 'sigfigs')
    what += ` (to ${t.value} significant figure${t.value === 1 ? '' : 's'})`;
  return `Your answer has the right value but ${what}.`;
}

/** The sentence for an answer the engine did not accept. */
export function verdictMessage(
  verdict: Pick<CheckResult, 'reason' | 'form'>,
  options: Pick<AnswerOptions, 'tolerance'>,
): string {
  if (verdict.reason === 'wrong-form' && verdict.form) return wrongFormMessage(verdict.form, options);
  return REASON_MESSAGES[verdict.reason];
}
