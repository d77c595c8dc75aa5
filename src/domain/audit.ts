// The audit log: who did what to which record, when, and from where. Every
// admin action and every login attempt writes one entry.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

export interface AuditActor {
  id: number | null;
  email: string | null;
  ip?: string | null;
  userAgent?: string | null;
}

export interface AuditEvent {
  action: string; // e.g. "user.delete", "login.failure", "challenge.create"
  targetType?: string | null;
  targetId?: string | number | null;
  details?: Record<string, unknown> | null;
}

export async function audit(
  db: Kysely<Database> | Transaction<Database>,
  actor: AuditActor,
  event: AuditEvent,
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_id: actor.id,
      actor_email: actor.email,
      action: event.action,
      target_type: event.targetType ?? null,
      target_id: event.targetId === undefined || event.targetId === null ? null : String(event.targetId),
      details: event.details ? JSON.stringify(event.details) : null,
      ip: actor.ip ?? null,
      user_agent: actor.userAgent ? actor.userAgent.slice(0, 300) : null,
      created_at: new Date().toISOString(),
    })
    .execute();
}

/** The actor of a web request. */
export function requestActor(request: {
  user: { id: number; email: string } | null;
  clientIp: string;
  headers: Record<string, string | string[] | undefined>;
}): AuditActor {
  const ua = request.headers['user-agent'];
  return {
    id: request.user?.id ?? null,
    email: request.user?.email ?? null,
    ip: request.clientIp,
    userAgent: typeof ua === 'string' ? ua : null,
  };
}

/** The actor of a command-line action. */
export const CLI_ACTOR: AuditActor = { id: null, email: 'cli', ip: null, userAgent: 'mathsoc-cli' };
