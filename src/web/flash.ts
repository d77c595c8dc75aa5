// One-shot messages shown on the next page ("Saved", "Wrong answer, 2 attempts
// left"). Kept in a small signed cookie so they work before and after login.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { cookieOptions } from '../security/session.js';
import type { Flash } from './types.js';

const COOKIE = 'mathsoc_flash';
const TYPES = new Set(['success', 'error', 'info', 'warning']);

function read(request: FastifyRequest): Flash[] {
  const raw = request.cookies[COOKIE];
  if (!raw) return [];
  const u = request.unsignCookie(raw);
  if (!u.valid || !u.value) return [];
  try {
    const parsed = JSON.parse(u.value) as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (f): f is Flash =>
        typeof f === 'object' && f !== null && TYPES.has((f as Flash).type) && typeof (f as Flash).text === 'string',
    );
  } catch {
    return [];
  }
}

export const flashPlugin = fp(
  async (app: FastifyInstance) => {
    const pending = new WeakMap<FastifyRequest, { add: Flash[]; taken: boolean }>();
    const state = (r: FastifyRequest) => {
      let s = pending.get(r);
      if (!s) pending.set(r, (s = { add: [], taken: false }));
      return s;
    };
    app.decorateRequest('takeFlashes', function (this: FastifyRequest) {
      const s = state(this);
      if (s.taken) return [];
      s.taken = true;
      return read(this);
    });
    app.decorateReply('flash', function (this: FastifyReply, type: Flash['type'], text: string) {
      state(this.request).add.push({ type, text: text.slice(0, 500) });
      return this;
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const s = pending.get(request);
      if (!s) return payload;
      if (s.add.length) {
        // A redirect after a POST: keep unread messages and add the new ones.
        const keep = s.taken ? [] : read(request);
        reply.setCookie(COOKIE, JSON.stringify([...keep, ...s.add].slice(-5)), cookieOptions(request));
      } else if (s.taken && request.cookies[COOKIE]) {
        reply.clearCookie(COOKIE, { path: '/' });
      }
      return payload;
    });
  },
  { name: 'mathsoc-flash' },
);
