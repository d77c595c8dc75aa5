import type { FastifyRequest } from 'fastify';
import type { Flash, SessionUser } from '../types.js';
import { assetUrl } from '../assets.js';

/** Everything the layout and components need from the request, in one object. */
export interface ViewContext {
  user: SessionUser | null;
  /** A freshly masked CSRF token: call once for each place it is written, so no two are alike. */
  csrfToken: () => string;
  nonce: string;
  flashes: Flash[];
  path: string;
  asset: (name: string) => string;
  /** The footer's "Report a problem" link (REPORT_PROBLEM_URL). */
  reportProblemUrl: string;
}

export function viewContext(request: FastifyRequest): ViewContext {
  return {
    user: request.user,
    csrfToken: () => request.csrfToken(),
    nonce: request.cspNonce,
    flashes: request.takeFlashes(),
    path: request.url.split('?')[0] ?? '/',
    asset: assetUrl,
    reportProblemUrl: request.server.config.reportProblemUrl,
  };
}
