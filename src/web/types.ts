// What the web layer adds to every request and reply: rendering and one-shot
// messages. Who the user is and what routes declare live in security/types.ts,
// re-exported here for the pages that show them.
import type { VNode } from 'preact';

export type { Access, RouteSecurityConfig, SessionUser } from '../security/types.js';

export interface Flash {
  type: 'success' | 'error' | 'info' | 'warning';
  text: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    takeFlashes(): Flash[];
  }
  interface FastifyReply {
    render(page: VNode, status?: number): FastifyReply;
    flash(type: Flash['type'], text: string): FastifyReply;
  }
}
