// Shared assertions for the math engine tests.
import { expect } from 'vitest';
import { checkAnswer, type AnswerOptionsInput, type CheckResult, type Reason } from '../../../src/math/index.js';

export function same(expected: string, submitted: string, options?: AnswerOptionsInput): CheckResult {
  const r = checkAnswer(expected, submitted, options);
  expect(r, `${expected}  vs  ${submitted}: ${r.reason} (${r.detail})`).toMatchObject({
    equivalent: true,
    reason: 'equivalent',
  });
  return r;
}

export function differ(
  expected: string,
  submitted: string,
  reason?: Reason,
  options?: AnswerOptionsInput,
): CheckResult {
  const r = checkAnswer(expected, submitted, options);
  expect(r.equivalent, `${expected}  vs  ${submitted} should not be equivalent (${r.reason})`).toBe(false);
  expect(r.reason).not.toBe('internal-error');
  if (reason) expect(r.reason, `${expected}  vs  ${submitted}: ${r.detail}`).toBe(reason);
  return r;
}
