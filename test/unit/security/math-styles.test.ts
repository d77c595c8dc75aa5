// Maths rendered on the server carries no inline style: the CSP's style-src has
// no 'unsafe-inline', and style attributes are allowed only for MathLive's
// run-time markup (docs/decisions/019-csp-styles.md). Every answer of the math
// corpus and the LaTeX constructs that make KaTeX's HTML output use inline
// styles (struts, spacing, colours, rules, boxes, arrays, errors) are rendered
// both ways maths reaches a page: rich content and typeset answers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRichHtml } from '../../../src/domain/content/sanitize.js';
import { typesetAnswer } from '../../../src/web/views/math-answer.js';

const corpus = JSON.parse(
  readFileSync(new URL('../../fixtures/math/dev-corpus.json', import.meta.url), 'utf8'),
) as Array<{ expected: string; submitted: string }>;

const CONSTRUCTS = [
  '\\frac{3}{4}',
  '2\\sqrt{2}',
  '\\sqrt[3]{x^2+1}',
  'x_{n+1}^{2}',
  '\\left(\\frac{a}{b}\\right)^2',
  '\\color{red}{x}',
  '\\textcolor{blue}{y}',
  '\\colorbox{yellow}{z}',
  '\\fcolorbox{red}{white}{w}',
  '\\rule{1em}{2em}',
  '\\kern1em x \\hspace{2em} y \\quad z',
  '\\phantom{x}y',
  '\\boxed{42}',
  '\\cancel{x}',
  '\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}',
  '\\begin{cases}x&x>0\\\\-x&x\\le0\\end{cases}',
  '\\overbrace{a+b}^{n}',
  '\\underline{u}',
  '\\overrightarrow{AB}',
  '\\int_0^1 x\\,dx',
  '\\sum_{k=1}^{n} k',
  '\\htmlStyle{color:red}{x}',
  '\\href{https://example.org}{x}',
  '\\frac{',
  '\\unknowncommand{x}',
];

const styleAttribute = /<[a-z][^>]*\sstyle\s*=/i;

describe('server-rendered maths has no inline style', () => {
  const latexes = [...CONSTRUCTS, ...new Set(corpus.flatMap((c) => [c.expected, c.submitted]))];

  it(`answers (${latexes.length} LaTeX strings) are MathML or plain text, never style attributes`, () => {
    const styled = latexes.filter((latex) => styleAttribute.test(typesetAnswer(latex) ?? ''));
    expect(styled).toEqual([]);
    expect(typesetAnswer('\\frac{3}{4}')).toMatch(
      /^<span class="katex"><math xmlns="http:\/\/www\.w3\.org\/1998\/Math\/MathML">/,
    );
    // Not typeset: MathAnswer shows its plain reading as escaped text.
    expect(typesetAnswer('\\frac{')).toBeNull();
  });

  it('rich content: inline and displayed maths in pages', () => {
    const escape = (s: string) =>
      s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const styled: string[] = [];
    for (const latex of latexes) {
      for (const cls of ['math-inline', 'math-display']) {
        const html = renderRichHtml(
          `<p><span class="${cls}" data-latex="${escape(latex)}">${escape(latex)}</span></p>`,
        );
        if (styleAttribute.test(html) || /<style\b/i.test(html)) styled.push(`${cls}: ${latex}`);
      }
    }
    expect(styled).toEqual([]);
    const display = renderRichHtml('<span class="math-display" data-latex="x^2">x^2</span>');
    expect(display).toMatch(/^<span class="katex-display"><span class="katex"><math [^>]*display="block">/);
  });
});
