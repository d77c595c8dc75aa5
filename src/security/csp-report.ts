// POST /csp-report: where browsers send Content Security Policy violations,
// in either format: the classic `application/csp-report` ({"csp-report": …},
// report-uri) and the Reporting API's `application/reports+json` (a list of
// reports, report-to). Each violation is logged as one structured JSON line
// and counted: in this process and, persistently, in the settings table, for
// the admin dashboard. Bodies are small and size-limited; URLs lose their query
// string and fragment before they are logged (they can carry personal data).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';

const CSP_REPORT_TYPES = ['application/csp-report', 'application/reports+json'] as const;
/** A browser's report is well under 4 KB; a batch of them under this. */
export const CSP_REPORT_BODY_LIMIT = 32 * 1024;
const MAX_REPORTS_PER_REQUEST = 20;
const RECENT_KEPT = 20;
const TEXT_MAX = 300;
const SETTING_TOTAL = 'csp_reports.total';
const SETTING_LAST_AT = 'csp_reports.last_at';

export interface CspViolation {
  documentUri: string | null;
  blockedUri: string | null;
  effectiveDirective: string | null;
  disposition: 'enforce' | 'report' | null;
  sourceFile: string | null;
  line: number | null;
  column: number | null;
  sample: string | null;
  statusCode: number | null;
}

export interface CspReportSummary {
  /** All reports ever received (persisted). */
  total: number;
  lastAt: string | null;
  /** Reports received by this process since it started. */
  sinceStart: number;
  /** The latest few, newest first (this process only). */
  recent: Array<CspViolation & { at: string }>;
}

interface CspReportState {
  sinceStart: number;
  recent: Array<CspViolation & { at: string }>;
}

declare module 'fastify' {
  interface FastifyInstance {
    cspReports: CspReportState;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown): string | null {
  if (typeof v !== 'string' || v === '') return null;
  // eslint-disable-next-line no-control-regex -- control characters are what this strips
  return v.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, TEXT_MAX);
}

/** Keywords (inline, eval, data, blob…) as they are; URLs without query and fragment. */
function url(v: unknown): string | null {
  const s = text(v);
  if (!s) return null;
  try {
    const u = new URL(s);
    if (u.protocol === 'http:' || u.protocol === 'https:') return `${u.origin}${u.pathname}`.slice(0, TEXT_MAX);
    return `${u.protocol}`; // data:, blob:, … — the payload is not worth keeping
  } catch {
    return s.split(/[?#]/)[0] ?? null;
  }
}

function int(v: unknown): number | null {
  const n = typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < 1e9 ? n : null;
}

function disposition(v: unknown): CspViolation['disposition'] {
  return v === 'enforce' || v === 'report' ? v : null;
}

/** `{"csp-report": {...}}` with the report-uri field names. */
function fromLegacy(r: Record<string, unknown>): CspViolation {
  const directive = text(r['effective-directive']) ?? text(r['violated-directive']);
  return {
    documentUri: url(r['document-uri']),
    blockedUri: url(r['blocked-uri']),
    effectiveDirective: directive ? directive.split(' ')[0]! : null,
    disposition: disposition(r.disposition),
    sourceFile: url(r['source-file']),
    line: int(r['line-number']),
    column: int(r['column-number']),
    sample: text(r['script-sample']),
    statusCode: int(r['status-code']),
  };
}

/** One Reporting API report of type "csp-violation". */
function fromReportingApi(b: Record<string, unknown>): CspViolation {
  return {
    documentUri: url(b.documentURL),
    blockedUri: url(b.blockedURL),
    effectiveDirective: text(b.effectiveDirective),
    disposition: disposition(b.disposition),
    sourceFile: url(b.sourceFile),
    line: int(b.lineNumber),
    column: int(b.columnNumber),
    sample: text(b.sample),
    statusCode: int(b.statusCode),
  };
}

/** The violations in a report body of either format; [] when it holds none. */
export function parseCspReports(body: unknown): CspViolation[] {
  if (isObject(body) && isObject(body['csp-report'])) return [fromLegacy(body['csp-report'])];
  if (Array.isArray(body)) {
    return body
      .filter((r): r is Record<string, unknown> => isObject(r) && r.type === 'csp-violation' && isObject(r.body))
      .slice(0, MAX_REPORTS_PER_REQUEST)
      .map((r) => fromReportingApi(r.body as Record<string, unknown>));
  }
  return [];
}

/** Adds `count` to the persisted total, atomically on both dialects. */
async function recordCspReports(db: Db, count: number, at: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('settings')
      .values({ key: SETTING_TOTAL, value: String(count), updated_at: at })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          // Both operands integers: SQLite would otherwise make a REAL of it ("3.0").
          value: sql<string>`cast(cast(settings.value as integer) + cast(${count} as integer) as text)`,
          updated_at: at,
        }),
      )
      .execute();
    await trx
      .insertInto('settings')
      .values({ key: SETTING_LAST_AT, value: at, updated_at: at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: at, updated_at: at }))
      .execute();
  });
}

/** What the admin dashboard shows about CSP violations. */
export async function cspReportSummary(app: FastifyInstance): Promise<CspReportSummary> {
  const rows = await app.db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', [SETTING_TOTAL, SETTING_LAST_AT])
    .execute();
  const get = (k: string) => rows.find((r) => r.key === k)?.value ?? null;
  return {
    total: Number(get(SETTING_TOTAL) ?? 0),
    lastAt: get(SETTING_LAST_AT),
    sinceStart: app.cspReports.sinceStart,
    recent: [...app.cspReports.recent],
  };
}

async function receive(request: FastifyRequest, reply: FastifyReply) {
  const app = request.server;
  const violations = parseCspReports(request.body);
  if (violations.length === 0) {
    return reply.code(400).send({ error: 'The body is not a CSP violation report.' });
  }
  const at = new Date().toISOString();
  for (const v of violations) {
    request.log.warn({ event: 'csp-violation', csp: v, ip: request.clientIp }, 'CSP violation');
    app.cspReports.recent.unshift({ ...v, at });
  }
  app.cspReports.recent.length = Math.min(app.cspReports.recent.length, RECENT_KEPT);
  app.cspReports.sinceStart += violations.length;
  await recordCspReports(app.db, violations.length, at);
  return reply.code(204).send();
}

/**
 * The route, with its two content types parsed only here (an encapsulated
 * plugin: register it at the top level, so it gets the app's error pages).
 */
export async function cspReportRoute(app: FastifyInstance): Promise<void> {
  app.addContentTypeParser(
    [...CSP_REPORT_TYPES],
    { parseAs: 'string', bodyLimit: CSP_REPORT_BODY_LIMIT },
    (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(Object.assign(new Error('The report is not valid JSON.'), { statusCode: 400 }), undefined);
      }
    },
  );
  // CSP_REPORT_URI may point at an external collector instead; this endpoint stays.
  app.post(
    '/csp-report',
    {
      bodyLimit: CSP_REPORT_BODY_LIMIT,
      // Browsers send reports without cookies' CSRF token and without a session.
      config: { access: 'public', csrf: false, rateLimit: app.config.rateLimit.cspReport, json: true },
    },
    receive,
  );
}

/** The counters the route updates, on the app for the admin dashboard. */
export const cspReportState = fp(
  async (app: FastifyInstance) => {
    app.decorate('cspReports', { sinceStart: 0, recent: [] } as CspReportState);
  },
  { name: 'mathsoc-csp-report' },
);
