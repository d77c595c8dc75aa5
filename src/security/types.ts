// What every request carries once the security pipeline has run, and what every
// route must declare. Routes without `config.access` are refused at start-up:
// access is denied by default, never forgotten.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config, KeyStage } from '../config/index.js';
import type { DatabaseHandle, Db } from '../db/index.js';

/**
 * Who may call a route: anyone; any signed-in account; teachers and admins
 * (challenges, boards, classes); admins only (accounts, roles, schools, pages, settings).
 */
export type Access = 'public' | 'user' | 'teacher' | 'admin';

/** What an account may do. Derived from users.is_admin and users.user_type by roleOf (ADR 031). */
export type Role = 'student' | 'teacher' | 'admin';

/** An admin account is an admin whatever its type; otherwise the type decides. */
export function roleOf(account: { is_admin: number; user_type: string }): Role {
  if (account.is_admin === 1) return 'admin';
  return account.user_type === 'teacher' ? 'teacher' : 'student';
}

export interface SessionUser {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  isAdmin: boolean;
  /** student, teacher or admin; isAdmin is role === 'admin'. */
  role: Role;
  keyStage: KeyStage | null;
  yearGroup: number | null;
  schoolId: number | null;
  mustChangePassword: boolean;
  /** The account's address has been confirmed by a link sent to it (or needs no confirmation). */
  emailVerified: boolean;
  /** A pupil of a competition-guest school: the weekly challenges are not theirs, so menus leave them out. */
  guestPupil: boolean;
}

export interface RouteSecurityConfig {
  /** Who may call the route. Required on every route. */
  access: Access;
  /** Set false only for endpoints browsers call without a token (e.g. /csp-report). */
  csrf?: boolean;
  /** Health probes: no HTTPS redirect, no rate limit, no session. */
  probe?: boolean;
  /** false: the same for every visitor (static files), so no session is looked up and they load while the session store is down. */
  session?: boolean;
  /** Reachable while the user must change their password. */
  allowDuringPasswordChange?: boolean;
  /** Reachable by a signed-in account whose email address is not confirmed yet (REQUIRE_EMAIL_VERIFICATION). */
  allowUnverified?: boolean;
  /** Reachable by a pupil who has not given their school year yet (the welcome page, ADR 031). */
  allowWithoutYear?: boolean;
  /** Response shows personal data: sent with Cache-Control: no-store. */
  personal?: boolean;
  /** JSON API: errors and denials answer in JSON. */
  json?: boolean;
  /** Rate limit for this route (limit string), replacing the default. */
  rateLimit?: string | false;
}

/**
 * Sends the site's error page for `status` (HTML, or JSON for API callers).
 * The web layer owns the pages and hands this to the security plugins that answer with one.
 */
export type ErrorPageSender = (
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
) => FastifyReply;

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
    /** The CSRF token, masked afresh on every call (src/security/csrf.ts). */
    csrfToken(): string;
  }
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merging into Fastify's route config needs an interface
  interface FastifyContextConfig extends Partial<RouteSecurityConfig> {}
}
