// Rich-text HTML: ONE allowlist for every rich field of the platform (articles,
// newsletters, announcements, pages, challenges, competition texts). Stored
// HTML goes through `sanitizeRichHtml` when it is saved, and `renderRichHtml`
// sanitises it again when it is shown, so a row written by an older version,
// a migration or a database console can never carry script into a page.
//
// Math is stored as LaTeX, never as KaTeX output:
//   <span class="math-inline" data-latex="\frac{1}{2}">\frac{1}{2}</span>
//   <span class="math-display" data-latex="x^2">x^2</span>
// The text inside the span is the same LaTeX (readable without rendering);
// `renderRichHtml` replaces each span with KaTeX's HTML on the server, with
// KaTeX's `trust` off so \href, \url, \includegraphics and \html… do nothing.
// See docs/decisions/004-rich-text-editor-and-sanitising.md.
import katex from 'katex';
import sanitizeHtml from 'sanitize-html';
import { TextCache } from '../../lib/text-cache.js';

/** Where platform uploads are served; the only source allowed for images and PDF frames. */
const IMAGE_SRC = /^\/uploads\/[a-f0-9]{32}\.(?:png|jpg|gif|webp)$/;
const PDF_SRC = /^\/uploads\/[a-f0-9]{32}\.pdf$/;
const MATH_CLASSES = ['math-inline', 'math-display'] as const;
/** Longest LaTeX a math element may hold; longer ones are shown as source text. */
const MAX_LATEX_LENGTH = 2000;

/** A link target we allow: site-relative paths, fragments, http(s) and mailto. */
export function safeHref(raw: string | undefined): string | null {
  if (!raw) return null;
  // Browsers ignore ASCII whitespace and control characters inside the scheme,
  // so "java\tscript:" must be judged as "javascript:".
  const href = raw.trim();
  // eslint-disable-next-line no-control-regex -- a control character anywhere in a link refuses it
  if (/[\u0000-\u001f\u007f]/.test(href)) return null;
  if (href.startsWith('#')) return href;
  if (href.startsWith('/')) {
    // "//host" and "/\host" are other sites in a browser's eyes.
    if (href.startsWith('//') || href.startsWith('/\\')) return null;
    return href;
  }
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:') return href;
  return null;
}

function mathClass(attribs: Record<string, string>): (typeof MATH_CLASSES)[number] | null {
  const classes = (attribs.class ?? '').split(/\s+/);
  if (classes.includes('math-display')) return 'math-display';
  if (classes.includes('math-inline')) return 'math-inline';
  return null;
}

type Tag = { tagName: string; attribs: Record<string, string>; text?: string };

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'h2',
    'h3',
    'h4',
    'strong',
    'b',
    'em',
    'i',
    'u',
    's',
    'sub',
    'sup',
    'ul',
    'ol',
    'li',
    'a',
    'img',
    'blockquote',
    'code',
    'pre',
    'hr',
    'span',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'caption',
    'figure',
    'figcaption',
    'iframe',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'target', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    span: ['data-latex'],
    ol: ['start'],
    th: ['colspan', 'rowspan', 'scope'],
    td: ['colspan', 'rowspan'],
    iframe: ['src', 'title', 'class'],
  },
  allowedClasses: { span: [...MATH_CLASSES], iframe: ['pdf-frame'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: [], iframe: [] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  allowIframeRelativeUrls: true,
  allowedIframeHostnames: [],
  disallowedTagsMode: 'discard',
  // Elements whose content is not prose: dropped whole, never shown as text.
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'xmp',
    'noscript',
    'noembed',
    'noframes',
    'plaintext',
    'template',
    'title',
    'select',
  ],
  nestingLimit: 60,
  parser: { lowerCaseTags: true, lowerCaseAttributeNames: true },
  // Images and frames whose source was refused go entirely (renaming them to a
  // disallowed tag instead confuses sanitize-html's bookkeeping of end tags).
  exclusiveFilter: (frame) => (frame.tag === 'img' || frame.tag === 'iframe') && !frame.attribs.src,
  transformTags: {
    h1: 'h2',
    h5: 'h4',
    h6: 'h4',
    a: (_tag, attribs): Tag => {
      const out: Record<string, string> = {};
      const href = safeHref(attribs.href);
      if (href) out.href = href;
      if (attribs.title) out.title = attribs.title;
      if (attribs.target === '_blank') out.target = '_blank';
      out.rel = 'noopener noreferrer';
      return { tagName: 'a', attribs: out };
    },
    img: (_tag, attribs): Tag => {
      const src = (attribs.src ?? '').trim();
      if (!IMAGE_SRC.test(src)) return { tagName: 'img', attribs: {} }; // removed by exclusiveFilter
      const out: Record<string, string> = { src, alt: attribs.alt ?? '' };
      if (attribs.title) out.title = attribs.title;
      for (const dim of ['width', 'height'] as const) {
        if (/^\d{1,4}$/.test(attribs[dim] ?? '')) out[dim] = attribs[dim]!;
      }
      return { tagName: 'img', attribs: out };
    },
    iframe: (_tag, attribs): Tag => {
      // Only the platform's own PDF viewer: a frame showing an uploaded PDF.
      const src = (attribs.src ?? '').trim();
      if (!PDF_SRC.test(src)) return { tagName: 'iframe', attribs: {} }; // removed by exclusiveFilter
      return { tagName: 'iframe', attribs: { src, title: attribs.title || 'PDF document', class: 'pdf-frame' } };
    },
    span: (_tag, attribs): Tag => {
      const cls = mathClass(attribs);
      const latex = attribs['data-latex'];
      if (!cls || latex === undefined) return { tagName: 'span', attribs: {} };
      // Fixed attribute order and the LaTeX as the text: renderRichHtml relies on it.
      return { tagName: 'span', attribs: { class: cls, 'data-latex': latex }, text: latex };
    },
  },
};

