// pino logger options: JSON lines on stdout (containers) or appended to a file.
// Secrets never reach a log line: the paths below are redacted wherever they appear.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import pino from 'pino';
import type { Config } from './config/index.js';

const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.password_confirm',
  '*.new_password',
  '*.current_password',
  '*.password_hash',
  '*.token',
  '*.csrf_token',
  '*._csrf',
  '*.secret',
  '*.secretKey',
  '*.smtpUrl',
  'body.password',
];

export function createLogger(config: Config): pino.Logger {
  const options: pino.LoggerOptions = {
    level: config.log.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { app: 'mathsoc', profile: config.profile },
  };
  if (config.log.toStdout) return pino(options);
  mkdirSync(dirname(config.log.file), { recursive: true });
  return pino(options, pino.destination({ dest: config.log.file, mkdir: true, sync: false }));
}

/**
 * The URL as logged: the value of a `token` query parameter (the links the
 * site emails: password reset, address confirmation) is replaced, so a log
 * line never holds a working link; so are the `code` and `state` an identity
 * provider sends back to the school sign-in callback (ADR 031).
 */
export function loggedUrl(url: string): string {
  return url.replace(/([?&](?:token|code|state)=)[^&#]*/gi, '$1[redacted]');
}

/**
 * One access-log line per request, when it completes (Fastify's default writes
 * two: "incoming request" and "request completed"). Fastify's other request
 * logs (errors, route not found) are unchanged.
 */
export class AccessLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      url: loggedUrl(request.url),
      statusCode: reply.statusCode,
      ip: request.clientIp,
      responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
