// Field rules shared by the content forms (articles, announcements, pages),
// and the shape of one page of a content list.
import { z } from 'zod';
import { isBlankRichHtml, sanitizeRichHtml } from './sanitize.js';

/** Longest rich HTML a form may send (before sanitising). */
const MAX_CONTENT_CHARS = 500_000;

/** C0 control characters other than tab, line feed and carriage return, and DEL. */
function hasControlCharacters(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}

export const titleField = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'Enter a title.')
    .max(max, `The title is too long (at most ${max} characters).`)
    .refine((s) => !hasControlCharacters(s), 'The title contains control characters.');

export const richContentField = (opts: { required: boolean }) =>
  z
    .string()
    .max(
      MAX_CONTENT_CHARS,
      `The content is too long (at most ${MAX_CONTENT_CHARS.toLocaleString('en-GB')} characters of HTML).`,
    )
    .transform((html) => sanitizeRichHtml(html))
    .refine((html) => !opts.required || !isBlankRichHtml(html), 'Write some content.');

export interface PageOf<T> {
  items: T[];
  total: number;
  page: number;
  pages: number;
  perPage: number;
}
