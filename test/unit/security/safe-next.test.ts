// The one function every redirect target passes through (safeNext): whatever
// it is given, the answer is a path that a browser, resolving it as a
// Location header, keeps on this site.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeNext } from '../../../src/security/access.js';
import { OPEN_REDIRECTS } from '../../fixtures/open-redirects.js';

const SITE = 'https://school.example';

/** Where a browser on the login page goes when it receives `location`. */
const resolved = (location: string) => new URL(location, `${SITE}/login`);

/** Pieces that browsers treat specially in a path, to build hostile inputs from. */
const PIECES = [
  '/',
  '\\',
  '.',
  '..',
  '%2e',
  '%2E',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '%252f',
  '%25',
  '%',
  '\t',
  '\n',
  '\r',
  ' ',
  '\u0000',
  '\u3002',
  '\uff0f',
  '@',
  ':',
  '#',
  '?',
  '&',
  '=',
  ';',
  'evil.example',
  'school.example',
  'https:',
  'javascript:',
  'a',
  'é',
];
const hostile = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((parts) => parts.join(''));
const anything = fc.oneof(
  hostile,
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  hostile.map((s) => `/${s}`),
  fc.webUrl().map((u) => u.replace(/^https?:/, '')),
  fc.webPath(),
);

/** Paths and queries people follow every day: letters, digits and the unreserved marks. */
const segment = fc.stringMatching(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,11}$/);
const pair = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/), fc.stringMatching(/^[A-Za-z0-9._~%-]{0,10}$/))
  .filter(([, v]) => !/%(?![0-9A-F]{2})/.test(v))
  .map(([k, v]) => `${k}=${v}`);
const ordinary = fc
  .tuple(fc.array(segment, { maxLength: 5 }), fc.array(pair, { maxLength: 3 }))
  .map(([segments, pairs]) => `/${segments.join('/')}${pairs.length ? `?${pairs.join('&')}` : ''}`);

describe('safeNext (the only way a redirect target is chosen)', () => {
  it.each(OPEN_REDIRECTS)('keeps %j on the site', (next) => {
    const out = safeNext(next);
    expect(out).toBe('/');
  });

  it('for any input, the answer resolves to this site, starts with exactly one slash, and is stable', () => {
    fc.assert(
      fc.property(anything, (next) => {
        const out = safeNext(next);
        expect(out.startsWith('/')).toBe(true);
        expect(/^\/[/\\]/.test(out)).toBe(false);
        expect(resolved(out).host).toBe('school.example');
        // What we send is what a second pass would send: nothing left to normalise.
        expect(safeNext(out)).toBe(out);
      }),
      { numRuns: 5000 },
    );
  });

  it('ordinary paths with their queries come back unchanged', () => {
    fc.assert(
      fc.property(ordinary, (path) => {
        expect(safeNext(path)).toBe(path);
      }),
      { numRuns: 2000 },
    );
  });

  it('a fallback is used for what is refused, and non-strings are refused', () => {
    expect(safeNext('/.//evil.example', '')).toBe('');
    expect(safeNext(['/a', '/b'])).toBe('/');
    expect(safeNext(undefined, '/profile')).toBe('/profile');
    expect(safeNext('x'.repeat(3000))).toBe('/');
  });

  it('dot segments that stay on the site are resolved', () => {
    expect(safeNext('/a/../../b')).toBe('/b');
    expect(safeNext('/challenges/./3?x=1')).toBe('/challenges/3?x=1');
  });
});
