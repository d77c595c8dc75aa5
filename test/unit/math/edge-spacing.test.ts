// A maths box may send spacing commands at either end of an answer (a space typed
// after the last digit arrives as `\ `): they are trimmed like white space.
import { describe, expect, it } from 'vitest';
import { checkAnswer, normalizeAnswer } from '../../../src/math/index.js';

describe('spacing at the edges of an answer', () => {
  it.each([
    ['x\\ ', 'x'],
    ['\\ x', 'x'],
    ['x\\  ', 'x'],
    ['\\quad 3 \\,', '3'],
    ['\\;\\!7\\:', '7'],
  ])('%j reads as %s', (input, reading) => {
    expect(normalizeAnswer(input)).toMatchObject({ error: null, normalized: reading });
  });

  it('keeps a mixed number typed with a trailing space', () => {
    expect(checkAnswer('5/2', '2\\ \\frac12\\ ').equivalent).toBe(true);
  });

  it('treats an answer of spacing alone as empty', () => {
    expect(normalizeAnswer('\\ \\quad ').error).toBe('empty');
  });

  it('still refuses a lone backslash at the end', () => {
    expect(normalizeAnswer('x\\').error).toBe('unsupported');
  });
});
