// Reading the audit log for the admin page: filters, newest first, paged.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/index.js';
import type { AuditEntry } from '../db/schema.js';
import { textValue } from '../lib/forms.js';

const AUDIT_PER_PAGE = 50;

export interface AuditQuery {
  action: string;
  actor: string;
  targetType: string;
  targetId: string;
  ip: string;
  /** YYYY-MM-DD, inclusive, UTC. */
  from: string;
  to: string;
  page: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar day ("2026-02-30" is not). */
const validDate = (s: string) => {
  if (!DATE.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
};

/** The page's query string; a value that cannot be a filter is left out. */
export const auditQuerySchema = z
  .object({
    action: textValue(100),
    actor: textValue(200),
    target_type: textValue(50),
    target_id: textValue(50),
    ip: textValue(100),
    from: textValue(10).transform((d) => (validDate(d) ? d : '')),
    to: textValue(10).transform((d) => (validDate(d) ? d : '')),
    page: textValue(200)
      .transform(Number)
      .transform((n) => (Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1)),
  })
  .transform(({ target_type, target_id, ...rest }): AuditQuery => ({
    ...rest,
    targetType: target_type,
    targetId: target_id,
  }));

export function parseAuditQuery(raw: unknown): AuditQuery {
  return auditQuerySchema.parse(raw ?? {});
}

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function filtered(db: Db, q: AuditQuery) {
  let qb = db.selectFrom('audit_log');
  // "user." matches every user action; a full name matches that action only.
  if (q.action)
    qb = q.action.endsWith('.')
      ? qb.where('action', 'like', `${likeEscape(q.action)}%`)
      : qb.where('action', '=', q.action);
  if (q.actor) {
    const pattern = `%${likeEscape(q.actor.toLowerCase())}%`;
    qb = qb.where(sql<boolean>`lower(coalesce(${sql.ref('actor_email')}, '')) like ${pattern} escape '\\'`);
  }
  if (q.targetType) qb = qb.where('target_type', '=', q.targetType);
  if (q.targetId) qb = qb.where('target_id', '=', q.targetId);
  if (q.ip) qb = qb.where('ip', '=', q.ip);
  if (q.from) qb = qb.where('created_at', '>=', `${q.from}T00:00:00.000Z`);
  if (q.to) qb = qb.where('created_at', '<', new Date(Date.parse(`${q.to}T00:00:00Z`) + 86_400_000).toISOString());
  return qb;
}

export interface AuditPage {
  rows: AuditEntry[];
  total: number;
  page: number;
  pages: number;
}

export async function listAudit(db: Db, q: AuditQuery): Promise<AuditPage> {
  const c = await filtered(db, q)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const total = Number(c.n);
  const pages = Math.max(1, Math.ceil(total / AUDIT_PER_PAGE));
  const page = Math.min(q.page, pages);
  const rows = await filtered(db, q)
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(AUDIT_PER_PAGE)
    .offset((page - 1) * AUDIT_PER_PAGE)
    .execute();
  return { rows, total, page, pages };
}

/** The actions recorded so far, for the filter's choices. */
export async function auditActions(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('audit_log').select('action').distinct().orderBy('action').limit(500).execute();
  return rows.map((r) => r.action);
}

export async function auditTargetTypes(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_log')
    .select('target_type')
    .distinct()
    .where('target_type', 'is not', null)
    .orderBy('target_type')
    .limit(100)
    .execute();
  return rows.map((r) => r.target_type!).filter(Boolean);
}

/** The latest entries about one record, newest first. */
export function auditTrail(db: Db, targetType: string, targetId: number, limit = 10): Promise<AuditEntry[]> {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('target_type', '=', targetType)
    .where('target_id', '=', String(targetId))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
