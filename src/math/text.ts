// Word answers ("hypotenuse", \text{trapezium}): compared without case or whitespace.

const TEXT_WRAPPER = /\\(?:text|textrm|textnormal|textup|textit|textbf|mbox|mathrm|mathup|operatorname)\s*\{([^{}]*)\}/g;
const LATEX_SPACE = /\\(?:[,;: !>]|quad|qquad|enspace|thinspace)|~/g;

/** Strips \text{…} wrappers and spacing commands; keeps everything else as written. */
export function plainText(raw: string): string {
  return raw.replace(TEXT_WRAPPER, ' $1 ').replace(LATEX_SPACE, ' ').replace(/\s+/g, ' ').trim();
}

/** The comparison key: case-folded with all whitespace removed. */
export function normalizeText(raw: string): string {
  return plainText(raw).toLowerCase().replace(/\s+/g, '');
}

/**
 * Is an expected answer a word rather than maths? Letters only (with spaces, hyphens,
 * apostrophes) and at least three letters, or wholly wrapped in \text{…}. Two letters
 * such as "pq" stay algebra; set the kind explicitly for products like "abc".
 */
export function looksLikeText(raw: string): boolean {
  const trimmed = raw.trim();
  if (trimmed.includes('\\operatorname')) return false; // a function name, not a word
  if (/^\\(?:text|textrm|textnormal|textup|mbox)\s*\{[^{}]*\}$/.test(trimmed)) return true;
  const plain = plainText(trimmed);
  if (!/^[\p{L}][\p{L} '’-]*$/u.test(plain)) return false;
  return (plain.match(/\p{L}/gu) ?? []).length >= 3;
}
