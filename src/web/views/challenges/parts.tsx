// Shared pieces of the challenge and leaderboard pages: answers rendered as
// math, times in the school's zone and key-stage badges.
import katex from 'katex';
import { withoutInlineStyles } from '../../../domain/content/sanitize.js';
import { formatSchoolTime } from '../../../lib/school-time.js';
import { TextCache } from '../../../lib/text-cache.js';

/**
 * A student's answer (or a revealed correct answer) as MathML (KaTeX's
 * output without inline styles, which the CSP refuses). `trust`
 * is off, so \href, \url and \html… commands render as plain text; expansion
 * and sizes are bounded. Text answers are shown as text, not typeset.
 */
export function answerHtml(latex: string): string {
  // Students' answers repeat (the same right and wrong ones): typeset each once (docs/performance.md).
  return typesetAnswers.remember(latex, () => {
    try {
      return withoutInlineStyles(
        katex.renderToString(latex, {
          // A parse error becomes the escaped source below: KaTeX's own error markup carries an inline style.
          throwOnError: true,
          output: 'mathml',
          trust: false,
          maxExpand: 1000,
          maxSize: 10,
        }),
      );
    } catch {
      return `<code>${latex.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</code>`;
    }
  });
}

const typesetAnswers = new TextCache(2_000_000);

export function Answer({ value, asText = false }: { value: string; asText?: boolean }) {
  if (asText) return <span class="answer-text">{value}</span>;
  // KaTeX output escapes every character of its input; see answerHtml.
  return <span class="answer-math" dangerouslySetInnerHTML={{ __html: answerHtml(value) }} />;
}

/** A time in the school's zone inside a <time> element. */
export function SchoolTime({ iso, zone }: { iso: string; zone: string }) {
  return <time dateTime={iso}>{formatSchoolTime(iso, zone)}</time>;
}

export function KeyStageBadge({ keyStage }: { keyStage: string }) {
  return <span class="badge badge-ks">{keyStage}</span>;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
