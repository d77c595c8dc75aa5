import { describe, expect, it } from 'vitest';
import {
  isBlankRichHtml,
  renderRichHtml,
  richExcerptHtml,
  richHtmlToText,
  safeHref,
  sanitizeRichHtml,
} from '../../../src/domain/content/sanitize.js';
import { findProblems, xssVectors } from './inert-html.js';

const vectors = await xssVectors();
const IMG = '/uploads/0123456789abcdef0123456789abcdef.png';
const PDF = '/uploads/0123456789abcdef0123456789abcdef.pdf';

describe('the XSS corpus', () => {
  it('has at least 100 vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(100);
  });

  it('the inertness check itself catches live payloads', () => {
    expect(findProblems('<img src=x onerror=alert(1)>')).not.toEqual([]);
    expect(findProblems('<a href="java&#x09;script:alert(1)">x</a>')).not.toEqual([]);
    expect(findProblems('<svg><style><img src=x onerror=alert(1)></style></svg>')).not.toEqual([]);
    expect(findProblems('<p style="color:red">x</p>')).not.toEqual([]);
    expect(findProblems(`<p>fine <a href="https://example.org" rel="noopener noreferrer">link</a></p>`)).toEqual([]);
  });

  it.each(vectors.map((v, i) => [i + 1, v]))(
    'vector %i is inert after sanitising and after rendering: %s',
    (_n, vector) => {
      const clean = sanitizeRichHtml(vector);
      expect(findProblems(clean)).toEqual([]);
      // Also inside a page, with markup after it (an unterminated tag would swallow it).
      expect(findProblems(`<div>${clean}</div><p title="a">after</p>`)).toEqual([]);
      expect(findProblems(renderRichHtml(vector))).toEqual([]);
      // Sanitising is stable: saved content does not change when saved again.
      expect(sanitizeRichHtml(clean)).toBe(clean);
    },
  );
});

describe('sanitizeRichHtml keeps what the editor makes', () => {
  it('keeps headings, emphasis, lists, quotes and tables', () => {
    const html =
      '<h2>Title</h2><h3>Sub</h3><p><strong>b</strong> <em>i</em> <s>s</s> x<sub>1</sub> y<sup>2</sup></p><ul><li>a</li></ul><ol start="3"><li>b</li></ol><blockquote><p>q</p></blockquote><table><tbody><tr><th>h</th><td colspan="2">d</td></tr></tbody></table>';
    expect(sanitizeRichHtml(html)).toBe(html);
  });

  it('turns h1 into h2 (the page title is the only h1) and h5/h6 into h4', () => {
    expect(sanitizeRichHtml('<h1>a</h1><h5>b</h5><h6>c</h6>')).toBe('<h2>a</h2><h4>b</h4><h4>c</h4>');
  });

  it('adds rel="noopener noreferrer" to every link and keeps only target=_blank', () => {
    expect(sanitizeRichHtml('<a href="https://example.org" target="_blank">x</a>')).toBe(
      '<a href="https://example.org" target="_blank" rel="noopener noreferrer">x</a>',
    );
    expect(sanitizeRichHtml('<a href="/articles/2" target="_parent" rel="opener">x</a>')).toBe(
      '<a href="/articles/2" rel="noopener noreferrer">x</a>',
    );
    expect(sanitizeRichHtml('<a href="mailto:head@school.example.org">mail</a>')).toContain(
      'href="mailto:head@school.example.org"',
    );
  });

  it('removes dangerous link targets but keeps the link text', () => {
    expect(sanitizeRichHtml('<a href="javascript:alert(1)">x</a>')).toBe('<a rel="noopener noreferrer">x</a>');
    expect(sanitizeRichHtml('<a href="//evil.example">x</a>')).toBe('<a rel="noopener noreferrer">x</a>');
  });

  it('keeps images only from the platform’s uploads, with alt text', () => {
    expect(sanitizeRichHtml(`<img src="${IMG}" alt="graph" width="300" style="x" onload="y">`)).toBe(
      `<img src="${IMG}" alt="graph" width="300" />`,
    );
    expect(sanitizeRichHtml('<p>a<img src="https://evil.example/track.gif">b</p>')).toBe('<p>ab</p>');
    expect(sanitizeRichHtml('<img src="data:image/png;base64,AAAA">')).toBe('');
  });

  it('allows an iframe only as the platform’s PDF viewer', () => {
    expect(sanitizeRichHtml(`<iframe src="${PDF}" srcdoc="x" onload="y"></iframe>`)).toBe(
      `<iframe src="${PDF}" title="PDF document" class="pdf-frame"></iframe>`,
    );
    expect(sanitizeRichHtml('<iframe src="https://example.org"></iframe>')).toBe('');
  });

  it('strips style and class attributes (except the math markers)', () => {
    expect(sanitizeRichHtml('<p style="color:red" class="lead" id="x">t</p>')).toBe('<p>t</p>');
  });

  it('normalises math elements to class + data-latex with the LaTeX as text', () => {
    expect(sanitizeRichHtml('<span data-latex="\\frac{1}{2}" class="x math-inline" onclick="y">whatever</span>')).toBe(
      '<span class="math-inline" data-latex="\\frac{1}{2}">\\frac{1}{2}</span>',
    );
    expect(sanitizeRichHtml('<span class="math-display" data-latex="x^2">x</span>')).toBe(
      '<span class="math-display" data-latex="x^2">x^2</span>',
    );
    // A span without the math marker loses its attributes.
    expect(sanitizeRichHtml('<span class="evil" data-latex="x">t</span>')).toBe('<span>t</span>');
  });
});