/** Cleans rich HTML down to the platform's allowlist. Idempotent. */
export function sanitizeRichHtml(html: string): string {
  if (typeof html !== 'string' || html === '') return '';
  return sanitizeHtml(html, OPTIONS).trim();
}

/** True when the HTML has no visible content (no text, image or frame). */
export function isBlankRichHtml(html: string): boolean {
  const clean = sanitizeRichHtml(html);
  if (/<(?:img|iframe|hr)\b/.test(clean) || /class="math-/.test(clean)) return false;
  return sanitizeHtml(clean, { allowedTags: [], allowedAttributes: {} }).replace(/&nbsp;|\s/g, '') === '';
}

// KaTeX output for a LaTeX string, remembered for the busiest pages.
const mathCache = new Map<string, string>();
const MATH_CACHE_SIZE = 2000;

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function decodeAttribute(s: string): string {
  return s.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!,
  );
}

/**
 * KaTeX's MathML carries a style attribute in two rare places (\fcolorbox's
 * border, \pmb's shadow); the CSP allows none in pages, so these become
 * classes of site.css (the frame takes the text's colour). KaTeX escapes every
 * quote in text, so ` style="` can only be an attribute.
 */
export function withoutInlineStyles(mathml: string): string {
  if (!mathml.includes(' style="')) return mathml;
  return mathml
    .replace(/ style="border:[^"]*"/g, ' class="math-framed"')
    .replace(/ style="text-shadow:[^"]*"/g, ' class="math-poor-bold"')
    .replace(/ style="[^"]*"/g, '');
}

/**
 * MathML for one LaTeX string, typeset by the browser itself: no inline
 * styles (the CSP allows none) and read by screen readers as maths.
 */
function renderMath(latex: string, display: boolean): string {
  const key = `${display ? 'D' : 'I'}${latex}`;
  const hit = mathCache.get(key);
  if (hit !== undefined) return hit;
  let html: string;
  if (latex.length > MAX_LATEX_LENGTH) {
    html = `<code class="math-error">${escapeText(latex)}</code>`;
  } else {
    try {
      html = withoutInlineStyles(
        katex.renderToString(latex, {
          displayMode: display,
          // A parse error becomes our own escaped fallback below (no inline style).
          throwOnError: true,
          trust: false,
          strict: 'ignore',
          output: 'mathml',
          maxSize: 50,
          maxExpand: 200,
          globalGroup: false,
        }),
      );
      // KaTeX's MathML output has no display wrapper; the stylesheets expect one.
      if (display) html = `<span class="katex-display">${html}</span>`;
    } catch {
      html = `<code class="math-error">${escapeText(latex)}</code>`;
    }
  }
  if (mathCache.size >= MATH_CACHE_SIZE) mathCache.delete(mathCache.keys().next().value!);
  mathCache.set(key, html);
  return html;
}

