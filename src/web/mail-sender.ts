// The app's mail sender (src/domain/mail/sender.ts): started when the app is
// ready, stopped when it closes. It polls the outbox every few seconds (for
// retries, and for messages other processes queued) and goes at once after a
// request that queued a message has answered. Requests never wait for a mail
// server: they only write to the outbox.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { mailDelivery, MailSender } from '../domain/mail/sender.js';

declare module 'fastify' {
  interface FastifyInstance {
    mailer: MailSender;
  }
}

/** How often the outbox is looked at when nothing wakes the sender. */
export const MAIL_POLL_MS = 5_000;

export const mailSenderPlugin = fp(
  async (app: FastifyInstance) => {
    const sender = new MailSender(app.db, mailDelivery(app.config.mail), app.log);
    app.decorate('mailer', sender);
    app.addHook('onReady', async () => sender.start(MAIL_POLL_MS));
    app.addHook('onResponse', async () => sender.wakeIfQueued());
    app.addHook('onClose', async () => sender.stop());
  },
  { name: 'mathsoc-mail-sender' },
);
