// How answers are read: digit grouping, products of letters in any order, and complex
// numbers with i as the imaginary unit. The reading corpus is checked case by case too.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkAnswer, normalizeAnswer } from '../../../src/math/index.js';
import { differ, same } from './helpers.js';

const read = (s: string): string | null => normalizeAnswer(s).normalized;

describe('digit grouping', () => {
  it('reads thin spaces, spaces and braced commas between groups of three digits', () => {
    same('1000', '1\\,000');
    same('1000', '1\\ 000');
    same('12345.6', '12\\,345.6');
    same('1000', '1{,}000');
    same('1000', '1\\;000');
    same('1000', '1\\:000');
    same('1000', '1\\thinspace 000');
    same('1000000', '1\\,000\\,000');
    same('1000', '1 000');
    same('1000000', '1 000 000');
    same('1000', '1\u202F000'); // narrow no-break space, the typographic group separator
    same('-2500', '-2\\,500');
    same('1\\,000', '1000');
    expect(read('1\\,000\\,000')).toBe('1000000');
    expect(read('1{,}234{,}567.5')).toBe('1234567.5');
  });

  it('groups inside larger answers', () => {
    same('(1000, 2)', '\\left(1\\,000,2\\right)');
    same('x=2500', 'x=2\\,500');
    same('5\\,\\mathrm{km}', '5\\,000\\,\\mathrm{m}');
    same('2x+1000', '2x+1\\,000');
    same('1000, 2000', '2\\,000, 1\\,000');
  });

  it('keeps lists, points and mixed numbers as they were', () => {
    expect(checkAnswer('1,2', '2,1')).toMatchObject({ kind: 'list', equivalent: true });
    differ('1000', '1,000'); // a plain comma separates items
    same('(1, 2)', '(1,2)');
    same('\\frac{5}{2}', '2\\frac{1}{2}');
    same('\\frac{5}{2}', '2 1/2');
    same('\\frac{5}{2}', '2\\ 1/2');
    same('\\frac{5}{2}', '2\\,\\frac{1}{2}');
    same('2+\\frac{100}{101}', '2 100/101'); // a mixed number, not 2100/101
    differ('\\frac{2100}{101}', '2 100/101');
  });

  it('refuses groups that are not three digits instead of guessing', () => {
    for (const bad of ['1\\,00', '1\\,0000', '1{,}00', '1{,}5', '1000\\,000', '12\\,345\\,6', '0\\,001', '2 3']) {
      const r = differ('100', bad, 'parse-error');
      expect(r.detail, bad).toMatch(/three|side by side/);
    }
    expect(normalizeAnswer('1\\,00').detail).toMatch(/three/);
    differ('1000', '10^3\\,000', 'parse-error'); // an exponent is never grouped
  });
});

