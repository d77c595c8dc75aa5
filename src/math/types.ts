// Public result types of the answer engine.
import type { AnswerForm } from './forms.js';

export const ANSWER_KINDS = [
  'text',
  'number',
  'expression',
  'equation',
  'inequality',
  'point',
  'list',
  'quantity',
] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

/**
 * Why a verdict was reached. Only 'equivalent' accompanies `equivalent: true`.
 * 'wrong-form': the value is right but not written in a form the box requires.
 */
export type Reason =
  | 'equivalent'
  | 'not-equivalent'
  | 'empty'
  | 'too-long'
  | 'too-deep'
  | 'too-complex'
  | 'html'
  | 'forbidden-command'
  | 'unsupported'
  | 'parse-error'
  | 'out-of-bounds'
  | 'undefined'
  | 'kind-mismatch'
  | 'not-solved'
  | 'wrong-form'
  | 'unit-mismatch'
  | 'unknown-unit'
  | 'invalid-expected'
  | 'invalid-options'
  | 'timeout'
  | 'busy'
  | 'worker-error'
  | 'internal-error';

/** Reasons that suggest a deliberate attack or abuse rather than a wrong answer; the pool logs them. */
export const HOSTILE_REASONS: ReadonlySet<Reason> = new Set<Reason>([
  'too-long',
  'too-deep',
  'too-complex',
  'html',
  'forbidden-command',
  'out-of-bounds',
  'timeout',
]);

export interface CheckResult {
  equivalent: boolean;
  reason: Reason;
  /** Human-readable detail for the admin tester and logs; never shown verbatim to students. */
  detail: string;
  /** The kind the expected answer was graded as (null when the inputs could not be read). */
  kind: AnswerKind | null;
  normalizedExpected: string | null;
  normalizedSubmitted: string | null;
  /** With reason 'wrong-form': the required form the answer is not in; otherwise null. */
  form: AnswerForm | null;
}

export interface NormalizeResult {
  original: string;
  /** Canonical plain-text reading of the input, or null when it cannot be read. */
  normalized: string | null;
  kind: AnswerKind | null;
  /** Why the input could not be read (null when it could). */
  error: Reason | null;
  detail: string;
}
