// Counts beside nouns: the singular for exactly one, the plural otherwise,
// irregular plurals as given, numbers grouped as in the rest of the site.
import { describe, expect, it } from 'vitest';
import { plural, pluralWord } from '../../../src/lib/plural.js';

describe('plural', () => {
  it.each([
    [0, 'point', undefined, '0 points'],
    [1, 'point', undefined, '1 point'],
    [2, 'point', undefined, '2 points'],
    [-1, 'point', undefined, '-1 point'],
    [-3, 'point', undefined, '-3 points'],
    [1, 'challenge completed', 'challenges completed', '1 challenge completed'],
    [5, 'challenge completed', 'challenges completed', '5 challenges completed'],
    [1, 'entry', 'entries', '1 entry'],
    [12, 'entry', 'entries', '12 entries'],
    [1, 'person', 'people', '1 person'],
    [3, 'person', 'people', '3 people'],
    [1234, 'member', undefined, '1,234 members'],
    [1.5, 'hour', undefined, '1.5 hours'],
  ])('%d %s → %s', (count, singular, pluralForm, expected) => {
    expect(plural(count, singular, pluralForm)).toBe(expected);
  });

  it('gives the noun alone for counts shown apart from it', () => {
    expect(pluralWord(1, 'attempt')).toBe('attempt');
    expect(pluralWord(0, 'attempt')).toBe('attempts');
    expect(pluralWord(2, 'try', 'tries')).toBe('tries');
  });
});
