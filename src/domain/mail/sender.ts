// Delivering the outbox (ADR 022). A sender claims due messages with a lease
// (a conditional UPDATE of locked_until, so of several processes exactly one
// takes a message), sends each through SMTP (SMTP_URL) or, without it, writes
// it as an .eml file into MAIL_DIRECTORY, and records the outcome. A failure
// leaves the message in the outbox for a later attempt, with an exponential
// back-off; after MAX_ATTEMPTS it stays there, with its last error, for the
// doctor to report. Nothing here runs inside a request.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import type { Config } from '../../config/index.js';
import type { Database } from '../../db/schema.js';
import { pruneEmailTokens } from '../accounts/email-tokens.js';
import { MAX_ATTEMPTS, onMailQueued, pruneOutbox } from './outbox.js';

export { MAX_ATTEMPTS } from './outbox.js';
/** The first retry waits this long; each further one twice as long … */
export const RETRY_BASE_SECONDS = 60;
/** … but never longer than this. */
export const RETRY_CAP_SECONDS = 6 * 3600;
/** How long a claimed message is left to its sender; longer than the SMTP time-outs below together. */
export const LEASE_SECONDS = 300;
const BATCH = 20;
/** Old outbox rows and expired links are cleared at most this often, by a pass. */
const PRUNE_EVERY_MS = 3_600_000;
const LAST_ERROR_MAX = 500;

export interface MailLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface OutboxMessage {
  id: number;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  kind: string;
}

/** Where messages go: a mail server, or files for a developer to open. */
export interface MailDelivery {
  readonly mode: 'smtp' | 'directory';
  /** Sends one message; resolves with a note for the log (no secrets, no link). */
  deliver(message: OutboxMessage): Promise<Record<string, unknown>>;
  close(): void;
}

export interface PassResult {
  sent: number;
  /** Failed this time; will be tried again. */
  failed: number;
  /** Failed for the last allowed time: left in the outbox with the error. */
  gaveUp: number;
}

/** Seconds to wait after the given number of failed attempts (1, 2, …). */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** Math.max(0, attempts - 1));
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

