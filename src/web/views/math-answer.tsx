// An answer as a pupil or teacher typed it (the LaTeX a MathLive box sends),
// shown as maths: typeset on the server as MathML, or read as plain text when
// it cannot be. Titles and excerpts with LaTeX in them are read as plain text
// by mathProseToText (src/lib/latex-text.ts). Raw LaTeX never reaches a page.
import katex from 'katex';
import { withoutInlineStyles } from '../../domain/content/sanitize.js';
import { latexToText, mathProseToText } from '../../lib/latex-text.js';
import { TextCache } from '../../lib/text-cache.js';

/** Longest LaTeX typeset; anything longer is shown as its plain reading (answers hold at most 500 characters). */
export const MAX_TYPESET_LENGTH = 1000;

// Answers repeat (the same right and wrong ones): each is typeset once (docs/performance.md).
// '' remembers that a LaTeX string cannot be shown as maths.
const typeset = new TextCache(2_000_000);

/** Text a reader sees in MathML: the annotation holding the source is never displayed. */
function visibleText(mathml: string): string {
  return mathml.replace(/<annotation[\s\S]*?<\/annotation>/g, '').replace(/<[^>]*>/g, '');
}

/** A backslash command or a brace after ^ or _ in what a reader would see. */
const RAW_LATEX = /\\[a-zA-Z]|[\^_]\{/;

function typesetUncached(latex: string): string {
  if (latex.length > MAX_TYPESET_LENGTH || latex.trim() === '') return '';
  let mathml: string;
  try {
    mathml = katex.renderToString(latex, {
      // A parse error is caught below: KaTeX's own error markup shows the source, in an inline style.
      throwOnError: true,
      strict: 'error',
      // \href, \url, \includegraphics and \html… stay untrusted.
      trust: false,
      output: 'mathml',
      maxExpand: 1000,
      maxSize: 10,
      globalGroup: false,
    });
  } catch {
    return '';
  }
  // An untrusted command is shown by KaTeX as its name (\href in red), and \verb as its text:
  // such an answer is read as plain text instead.
  if (RAW_LATEX.test(visibleText(mathml))) return '';
  return withoutInlineStyles(mathml);
}

/**
 * An answer as KaTeX's MathML (no inline styles, which the CSP refuses), or
 * null when it cannot be shown as maths (too long, not LaTeX KaTeX accepts in
 * strict mode, or it would display a command's name). KaTeX escapes every
 * character of its input, so the result is safe to insert.
 */
export function typesetAnswer(latex: string): string | null {
  return typeset.remember(latex, () => typesetUncached(latex)) || null;
}

/**
 * One answer, typeset as maths; a word answer (`asText`) as its words. What
 * KaTeX cannot typeset is shown as its plain reading ("1/2" for `\frac{1}{2`),
 * escaped like all text.
 */
export function MathAnswer({ latex, asText = false }: { latex: string; asText?: boolean }) {
  if (asText) return <span class="answer-text">{mathProseToText(latex)}</span>;
  const html = typesetAnswer(latex);
  // Only KaTeX's output is inserted as HTML; it escapes every character of the answer.
  if (html) return <span class="answer-math" dangerouslySetInnerHTML={{ __html: html }} />;
  return <span class="answer-plain">{latexToText(latex) || '—'}</span>;
}
