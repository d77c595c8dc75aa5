// Word answers and quantities with units, with our own examples.
import { describe, expect, it } from 'vitest';
import { checkAnswer } from '../../../src/math/index.js';
import { differ, same } from './helpers.js';

describe('text answers', () => {
  it('ignore case and whitespace', () => {
    same('parallelogram', 'Parallelogram');
    same('parallelogram', '  PARALLELOGRAM ');
    same('isosceles triangle', 'Isosceles   Triangle');
    same('isosceles triangle', 'isoscelestriangle');
    same('obtuse', '\\text{obtuse}');
    same('\\text{obtuse}', 'Obtuse');
    same('obtuse', '\\text{ Obtuse }');
  });

  it('compare the words themselves', () => {
    differ('parallelogram', 'rectangle');
    differ('vertex', 'vertices');
    differ('acute', 'acute angle');
    differ('obtuse', '');
  });

  it('may mix words and numbers', () => {
    same('12 edges', '12 Edges');
    differ('12 edges', '8 edges');
    expect(checkAnswer('2sinx', '2\\sin x').kind).toBe('expression'); // a function, not a word
  });

  it('are detected from letters only; two letters and letters that spell no word stay algebra', () => {
    expect(checkAnswer('radius', 'Radius').kind).toBe('text');
    expect(checkAnswer('ab', 'ba').kind).toBe('expression');
    same('ab', 'ba');
    same('xyz', 'zyx'); // no vowel: a product
    same('abc', 'cab', { kind: 'expression' }); // could be a word: text unless the box says otherwise
    differ('abc', 'cab');
    expect(checkAnswer('cosine', 'Cosine').kind).toBe('text');
    expect(checkAnswer('xcosx', 'x\\cos x')).toMatchObject({ kind: 'expression', equivalent: true });
  });
});

describe('quantities with units', () => {
  it('convert within a dimension', () => {
    same('3\\,\\mathrm{m}', '300\\,\\mathrm{cm}');
    same('3\\,\\mathrm{m}', '3000\\mathrm{mm}');
    same('3\\,\\mathrm{m}', '0.003\\,\\mathrm{km}');
    same('2.5\\,\\mathrm{kg}', '2500\\,\\mathrm{g}');
    same('90\\,\\mathrm{min}', '1.5\\,\\mathrm{h}');
    same('2\\,\\mathrm{l}', '2000\\,\\mathrm{ml}');
    same('1\\,\\mathrm{m}^{2}', '10000\\,\\mathrm{cm}^{2}');
    same('1\\,\\mathrm{m}^{3}', '1000\\,\\mathrm{l}');
    same('10\\,\\mathrm{m/s}', '36\\,\\mathrm{km/h}');
    same('10\\,\\mathrm{m\\,s^{-1}}', '36\\,\\mathrm{km/h}');
    same('\\pounds 2.40', '240\\,\\mathrm{p}');
    same('\\text{£}4', '£4.00');
  });

  it('read letters after a number as units when a quantity is expected', () => {
    same('7\\,\\mathrm{cm}', '7cm');
    same('3\\,\\mathrm{in}', '3in'); // i is the imaginary unit elsewhere
    same('5\\,\\mathrm{min}', '300 s');
    same('7\\,\\mathrm{cm}', '70 mm');
    same('7\\,\\mathrm{cm}', '7\\text{cm}');
    same('5\\,\\mathrm{cm}^{2}', '5cm^2');
    same('12\\,\\mathrm{km/h}', '12 km/h');
  });

  it('reject another amount, another dimension or a missing unit', () => {
    differ('3\\,\\mathrm{m}', '3\\,\\mathrm{cm}');
    differ('3\\,\\mathrm{m}', '3\\,\\mathrm{kg}', 'unit-mismatch');
    differ('3\\,\\mathrm{m}', '3', 'unit-mismatch');
    differ('5\\,\\mathrm{cm}^{2}', '5\\,\\mathrm{cm}', 'unit-mismatch');
    differ('3\\,\\mathrm{m}', '3\\,\\mathrm{furlong}', 'unknown-unit');
  });

  it('read plain letters as units when the box says quantity', () => {
    same('8cm', '80\\,\\mathrm{mm}', { kind: 'quantity' });
    differ('8cm', '80\\,\\mathrm{mm}'); // auto: 8cm is the product 8·c·m
  });

  it('treat degrees as an angle unit', () => {
    same('45^{\\circ}', '45°');
    same('45^{\\circ}', '45^\\circ');
    same('180^{\\circ}', '\\pi\\,\\mathrm{rad}');
    differ('45^{\\circ}', '135^{\\circ}');
    differ('45^{\\circ}', '45', 'unit-mismatch');
  });
});
