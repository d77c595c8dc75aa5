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

// Function names as they appear inside plain-text letter runs ("xsinx", "3cosecx"), longest first.
const FUNCTION_NAME =
  /arcsin|arccos|arctan|cosec|sinh|cosh|tanh|sqrt|cbrt|asin|acos|atan|sin|cos|tan|sec|csc|cot|abs|exp|log|ln|lg/gi;
const VOWEL = /[aeiou]/i;

/**
 * Does a run of letters spell maths rather than a word? It does when no vowel (a, e, i,
 * o, u) is left outside function names and every function name has a letter after it:
 * "xyz", "pqr", "xlnx", "xsinx", "sinx" are products; "kite", "sine", "using", "sin" and
 * "tanh" are words. A vowel-less word ("myth") needs the box's kind set to text.
 */
function spellsMaths(run: string): boolean {
  if (/[^A-Za-z]/.test(run)) return false; // accents or other scripts: a word in some language
  let rest = '';
  let last = 0;
  for (const m of run.matchAll(FUNCTION_NAME)) {
    const end = m.index + m[0].length;
    if (end >= run.length) return false; // a bare function name is a word ("sin", "tanh")
    rest += run.slice(last, m.index);
    last = end;
  }
  rest += run.slice(last);
  return !VOWEL.test(rest);
}

const isFunctionName = (run: string): boolean => run.replace(FUNCTION_NAME, '') === '' && run.length > 0;

/** A run of letters that can be a word: two or more letters that do not spell maths. */
const canBeWord = (run: string): boolean => run.length >= 2 && !spellsMaths(run);

/** A run of letters among numbers that can only be a word: 4+ letters, not a unit, not maths. */
function isWord(run: string): boolean {
  return run.length >= 4 && !isUnitName(run) && canBeWord(run);
}

/**
 * Is an expected answer a word rather than maths? Letters only (with spaces, hyphens,
 * apostrophes), at least three letters, and at least one run of letters that can be a word;
 * or words and numbers ("10 sides") with at least one real word; or wholly wrapped in
 * \text{…}. Two letters such as "pq", single letters ("a b c") and letter runs without a
 * vowel ("xyz") stay algebra; set the kind explicitly for products like "abc".
 */
export function looksLikeText(raw: string): boolean {
  const trimmed = raw.trim();
  if (trimmed.includes('\\operatorname')) return false; // a function name, not a word
  if (/^\\(?:text|textrm|textnormal|textup|mbox)\s*\{[^{}]*\}$/.test(trimmed)) return true;
  const plain = plainText(trimmed);
  const runs = plain.match(/\p{L}+/gu) ?? [];
  if (/^[\p{L}][\p{L} '’-]*$/u.test(plain)) {
    // A function name followed by more letters is a call ("sin x"), not the word "sin".
    const word = (run: string, k: number): boolean => canBeWord(run) && !(k < runs.length - 1 && isFunctionName(run));
    return runs.join('').length >= 3 && runs.some(word);
  }
  // Among numbers, a function name is a call ("sqrt49-10", "sin30"), never the word.
  if (/^[\p{L}\d][\p{L}\d '’.-]*$/u.test(plain)) return runs.some((run) => isWord(run) && !isFunctionName(run));
  return false;
}