describe('products of letters', () => {
  it('are equal in any order and with any spacing', () => {
    same('ab', 'ba');
    same('xyz', 'zyx');
    same('xyz', 'yxz');
    same('zyx', 'x\\cdot y\\cdot z');
    same('2ab', '2ba');
    same('ab', 'a b');
    same('abc^2', 'c^2ba');
    same('xy^2', 'y^2x');
    same('pqr', 'rqp');
    same('a b c', 'cba');
    same('x y z', 'zyx');
    differ('xyz', 'xy');
    differ('xy^2', 'x^2y');
    differ('abc^2', 'a^2bc');
  });

  it('are read as algebra when the letters cannot spell a word', () => {
    for (const e of ['xyz', 'pqr', 'xlnx', 'xsinx', 'ysinx', 'a b c', '2xsinx', 'sinx', 'lnx', 'sin x', 'x sin x']) {
      expect(checkAnswer(e, e).kind, e).toBe('expression');
    }
    for (const e of [
      'kite',
      'sine',
      'cosine',
      'tangent',
      'increasing',
      'using',
      'sin',
      'abc',
      '10 sines',
      'cos rule',
    ]) {
      expect(checkAnswer(e, e).kind, e).toBe('text');
    }
    differ('kite', 'tike');
    same('tangent', 'Tangent');
  });

  it('stand next to brackets and functions', () => {
    same('x\\sin x', '\\sin x\\cdot x');
    same('x\\sin x', 'xsinx');
    same('xsinx', 'x\\sin(x)');
    same('2x\\sin x', '2xsinx');
    same('x\\ln x', 'xlnx');
    same('ab(a+b)', 'a^2b+ab^2');
    same('ab(a+b)', '(b+a)ba');
    same('x(x+1)', 'x^2+x');
    differ('x\\sin x', '\\sin(x^2)');
  });

  it('read a letter before a plain-text sin, cos or tan as a factor', () => {
    same('a\\sin x', 'asinx');
    same('a\\cos x', 'acosx');
    same('a\\tan x', 'atanx');
    same('\\arcsin x', 'asin(x)'); // the whole word before a bracket is still arcsin
    same('\\arctan x', 'atan(x)');
  });

  it('end a function argument at a space after a letter', () => {
    same('y\\sin x', '\\sin x\\,y');
    same('e^{x}\\sin x', '\\sin x\\;e^{x}');
    same('t\\sin t', '\\sin t\\, t');
    same('y\\sin x', 'sin x y');
    same('\\sin(xy)', '\\sin xy');
    same('\\sin(\\theta t)', '\\sin\\theta t'); // the space after \theta only ends the command name
    same('\\sin(2\\pi x)', '\\sin 2\\pi x');
    same('\\sin(2x)', '\\sin 2 x');
    expect(read('\\sin x\\,y')).toBe('sin(x)*y');
  });

  it('keep function names, units and words', () => {
    same('\\sin x', 'sinx');
    same('\\ln x', 'lnx');
    same('\\sin x\\cos x', 'sinxcosx');
    same('7\\,\\mathrm{in}', '7in');
    same('90\\,\\mathrm{min}', '1.5h');
    same('2\\,\\mathrm{mi}', '2mi');
    same('kite', 'Kite');
    same('hypotenuse', '\\text{Hypotenuse}');
  });
});

describe('complex numbers', () => {
  it('read i as the imaginary unit', () => {
    same('3+4i', '4i+3');
    same('3+4i', '3+i4');
    same('3+4i', '(2+i)^2');
    same('3+4i', '3+4\\mathrm{i}');
    same('3+4i', '3+4\\imaginaryI');
    differ('3+4i', '3-4i');
    differ('3+4i', '4+3i');
    differ('3+4i', '7');
    same('-1', 'i^2');
    same('1', 'i^{4}');
    same('-i', '\\frac{1}{i}');
    same('3+4i', '\\frac{25}{3-4i}');
    same('2i', '\\sqrt{-4}');
    same('5', '\\left|3+4i\\right|');
    same('5', '|4i-3|');
    expect(checkAnswer('3+4i', '4i+3').kind).toBe('number');
  });

  it('are exact where the value is rational', () => {
    expect(read('(2+i)^2')).toBe('3 + 4i');
    expect(read('\\frac{1}{i}')).toBe('-i');
    expect(read('i^2')).toBe('-1');
    expect(read('\\frac{1+i}{2}')).toBe('0.5 + 0.5i');
    same('0.1+0.2i', '\\frac{1}{10}+\\frac{i}{5}');
    differ('\\frac{1}{3}i', '0.333i');
  });

  it('read modulus-argument and exponential forms', () => {
    same('1+\\sqrt{3}i', '2e^{i\\pi/3}');
    same('1+\\sqrt{3}i', '2\\left(\\cos\\frac{\\pi}{3}+i\\sin\\frac{\\pi}{3}\\right)');
    same('\\sqrt{2}e^{\\frac{i\\pi}{4}}', '1+i');
    differ('1+\\sqrt{3}i', '2e^{i\\pi/6}');
    same('-1', 'e^{i\\pi}');
    same('0', 'e^{i\\pi}+1');
    same('e^{i\\pi}+1=0', 'e^{i\\pi}=-1');
    differ('e^{i\\pi}+1=0', 'e^{i\\pi}=1');
  });

  it('compare expressions with complex values at real sample points', () => {
    same('e^{i\\theta}', '\\cos\\theta+i\\sin\\theta');
    differ('e^{i\\theta}', '\\cos\\theta-i\\sin\\theta');
    same('x^2+1', '(x+i)(x-i)');
    differ('x^2+1', '(x+i)^2');
    same('\\cos x', '\\frac{e^{ix}+e^{-ix}}{2}');
    same('z=3+4i', 'z=4i+3');
  });

  it('give roots of quadratics as a list', () => {
    same('z=1\\pm2i', 'z=1-2i, z=1+2i');
    same('z=1\\pm2i', '1+2i, 1-2i');
    differ('z=1\\pm2i', 'z=1+2i');
    differ('z=1\\pm2i', 'z=-1\\pm2i');
  });

  it('apply tolerances to the distance, or to both parts', () => {
    same('3+4i', '3.01+3.99i', { tolerance: { type: 'absolute', value: 0.02 } });
    differ('3+4i', '3.02+3.98i', undefined, { tolerance: { type: 'absolute', value: 0.02 } });
    same('1.234+5.678i', '1.23+5.68i', { tolerance: { type: 'sigfigs', value: 3 } });
    differ('1.234+5.678i', '1.23+5.67i', undefined, { tolerance: { type: 'sigfigs', value: 3 } });
    same('\\sqrt{2}+i', '1.41+i', { tolerance: { type: 'decimalPlaces', value: 2 } });
  });

  it('refuse to order complex numbers or to measure them in units', () => {
    differ('x<3', 'x<3i', 'kind-mismatch');
    differ('5\\,\\mathrm{m}', '\\left(5+i\\right)\\mathrm{m}', 'kind-mismatch');
  });

  it('keep i in subscripts as a letter', () => {
    same('x_i+1', '1+x_{i}');
    differ('x_i', 'x_j');
  });

  it('stay bounded', () => {
    differ('1', 'i^{100000}', 'out-of-bounds');
    differ('1', '(1+i)^{1001}', 'out-of-bounds');
    differ('1', '2^{5000i}', 'out-of-bounds');
    differ('1', '(1+i)^{i^{2}\\cdot100000}', 'out-of-bounds');
    differ('1', '\\ln 0\\cdot i', 'undefined');
    differ('1', '\\frac{i}{0}', 'undefined');
  });

  it('leave conjugate bars unread, with a clear message', () => {
    const r = differ('3-4i', '\\overline{3+4i}', 'unsupported');
    expect(r.detail).toMatch(/conjugate/);
  });
});

