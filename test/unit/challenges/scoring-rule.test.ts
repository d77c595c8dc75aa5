import { describe, expect, it } from 'vitest';
import {
  completionPoints,
  deriveCompletions,
  FIRST_COMPLETER_POINTS,
  LATER_COMPLETER_POINTS,
  type ScoredTry,
} from '../../../src/domain/challenges/scoring.js';
import { publicName, rankRows } from '../../../src/domain/challenges/leaderboards.js';

let nextId = 1;
const tryOf = (userId: number, boxId: number, isCorrect: boolean, createdAt: string, id = nextId++): ScoredTry => ({
  id,
  userId,
  boxId,
  isCorrect,
  createdAt,
});

describe('the scoring rule', () => {
  it('gives 3 points to the first completer and 1 to everyone after', () => {
    expect([FIRST_COMPLETER_POINTS, LATER_COMPLETER_POINTS]).toEqual([3, 1]);
    expect(completionPoints(true)).toBe(3);
    expect(completionPoints(false)).toBe(1);
  });

  it('completes only when every box has a correct try, at the last of them', () => {
    const tries = [
      tryOf(1, 10, true, '2026-01-01T10:00:00.000Z'),
      tryOf(1, 11, false, '2026-01-01T10:01:00.000Z'),
      tryOf(2, 10, true, '2026-01-01T10:02:00.000Z'),
      tryOf(2, 11, true, '2026-01-01T10:03:00.000Z'),
      tryOf(1, 11, true, '2026-01-01T10:04:00.000Z'),
      tryOf(3, 11, true, '2026-01-01T10:00:30.000Z'),
    ];
    expect(deriveCompletions([10, 11], tries)).toEqual([
      { userId: 2, completedAt: '2026-01-01T10:03:00.000Z', submissionId: tries[3]!.id, points: 3 },
      { userId: 1, completedAt: '2026-01-01T10:04:00.000Z', submissionId: tries[4]!.id, points: 1 },
    ]);
  });

  it('breaks a tie in time by the order the tries were stored', () => {
    const at = '2026-01-01T10:00:00.000Z';
    const tries = [tryOf(5, 1, true, at, 41), tryOf(4, 1, true, at, 40)];
    expect(deriveCompletions([1], tries).map((c) => [c.userId, c.points])).toEqual([
      [4, 3],
      [5, 1],
    ]);
  });

  it('counts the first correct try per box and ignores tries on other boxes', () => {
    const tries = [
      tryOf(1, 1, true, '2026-01-01T10:05:00.000Z'),
      tryOf(1, 1, true, '2026-01-01T10:01:00.000Z'),
      tryOf(1, 99, true, '2026-01-01T09:00:00.000Z'),
    ];
    expect(deriveCompletions([1], tries)).toEqual([
      { userId: 1, completedAt: '2026-01-01T10:01:00.000Z', submissionId: tries[1]!.id, points: 3 },
    ]);
  });

  it('a challenge without boxes has no completions', () => {
    expect(deriveCompletions([], [tryOf(1, 1, true, '2026-01-01T10:00:00.000Z')])).toEqual([]);
  });
});

describe('board ranks', () => {
  it('shares ranks for ties: 1, 2, 2, 4', () => {
    const ranked = rankRows([{ points: 9 }, { points: 7 }, { points: 7 }, { points: 5 }, { points: 5 }, { points: 1 }]);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 2, 4, 4, 6]);
  });

  it('shows first name and last initial only', () => {
    expect(publicName('Ada', 'Lovelace')).toBe('Ada L.');
    expect(publicName('Siân', "o'Neill")).toBe('Siân O.');
    expect(publicName('Kim', '')).toBe('Kim');
  });
});
