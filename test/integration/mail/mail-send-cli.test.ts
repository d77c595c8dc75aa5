// `mathsoc mail:send`, run as a real process: it flushes the outbox once
// through SMTP_URL, and says (exit code 1) when a message could not be sent.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/index.js';
import { queueMail } from '../../../src/domain/mail/outbox.js';
import { composeMail } from '../../../src/domain/mail/render.js';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtp.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', '..', 'bin', 'mathsoc.js');

async function mathsoc(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('mathsoc mail:send', () => {
  let dir: string;
  let smtp: TestSmtp;
  let handle: DatabaseHandle;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-mail-cli-'));
    smtp = await startSmtpServer({ auth: { user: 'cli', pass: 's3cret pass' } });
    const file = join(dir, 'dev_mail.db');
    handle = openDatabase({ dialect: 'sqlite', url: file, name: 'dev_mail' });
    await migrateToLatest(handle.db);
    env = {
      APP_ENV: 'development',
      DATABASE_URL: `sqlite:${file}`,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'club@school.example.org',
    };
  });
  afterAll(async () => {
    await handle.close();
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const queue = (subject: string) =>
    queueMail(handle.db, composeMail({ to: 'head@school.example.org', kind: 'cli-test', subject, blocks: ['Hello.'] }));

  it('sends what is due and reports it', async () => {
    const id = await queue('From the command line');
    const res = await mathsoc(['mail:send'], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Outbox: 1 sent, 0 failed (will be tried again), 0 given up.');
    expect(res.stdout).toContain(`mailId=${id} kind=cli-test`);
    expect(res.stdout).not.toContain('s3cret');
    const mail = await smtp.waitForMail({ to: 'head@school.example.org', subject: 'From the command line' });
    expect(mail.parsed.from?.value).toEqual([{ name: '', address: 'club@school.example.org' }]);
  });

  it('exits 1 while the server refuses, keeping the message for later', async () => {
    const id = await queue('Refused for now');
    smtp.refuse(true);
    try {
      const res = await mathsoc(['mail:send'], env);
      expect(res.code).toBe(1);
      expect(res.stdout).toContain('Outbox: 0 sent, 1 failed (will be tried again), 0 given up.');
      expect(res.stderr).toContain('some messages could not be sent');
      expect(`${res.stdout}${res.stderr}`).not.toContain('s3cret');
    } finally {
      smtp.refuse(false);
    }
    const row = await handle.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ sent_at: null, attempts: 1 });
    expect(row.last_error).toMatch(/451/);
  });
});