interface Case {
  id: string;
  expected: string;
  submitted: string;
  equivalent: boolean;
  category: string;
  note: string;
}

const corpus = JSON.parse(
  readFileSync(new URL('../../fixtures/math/corpus-reading.json', import.meta.url), 'utf8'),
) as Case[];

describe('reading corpus', () => {
  it('has at least 45 cases with unique ids in the three categories', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(45);
    expect(new Set(corpus.map((c) => c.id)).size).toBe(corpus.length);
    for (const c of corpus) {
      expect(['digit-grouping', 'letter-products', 'complex'], c.id).toContain(c.category);
      expect(c.id, c.id).toMatch(/^R-(group|letters|complex)-\d{3}$/);
      expect(typeof c.note, c.id).toBe('string');
    }
    for (const category of ['digit-grouping', 'letter-products', 'complex']) {
      const cases = corpus.filter((c) => c.category === category);
      expect(
        cases.some((c) => c.equivalent),
        category,
      ).toBe(true);
      expect(
        cases.some((c) => !c.equivalent),
        category,
      ).toBe(true);
    }
  });

  it.each(corpus.map((c) => [`${c.id} ${c.note}`.trim(), c] as const))('%s', (_name, c) => {
    const r = checkAnswer(c.expected, c.submitted);
    expect(r.equivalent, `${c.expected} vs ${c.submitted}: ${r.reason} (${r.detail})`).toBe(c.equivalent);
    expect(r.reason).not.toBe('internal-error');
  });
});

describe('function names typed against numbers', () => {
  it.each([
    ['sqrt49-10', '-3'],
    ['sqrt2', '\\sqrt{2}'],
    ['sin30', '\\sin(30)'],
  ])('%s is maths, not a word', (expected, submitted) => {
    expect(normalizeAnswer(expected).kind).not.toBe('text');
    expect(checkAnswer(expected, submitted).equivalent).toBe(true);
  });

  it('keeps words among numbers as words', () => {
    expect(normalizeAnswer('10 sides').kind).toBe('text');
  });
});
