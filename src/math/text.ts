// Word answers ("hypotenuse", \text{trapezium}): compared without case or whitespace.
import { isUnitName } from './units.js';

const TEXT_WRAPPER =
  /\\(?:text|textrm|textnormal|textup|textit|textbf|mbox|mathrm|mathup|operatorname)\s*\{([^{}]*)\}/g;
const LATEX_SPACE = /\\(?:[,;: !>]|quad|qquad|enspace|thinspace)|~/g;

/** Strips \text{…} wrappers and spacing commands; keeps everything else as written. */
export function plainText(raw: string): string {
  return raw.replace(TEXT_WRAPPER, ' $1 ').replace(LATEX_SPACE, ' ').replace(/\s+/g, ' ').trim();
}

/** The comparison key: case-folded with all whitespace removed. */
export function normalizeText(raw: string): string {
  return plainText(raw).toLowerCase().replace(/\s+/g, '');
}

// Letter runs that begin like a function are maths ("sinx", "sqrt"), not words.
const FUNCTION_START = /^(?:arc|sin|cos|tan|sec|csc|cot|sqrt|cbrt|abs|ln|lg|log|exp)/i;

/** A run of letters that can only be a word: 4+ letters, not a unit, not a function call. */
function isWord(run: string): boolean {
  return run.length >= 4 && !isUnitName(run) && !FUNCTION_START.test(run);
}

/**
 * Is an expected answer a word rather than maths? Letters only (with spaces, hyphens,
 * apostrophes) and at least three letters; or words and numbers ("10 sides") with at
 * least one real word; or wholly wrapped in \text{…}. Two letters such as "pq" stay
 * algebra; set the kind explicitly for products like "abc".
 */
export function looksLikeText(raw: string): boolean {
  const trimmed = raw.trim();
  if (trimmed.includes('\\operatorname')) return false; // a function name, not a word
  if (/^\\(?:text|textrm|textnormal|textup|mbox)\s*\{[^{}]*\}$/.test(trimmed)) return true;
  const plain = plainText(trimmed);
  if (/^[\p{L}][\p{L} '’-]*$/u.test(plain)) return (plain.match(/\p{L}/gu) ?? []).length >= 3;
  if (/^[\p{L}\d][\p{L}\d '’.-]*$/u.test(plain)) return (plain.match(/\p{L}+/gu) ?? []).some(isWord);
  return false;
}
