import { describe, expect, it } from 'vitest';
import { LimitStringError, parseLimits, UNIT_SECONDS } from '../../../src/security/ratelimit/grammar.js';

const summary = (text: string) => parseLimits(text).map((i) => [i.amount, i.windowSeconds]);

describe('limit-string grammar', () => {
  it('reads the documented default with its separators and spaces', () => {
    expect(summary('200 per day;50 per hour')).toEqual([
      [200, 86400],
      [50, 3600],
    ]);
    expect(summary('200 per day; 50 per hour')).toEqual([
      [200, 86400],
      [50, 3600],
    ]);
    expect(summary(' 200 per day , 50 per hour | 5 per second ')).toEqual([
      [200, 86400],
      [50, 3600],
      [5, 1],
    ]);
  });

  it('reads the slash form and multiples of a unit', () => {
    expect(summary('5/minute')).toEqual([[5, 60]]);
    expect(summary('10 per 2 hours')).toEqual([[10, 7200]]);
    expect(summary('10/2 hours')).toEqual([[10, 7200]]);
    expect(summary('3 per 15 minutes')).toEqual([[3, 900]]);
  });

  it('knows every unit, singular or plural, in any case', () => {
    for (const unit of Object.keys(UNIT_SECONDS) as Array<keyof typeof UNIT_SECONDS>) {
      expect(summary(`1 per ${unit}`)).toEqual([[1, UNIT_SECONDS[unit]]]);
      expect(summary(`1 PER 1 ${unit.toUpperCase()}S`)).toEqual([[1, UNIT_SECONDS[unit]]]);
    }
    // Flask-Limiter's month is 30 days and its year twelve of those.
    expect(UNIT_SECONDS.month).toBe(2_592_000);
    expect(UNIT_SECONDS.year).toBe(31_104_000);
  });

  it('keeps the order written and names each limit readably and stably', () => {
    const items = parseLimits('5 per minute;20 per hour;10 per 2 days');
    expect(items.map((i) => i.text)).toEqual(['5 per minute', '20 per hour', '10 per 2 days']);
    expect(items.map((i) => i.id)).toEqual(['5-per-1minute', '20-per-1hour', '10-per-2day']);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['200 per day;', /empty part/],
    ['200 per day;;50 per hour', /empty part/],
    ['many per day', /"many per day" is not a limit/],
    ['5 per fortnight', /"5 per fortnight" is not a limit/],
    ['5 minutes', /"5 minutes" is not a limit/],
    ['-5 per minute', /is not a limit/],
    ['5.5 per minute', /is not a limit/],
    ['5 per minute and more', /is not a limit/],
    ['0 per minute', /must allow from 1/],
    ['5 per 0 minutes', /window from 1 second to 10 years/],
    ['5 per 11 years', /window from 1 second to 10 years/],
    ['99999999999 per hour', /must allow from 1/],
  ])('refuses %j with a message naming the offending text', (text, message) => {
    expect(() => parseLimits(text)).toThrow(LimitStringError);
    expect(() => parseLimits(text)).toThrow(message);
  });

  it('quotes the whole string and the bad part', () => {
    expect(() => parseLimits('200 per day;50 per hr')).toThrow(
      'rate limit "200 per day;50 per hr": "50 per hr" is not a limit',
    );
  });
});
