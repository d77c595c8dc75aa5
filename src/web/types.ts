// What every request carries once the pipeline has run, and what every route
// must declare. Routes without `config.access` are refused at start-up: access
// is denied by default, never forgotten.
import type { VNode } from 'preact';
import type { Config, KeyStage } from '../config/index.js';
import type { DatabaseHandle, Db } from '../db/index.js';

export type Access = 'public' | 'user' | 'admin';

export interface SessionUser {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  isAdmin: boolean;
  keyStage: KeyStage | null;
  yearGroup: number | null;
  schoolId: number | null;
  mustChangePassword: boolean;
}

export interface Flash {
  type: 'success' | 'error' | 'info' | 'warning';
  text: string;
}

export interface RouteSecurityConfig {
  /** Who may call the route. Required on every route. */
  access: Access;
  /** Set false only for endpoints browsers call without a token (e.g. /csp-report). */
  csrf?: boolean;
  /** Health probes: no HTTPS redirect, no rate limit, no session. */
  probe?: boolean;
  /** Reachable while the user must change their password. */
  allowDuringPasswordChange?: boolean;
  /** Response shows personal data: sent with Cache-Control: no-store. */
  personal?: boolean;
  /** JSON API: errors and denials answer in JSON. */
  json?: boolean;
  /** Rate limit for this route (limit string), replacing the default. */
  rateLimit?: string | false;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: DatabaseHandle;
    db: Db;
  }
  interface FastifyRequest {
    user: SessionUser | null;
    sessionId: string | null;
    cspNonce: string;
    /** Client address after proxy trust (use this, never request.ip). */
    clientIp: string;
    /** Scheme after proxy trust. */
    isSecure: boolean;
    csrfToken(): string;
    takeFlashes(): Flash[];
  }
  interface FastifyReply {
    render(page: VNode, status?: number): FastifyReply;
    flash(type: Flash['type'], text: string): FastifyReply;
  }
  interface FastifyContextConfig extends Partial<RouteSecurityConfig> {}
}
