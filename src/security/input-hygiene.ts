// Control characters are refused in every piece of text a request carries, with
// a 400, before any handler (and so any query) runs. PostgreSQL cannot store NUL
// in text at all (the query fails: a 500 and a stack trace); the other C0
// controls and DEL are never typed into a form and only hide text from the
// people who later read it.
// - route parameters, query names and values, field names, uploaded file names:
//   no control character at all;
// - body text (urlencoded, JSON, multipart text fields): tab, CR and LF are
//   allowed, as multi-line fields need them. CSP reports are body text too: the
//   code a browser quotes has line breaks but no other controls (its HTML parser
//   already turned NUL into U+FFFD), so a report with them is no browser's.
// Uploaded file bytes are not text and are not looked at. Lone surrogates and
// noncharacters (U+FFFE…) are left alone: PostgreSQL stores them (the driver
// turns a lone surrogate into U+FFFD) and SQLite keeps them as sent.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from './access.js';

const CONTROL_CHARACTERS_MESSAGE = 'The request contains characters that are not allowed (control characters).';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ANY_CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- the same, less tab, LF and CR
const CONTROL_EXCEPT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** `line`: a single value (query, parameter, name); `text`: body text, which may span lines. */
export type TextKind = 'line' | 'text';

export function hasControlCharacters(value: string, kind: TextKind): boolean {
  return (kind === 'line' ? ANY_CONTROL : CONTROL_EXCEPT_LINE_BREAKS).test(value);
}

export interface ControlCharacterFinding {
  /** Where it was: `query`, `params` or `body`, then the field's name. */
  where: string;
}

class ControlCharacterError extends HttpError {
  code = 'CONTROL_CHARACTERS';
  constructor(readonly where: string) {
    super(400, CONTROL_CHARACTERS_MESSAGE);
  }
}

/** A name safe to log: control characters shown as `?`, at most 60 characters. */
const printable = (name: string) => name.replace(new RegExp(ANY_CONTROL.source, 'g'), '?').slice(0, 60);

interface Pending {
  value: unknown;
  where: string;
  kind: TextKind;
  /** A value of the multipart body itself (a part, or a list of parts of one name). */
  part?: boolean;
}

/**
 * The first control character in a parsed query, parameter set or body, or null.
 * Walks with its own stack (a deeply nested JSON body cannot exhaust the call
 * stack) and visits each object once (multipart parts point back at the body).
 * `multipart`: the body came from @fastify/multipart, whose parts are
 * `{ type: 'field', value }` and `{ type: 'file', filename }`; only then are
 * such objects read as parts, so a JSON body cannot pass itself off as a file.
 */
export function findControlCharacters(
  value: unknown,
  where: string,
  kind: TextKind,
  opts: { multipart?: boolean } = {},
): ControlCharacterFinding | null {
  const stack: Pending[] = [{ value, where, kind }];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const item = stack.pop()!;
    const v = item.value;
    if (typeof v === 'string') {
      if (hasControlCharacters(v, item.kind)) return { where: item.where };
      continue;
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (Buffer.isBuffer(v) || ArrayBuffer.isView(v)) continue;
    if (item.part && isPart(v)) {
      if (v.type === 'file') stack.push({ value: v.filename ?? '', where: `${item.where} (file name)`, kind: 'line' });
      else stack.push({ value: v.value, where: item.where, kind: item.kind });
      continue;
    }
    if (Array.isArray(v)) {
      for (const element of v) stack.push({ value: element, where: item.where, kind: item.kind, part: item.part });
      continue;
    }
    // Only the multipart body's own values are parts; nothing nested in them is.
    const parts = opts.multipart === true && v === value;
    for (const [key, child] of Object.entries(v)) {
      const path = `${item.where}.${printable(key)}`;
      if (hasControlCharacters(key, 'line')) return { where: path };
      stack.push({ value: child, where: path, kind: item.kind, part: parts });
    }
  }
  return null;
}

interface Part {
  type: 'field' | 'file';
  value?: unknown;
  filename?: string;
}

function isPart(v: object): v is Part {
  const type = (v as { type?: unknown }).type;
  return (type === 'field' || type === 'file') && 'fieldname' in v;
}

/** Everything of the request that is text: parameters and query first, then the body. */
function checkRequestText(request: FastifyRequest): ControlCharacterFinding | null {
  const multipart = (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/');
  return (
    findControlCharacters(request.params, 'params', 'line') ??
    findControlCharacters(request.query, 'query', 'line') ??
    findControlCharacters(request.body, 'body', 'text', { multipart })
  );
}

export const inputHygienePlugin = fp(
  async (app: FastifyInstance) => {
    // preHandler: after every body parser (multipart fills request.body in preValidation)
    // and after the CSRF and access checks, so those answer as before.
    app.addHook('preHandler', async (request) => {
      if (!request.routeOptions.config?.access) return; // unknown address: the 404 handler answers
      const finding = checkRequestText(request);
      if (!finding) return;
      request.log.info({ event: 'control-characters', where: finding.where }, 'request refused: control characters');
      throw new ControlCharacterError(finding.where);
    });
  },
  { name: 'mathsoc-input-hygiene', dependencies: ['mathsoc-access'] },
);
