// Grading rules for numeric answers, with examples of our own (not from the corpus).
import { describe, expect, it } from 'vitest';
import { checkAnswer } from '../../../src/math/index.js';
import { differ, same } from './helpers.js';

describe('integers and signs', () => {
  it('accepts unevaluated arithmetic and redundant signs', () => {
    same('15', '15.000');
    same('-8', '-(8)');
    same('12', '-(-12)');
    same('-2', '5-7');
    same('7', '+7');
    same('-12', '−12'); // Unicode minus
    same('20', '4\\times5');
    same('20', '4\\cdot5');
    same('3', '12\\div4');
  });

  it('rejects sign errors and transposed digits', () => {
    differ('-14', '14');
    differ('27', '72');
  });
});

describe('fractions and mixed numbers', () => {
  it('compares fractions exactly', () => {
    same('\\frac{2}{5}', '\\frac{6}{15}');
    same('-\\frac{3}{4}', '\\frac{-3}{4}');
    same('-\\frac{3}{4}', '\\frac{3}{-4}');
    same('\\frac{5}{6}', '\\frac{1}{2}+\\frac{1}{3}');
    same('\\frac{5}{6}', '\\dfrac{5}{6}');
    same('\\frac{1}{2}', '\\frac12'); // TeX single-token arguments
    differ('\\frac{4}{5}', '\\frac{5}{4}');
  });

  it('reads an integer followed by a proper fraction as a mixed number', () => {
    same('\\frac{9}{4}', '2\\frac{1}{4}');
    same('-\\frac{13}{5}', '-2\\frac{3}{5}');
    same('\\frac{9}{4}', '2 1/4'); // plain text
    differ('\\frac{1}{2}', '2\\frac{1}{4}'); // not 2 × 1/4
    same('\\frac{2x}{3}', '2\\frac{x}{3}'); // not a mixed number: a product
  });

  it('gives undefined (division by zero) no match, not even itself', () => {
    differ('\\frac{3}{0}', '\\frac{3}{0}', 'undefined');
    differ('4', '\\frac{8}{2-2}', 'undefined');
    differ('1', '0^{0}', 'undefined');
  });
});

describe('decimals', () => {
  it('compares terminating decimals exactly', () => {
    same('\\frac{3}{8}', '0.375');
    same('\\frac{3}{8}', '.375');
    same('2.50', '2.5');
    differ('\\frac{1}{20}', '0.5'); // place value
  });

  it('treats truncated and rounded decimals as wrong without a tolerance', () => {
    differ('\\frac{2}{3}', '0.666');
    differ('\\frac{2}{3}', '0.667');
    differ('\\frac{1}{7}', '0.142857');
    differ('\\sqrt{2}', '1.41421356');
  });
});

describe('recurring decimals', () => {
  it('reads \\overline and UK dot notation', () => {
    same('\\frac{1}{3}', '0.\\overline{3}');
    same('\\frac{4}{33}', '0.\\overline{12}');
    same('\\frac{1}{6}', '0.1\\overline{6}');
    same('\\frac{7}{9}', '0.\\dot{7}');
    same('\\frac{41}{333}', '0.\\dot{1}2\\dot{3}');
    same('\\frac{41}{333}', '0.\\overline{123}');
    same('\\frac{4}{33}', '0.\\dot{1}\\dot{2}');
    same('\\frac{8}{3}', '2.\\overline{6}');
    same('1', '0.\\overline{9}');
  });

  it('distinguishes different recurring blocks and plain truncation', () => {
    differ('\\frac{1}{3}', '0.33');
    differ('\\frac{4}{33}', '0.\\overline{21}');
    differ('\\frac{1}{6}', '0.\\overline{16}');
  });
});

describe('percentages', () => {
  it('reads p% as p/100', () => {
    same('0.08', '8\\%');
    same('\\frac{1}{8}', '12.5\\%');
    same('\\frac{1}{8}', '12.5%'); // plain text
    same('150\\%', '1.5');
    differ('0.08', '80\\%');
    differ('5\\%', '5');
  });
});

describe('surds', () => {
  it('compares surds by value', () => {
    same('2\\sqrt{3}', '\\sqrt{12}');
    same('5\\sqrt{2}', '\\sqrt{50}');
    same('\\frac{\\sqrt{2}}{2}', '\\frac{1}{\\sqrt{2}}');
    same('11+6\\sqrt{2}', '\\left(3+\\sqrt{2}\\right)^{2}');
    same('2', '\\sqrt{2}\\sqrt{2}');
    same('3', '\\sqrt[3]{27}');
    same('-2', '\\sqrt[3]{-8}');
    same('2', '\\sqrt{4}');
    differ('3\\sqrt{2}', '\\sqrt{6}');
    differ('\\sqrt{5}', '\\sqrt{2}+\\sqrt{3}');
  });

  it('has no real even root of a negative number', () => {
    differ('1', '\\sqrt{-1}', 'undefined');
  });
});

describe('powers and standard form', () => {
  it('evaluates powers exactly', () => {
    same('64000', '6.4\\times10^{4}');
    same('0.00052', '5.2\\times10^{-4}');
    same('\\frac{1}{16}', '2^{-4}');
    same('16', '64^{\\frac{2}{3}}');
    same('-2', '(-8)^{\\frac{1}{3}}');
    same('1024', '2^{10}');
    same('1024', '2**10');
    differ('6.4\\times10^{4}', '6.4\\times10^{5}');
    differ('9', '3^{3}');
  });
});

describe('π and e', () => {
  it('treats π and e as exact constants', () => {
    same('\\frac{\\pi}{2}', '0.5\\pi');
    same('2\\pi', '\\pi+\\pi');
    same('e^{2}', 'e\\cdot e');
    same('1', '\\ln e');
    same('2\\pi r', '2πr');
    differ('\\pi', '3.14159');
    differ('\\pi', '\\frac{22}{7}');
    differ('e', '2.718');
    differ('2\\pi', '\\pi^{2}');
  });
});

describe('logs, exponentials and trig values', () => {
  it('evaluates functions of constants', () => {
    same('3', '\\log_{2}8');
    same('\\frac{1}{3}', '\\log_{8}2');
    same('2', '\\log 100');
    same('\\frac{1}{2}', '\\sin 30^{\\circ}');
    same('\\frac{1}{2}', '\\cos\\left(\\frac{\\pi}{3}\\right)');
    same('\\frac{\\sqrt{2}}{2}', '\\sin(45°)');
    same('\\frac{\\pi}{2}', '\\sin^{-1}(1)');
    same('\\frac{\\pi}{4}', '\\arctan 1');
    same('120', '5!');
    same('10', '\\binom{5}{2}');
    differ('3', '\\log_{8}2');
    differ('\\ln 6', '\\ln2\\cdot\\ln3');
  });
});

describe('deterministic verdicts', () => {
  it('gives the same result on every call', () => {
    const pairs: Array<[string, string]> = [
      ['x^2-1', '(x-1)(x+1)'],
      ['\\sin x', '\\cos(\\frac{\\pi}{2}-x)'],
      ['y=2x', '2x-y=0'],
    ];
    for (const [e, s] of pairs) {
      const first = checkAnswer(e, s);
      for (let i = 0; i < 20; i++) expect(checkAnswer(e, s)).toEqual(first);
    }
  });
});
