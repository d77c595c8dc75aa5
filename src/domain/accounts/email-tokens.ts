// Links sent by email: confirm an address, reset a password, change an
// address (ADR 022). The raw token (32 random bytes, base64url) travels only
// in the email; the database keeps its SHA-256, so a copy of the database
// opens no account. Each link works once, until it expires, and a newer link
// of the same kind for the same account replaces it.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database, EmailTokenPurpose } from '../../db/schema.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

export type { EmailTokenPurpose } from '../../db/schema.js';

export type EmailTokenResult =
  { ok: true; userId: number; newEmail: string | null } | { ok: false; why: 'invalid' | 'expired' | 'used' };

/**
 * Links that prove a mailbox: issued with the address they go to (as the
 * confirmation and reset flows always do), they work only while the account
 * still has that address, so once it changes the old mailbox can neither
 * confirm nor reset the account. (A change-email link carries the new address
 * instead; that flow checks it itself.)
 */
const BOUND_TO_ADDRESS: ReadonlySet<EmailTokenPurpose> = new Set(['verify-email', 'reset-password']);

/** 32 bytes in base64url without padding: exactly 43 characters of that alphabet. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const hashOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Issues a link token and returns the raw token (to be put in the email, never
 * stored or logged). An earlier unused token of the same account and purpose
 * stops working: it reads as expired from now on.
 */
export async function issueEmailToken(
  db: DbOrTrx,
  opts: { userId: number; purpose: EmailTokenPurpose; ttlSeconds: number; newEmail?: string | null },
): Promise<string> {
  if (!Number.isInteger(opts.ttlSeconds) || opts.ttlSeconds <= 0) throw new Error('ttlSeconds must be positive');
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const write = async (trx: DbOrTrx) => {
    await trx
      .updateTable('email_tokens')
      .set({ expires_at: now.toISOString() })
      .where('user_id', '=', opts.userId)
      .where('purpose', '=', opts.purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .execute();
    await trx
      .insertInto('email_tokens')
      .values({
        user_id: opts.userId,
        purpose: opts.purpose,
        token_hash: hashOf(token),
        new_email: opts.newEmail ?? null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + opts.ttlSeconds * 1000).toISOString(),
        used_at: null,
      })
      .execute();
  };
  if (db.isTransaction) await write(db);
  else await db.transaction().execute(write);
  return token;
}

/** Rows per statement when issuing many tokens (well under both databases' parameter limits). */
const TOKEN_CHUNK = 500;

/**
 * issueEmailToken for many accounts at once (a pupil import): the same tokens,
 * stored the same way, with one statement per chunk instead of two per account.
 * Pass a transaction. Returns the raw tokens by user id.
 */
export async function issueEmailTokens(
  db: Transaction<Database>,
  opts: {
    items: ReadonlyArray<{ userId: number; newEmail: string | null }>;
    purpose: EmailTokenPurpose;
    ttlSeconds: number;
  },
): Promise<Map<number, string>> {
  if (!Number.isInteger(opts.ttlSeconds) || opts.ttlSeconds <= 0) throw new Error('ttlSeconds must be positive');
  const now = new Date();
  const expires = new Date(now.getTime() + opts.ttlSeconds * 1000).toISOString();
  const tokens = new Map<number, string>();
  for (let i = 0; i < opts.items.length; i += TOKEN_CHUNK) {
    const chunk = opts.items.slice(i, i + TOKEN_CHUNK);
    const ids = chunk.map((c) => c.userId);
    await db
      .updateTable('email_tokens')
      .set({ expires_at: now.toISOString() })
      .where('user_id', 'in', ids)
      .where('purpose', '=', opts.purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .execute();
    const rows = chunk.map((c) => {
      const token = randomBytes(32).toString('base64url');
      tokens.set(c.userId, token);
      return {
        user_id: c.userId,
        purpose: opts.purpose,
        token_hash: hashOf(token),
        new_email: c.newEmail,
        created_at: now.toISOString(),
        expires_at: expires,
        used_at: null,
      };
    });
    if (rows.length) await db.insertInto('email_tokens').values(rows).execute();
  }
  return tokens;
}

/** The stored row a token names, or null when it cannot be one of ours (without a query for a malformed one). */
async function findToken(db: DbOrTrx, token: unknown, purpose: EmailTokenPurpose) {
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return null;
  const row = await db
    .selectFrom('email_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.id', 't.user_id', 't.new_email', 't.expires_at', 't.used_at', 'u.email'])
    .where('t.token_hash', '=', hashOf(token))
    .where('t.purpose', '=', purpose)
    .executeTakeFirst();
  // A link for an address the account no longer has is no link at all: unknown, and left unused.
  if (!row || (BOUND_TO_ADDRESS.has(purpose) && row.new_email !== null && row.email !== row.new_email)) return null;
  return row;
}

function verdict(
  row: { user_id: number; new_email: string | null; expires_at: string; used_at: string | null } | null,
  now: string,
): EmailTokenResult {
  if (!row) return { ok: false, why: 'invalid' };
  if (row.used_at !== null) return { ok: false, why: 'used' };
  if (row.expires_at <= now) return { ok: false, why: 'expired' };
  return { ok: true, userId: row.user_id, newEmail: row.new_email };
}

/** What a token would do, without using it: for the page a GET shows before its form is posted. */
export async function checkEmailToken(
  db: DbOrTrx,
  token: unknown,
  purpose: EmailTokenPurpose,
): Promise<EmailTokenResult> {
  return verdict(await findToken(db, token, purpose), new Date().toISOString());
}

/**
 * Uses a token. Call it in the transaction of the change the link makes, so
 * a change that fails leaves the link usable. Of two requests racing with one
 * token, exactly one gets ok: the UPDATE only takes a row that is still unused
 * and unexpired, and the database serialises the two updates of that row.
 */
export async function consumeEmailToken(
  db: DbOrTrx,
  token: unknown,
  purpose: EmailTokenPurpose,
): Promise<EmailTokenResult> {
  const now = new Date().toISOString();
  const row = await findToken(db, token, purpose);
  const before = verdict(row, now);
  if (!before.ok || !row) return before;
  const taken = await db
    .updateTable('email_tokens')
    .set({ used_at: now })
    .where('id', '=', row.id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) === 1) return before;
  // Another request used it (or it expired) between the read and the update.
  return verdict(await findToken(db, token, purpose), now);
}

/** Links past their expiry are kept this long (so a used one still reads "used"), then deleted. */
export const EXPIRED_TOKEN_KEEP_DAYS = 7;

/** Deletes links that expired more than EXPIRED_TOKEN_KEEP_DAYS ago; returns how many went. */
export async function pruneEmailTokens(db: DbOrTrx, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - EXPIRED_TOKEN_KEEP_DAYS * 86_400_000).toISOString();
  const gone = await db.deleteFrom('email_tokens').where('expires_at', '<', before).executeTakeFirst();
  return Number(gone.numDeletedRows);
}
