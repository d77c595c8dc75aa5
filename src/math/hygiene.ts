// First layer: cheap, linear checks on the raw string before any parsing.
import { COMMANDS, FORBIDDEN_COMMANDS } from './commands.js';
import { fail } from './errors.js';
import { LIMITS } from './limits.js';

const HTML_TAG = /<\s*\/?\s*[A-Za-z!?][^<>]*>/;
const HTML_ENTITY = /&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
// C0/C1 controls other than tab/newline, and bidirectional overrides (visual spoofing).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const ESCAPES_ALLOWED = new Set([',', ';', ':', '!', ' ', '>', '{', '}', '%', '$', '|']);

const EDGE_AT_START = /^(?:\s|\\[ ,;:!]|\\q?quad(?![A-Za-z]))/;
const EDGE_AT_END = /(?:\s|\\[ ,;:!]|\\q?quad)$/;

/**
 * Trims white space and LaTeX spacing commands (`\ `, `\,`, `\quad` …) at both
 * ends: a maths box may send `x\ `, and trimming only the space would leave a
 * stray backslash. Each step removes at least one character.
 */
function trimSpacing(raw: string): string {
  let text = raw;
  let m: RegExpExecArray | null;
  while ((m = EDGE_AT_START.exec(text))) text = text.slice(m[0].length);
  // Only the tail can hold the match: searching it keeps each step constant-time.
  while ((m = EDGE_AT_END.exec(text.slice(-7)))) text = text.slice(0, text.length - m[0].length);
  return text;
}

/**
 * Returns the cleaned input (NFC, trimmed) or throws a MathInputError.
 * `allowEmpty` lets callers report emptiness themselves.
 */
export function hygiene(input: unknown): string {
  if (typeof input !== 'string') fail('empty', 'no answer given');
  // Reject before normalising so a huge string costs nothing.
  if (input.length > LIMITS.maxInputLength * 4) fail('too-long', `longer than ${LIMITS.maxInputLength} characters`);
  const text = trimSpacing(input.normalize('NFC').replace(ZERO_WIDTH, ''));
  if (text.length > LIMITS.maxInputLength) fail('too-long', `longer than ${LIMITS.maxInputLength} characters`);
  if (text.length === 0) fail('empty', 'no answer given');
  if (HTML_TAG.test(text) || HTML_ENTITY.test(text)) fail('html', 'HTML is not an answer');
  if (CONTROL.test(text)) fail('parse-error', 'control characters are not allowed');

  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') continue;
    const rest = text.slice(i + 1, i + 1 + 40);
    const m = /^[A-Za-z]+/.exec(rest);
    if (m) {
      const name = m[0];
      if (FORBIDDEN_COMMANDS.has(name)) fail('forbidden-command', `\\${name} is not allowed`);
      if (!COMMANDS.has(name)) fail('unsupported', `\\${name} is not supported`);
      i += name.length;
    } else {
      const c = rest[0];
      if (c === undefined || !ESCAPES_ALLOWED.has(c)) fail('unsupported', `\\${c ?? ''} is not supported`);
      i += 1;
    }
  }

  let depth = 0;
  for (const c of text) {
    if (c === '(' || c === '[' || c === '{') {
      depth++;
      if (depth > LIMITS.maxBracketDepth) fail('too-deep', `brackets nested deeper than ${LIMITS.maxBracketDepth}`);
    } else if (c === ')' || c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return text;
}
