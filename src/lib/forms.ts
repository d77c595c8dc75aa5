// The one shape every form validation returns, and the one zod helper that
// produces it. A form re-renders with `values` (what the user typed, normalised;
// never a password) and `errors` (one message per field, shown next to it).
import { z } from 'zod';

/** One message per field name; `_form` for a message about the whole form. */
export type FieldErrors = Record<string, string>;
/** The text fields of a submitted form, as re-rendered into it. */
export type FormValues = Record<string, string>;

export type FormOutcome<T, V = FormValues> =
  { ok: true; data: T; values: V } | { ok: false; errors: FieldErrors; values: V };

/** Runs a zod schema over a form's values and keeps the first message per field. */
export function validateForm<T, V>(schema: z.ZodType<T>, values: V): FormOutcome<T, V> {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data, values };
  return { ok: false, errors: fieldErrors(result.error), values };
}

/** The first message per top-level field of a zod error. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : '_form';
    errors[key] ??= issue.message;
  }
  return errors;
}

/**
 * The first step of a form whose checks go beyond its schema: the schema's
 * data (null when a field rule failed) and the messages the later checks add to.
 * `input` may hold passwords: unlike `values`, it is never sent back.
 */
export function checkFields<T>(schema: z.ZodType<T>, input: unknown): { data: T | null; errors: FieldErrors } {
  const result = schema.safeParse(input);
  return result.success ? { data: result.data, errors: {} } : { data: null, errors: fieldErrors(result.error) };
}

/**
 * A text field checked by a rule function that answers the field's message,
 * or null when the value is acceptable (rules shared with code outside forms).
 */
export function ruleField(rule: (value: string) => string | null): z.ZodType<string> {
  return z.string().superRefine((value, ctx) => {
    const message = rule(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  });
}

/**
 * The outcome of checks that need more than a schema (the database, the math
 * engine): `data` counts only when no field has a message.
 */
export function formOutcome<T, V>(values: V, errors: FieldErrors, data: () => T): FormOutcome<T, V> {
  return Object.keys(errors).length > 0 ? { ok: false, errors, values } : { ok: true, data: data(), values };
}

/** One submitted text value (query string or form), trimmed and cut to `max`; absent, repeated or anything but a string is ''. */
export const textValue = (max = Infinity) =>
  z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'string' ? v.trim().slice(0, max) : ''));

/** One text field of a parsed form body; anything but a single string counts as empty. */
export function field(body: unknown, name: string): string {
  if (!body || typeof body !== 'object') return '';
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : '';
}

/** A checkbox: present with any of the usual "on" values. */
export function checkbox(body: unknown, name: string): boolean {
  return ['on', '1', 'true', 'yes'].includes(field(body, name).toLowerCase());
}
