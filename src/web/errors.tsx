// Error pages for 400/403/404/413/429/500/503, as HTML or JSON by route and
// `Accept`. Production never shows a stack trace or an internal message.
// An outage (the database or session store unreachable, a full disk) is no
// bug: 503 with Retry-After and a plain page, logged once per outage
// (src/lib/outage.ts), not once per request.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pingDatabase } from '../db/index.js';
import { OutageLog, unavailability } from '../lib/outage.js';
import { wantsJson } from '../security/access.js';
import { viewContext } from './views/context.js';
import { MessagePage } from './views/layout.js';

const TITLES: Record<number, string> = {
  400: 'That request could not be understood',
  401: 'Please log in',
  403: 'Not allowed',
  404: 'Page not found',
  405: 'Not allowed',
  413: 'That upload is too large',
  415: 'Unsupported content',
  429: 'Too many requests',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

const UNAVAILABLE_MESSAGE = 'The site is briefly unavailable. Please try again in a minute.';
/** Seconds a client is asked to wait before trying again during an outage. */
const OUTAGE_RETRY_AFTER_SECONDS = 5;
const PROBE_TIMEOUT_MS = 1000;

export function sendError(request: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  if (wantsJson(request)) return reply.code(status).send({ error: message });
  try {
    return reply.render(
      <MessagePage ctx={viewContext(request)} title={TITLES[status] ?? 'Error'} message={message} />,
      status,
    );
  } catch {
    // The page itself failed (e.g. missing assets): fall back to plain text.
    return reply.code(status).type('text/plain; charset=utf-8').send(message);
  }
}

export function registerErrorHandlers(app: FastifyInstance): void {
  const production = app.config.profile === 'production';
  // Probes tell when an outage is over; the disk has none and ends after a quiet spell.
  const outages = new OutageLog({
    log: app.log,
    probes: {
      database: () => pingDatabase(app.db, PROBE_TIMEOUT_MS),
      'session store': () => app.sessions.ping(PROBE_TIMEOUT_MS),
    },
  });
  app.addHook('onClose', async () => outages.close());

  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      404,
      'There is nothing at this address. Check the link, or start again from the home page.',
    ),
  );

  app.setErrorHandler((error: FastifyError, request, reply) => {
    // A visitor who hung up mid-request (ECONNRESET on their own socket) is no outage of ours.
    const outage = request.raw.socket?.destroyed ? null : unavailability(error);
    if (outage) {
      outages.refused(outage);
      if (reply.sent) return;
      reply.header('retry-after', String(OUTAGE_RETRY_AFTER_SECONDS));
      reply.header('cache-control', 'no-store');
      return sendError(request, reply, 503, UNAVAILABLE_MESSAGE);
    }
    let status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (error.validation) status = 400;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ status, code: error.code }, error.message);
    }
    if (reply.sent) return;
    if (status === 429 && reply.getHeader('retry-after') === undefined) reply.header('retry-after', '60');
    let message: string;
    if (status >= 500) {
      message = production
        ? 'The server hit a problem. It has been logged; please try again in a moment.'
        : `${error.message}`;
    } else if (status === 413) {
      message = 'The file or form you sent is larger than this server accepts.';
    } else if (status === 415) {
      message = 'This address does not accept that kind of content.';
    } else if (error.validation) {
      message = 'Some fields were missing or not in the right format.';
    } else if (error.code?.startsWith('FST_') && status === 400) {
      message = 'The request could not be read.';
    } else {
      message = error.message;
    }
    return sendError(request, reply, status, message);
  });
}
