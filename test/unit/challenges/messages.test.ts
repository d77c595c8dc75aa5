import { describe, expect, it } from 'vitest';
import { answerMessage, uncountedMessage } from '../../../src/web/answer-flow.js';

describe('messages after an answer', () => {
  it('does not count tries the engine could not judge', () => {
    expect(uncountedMessage('timeout')).toEqual({
      type: 'warning',
      text: 'The answer checker could not finish checking that answer in time, so it was not counted. Please try again, or write it more simply.',
    });
    for (const reason of ['busy', 'worker-error', 'internal-error'] as const) {
      expect(uncountedMessage(reason)?.text).toMatch(/^The answer checker is busy right now/);
    }
    // A verdict about the answer itself (even a hostile one) is a real, counted try.
    for (const reason of ['not-equivalent', 'equivalent', 'forbidden-command', 'too-long', 'parse-error'] as const) {
      expect(uncountedMessage(reason)).toBeNull();
    }
  });

  it('words attempts left in the singular and plural', () => {
    const wrong = (attemptsLeft: number) =>
      answerMessage({ kind: 'recorded', correct: false, attemptsLeft, completion: null, adminTry: false }, 'T').text;
    expect(wrong(2)).toBe('Not quite. You have 2 attempts left for this box.');
    expect(wrong(1)).toBe('Not quite. You have 1 attempt left for this box.');
    expect(wrong(0)).toBe('Not quite, and that was your last attempt for this box.');
  });

  it('explains refusals made inside the transaction', () => {
    expect(answerMessage({ kind: 'gone' }, 'T').text).toBe(
      'That answer box no longer exists: the challenge was changed while your answer was being checked. Please look again.',
    );
    expect(answerMessage({ kind: 'locked' }, 'T')).toEqual({
      type: 'warning',
      text: 'This challenge is closed, so answers are no longer accepted.',
    });
    expect(answerMessage({ kind: 'solved' }, 'T')).toEqual({
      type: 'info',
      text: 'You have already answered this box correctly.',
    });
    expect(answerMessage({ kind: 'no-attempts' }, 'T')).toEqual({
      type: 'warning',
      text: 'You have used all your attempts for this box.',
    });
  });

  it('names the challenge and the points on completion', () => {
    const done = (first: boolean, points: number) =>
      answerMessage(
        { kind: 'recorded', correct: true, attemptsLeft: 1, completion: { first, points }, adminTry: false },
        'Primes',
      ).text;
    expect(done(true, 3)).toBe('Correct — you have completed «Primes»! You were the first to finish: +3 points.');
    expect(done(false, 1)).toBe('Correct — you have completed «Primes»! +1 point.');
  });
});
