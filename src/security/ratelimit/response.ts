// The rate-limit headers and the 429 answer: the site's error page (or JSON
// for API callers) saying in plain words when to try again.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { wantsJson } from '../access.js';
import type { ErrorPageSender } from '../types.js';
import type { Decision } from './limiter.js';

export function retryAfterSeconds(resetAtMs: number, now = Date.now()): number {
  return Math.max(1, Math.ceil((resetAtMs - now) / 1000));
}

/** "45 seconds", "3 minutes", "2 hours", "1 day": rounded up, never "0". */
export function waitInWords(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return unit(Math.max(1, Math.ceil(seconds)), 'second');
  if (seconds < 3600) return unit(Math.ceil(seconds / 60), 'minute');
  if (seconds < 86400) return unit(Math.ceil(seconds / 3600), 'hour');
  return unit(Math.ceil(seconds / 86400), 'day');
}

export function setRateLimitHeaders(reply: FastifyReply, decision: Decision): void {
  reply.header('x-ratelimit-limit', String(decision.item.amount));
  reply.header('x-ratelimit-remaining', String(decision.state.remaining));
  reply.header('x-ratelimit-reset', String(Math.ceil(decision.state.resetAtMs / 1000)));
}

export function sendTooManyRequests(
  request: FastifyRequest,
  reply: FastifyReply,
  decision: Decision,
  errorPage: ErrorPageSender,
) {
  const wait = retryAfterSeconds(decision.state.resetAtMs);
  reply.header('retry-after', String(wait));
  const message =
    `You have sent too many requests (the limit here is ${decision.item.text}). ` +
    `Please wait ${waitInWords(wait)} and try again.`;
  if (wantsJson(request)) {
    return reply.code(429).send({ error: message, retryAfter: wait, limit: decision.item.text });
  }
  return errorPage(request, reply, 429, message);
}
