// Server-side session records. The cookie holds a random token; the store keys
// records by the token's SHA-256, so a leaked database or Redis dump cannot be
// replayed as cookies.
import { pingDatabase, type Db } from '../db/index.js';

export interface SessionRecord {
  id: string;
  userId: number;
  csrfToken: string;
  remember: boolean;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  /** The privilege the session was issued for; a change rotates the session id. */
  privilege?: Privilege | null;
}

/** The role a session was issued for ("user" is a student); a change of role rotates the session id. */
export type Privilege = 'admin' | 'teacher' | 'user';

export interface SessionStore {
  create(record: SessionRecord): Promise<void>;
  get(id: string): Promise<SessionRecord | null>;
  touch(id: string, lastSeenAt: string, idleExpiresAt: string): Promise<void>;
  destroy(id: string): Promise<void>;
  /** Ends every session of the user except `exceptId`; returns how many ended. */
  destroyForUser(userId: number, exceptId?: string | null): Promise<number>;
  listForUser(userId: number): Promise<SessionRecord[]>;
  /** Removes records past either expiry; returns how many. */
  purgeExpired(nowIso: string): Promise<number>;
  /** True when the store answers within `timeoutMs` (the readiness probe's question). */
  ping(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** A `sessions` row as the database returns it. */
export type SessionRow = {
  id: string;
  user_id: number;
  csrf_token: string;
  remember: number;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  idle_expires_at: string;
  absolute_expires_at: string;
  privilege: string | null;
};

export const sessionFromRow = (r: SessionRow): SessionRecord => ({
  id: r.id,
  userId: r.user_id,
  csrfToken: r.csrf_token,
  remember: r.remember === 1,
  ip: r.ip,
  userAgent: r.user_agent,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  idleExpiresAt: r.idle_expires_at,
  absoluteExpiresAt: r.absolute_expires_at,
  privilege: r.privilege === 'admin' || r.privilege === 'teacher' || r.privilege === 'user' ? r.privilege : null,
});

export class DatabaseSessionStore implements SessionStore {
  constructor(private readonly db: Db) {}

  async create(s: SessionRecord): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id: s.id,
        user_id: s.userId,
        csrf_token: s.csrfToken,
        remember: s.remember ? 1 : 0,
        ip: s.ip,
        user_agent: s.userAgent,
        created_at: s.createdAt,
        last_seen_at: s.lastSeenAt,
        idle_expires_at: s.idleExpiresAt,
        absolute_expires_at: s.absoluteExpiresAt,
        privilege: s.privilege ?? null,
      })
      .execute();
  }

  async get(id: string): Promise<SessionRecord | null> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? sessionFromRow(row) : null;
  }

  async touch(id: string, lastSeenAt: string, idleExpiresAt: string): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ last_seen_at: lastSeenAt, idle_expires_at: idleExpiresAt })
      .where('id', '=', id)
      .execute();
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  async destroyForUser(userId: number, exceptId?: string | null): Promise<number> {
    let q = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptId) q = q.where('id', '!=', exceptId);
    const res = await q.executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async listForUser(userId: number): Promise<SessionRecord[]> {
    const now = new Date().toISOString();
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('absolute_expires_at', '>', now)
      .where('idle_expires_at', '>', now)
      .orderBy('last_seen_at', 'desc')
      .execute();
    return rows.map(sessionFromRow);
  }

  async purgeExpired(nowIso: string): Promise<number> {
    const res = await this.db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('absolute_expires_at', '<=', nowIso), eb('idle_expires_at', '<=', nowIso)]))
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  ping(timeoutMs: number): Promise<boolean> {
    return pingDatabase(this.db, timeoutMs);
  }

  async close(): Promise<void> {}
}
