// What the login page needs for signing in with a school account: the
// enabled providers' buttons, and its Content-Security-Policy's form-action
// widened to those providers, since the browser holds the redirect that
// follows a "Sign in with …" form to the page's form-action (ADR 031).
import type { FastifyInstance, FastifyReply } from 'fastify';
import { enabledProviderButtons, type ProviderButton } from '../domain/sso/providers.js';
import { signInFormOrigins } from '../domain/sso/sign-in.js';
import { unavailability } from '../lib/outage.js';

const CSP_HEADERS = ['content-security-policy', 'content-security-policy-report-only'] as const;

/** Adds `origins` to the form-action directive of the response's CSP (when there is one). */
export function allowFormAction(reply: FastifyReply, origins: readonly string[]): void {
  if (origins.length === 0) return;
  for (const name of CSP_HEADERS) {
    const policy = reply.getHeader(name);
    if (typeof policy !== 'string') continue;
    const widened = policy
      .split(';')
      .map((part) => {
        const directive = part.trim();
        return directive.startsWith('form-action ') ? ` ${directive} ${origins.join(' ')}` : part;
      })
      .join(';')
      .trim();
    reply.header(name, widened);
  }
}

/**
 * The login page's provider buttons; the response's CSP lets their forms reach the providers.
 * While the database is down the page still loads, without the buttons (nobody can sign in
 * either way until it is back; the probes and the request that needs it say so).
 */
export async function loginPageProviders(app: FastifyInstance, reply: FastifyReply): Promise<ProviderButton[]> {
  try {
    const providers = await enabledProviderButtons(app.db);
    if (providers.length > 0) allowFormAction(reply, await signInFormOrigins(app.db, app.config));
    return providers;
  } catch (err) {
    if (!unavailability(err)) throw err;
    return [];
  }
}
