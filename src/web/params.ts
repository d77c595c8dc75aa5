// Typed request input: route parameters and query strings are parsed here by
// zod schemas, never cast. A malformed id is a 404 with the route's own
// message (an address that cannot exist), a malformed page number is page 1.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../security/access.js';

const MAX_ID = 2_147_483_647;

/** A positive database id as it appears in a URL segment or query value. */
const idSchema = z
  .string()
  .regex(/^[1-9]\d{0,9}$/)
  .transform(Number)
  .refine((n) => n <= MAX_ID);

/** A page number from the query string: digits from 1; anything else is page 1. */
const pageSchema = z
  .unknown()
  .transform((raw) => (typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Math.max(1, Number(raw)) : 1));

/** A database id from a URL segment or query value, or null. */
export function parseId(raw: unknown): number | null {
  const r = idSchema.safeParse(raw);
  return r.success ? r.data : null;
}

/** The page number of `?page=`, 1 when absent or malformed. */
export function pageParam(request: FastifyRequest): number {
  return pageSchema.parse(queryValue(request, 'page'));
}

/** One route parameter as a database id; anything else answers 404 with `notFound`. */
export function idParam(request: FastifyRequest, notFound: string, name = 'id'): number {
  const id = parseId(paramValue(request, name));
  if (id === null) throw new HttpError(404, notFound);
  return id;
}

/** One route parameter as text ('' when absent). */
export function paramValue(request: FastifyRequest, name: string): string {
  const params = request.params;
  if (!params || typeof params !== 'object') return '';
  const v = (params as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : '';
}

/** One query-string value as text, or undefined when absent or repeated. */
export function queryValue(request: FastifyRequest, name: string): string | undefined {
  const query = request.query;
  if (!query || typeof query !== 'object') return undefined;
  const v = (query as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

/** The query string parsed by a schema; a malformed query answers 400 with the schema's message. */
export function parseQuery<T>(request: FastifyRequest, schema: z.ZodType<T>): T {
  const r = schema.safeParse(request.query ?? {});
  if (r.success) return r.data;
  throw new HttpError(400, r.error.issues[0]?.message ?? 'The address has a malformed query.');
}
