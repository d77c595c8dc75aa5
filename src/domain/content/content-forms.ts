// Validation shared by the content forms (articles, announcements, pages):
// one place that turns raw form fields into clean values or field messages.
import { z } from 'zod';
import { isBlankRichHtml, sanitizeRichHtml } from './sanitize.js';

/** Longest rich HTML a form may send (before sanitising). */
export const MAX_CONTENT_CHARS = 500_000;

export type FieldErrors = Record<string, string>;
export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export const titleField = (max: number) => z.string().trim()
  .min(1, 'Enter a title.')
  .max(max, `The title is too long (at most ${max} characters).`)
  .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), 'The title contains control characters.');

export const richContentField = (opts: { required: boolean }) => z.string()
  .max(MAX_CONTENT_CHARS, `The content is too long (at most ${MAX_CONTENT_CHARS.toLocaleString('en-GB')} characters of HTML).`)
  .transform((html) => sanitizeRichHtml(html))
  .refine((html) => !opts.required || !isBlankRichHtml(html), 'Write some content.');

/** Runs a zod schema over form fields and keeps the first message per field. */
export function validateForm<T>(schema: z.ZodType<T>, fields: Record<string, unknown>): Validated<T> {
  const result = schema.safeParse(fields);
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? '_form');
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

export interface PageOf<T> {
  items: T[];
  total: number;
  page: number;
  pages: number;
  perPage: number;
}

/** A page number from the query string: a whole number from 1; anything else is page 1. */
export function pageNumber(raw: unknown): number {
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw)) return 1;
  return Math.max(1, Number(raw));
}

/** Positive database id from a route parameter, or null. */
export function idParam(raw: unknown): number | null {
  if (typeof raw !== 'string' || !/^[1-9]\d{0,9}$/.test(raw)) return null;
  const n = Number(raw);
  return n <= 2_147_483_647 ? n : null;
}
