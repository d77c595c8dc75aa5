import { describe, expect, it } from 'vitest';
import { formatTolerance, parseTolerance } from '../../../src/domain/challenges/challenge-form.js';
import { addHours, formatSchoolTime, isoToWallTime, wallTimeToIso } from '../../../src/lib/school-time.js';

describe('school time', () => {
  it('reads release times as London wall-clock time, summer and winter', () => {
    expect(wallTimeToIso('2026-01-12T08:00', 'Europe/London')).toBe('2026-01-12T08:00:00.000Z');
    expect(wallTimeToIso('2026-06-15T08:00', 'Europe/London')).toBe('2026-06-15T07:00:00.000Z');
    expect(wallTimeToIso('2026-06-15T08:00', 'UTC')).toBe('2026-06-15T08:00:00.000Z');
  });

  it('moves a time skipped by the clock change forward', () => {
    // 29 March 2026: London clocks jump from 01:00 to 02:00.
    expect(wallTimeToIso('2026-03-29T01:30', 'Europe/London')).toBe('2026-03-29T01:30:00.000Z');
    expect(isoToWallTime('2026-03-29T01:30:00.000Z', 'Europe/London')).toBe('2026-03-29T02:30');
  });

  it('refuses what is not a date and time', () => {
    for (const bad of [
      '',
      'tomorrow',
      '2026-02-30T08:00',
      '2026-13-01T08:00',
      '2026-01-01T24:00',
      '2026-01-01 08:00x',
    ]) {
      expect(wallTimeToIso(bad, 'Europe/London')).toBeNull();
    }
  });

  it('round-trips through the form value', () => {
    const iso = wallTimeToIso('2026-10-05T17:45', 'Europe/London')!;
    expect(isoToWallTime(iso, 'Europe/London')).toBe('2026-10-05T17:45');
    expect(formatSchoolTime(iso, 'Europe/London')).toBe('Mon, 5 Oct 2026, 17:45');
    expect(addHours(iso, 24)).toBe('2026-10-06T16:45:00.000Z');
  });
});

describe('answer tolerance as admins type it', () => {
  it.each([
    ['', { type: 'none' }],
    ['0.01', { type: 'absolute', value: 0.01 }],
    ['±0.5', { type: 'absolute', value: 0.5 }],
    ['1%', { type: 'relative', value: 0.01 }],
    ['3 sf', { type: 'sigfigs', value: 3 }],
    ['3 s.f.', { type: 'sigfigs', value: 3 }],
    ['2dp', { type: 'decimalPlaces', value: 2 }],
    ['2 d.p.', { type: 'decimalPlaces', value: 2 }],
  ])('%j', (raw, expected) => {
    expect(parseTolerance(raw)).toEqual(expected);
    expect(parseTolerance(formatTolerance(expected as never))).toEqual(expected);
  });

  it.each(['abc', '-1', '0', '200%', '0 sf', '99 dp', '1/2'])('refuses %j', (raw) => {
    expect(parseTolerance(raw)).toBeNull();
  });
});
