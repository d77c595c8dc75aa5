// The students' words for every engine verdict: each reason the engine can give
// (read from its source, so a new reason without a message fails here) and each
// answer form has a message, and a right value in a wrong form names the form.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ANSWER_FORMS, DEFAULT_OPTIONS, type Reason } from '../../../src/math/index.js';
import { FORM_MESSAGES, REASON_MESSAGES, verdictMessage, wrongFormMessage } from '../../../src/web/answer-messages.js';
import { freeWrongFormMessage, uncountedMessage } from '../../../src/web/answer-flow.js';

/** The members of `type Reason = | 'a' | 'b' …` in the engine's types. */
function engineReasons(): string[] {
  const source = readFileSync(new URL('../../../src/math/types.ts', import.meta.url), 'utf8');
  const union = /export type Reason =([^;]+);/.exec(source);
  if (!union) throw new Error('type Reason not found in src/math/types.ts');
  return [...union[1]!.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]!);
}

const none = DEFAULT_OPTIONS;

describe('answer messages', () => {
  it('has a message for every reason the engine can give, and no others', () => {
    const reasons = engineReasons();
    expect(reasons).toContain('wrong-form');
    expect(reasons).toContain('kind-mismatch');
    for (const reason of reasons) {
      const text = REASON_MESSAGES[reason as Reason];
      expect(text, reason).toMatch(/^[A-Z].{5,}[.!?]$/);
      // No engine jargon for a 12-year-old.
      expect(text, reason).not.toMatch(/\b(parse|kind-mismatch|engine|LaTeX|token|undefined|null)\b/i);
    }
    expect(Object.keys(REASON_MESSAGES).sort()).toEqual([...reasons].sort());
  });

  it('has a message for every answer form', () => {
    expect(Object.keys(FORM_MESSAGES).sort()).toEqual([...ANSWER_FORMS].sort());
    for (const form of ANSWER_FORMS)
      expect(wrongFormMessage(form, none)).toMatch(/^Your answer has the right value but is not [a-z ]+\.$/);
  });

  it('words a right value in a wrong form by the form that failed', () => {
    const expected: Record<string, string> = {
      simplified: 'Your answer has the right value but is not fully simplified.',
      power: 'Your answer has the right value but is not written as a power.',
      expanded: 'Your answer has the right value but is not expanded.',
      factorised: 'Your answer has the right value but is not factorised fully.',
      fraction: 'Your answer has the right value but is not a single fraction.',
      'mixed-number': 'Your answer has the right value but is not a mixed number.',
      decimal: 'Your answer has the right value but is not a decimal.',
      'standard-form': 'Your answer has the right value but is not in standard form.',
      surd: 'Your answer has the right value but is not in simplest surd form.',
      exact: 'Your answer has the right value but is not exact.',
    };
    for (const form of ANSWER_FORMS)
      expect(verdictMessage({ reason: 'wrong-form', form }, none), form).toBe(expected[form]);
  });

  it('names the rounding a decimal must have', () => {
    const dp = (value: number) => ({ tolerance: { type: 'decimalPlaces' as const, value } });
    expect(wrongFormMessage('decimal', dp(2))).toBe(
      'Your answer has the right value but is not a decimal (to 2 decimal places).',
    );
    expect(wrongFormMessage('decimal', dp(1))).toBe(
      'Your answer has the right value but is not a decimal (to 1 decimal place).',
    );
    expect(wrongFormMessage('decimal', { tolerance: { type: 'sigfigs', value: 3 } })).toBe(
      'Your answer has the right value but is not a decimal (to 3 significant figures).',
    );
    // Other forms ignore the tolerance.
    expect(wrongFormMessage('exact', dp(2))).toBe('Your answer has the right value but is not exact.');
  });

  it('keeps the plain "Not quite." for a readable wrong answer and explains the rest', () => {
    expect(verdictMessage({ reason: 'not-equivalent', form: null }, none)).toBe('Not quite.');
    expect(verdictMessage({ reason: 'parse-error', form: null }, none)).toMatch(/could not read your answer as maths/);
    expect(verdictMessage({ reason: 'kind-mismatch', form: null }, none)).toMatch(/not the kind of answer/);
    expect(verdictMessage({ reason: 'unit-mismatch', form: null }, none)).toMatch(/unit/);
    // A wrong-form verdict without its form still gets a sentence.
    expect(verdictMessage({ reason: 'wrong-form', form: null }, none)).toBe(REASON_MESSAGES['wrong-form']);
  });

  it('does not count a try the box itself cannot grade', () => {
    for (const reason of ['invalid-expected', 'invalid-options'] as const)
      expect(uncountedMessage(reason)).toEqual({ type: 'warning', text: REASON_MESSAGES[reason] });
    expect(uncountedMessage('wrong-form')).toBeNull();
  });

  it('says that a free wrong-form try used no attempt', () => {
    const feedback = wrongFormMessage('expanded', none);
    expect(freeWrongFormMessage(feedback, 3)).toEqual({
      type: 'warning',
      text: 'Your answer has the right value but is not expanded. This try did not use an attempt. You still have 3 attempts left for this box.',
    });
    expect(freeWrongFormMessage(feedback, 1).text).toMatch(/You still have 1 attempt left for this box\.$/);
    expect(freeWrongFormMessage(feedback, null).text).toBe(
      'Your answer has the right value but is not expanded. This try did not use an attempt.',
    );
  });
});