function smtpDelivery(mail: Config['mail'], smtpUrl: string): MailDelivery {
  const url = new URL(smtpUrl);
  // A password never crosses the network in the clear: with credentials, a
  // plain smtp:// server other than this machine must offer STARTTLS.
  const requireTLS = url.protocol === 'smtp:' && url.password !== '' && !LOOPBACK.test(url.hostname);
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    requireTLS,
    connectionTimeout: 20_000,
    greetingTimeout: 20_000,
    socketTimeout: 60_000,
  });
  return {
    mode: 'smtp',
    async deliver(message) {
      const info = await transport.sendMail(envelope(mail.from, message));
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}

function directoryDelivery(mail: Config['mail']): MailDelivery {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let ready: Promise<unknown> | null = null;
  return {
    mode: 'directory',
    async deliver(message) {
      // The files hold working links: readable by this user only.
      ready ??= mkdir(mail.directory, { recursive: true, mode: 0o700 });
      await ready;
      const info = await composer.sendMail(envelope(mail.from, message));
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const name = `${stamp}-${message.id}-${message.kind.replace(/[^a-z0-9-]/gi, '')}.eml`;
      const file = join(mail.directory, name);
      const partial = `${file}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(partial, info.message as Buffer, { mode: 0o600 });
      await rename(partial, file);
      return { file };
    },
    close: () => composer.close(),
  };
}

function envelope(from: string, message: OutboxMessage) {
  return {
    from,
    to: message.to_address,
    subject: message.subject,
    text: message.text_body,
    html: message.html_body,
    // Automatic mail: no out-of-office replies, please.
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

/** SMTP_URL set: a mail server; otherwise the mail directory. */
export function mailDelivery(mail: Config['mail']): MailDelivery {
  return mail.smtpUrl ? smtpDelivery(mail, mail.smtpUrl) : directoryDelivery(mail);
}

/** An error as kept in the outbox: one line, bounded, without a URL's credentials. */
function describeError(err: unknown): string {
  const code = err instanceof Error ? (err as { code?: unknown }).code : undefined;
  const text = err instanceof Error ? `${typeof code === 'string' ? code : err.name}: ${err.message}` : String(err);
  return text
    .replace(/\/\/[^/@\s]*@/g, '//[redacted]@')
    .replace(/\s+/g, ' ')
    .slice(0, LAST_ERROR_MAX);
}

export class MailSender {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PassResult> | null = null;
  /** The pass that follows the running one, shared by everyone who asks meanwhile. */
  private next: Promise<PassResult> | null = null;
  private stopped = false;
  /** Messages queued in this process, and how many of those a pass was started for. */
  private queued = 0;
  private handled = 0;
  private unlisten: (() => void) | null = null;
  private readonly leaseSeconds: number;
  private lastPrune = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly delivery: MailDelivery,
    private readonly log: MailLog,
    opts: { leaseSeconds?: number } = {},
  ) {
    this.leaseSeconds = opts.leaseSeconds ?? LEASE_SECONDS;
  }

  /**
   * One pass over the outbox: every message due now is tried once. A call
   * while a pass runs gets the pass that follows it (shared by every such
   * call), so a message committed after the running pass looked is still seen.
   */
  flush(): Promise<PassResult> {
    if (!this.running) return this.startPass();
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.startPass();
      });
    return this.next;
  }

  private startPass(): Promise<PassResult> {
    const pass: Promise<PassResult> = this.pass().finally(() => {
      if (this.running === pass) this.running = null;
    });
    this.running = pass;
    return pass;
  }

  /** Starts a pass soon, without waiting for it (after a message was queued). */
  wake(): void {
    if (this.stopped) return;
    this.flush().catch((err: unknown) => this.log.error({ err: describeError(err) }, 'mail outbox pass failed'));
  }

  /** Polls every `pollMs`, and goes at once whenever a message is queued in this process. */
  start(pollMs: number): void {
    this.stopped = false;
    this.unlisten = onMailQueued(() => {
      this.queued += 1;
    });
    const tick = () => {
      this.wake();
      this.timer = setTimeout(tick, pollMs);
      this.timer.unref();
    };
    tick();
  }

  /**
   * Goes now if a message was queued since the last call. Called once a request
   * has answered, that is after its transaction committed: a pass already
   * running may have looked before the commit, so another one follows it.
   */
  wakeIfQueued(): void {
    if (this.queued === this.handled) return;
    this.handled = this.queued;
    this.wake();
  }

  /** Stops polling and waits for the pass in progress; the delivery is closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    this.unlisten = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.next?.catch(() => {});
    await this.running?.catch(() => {});
    this.delivery.close();
  }

  private async pass(): Promise<PassResult> {
    const result: PassResult = { sent: 0, failed: 0, gaveUp: 0 };
    await this.prune();
    // Messages whose lease ran out before their turn: not taken again in this pass.
    const skipped = new Set<number>();
    for (;;) {
      const claimed = await this.claim(skipped);
      if (claimed.length === 0) return result;
      for (const message of claimed) {
        const outcome = await this.send(message.row, message.lease);
        if (outcome) result[outcome] += 1;
        else skipped.add(message.row.id);
      }
      if (this.stopped) return result;
    }
  }

  /** Old sent and given-up messages and long-expired links go, so neither table grows without end. */
  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    try {
      const messages = await pruneOutbox(this.db);
      const links = await pruneEmailTokens(this.db);
      if (messages || links) this.log.info({ messages, links }, 'old outbox messages and expired links deleted');
    } catch (err) {
      this.log.warn({ err: describeError(err) }, 'could not delete old outbox messages and expired links');
    }
  }

  /** Takes up to BATCH due messages; another sender holding a live lease keeps its own. */
  private async claim(
    skipped: ReadonlySet<number>,
  ): Promise<Array<{ row: OutboxMessage & { attempts: number }; lease: string }>> {
    const now = new Date().toISOString();
    const lease = new Date(Date.now() + this.leaseSeconds * 1000).toISOString();
    const due = await this.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('sent_at', 'is', null)
      .where('attempts', '<', MAX_ATTEMPTS)
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .$if(skipped.size > 0, (qb) => qb.where('id', 'not in', [...skipped]))
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(BATCH)
      .execute();
    const claimed: Array<{ row: OutboxMessage & { attempts: number }; lease: string }> = [];
    for (const { id } of due) {
      // The attempt is counted when taken, so a process that dies mid-send still uses one up.
      const taken = await this.db
        .updateTable('mail_outbox')
        .set((eb) => ({ locked_until: lease, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .where('sent_at', 'is', null)
        .where('attempts', '<', MAX_ATTEMPTS)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) continue;
      const row = await this.db
        .selectFrom('mail_outbox')
        .select(['id', 'to_address', 'subject', 'text_body', 'html_body', 'kind', 'attempts'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (row) claimed.push({ row, lease });
    }
    return claimed;
  }

  /**
   * Sends one claimed message; null when its lease ran out before its turn
   * came (a batch behind a slow mail server): another sender may hold it now,
   * so it is left alone rather than sent twice. The lease is renewed as the
   * send starts, so it covers this message's send, not the whole batch's.
   */
  private async send(
    message: OutboxMessage & { attempts: number },
    claimedLease: string,
  ): Promise<keyof PassResult | null> {
    const now = new Date();
    const lease = new Date(now.getTime() + this.leaseSeconds * 1000).toISOString();
    const renewed = await this.update()
      .set({ locked_until: lease })
      .where('id', '=', message.id)
      .where('locked_until', '=', claimedLease)
      .where('locked_until', '>', now.toISOString())
      .executeTakeFirst();
    if (Number(renewed.numUpdatedRows) !== 1) return null;
    const mine = (q: ReturnType<typeof this.update>) =>
      q.where('id', '=', message.id).where('locked_until', '=', lease);
    try {
      const note = await this.delivery.deliver(message);
      // Once delivered, the bodies (with their working links) leave the database: a copy or
      // backup of it then holds no usable link. Recipient, subject and kind stay as a record.
      await mine(
        this.update().set({
          sent_at: new Date().toISOString(),
          locked_until: null,
          last_error: null,
          text_body: '',
          html_body: '',
        }),
      ).execute();
      this.log.info({ mailId: message.id, kind: message.kind, via: this.delivery.mode, ...note }, 'mail sent');
      return 'sent';
    } catch (err) {
      const error = describeError(err);
      const last = message.attempts >= MAX_ATTEMPTS;
      const next = new Date(Date.now() + retryDelaySeconds(message.attempts) * 1000).toISOString();
      await mine(this.update().set({ locked_until: null, last_error: error, next_attempt_at: next })).execute();
      const line = { mailId: message.id, kind: message.kind, attempts: message.attempts, error };
      if (last) this.log.error(line, 'mail given up after the last attempt; it stays in the outbox');
      else this.log.warn({ ...line, nextAttemptAt: next }, 'mail not sent; will try again');
      return last ? 'gaveUp' : 'failed';
    }
  }

  private update() {
    return this.db.updateTable('mail_outbox');
  }
}