describe('renderRichHtml', () => {
  it('renders math with KaTeX on the server', () => {
    const html = renderRichHtml(
      '<p>Half is <span class="math-inline" data-latex="\\frac{1}{2}">\\frac{1}{2}</span>.</p>',
    );
    expect(html).toContain('class="katex"');
    expect(html).toContain('<annotation encoding="application/x-tex">\\frac{1}{2}</annotation>');
    expect(html).not.toContain('data-latex');
    expect(html.startsWith('<p>Half is ')).toBe(true);
    expect(html.endsWith('.</p>')).toBe(true);
  });

  it('renders display math in display mode', () => {
    expect(renderRichHtml('<span class="math-display" data-latex="x^2">x^2</span>')).toContain('katex-display');
  });

  it('never turns \\href or \\url into links', () => {
    const html = renderRichHtml(
      '<span class="math-inline" data-latex="\\href{javascript:alert(1)}{x}\\url{https://evil.example}">x</span>',
    );
    expect(html).not.toMatch(/<a\b/);
    expect(findProblems(html)).toEqual([]);
  });

  it('survives LaTeX that does not parse, and expansion bombs', () => {
    expect(renderRichHtml('<span class="math-inline" data-latex="\\frac{">x</span>')).toBe(
      '<code class="math-error">\\frac{</code>',
    );
    const bomb = renderRichHtml('<span class="math-inline" data-latex="\\def\\a{\\a\\a}\\a">x</span>');
    expect(findProblems(bomb)).toEqual([]);
  });

  it('shows over-long LaTeX as escaped source', () => {
    const latex = `x${'+x'.repeat(1500)}`;
    const html = renderRichHtml(`<span class="math-inline" data-latex="${latex}">q</span>`);
    expect(html).toContain('class="math-error"');
  });

  it('sanitises again: stored HTML that bypassed the save path is cleaned on render', () => {
    expect(renderRichHtml('<p>ok</p><script>alert(1)</script><img src=x onerror=alert(1)>')).toBe('<p>ok</p>');
  });

  it('handles math next to nested spans', () => {
    const html = renderRichHtml(
      '<p><span>a <span>b</span></span><span class="math-inline" data-latex="y">y</span><span>c</span></p>',
    );
    expect(html).toMatch(/^<p><span>a <span>b<\/span><\/span><span class="katex">/);
    expect(html).toMatch(/<span>c<\/span><\/p>$/);
  });
});

describe('helpers', () => {
  it.each([
    ['https://example.org/x', 'https://example.org/x'],
    ['/articles/1', '/articles/1'],
    ['#part-2', '#part-2'],
    ['mailto:a@b.org', 'mailto:a@b.org'],
    ['javascript:alert(1)', null],
    ['java\tscript:alert(1)', null],
    ['//evil.example', null],
    ['/\\evil.example', null],
    ['data:text/html,x', null],
    ['ftp://example.org', null],
    ['relative/path', null],
  ])('safeHref(%j) = %j', (input, expected) => {
    expect(safeHref(input)).toBe(expected);
  });

  it('knows blank content', () => {
    expect(isBlankRichHtml('<p> </p><p>&nbsp;</p>')).toBe(true);
    expect(isBlankRichHtml('<script>x</script>')).toBe(true);
    expect(isBlankRichHtml(`<img src="${IMG}" alt="">`)).toBe(false);
    expect(isBlankRichHtml('<span class="math-inline" data-latex="x">x</span>')).toBe(false);
  });

  it('summarises rich content as plain text', () => {
    expect(richHtmlToText('<h2>A &amp; B</h2><p>1 &lt; 2</p>', 50)).toBe('A & B 1 < 2');
    expect(richHtmlToText(`<p>${'word '.repeat(100)}</p>`, 20)).toHaveLength(20);
  });
});

describe('richExcerptHtml', () => {
  it('is the first paragraph with text, inline formatting and rendered math only', () => {
    const html = richExcerptHtml(
      '<h2>Title</h2><p> </p><p>Find <strong>all</strong> <a href="https://example.org">x</a> with <span class="math-inline" data-latex="x^2=4">x^2=4</span><img src="/uploads/0123456789abcdef0123456789abcdef.png" alt=""></p><p>Second</p>',
    );
    expect(html).toMatch(/^Find <strong>all<\/strong> x with <span class="katex">/);
    expect(html).not.toMatch(/<a[\s>]/);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('Second');
  });

  it('is empty without a paragraph of text, and inert for every vector', () => {
    expect(richExcerptHtml('<h2>Only a heading</h2>')).toBe('');
    for (const v of vectors) expect(findProblems(richExcerptHtml(`<p>${v}</p>`))).toEqual([]);
  });
});
