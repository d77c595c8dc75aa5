// How answers are read: normalizeAnswer shows the parse of LaTeX and plain-text input.
import { describe, expect, it } from 'vitest';
import { normalizeAnswer } from '../../../src/math/index.js';
import { parseMath } from '../../../src/math/parser.js';
import * as Q from '../../../src/math/rational.js';

const read = (s: string): string | null => normalizeAnswer(s).normalized;

describe('normalizeAnswer', () => {
  it('shows the reading of LaTeX as MathLive emits it', () => {
    expect(read('\\left(x+1\\right)^{2}')).toBe('(x + 1)^2');
    expect(read('\\frac{x-2}{3}')).toBe('(x - 2)/3');
    expect(read('\\cos^2x')).toBe('cos(x)^2');
    expect(read('\\sin^{-1}x')).toBe('arcsin(x)');
    expect(read('\\sin 2x\\cos x')).toBe('sin(2*x)*cos(x)');
    expect(read('\\log_{3}x')).toBe('log_3(x)');
    expect(read('\\sqrt[3]{x}')).toBe('root(x, 3)');
    expect(read('\\left|x-1\\right|')).toBe('|x - 1|');
    expect(read('2\\pi r')).toBe('2*π*r');
    expect(read('x\\cdot-3')).toBe('x*(-3)');
    expect(read('\\operatorname{cosec}x')).toBe('csc(x)');
    expect(read('\\mathbf{x}+1')).toBe('x + 1');
    expect(read('x_{12}')).toBe('x_12');
  });

  it('shows exact values of constant answers', () => {
    expect(read('-3-7')).toBe('-10');
    expect(read('3\\frac{1}{2}')).toBe('3.5');
    expect(read('0.\\overline{27}')).toBe('3/11');
    expect(read('35\\%')).toBe('0.35');
    expect(read('2^{3^{2}}')).toBe('512'); // right-associative
    expect(read('5!')).toBe('120');
    expect(read('\\sqrt{27}')).toBe('sqrt(27)');
  });

  it('reads plain text', () => {
    expect(read('x-2/3')).toBe('x - 2/3');
    expect(read('(x-2)/3')).toBe('(x - 2)/3');
    expect(read('2*sqrt(2)')).toBe('2*sqrt(2)');
    expect(read('a/b/c')).toBe('a/b/c');
    expect(read('sin(x)^2')).toBe('sin(x)^2');
    expect(read('x >= 3')).toBe('x ≥ 3');
    expect(read('3 1/2')).toBe('3.5');
  });

  it('reads grouped digits, letter runs and i', () => {
    expect(read('1\\,000\\,000')).toBe('1000000');
    expect(read('12{,}345.6')).toBe('12345.6');
    expect(read('2 1/2')).toBe('2.5');
    expect(read('asinx')).toBe('a*sin(x)');
    expect(read('asin(x)')).toBe('arcsin(x)');
    expect(read('\\sin x\\,y')).toBe('sin(x)*y');
    expect(read('\\sin\\theta t')).toBe('sin(theta*t)');
    expect(read('(2+i)^2')).toBe('3 + 4i');
    expect(read('x_i')).toBe('x_i');
    expect(normalizeAnswer('3+4i').kind).toBe('number');
  });

  it('writes a mixed number inside an expression as whole, numerator and denominator', () => {
    expect(read('x+3\\frac{1}{2}')).toBe('x + (3 1/2)');
    expect(read('x + 3 1/2')).toBe('x + (3 1/2)');
  });

  it('reports the kind and readable shapes', () => {
    expect(normalizeAnswer('y=3x+5')).toMatchObject({ kind: 'equation', normalized: 'y = 3*x + 5', error: null });
    expect(normalizeAnswer('2<x\\leq9')).toMatchObject({ kind: 'inequality', normalized: '2 < x ≤ 9' });
    expect(normalizeAnswer('(5,-2)')).toMatchObject({ kind: 'point', normalized: '(5, -2)' });
    expect(normalizeAnswer('x=\\pm3')).toMatchObject({ kind: 'list', normalized: 'x = ±3' });
    expect(normalizeAnswer('8\\,\\mathrm{m}')).toMatchObject({ kind: 'quantity', normalized: '8*[m]' });
    expect(normalizeAnswer('\\text{Kite}')).toMatchObject({ kind: 'text', normalized: 'Kite' });
  });

  it('returns an error instead of throwing', () => {
    expect(normalizeAnswer('\\frac{1}{2')).toMatchObject({ normalized: null, error: 'parse-error' });
    expect(normalizeAnswer('\\input{x}')).toMatchObject({ normalized: null, error: 'forbidden-command' });
    expect(normalizeAnswer('')).toMatchObject({ normalized: null, error: 'empty' });
    expect(normalizeAnswer(42 as unknown as string)).toMatchObject({ original: '', normalized: null, error: 'empty' });
  });
});

describe('parser details', () => {
  it('splits TeX single-token arguments', () => {
    const n = parseMath('\\frac12');
    expect(n).toMatchObject({ type: 'div', num: { type: 'num', text: '1' }, den: { type: 'num', text: '2' } });
  });

  it('builds exact recurring values', () => {
    const n = parseMath('1.2\\overline{34}');
    expect(n.type).toBe('num');
    if (n.type === 'num') expect(n.value).toEqual(Q.rat(611n, 495n));
  });

  it('rejects malformed input with parse errors', () => {
    for (const bad of [
      '(1,2',
      '\\{1,2',
      'x==2',
      '2<<3',
      '\\frac{}{}',
      '^2',
      '\\sqrt{}',
      '\\left(\\right)',
      '2 3',
      '0.\\dot{1}2',
      'x_{}',
      '1\\,00',
      '1{,}0000',
    ]) {
      expect(() => parseMath(bad), bad).toThrow();
    }
  });
});

describe('rational arithmetic', () => {
  it('reduces and compares exactly', () => {
    expect(Q.rat(6n, -8n)).toEqual({ n: -3n, d: 4n });
    expect(Q.eq(Q.add(Q.rat(1n, 3n), Q.rat(1n, 6n)), Q.rat(1n, 2n))).toBe(true);
    expect(Q.toText(Q.rat(1n, 8n))).toBe('0.125');
    expect(Q.toText(Q.rat(-1n, 3n))).toBe('-1/3');
  });

  it('rounds half away from zero, exactly', () => {
    expect(Q.toText(Q.roundToPlaces(Q.fromDecimal('2.345'), 2))).toBe('2.35');
    expect(Q.toText(Q.roundToPlaces(Q.neg(Q.fromDecimal('2.345')), 2))).toBe('-2.35');
    expect(Q.toText(Q.roundToSignificant(Q.fromDecimal('0.00098765'), 2))).toBe('0.00099');
    expect(Q.toText(Q.roundToSignificant(Q.fromInt(987654), 3))).toBe('988000');
  });

  it('takes exact roots only when they exist', () => {
    expect(Q.rootExact(Q.rat(27n, 8n), 3)).toEqual(Q.rat(3n, 2n));
    expect(Q.rootExact(Q.fromInt(2), 2)).toBeNull();
    expect(Q.intRoot(10n ** 60n, 3)).toBe(10n ** 20n);
    expect(Q.intRoot(10n ** 60n + 1n, 3)).toBeNull();
  });

  it('refuses exact results past the size bound', () => {
    expect(() => Q.powInt(Q.fromInt(10), 100000n)).toThrow(Q.TooBigError);
    expect(Q.toNumber(Q.powInt(Q.fromInt(10), 1000n))).toBe(Number.POSITIVE_INFINITY);
  });
});
