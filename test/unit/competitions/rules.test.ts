// The pure competition rules: the exact email-domain match, the one-decimal
// average, the duration lock and the day series behind the analytics chart.
import { describe, expect, it } from 'vitest';
import { fillDays } from '../../../src/domain/competitions/analytics.js';
import { averageOneDecimal, closesAt, isCompetitionChallengeLocked } from '../../../src/domain/competitions/scoring.js';
import { emailMatchesSchool } from '../../../src/domain/competitions/competitions.js';

describe('emailMatchesSchool', () => {
  const school = { email_domain: 'school.org' };
  it.each([
    ['ann@school.org', true],
    ['Ann@SCHOOL.ORG', true],
    ['  ann@school.org ', true],
    ['ann@evil-school.org', false],
    ['ann@school.org.evil.com', false],
    ['ann@sub.school.org', false],
    ['ann@school.org@evil.com', false],
    ['ann.school.org', false],
    ['school.org', false],
  ])('%s → %s', (email, ok) => {
    expect(emailMatchesSchool(email, school)).toBe(ok);
  });
});

describe('averageOneDecimal', () => {
  it('rounds to one decimal and is 0 without participants', () => {
    expect(averageOneDecimal(5, 3)).toBe(1.7);
    expect(averageOneDecimal(8, 3)).toBe(2.7);
    expect(averageOneDecimal(5, 2)).toBe(2.5);
    expect(averageOneDecimal(0, 0)).toBe(0);
  });
});

describe('duration lock', () => {
  const c = { is_locked: 0, release_at: '2030-01-01T10:00:00.000Z', duration_hours: 2 };
  it('closes the duration after release, and at once when locked by hand', () => {
    expect(closesAt(c)).toBe('2030-01-01T12:00:00.000Z');
    expect(isCompetitionChallengeLocked(c, '2030-01-01T12:00:00.000Z')).toBe(false);
    expect(isCompetitionChallengeLocked(c, '2030-01-01T12:00:00.001Z')).toBe(true);
    expect(isCompetitionChallengeLocked({ ...c, is_locked: 1 }, '2030-01-01T10:30:00.000Z')).toBe(true);
  });
});

describe('fillDays', () => {
  it('sorts and fills the days without tries with zero', () => {
    expect(
      fillDays([
        { day: '2030-01-03', count: 2 },
        { day: '2030-01-01', count: 5 },
      ]),
    ).toEqual([
      { day: '2030-01-01', count: 5 },
      { day: '2030-01-02', count: 0 },
      { day: '2030-01-03', count: 2 },
    ]);
    expect(fillDays([])).toEqual([]);
  });
});
