// A real SMTP server for tests (smtp-server on 127.0.0.1, a free port), whose
// messages are parsed with mailparser, so a test reads what a person's mail
// program would show and follows the links in it. It can refuse every message
// (a server in trouble) or vanish and come back on the same port (an outage).
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  /** Envelope recipients, lower-cased. */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The message as parsed, headers included. */
  parsed: ParsedMail;
}

export interface TestSmtp {
  /** smtp://[user:pass@]127.0.0.1:PORT for SMTP_URL. */
  url: string;
  port: number;
  /** Every message accepted so far, in order of arrival. */
  messages: ReceivedMail[];
  /** Messages offered while refusing (each attempt a sender made). */
  refusedAttempts: number;
  /**
   * The next message to `to` (and whose subject contains `subject`) that no
   * earlier call returned: waits for it to arrive, up to `timeoutMs`.
   */
  waitForMail(match: { to: string; subject?: string }, timeoutMs?: number): Promise<ReceivedMail>;
  /** The http(s) links in the message's text part. */
  linksIn(message: Pick<ReceivedMail, 'text'>): string[];
  /** While on, every message is answered "451 try again later". */
  refuse(on: boolean): void;
  /** Stops listening: senders meet a refused connection. */
  disappear(): Promise<void>;
  /** Listens again on the same port. */
  reappear(): Promise<void>;
  close(): Promise<void>;
}

export function linksIn(message: Pick<ReceivedMail, 'text'>): string[] {
  return [...message.text.matchAll(/https?:\/\/[^\s<>"')]+/g)].map((m) => m[0]);
}

export async function startSmtpServer(opts: { auth?: { user: string; pass: string } } = {}): Promise<TestSmtp> {
  const messages: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters = new Set<() => void>();
  let refusing = false;
  let refusedAttempts = 0;

  const options: SMTPServerOptions = {
    // Plain SMTP on the loopback: no certificate to trust in tests.
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    logger: false,
    // Closing (an outage, the end of a test) ends open connections soon.
    closeTimeout: 200,
    onAuth(auth, _session, callback) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass)
        return callback(null, { user: auth.username });
      callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onMailFrom(_address, _session, callback) {
      if (refusing) {
        refusedAttempts += 1;
        return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          messages.push({
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            parsed,
          });
          for (const wake of waiters) wake();
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  };

  let server = new SMTPServer(options);
  server.on('error', () => {});
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.server.address() as AddressInfo).port);
      });
    });
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));

  const port = await listen(0);
  const credentials = opts.auth ? `${encodeURIComponent(opts.auth.user)}:${encodeURIComponent(opts.auth.pass)}@` : '';

  const find = (match: { to: string; subject?: string }) =>
    messages.find(
      (m) =>
        !taken.has(m) &&
        m.to.includes(match.to.toLowerCase()) &&
        (match.subject === undefined || m.subject.includes(match.subject)),
    );

  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    port,
    messages,
    get refusedAttempts() {
      return refusedAttempts;
    },
    waitForMail(match, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = find(match);
          if (!found) return false;
          taken.add(found);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join('; ') || 'none';
          reject(
            new Error(`no email to ${match.to}${match.subject ? ` about "${match.subject}"` : ''} (seen: ${seen})`),
          );
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    linksIn,
    refuse(on) {
      refusing = on;
    },
    async disappear() {
      await stop();
    },
    async reappear() {
      server = new SMTPServer(options);
      server.on('error', () => {});
      await listen(port);
    },
    close: stop,
  };
}
