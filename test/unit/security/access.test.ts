import { describe, expect, it } from 'vitest';
import { safeNext } from '../../../src/security/access.js';

describe('safeNext (no open redirect after login)', () => {
  it('keeps same-site relative paths with their query', () => {
    expect(safeNext('/challenges/3')).toBe('/challenges/3');
    expect(safeNext('/leaderboard?stage=KS4')).toBe('/leaderboard?stage=KS4');
  });

  it.each([
    'https://evil.example/',
    '//evil.example/',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '',
    '   ',
    'x'.repeat(3000),
  ])('refuses %j', (next) => {
    expect(safeNext(next)).toBe('/');
  });

  it('refuses values that are not strings, and uses the given fallback', () => {
    expect(safeNext(['/a', '/b'])).toBe('/');
    expect(safeNext(undefined, '/profile')).toBe('/profile');
  });

  it('normalises dot segments instead of leaving the site', () => {
    expect(safeNext('/a/../../b')).toBe('/b');
  });
});
