// Absolute links to this site, for the emails a request sends. The host is
// never simply the one the request named: a forged Host header would otherwise
// put an attacker's address in a password-reset email (link poisoning).
// SERVER_NAME when set (production requires it: the start-up check refuses to
// run without it); otherwise only one of this machine's own names
// (localhost, 127.x.x.x, [::1], HOST) as the request gave it, with its port.
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../security/access.js';
import { ownHost } from '../security/https.js';

/** The site's origin as an email should name it, e.g. https://maths.example.org. */
export function siteOrigin(request: Pick<FastifyRequest, 'server' | 'publicHost' | 'isSecure'>): string {
  const config = request.server.config;
  const production = config.profile === 'production';
  const host = config.server.serverName ?? (ownHost(config, request.publicHost) !== null ? request.publicHost : null);
  if (!host)
    throw new HttpError(
      500,
      'This site cannot build links for emails: set SERVER_NAME to its public host name (docs/operations.md).',
    );
  const secure = production || request.isSecure;
  return `${secure ? 'https' : 'http'}://${host}`;
}

/** `path` (starting with "/") on this site, as an absolute link. */
export function absoluteLink(
  request: Pick<FastifyRequest, 'server' | 'publicHost' | 'isSecure'>,
  path: string,
): string {
  if (!path.startsWith('/') || path.startsWith('//')) throw new Error('absoluteLink takes a path on this site');
  return `${siteOrigin(request)}${path}`;
}

/**
 * A link maker for the emails one request may send. The site's origin is
 * settled here, before any work: a request whose host cannot be named is
 * refused the same way whether or not its email would have been sent (an
 * error only on the "account exists" path would tell which addresses have
 * accounts).
 */
export function linkMaker(
  request: Pick<FastifyRequest, 'server' | 'publicHost' | 'isSecure'>,
): (path: string) => string {
  const origin = siteOrigin(request);
  return (path) => {
    if (!path.startsWith('/') || path.startsWith('//')) throw new Error('a link maker takes a path on this site');
    return `${origin}${path}`;
  };
}
