// The outbox: a message is written in the transaction of the change it
// reports, so a change that rolls back sends nothing, and a change that
// commits sends its message even when the mail server is away (sender.ts
// delivers it later). Nothing here talks to a mail server.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { OutgoingMail } from './render.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

export type { OutgoingMail } from './render.js';

/** Attempts before the sender gives a message up (it stays here, with its last error). */
export const MAX_ATTEMPTS = 10;

const listeners = new Set<() => void>();

/**
 * Called whenever a message is queued (the sender uses it to go at once
 * rather than at its next poll). Returns the function that stops listening.
 */
export function onMailQueued(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** An address the outbox may take: one mailbox, no line breaks or list separators. */
function checkedAddress(to: string): string {
  const address = to.trim();
  if (!/^[^\s<>,;"@]+@[^\s<>,;"@]+$/.test(address)) throw new Error('not a single email address');
  return address;
}

/** A message as the outbox stores it: due now, never tried. */
function outboxRow(mail: OutgoingMail, now: string) {
  return {
    to_address: checkedAddress(mail.to),
    subject: mail.subject,
    text_body: mail.text,
    html_body: mail.html,
    kind: mail.kind,
    created_at: now,
    attempts: 0,
    next_attempt_at: now,
    locked_until: null,
    sent_at: null,
    last_error: null,
  };
}

/** Queues a message; returns its outbox id. Pass the transaction of the change the message reports. */
export async function queueMail(db: DbOrTrx, mail: OutgoingMail): Promise<number> {
  const now = new Date().toISOString();
  const row = await db.insertInto('mail_outbox').values(outboxRow(mail, now)).returning('id').executeTakeFirstOrThrow();
  for (const listener of listeners) listener();
  return row.id;
}

/** Messages per statement in queueMails (11 values each: well under both databases' parameter limits). */
const MAIL_CHUNK = 500;

/**
 * queueMail for many messages (a pupil import): one statement per chunk, the
 * listeners told once. Pass the transaction of the change the messages report.
 */
export async function queueMails(db: DbOrTrx, mails: readonly OutgoingMail[]): Promise<void> {
  const now = new Date().toISOString();
  for (let i = 0; i < mails.length; i += MAIL_CHUNK) {
    await db
      .insertInto('mail_outbox')
      .values(mails.slice(i, i + MAIL_CHUNK).map((mail) => outboxRow(mail, now)))
      .execute();
  }
  if (mails.length) for (const listener of listeners) listener();
}

/** Sent and given-up messages are kept this long (a record for the operator and the doctor), then deleted. */
export const OUTBOX_KEEP_DAYS = 30;

/**
 * Deletes messages sent, or given up, more than OUTBOX_KEEP_DAYS ago, so the
 * table does not grow without end. Returns how many went.
 */
export async function pruneOutbox(db: DbOrTrx, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - OUTBOX_KEEP_DAYS * 86_400_000).toISOString();
  const gone = await db
    .deleteFrom('mail_outbox')
    .where((eb) =>
      eb.or([
        eb('sent_at', '<', before),
        eb.and([eb('sent_at', 'is', null), eb('attempts', '>=', MAX_ATTEMPTS), eb('next_attempt_at', '<', before)]),
      ]),
    )
    .executeTakeFirst();
  return Number(gone.numDeletedRows);
}

export interface OutboxSummary {
  /** Not sent yet and still to be tried (including those that failed before). */
  waiting: number;
  /** Of those, the ones that failed at least once. */
  failing: number;
  /** Failed MAX_ATTEMPTS times: kept, but no longer tried. */
  gaveUp: number;
  /** The error of the most recent failure among failing and given-up messages. */
  lastError: string | null;
}

/** What the doctor reports about the outbox. */
export async function outboxSummary(db: DbOrTrx): Promise<OutboxSummary> {
  const unsent = () => db.selectFrom('mail_outbox').where('sent_at', 'is', null);
  const count = async (q: ReturnType<typeof unsent>) =>
    Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const [waiting, failing, gaveUp, last] = await Promise.all([
    count(unsent().where('attempts', '<', MAX_ATTEMPTS)),
    count(unsent().where('attempts', '<', MAX_ATTEMPTS).where('last_error', 'is not', null)),
    count(unsent().where('attempts', '>=', MAX_ATTEMPTS)),
    unsent()
      .select('last_error')
      .where('last_error', 'is not', null)
      .orderBy('next_attempt_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ]);
  return { waiting, failing, gaveUp, lastError: last?.last_error ?? null };
}
