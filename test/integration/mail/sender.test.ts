// The outbox and its sender against a real SMTP server over TCP, on SQLite and
// PostgreSQL: delivery, the developer's .eml files, retries while the server
// refuses or is gone, giving up, and two senders never sending one message twice.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/config/index.js';
import { issueEmailToken } from '../../../src/domain/accounts/email-tokens.js';
import { insertUser } from '../../../src/domain/accounts/users.js';
import { MAX_ATTEMPTS, outboxSummary, queueMail } from '../../../src/domain/mail/outbox.js';
import { composeMail } from '../../../src/domain/mail/render.js';
import { mailDelivery, MailSender, retryDelaySeconds, type MailLog } from '../../../src/domain/mail/sender.js';
import { availableDialects, createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtp.js';

function collectingLog(): MailLog & { lines: string[] } {
  const lines: string[] = [];
  const add = (obj: Record<string, unknown>, msg: string) => lines.push(`${msg} ${JSON.stringify(obj)}`);
  return { lines, info: add, warn: add, error: add };
}

const mailConfig = (env: Record<string, string>): Config['mail'] => loadConfig({ APP_ENV: 'testing', ...env }).mail;

let counter = 0;
function message(to = 'pupil@school.example.org', extra = '') {
  counter += 1;
  return composeMail({
    to,
    kind: 'test-notice',
    subject: `Notice ${counter}`,
    blocks: [
      'Hello,',
      `This is notice ${counter}. ${extra}`,
      { link: `https://maths.example.org/n/${counter}`, label: 'Open' },
    ],
  });
}

describe.each(await availableDialects())('mail sender on %s', (dialect) => {
  let t: TestDatabase;
  let smtp: TestSmtp;
  const senders: MailSender[] = [];
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    smtp = await startSmtpServer({ auth: { user: 'mathsoc', pass: 'mail secret' } });
  });
  afterEach(async () => {
    smtp.refuse(false);
    for (const s of senders.splice(0)) await s.stop();
    await t.db.deleteFrom('mail_outbox').execute();
  });
  afterAll(async () => {
    await smtp.close();
    await t.dispose();
  });

  function sender(env: Record<string, string> = { SMTP_URL: smtp.url }, log: MailLog = collectingLog()) {
    const s = new MailSender(
      t.db,
      mailDelivery(mailConfig({ MAIL_FROM: 'Maths Society <maths@school.example.org>', ...env })),
      log,
    );
    senders.push(s);
    return s;
  }
  const row = (id: number) => t.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  /** The retry time comes: the message is due again. */
  const timePasses = (id: number) =>
    t.db
      .updateTable('mail_outbox')
      .set({ next_attempt_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', id)
      .execute();

  it('delivers a queued message through SMTP with credentials, as text and HTML, from MAIL_FROM', async () => {
    const mail = message('Ann@School.example.org', '<b>not bold</b>');
    const id = await queueMail(t.db, mail);
    expect(await sender().flush()).toEqual({ sent: 1, failed: 0, gaveUp: 0 });
    const got = await smtp.waitForMail({ to: 'ann@school.example.org', subject: mail.subject });
    expect(got.parsed.from?.value).toEqual([{ name: 'Maths Society', address: 'maths@school.example.org' }]);
    expect(got.text).toContain('<b>not bold</b>');
    expect(got.html).toContain('&lt;b&gt;not bold&lt;/b&gt;');
    expect(got.html).not.toContain('<b>not bold</b>');
    expect(smtp.linksIn(got)).toEqual([`https://maths.example.org/n/${counter}`]);
    expect(got.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(await row(id)).toMatchObject({ attempts: 1, locked_until: null, last_error: null });
    expect((await row(id)).sent_at).not.toBeNull();
    expect(await sender().flush()).toEqual({ sent: 0, failed: 0, gaveUp: 0 });
  });

  it('once delivered, the message body and its working link leave the outbox', async () => {
    const mail = message('link@school.example.org');
    const id = await queueMail(t.db, mail);
    expect(JSON.stringify(await row(id))).toContain(`/n/${counter}`);
    expect(await sender().flush()).toMatchObject({ sent: 1 });
    const got = await smtp.waitForMail({ to: 'link@school.example.org', subject: mail.subject });
    expect(smtp.linksIn(got)).toEqual([`https://maths.example.org/n/${counter}`]);
    const kept = await row(id);
    expect(kept).toMatchObject({ to_address: 'link@school.example.org', subject: mail.subject, kind: 'test-notice' });
    expect(JSON.stringify(kept)).not.toContain(`/n/${counter}`);
  });

  it('a pass deletes messages sent or given up over 30 days ago and links a week past their expiry', async () => {
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
    const ids = { oldSent: 0, oldGivenUp: 0, recentSent: 0, failing: 0 };
    for (const key of Object.keys(ids) as Array<keyof typeof ids>) ids[key] = await queueMail(t.db, message());
    const set = (id: number, values: Record<string, unknown>) =>
      t.db.updateTable('mail_outbox').set(values).where('id', '=', id).execute();
    await set(ids.oldSent, { sent_at: daysAgo(31), next_attempt_at: daysAgo(31) });
    await set(ids.oldGivenUp, { attempts: MAX_ATTEMPTS, next_attempt_at: daysAgo(31) });
    await set(ids.recentSent, { sent_at: daysAgo(29) });
    // Failing for a long time but not given up: it waits for its next attempt.
    await set(ids.failing, { attempts: 3, next_attempt_at: new Date(Date.now() + 3_600_000).toISOString() });
    const userId = await insertUser(t.db, {
      email: `tokens-${dialect}@school.example.org`,
      firstName: 'Ada',
      lastName: 'Lovelace',
      passwordHash: 'x',
      yearGroup: null,
      keyStage: null,
      mathsClass: null,
      schoolId: null,
      userType: 'student',
      isAdmin: false,
      mustChangePassword: false,
      emailVerified: true,
    });
    for (const purpose of ['reset-password', 'verify-email', 'change-email'] as const)
      await issueEmailToken(t.db, { userId, purpose, ttlSeconds: 3600 });
    const tokens = () =>
      t.db.selectFrom('email_tokens').select('purpose').where('user_id', '=', userId).orderBy('purpose').execute();
    await t.db
      .updateTable('email_tokens')
      .set({ expires_at: daysAgo(8) })
      .where('user_id', '=', userId)
      .where('purpose', '=', 'reset-password')
      .execute();
    await t.db
      .updateTable('email_tokens')
      .set({ expires_at: daysAgo(6) })
      .where('user_id', '=', userId)
      .where('purpose', '=', 'verify-email')
      .execute();

    await sender().flush();
    const left = (await t.db.selectFrom('mail_outbox').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(left).toEqual([ids.recentSent, ids.failing]);
    expect((await tokens()).map((r) => r.purpose)).toEqual(['change-email', 'verify-email']);
    await t.db.deleteFrom('users').where('id', '=', userId).execute();
  });

  it('nothing is queued by a transaction that rolls back', async () => {
    await expect(
      t.db.transaction().execute(async (trx) => {
        await queueMail(trx, message());
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await t.db.selectFrom('mail_outbox').selectAll().execute()).toEqual([]);
  });

  it('a refusing server leaves the message queued with its error, tried again after the back-off', async () => {
    const mail = message();
    const id = await queueMail(t.db, mail);
    smtp.refuse(true);
    const s = sender();
    expect(await s.flush()).toEqual({ sent: 0, failed: 1, gaveUp: 0 });
    const failed = await row(id);
    expect(failed).toMatchObject({ attempts: 1, sent_at: null, locked_until: null });
    expect(failed.last_error).toMatch(/451/);
    expect(Date.parse(failed.next_attempt_at)).toBeGreaterThan(Date.now() + 30_000);
    expect(await outboxSummary(t.db)).toMatchObject({ waiting: 1, failing: 1, gaveUp: 0 });

    // Not before its time.
    const refusals = smtp.refusedAttempts;
    expect(await s.flush()).toEqual({ sent: 0, failed: 0, gaveUp: 0 });
    expect(smtp.refusedAttempts).toBe(refusals);

    smtp.refuse(false);
    await timePasses(id);
    expect(await s.flush()).toEqual({ sent: 1, failed: 0, gaveUp: 0 });
    await smtp.waitForMail({ to: mail.to, subject: mail.subject });
    expect(await row(id)).toMatchObject({ attempts: 2, last_error: null });
    expect(await outboxSummary(t.db)).toMatchObject({ waiting: 0, failing: 0, gaveUp: 0 });
  });

  it('a server that vanishes and comes back: the message waits, then goes', async () => {
    const mail = message();
    const id = await queueMail(t.db, mail);
    await smtp.disappear();
    try {
      expect(await sender().flush()).toEqual({ sent: 0, failed: 1, gaveUp: 0 });
      expect((await row(id)).last_error).toMatch(/ECONNREFUSED/);
    } finally {
      await smtp.reappear();
    }
    await timePasses(id);
    expect(await sender().flush()).toEqual({ sent: 1, failed: 0, gaveUp: 0 });
    await smtp.waitForMail({ to: mail.to, subject: mail.subject });
  });

  it('wrong credentials fail without the password reaching the outbox or the log', async () => {
    const id = await queueMail(t.db, message());
    const log = collectingLog();
    const wrong = smtp.url.replace('mail%20secret', 'wrong%20guess');
    expect(wrong).not.toBe(smtp.url);
    expect(await sender({ SMTP_URL: wrong }, log).flush()).toEqual({ sent: 0, failed: 1, gaveUp: 0 });
    const failed = await row(id);
    expect(failed.last_error).toMatch(/535|auth/i);
    expect(`${failed.last_error} ${log.lines.join(' ')}`).not.toMatch(/wrong|secret/);
  });

  it('gives up after the last attempt and keeps the message with its error', async () => {
    const id = await queueMail(t.db, message());
    await t.db
      .updateTable('mail_outbox')
      .set({ attempts: MAX_ATTEMPTS - 1 })
      .where('id', '=', id)
      .execute();
    smtp.refuse(true);
    const log = collectingLog();
    expect(await sender(undefined, log).flush()).toEqual({ sent: 0, failed: 0, gaveUp: 1 });
    expect(log.lines.some((l) => l.startsWith('mail given up'))).toBe(true);
    await timePasses(id);
    const refusals = smtp.refusedAttempts;
    expect(await sender().flush()).toEqual({ sent: 0, failed: 0, gaveUp: 0 });
    expect(smtp.refusedAttempts).toBe(refusals);
    expect(await row(id)).toMatchObject({ attempts: MAX_ATTEMPTS, sent_at: null });
    const summary = await outboxSummary(t.db);
    expect(summary).toMatchObject({ waiting: 0, gaveUp: 1 });
    expect(summary.lastError).toMatch(/451/);
  });

  it('a message leased by another sender is left to it', async () => {
    const id = await queueMail(t.db, message());
    const lease = new Date(Date.now() + 60_000).toISOString();
    await t.db.updateTable('mail_outbox').set({ locked_until: lease }).where('id', '=', id).execute();
    expect(await sender().flush()).toEqual({ sent: 0, failed: 0, gaveUp: 0 });
    // A lease that ran out (its sender died) is taken over.
    await t.db
      .updateTable('mail_outbox')
      .set({ locked_until: new Date(Date.now() - 1).toISOString() })
      .where('id', '=', id)
      .execute();
    expect(await sender().flush()).toEqual({ sent: 1, failed: 0, gaveUp: 0 });
  });

  it('a sender whose lease ran out before a message’s turn leaves it to others, unsent', async () => {
    const id = await queueMail(t.db, message('late@school.example.org'));
    const before = smtp.messages.length;
    // A lease already over when the send would start: what a long batch behind a slow server meets.
    const late = new MailSender(t.db, mailDelivery(mailConfig({ SMTP_URL: smtp.url })), collectingLog(), {
      leaseSeconds: -1,
    });
    senders.push(late);
    expect(await late.flush()).toEqual({ sent: 0, failed: 0, gaveUp: 0 });
    expect(smtp.messages.length).toBe(before);
    expect((await row(id)).sent_at).toBeNull();
    // Tried once, not again and again in the same pass; the next sender takes it over.
    expect((await row(id)).attempts).toBe(1);
    expect(await sender().flush()).toMatchObject({ sent: 1 });
  });

  it('two senders flushing at once send every message exactly once', async () => {
    const other = dialect === 'postgres' ? await createTestDatabaseSharing(t) : null;
    try {
      const mails = Array.from({ length: 30 }, () => message('twice@school.example.org'));
      for (const m of mails) await queueMail(t.db, m);
      const before = smtp.messages.length;
      const a = sender();
      const b = other
        ? new MailSender(other.db, mailDelivery(mailConfig({ SMTP_URL: smtp.url })), collectingLog())
        : sender();
      const [ra, rb] = await Promise.all([a.flush(), b.flush()]);
      if (other) await b.stop();
      expect(ra.sent + rb.sent).toBe(30);
      const got = smtp.messages.slice(before).map((m) => m.subject);
      expect(got).toHaveLength(30);
      expect(new Set(got).size).toBe(30);
      expect((await t.db.selectFrom('mail_outbox').select('attempts').execute()).every((r) => r.attempts === 1)).toBe(
        true,
      );
    } finally {
      await other?.close();
    }
  });
});

/** A second connection pool on the same PostgreSQL schema: another process's sender. */
async function createTestDatabaseSharing(t: TestDatabase) {
  const { openDatabase } = await import('../../../src/db/index.js');
  return openDatabase(t.config);
}

describe('mail sender without SMTP_URL', () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-mail-'));
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes each message as an .eml file only its owner can read, and logs a line without the link', async () => {
    const log = collectingLog();
    const folder = join(dir, 'outbox-files');
    const s = new MailSender(t.db, mailDelivery(mailConfig({ MAIL_DIRECTORY: folder })), log);
    const mail = message('dev@school.example.org');
    const id = await queueMail(t.db, mail);
    try {
      expect(await s.flush()).toEqual({ sent: 1, failed: 0, gaveUp: 0 });
    } finally {
      await s.stop();
    }
    const files = readdirSync(folder);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`-${id}-test-notice\\.eml$`));
    const file = join(folder, files[0]!);
    expect(statSync(file).mode & 0o077).toBe(0);
    const parsed = await simpleParser(readFileSync(file));
    expect(parsed.subject).toBe(mail.subject);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '').toBe('dev@school.example.org');
    expect(parsed.from?.value).toEqual([{ name: 'Maths Society', address: 'no-reply@localhost' }]);
    expect(parsed.text).toContain(`https://maths.example.org/n/${counter}`);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain(files[0]);
    expect(log.lines[0]).not.toContain('https://maths.example.org');
    expect((await t.db.selectFrom('mail_outbox').select('sent_at').executeTakeFirstOrThrow()).sent_at).not.toBeNull();
  });
});

describe('retry back-off', () => {
  it('doubles from a minute and stops growing at six hours', () => {
    expect([1, 2, 3, 4].map(retryDelaySeconds)).toEqual([60, 120, 240, 480]);
    expect(retryDelaySeconds(9)).toBe(60 * 256);
    expect(retryDelaySeconds(10)).toBe(6 * 3600);
    expect(retryDelaySeconds(MAX_ATTEMPTS)).toBe(6 * 3600);
  });
});