const MATH_OPEN = /<span class="(math-inline|math-display)" data-latex="([^"]*)">/g;

// Pages show the same stored HTML over and over; renderRichHtml, richExcerptHtml
// and richHtmlToText are pure, so their output is remembered per input
// (bounded; docs/performance.md).
const renderedHtml = new TextCache(4_000_000);
const excerpts = new TextCache(1_000_000);
const plainTexts = new TextCache(1_000_000);

/** Replaces the math spans of canonical (already sanitised) HTML with KaTeX's output. */
function renderMathSpans(clean: string): string {
  if (!clean.includes('class="math-')) return clean;
  // The sanitiser's output is canonical: every "<" that is not a tag is
  // escaped, and math spans have exactly the attribute layout matched here,
  // so a depth count over "<span" / "</span>" finds each span's end.
  let out = '';
  let last = 0;
  MATH_OPEN.lastIndex = 0;
  for (let m = MATH_OPEN.exec(clean); m; m = MATH_OPEN.exec(clean)) {
    const start = m.index;
    let pos = start + m[0].length;
    let depth = 1;
    while (depth > 0) {
      const open = clean.indexOf('<span', pos);
      const close = clean.indexOf('</span>', pos);
      if (close === -1) {
        pos = clean.length;
        break;
      }
      if (open !== -1 && open < close) {
        depth += 1;
        pos = open + 5;
      } else {
        depth -= 1;
        pos = close + 7;
      }
    }
    out += clean.slice(last, start);
    out += renderMath(decodeAttribute(m[2]!), m[1] === 'math-display');
    last = pos;
    MATH_OPEN.lastIndex = pos;
  }
  return out + clean.slice(last);
}

/**
 * Sanitises again (the allowlist is enforced on every render) and renders the
 * math elements with KaTeX. The result is safe for dangerouslySetInnerHTML.
 */
export function renderRichHtml(html: string): string {
  return renderedHtml.remember(html, () => renderMathSpans(sanitizeRichHtml(html)));
}

// An excerpt keeps only inline text formatting and math from the first paragraph.
const EXCERPT_OPTIONS: sanitizeHtml.IOptions = {
  ...OPTIONS,
  allowedTags: ['strong', 'b', 'em', 'i', 'u', 's', 'sub', 'sup', 'code', 'span'],
  allowedAttributes: { span: ['data-latex'] },
  allowedClasses: { span: [...MATH_CLASSES] },
  exclusiveFilter: undefined,
  nonTextTags: [...(OPTIONS.nonTextTags ?? []), 'img', 'iframe'],
};

/**
 * The first paragraph with text, as safe HTML for a summary card: inline
 * formatting and rendered math only (no links, images or blocks). Empty when
 * the content has no paragraph with text.
 */
export function richExcerptHtml(html: string): string {
  return excerpts.remember(html, () => excerptUncached(html));
}

function excerptUncached(html: string): string {
  const clean = sanitizeRichHtml(html);
  for (const m of clean.matchAll(/<p>([\s\S]*?)<\/p>/g)) {
    const inner = sanitizeHtml(m[1]!, EXCERPT_OPTIONS).trim();
    const text = sanitizeHtml(inner, { allowedTags: [], allowedAttributes: {} }).replace(/&nbsp;|\s/g, '');
    if (text !== '') return renderMathSpans(inner);
  }
  return '';
}

/** Plain text of rich HTML (for summaries and meta descriptions). */
export function richHtmlToText(html: string, maxLength = 200): string {
  return plainTexts.remember(`${maxLength}:${html}`, () => textUncached(html, maxLength));
}

function textUncached(html: string, maxLength: number): string {
  // A space after each block, so "<h2>A</h2><p>B</p>" reads "A B".
  const spaced = sanitizeRichHtml(html).replace(
    /<\/(?:p|h[2-4]|li|blockquote|pre|td|th|caption|figcaption)>|<br \/>/g,
    '$& ',
  );
  const text = sanitizeHtml(spaced, { allowedTags: [], allowedAttributes: {} })
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > maxLength ? `${text.slice(0, maxLength - 1).trimEnd()}…` : text;
}
