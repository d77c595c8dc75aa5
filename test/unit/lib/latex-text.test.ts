// The plain-text reading of LaTeX: what titles, card excerpts and answers that
// cannot be typeset show instead of their source.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { latexToText, MAX_READ_LENGTH, mathProseToText } from '../../../src/lib/latex-text.js';

/** What a reader must never see: a backslash command, or a brace after ^ or _. */
const RAW = /\\[a-zA-Z]+|[\^_]\{/;

const corpus = JSON.parse(
  readFileSync(new URL('../../fixtures/math/dev-corpus.json', import.meta.url), 'utf8'),
) as Array<{ expected: string; submitted: string }>;

describe('latexToText (an answer)', () => {
  it.each([
    ['\\frac{3}{4}+1', '3/4+1'],
    ['2\\sqrt{2}', '2√2'],
    ['x^{2}+2x+3', 'x²+2x+3'],
    ['a_{n+1}', 'aₙ₊₁'],
    ['e^{i\\pi}', 'e^(iπ)'],
    ['\\left(1,-2\\right)', '(1,-2)'],
    ['\\left(\\frac{a}{b}\\right)^2', '(a/b)²'],
    ['\\left.\\frac{x}{2}\\right|', 'x/2|'],
    ['3\\cdot4', '3·4'],
    ['6\\times\\pi', '6×π'],
    ['\\text{triangle}', 'triangle'],
    ['5\\text{ cm}', '5 cm'],
    ['90^\\circ', '90°'],
    ['\\frac{-1}{x+1}', '-1/(x+1)'],
    ['\\frac{\\frac{1}{2}}{3}', '(1/2)/3'],
    ['\\frac12', '1/2'],
    ['\\sqrt[3]{x^2+1}', '∛(x²+1)'],
    ['\\sqrt[5]{32}', '⁵√32'],
    ['\\sin x+\\cos(x)', 'sin x+cos(x)'],
    ['\\{1,2\\}', '{1,2}'],
    ['50\\%', '50%'],
    ['x\\le3', 'x≤3'],
    ['\\mathbb{R}', 'ℝ'],
    ['\\bar{x}', 'x̄'],
    ['\\int_0^1 x\\,dx', '∫₀¹ x dx'],
    ['\\binom{5}{2}', 'C(5, 2)'],
  ])('%s reads "%s"', (latex, text) => {
    expect(latexToText(latex)).toBe(text);
  });

  it('reads what KaTeX cannot parse as far as it goes', () => {
    expect(latexToText('\\frac{1}{2')).toBe('1/2');
    expect(latexToText('\\left(x+1')).toBe('(x+1');
    expect(latexToText('x^')).toBe('x');
    expect(latexToText('}}2{{')).toBe('2');
  });

  it('shows the content of a link, colour or box, never its target or setting', () => {
    expect(latexToText('\\href{javascript:alert(1)}{x}')).toBe('x');
    expect(latexToText('\\textcolor{red}{7}')).toBe('7');
    expect(latexToText('\\fcolorbox{red}{white}{w}')).toBe('w');
    expect(latexToText('\\color{red} y')).toBe('y');
  });

  it('keeps markup characters as text (escaping is the view’s job)', () => {
    expect(latexToText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
  });

  it('never leaves a backslash command or a braced script, whatever it reads', () => {
    const hostile = [
      '\\verb|\\frac|',
      '\\textbackslash frac',
      'x^\\{',
      'x_\\{2\\}',
      '\\\\frac',
      '\\unknowncommand{x}',
      '\\def\\a{\\href}\\a{j}{x}',
      '\\' + 'a'.repeat(100),
      '^{^{^{',
    ];
    const inputs = [...hostile, ...corpus.flatMap((c) => [c.expected, c.submitted])];
    const raw = inputs.filter((s) => RAW.test(latexToText(s)) || RAW.test(mathProseToText(s)));
    expect(raw).toEqual([]);
  });

  it('is bounded: deep nesting and very long input are read without exhausting the stack', () => {
    expect(latexToText('{'.repeat(1500) + 'x' + '}'.repeat(1500))).toBe('x');
    expect(latexToText('x^{'.repeat(1000))).not.toMatch(RAW);
    expect(latexToText('\\sqrt'.repeat(3000) + '2')).toMatch(/^√/);
    expect(latexToText('\\frac'.repeat(3000))).not.toMatch(RAW);
    expect(latexToText('x'.repeat(MAX_READ_LENGTH * 3)).length).toBe(MAX_READ_LENGTH);
  });
});

describe('mathProseToText (a title or excerpt)', () => {
  it.each([
    ['Halves: \\frac{1}{2} of 2^{10}', 'Halves: 1/2 of 2¹⁰'],
    ['What is \\sqrt{16}?', 'What is √16?'],
    ['\\pi day', 'π day'],
    ['x^2 + y^2 = r^2', 'x² + y² = r²'],
    ['2^10 grains of rice', '2¹⁰ grains of rice'],
    ['Find $\\frac12$ now', 'Find 1/2 now'],
    ['Work out \\frac{3}{', 'Work out 3/'],
  ])('%s reads "%s"', (text, reading) => {
    expect(mathProseToText(text)).toBe(reading);
  });

  it('leaves prose as it is written', () => {
    for (const text of ['Pythagoras', 'Find x & y', 'snake_case and my_var', 'Set {1, 2}', 'Costs $5 and $6', 'a ^ b'])
      expect(mathProseToText(text)).toBe(text);
  });

  it('cuts to a length with an ellipsis', () => {
    expect(mathProseToText('A long title that goes on and on', 12)).toBe('A long titl…');
    expect(mathProseToText('Short', 12)).toBe('Short');
  });
});
