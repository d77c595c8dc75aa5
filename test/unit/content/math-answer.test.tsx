// <MathAnswer>: typeset as MathML when KaTeX can, otherwise the plain reading
// as escaped text; never the LaTeX source, never markup from the answer.
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../../src/web/render.js';
import { MathAnswer, MAX_TYPESET_LENGTH, typesetAnswer } from '../../../src/web/views/math-answer.js';

const html = (latex: string, asText = false) => renderPage(<MathAnswer latex={latex} asText={asText} />).slice(15);

describe('<MathAnswer>', () => {
  it('typesets LaTeX as MathML', () => {
    expect(html('\\frac{3}{4}')).toMatch(/^<span class="answer-math"><span class="katex"><math [^>]*><semantics>/);
    expect(html('\\frac{3}{4}')).toContain('<mfrac><mn>3</mn><mn>4</mn></mfrac>');
  });

  it('reads what KaTeX cannot typeset, escaped', () => {
    expect(html('\\frac{1}{2')).toBe('<span class="answer-plain">1/2</span>');
    expect(html('\\frac{<b>1</b>}{2')).toBe('<span class="answer-plain">(&lt;b>1&lt;/b>)/2</span>');
    // Strict mode refuses text characters in maths; the reading keeps them.
    expect(html('½')).toBe('<span class="answer-plain">½</span>');
    expect(html('')).toBe('<span class="answer-plain">—</span>');
  });

  it('never shows a command KaTeX would print by name (untrusted links, \\verb)', () => {
    expect(typesetAnswer('\\href{javascript:alert(1)}{x}')).toBeNull();
    expect(html('\\href{javascript:alert(1)}{x}')).toBe('<span class="answer-plain">x</span>');
    expect(typesetAnswer('\\url{https://example.org}')).toBeNull();
    expect(typesetAnswer('\\verb|\\frac|')).toBeNull();
    expect(typesetAnswer('\\htmlClass{a}{b}')).toBeNull();
  });

  it('does not typeset over-long input', () => {
    const long = '1+'.repeat(MAX_TYPESET_LENGTH);
    expect(typesetAnswer(long)).toBeNull();
    expect(html(long)).toMatch(/^<span class="answer-plain">1\+1\+/);
  });

  it('shows a word answer as its words', () => {
    expect(html('Pythagoras', true)).toBe('<span class="answer-text">Pythagoras</span>');
    expect(html('\\text{trapezium}', true)).toBe('<span class="answer-text">trapezium</span>');
    expect(html('<img src=x onerror=alert(1)>', true)).toBe(
      '<span class="answer-text">&lt;img src=x onerror=alert(1)></span>',
    );
  });
});
