// ProxyFix: believe X-Forwarded-* only for the number of proxy hops the
// deployment declares (PROXY_FIX_X_FOR/_X_PROTO/_X_HOST/_X_PORT). Each trusted
// proxy appends what it saw, so the client is the Nth entry from the right;
// anything further left was written by the client and is never believed.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** Host (and port when not default) the client asked for, after proxy trust. */
    publicHost: string;
  }
}

/** The value `hops` entries from the right of a comma-separated header, if there are that many. */
export function trustedEntry(header: string | string[] | undefined, hops: number): string | null {
  if (hops <= 0 || header === undefined) return null;
  const values = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (values.length < hops) return null;
  return values[values.length - hops] ?? null;
}

export function applyProxyTrust(request: FastifyRequest): void {
  const hops = request.server.config.proxy;
  const socketIp = request.socket?.remoteAddress ?? request.ip ?? '';
  request.clientIp = trustedEntry(request.headers['x-forwarded-for'], hops.xFor) ?? socketIp;

  const proto = trustedEntry(request.headers['x-forwarded-proto'], hops.xProto)?.toLowerCase();
  const socketSecure = Boolean((request.socket as { encrypted?: boolean } | undefined)?.encrypted);
  request.isSecure = proto === 'https' || (proto === undefined && socketSecure);

  const fwdHost = trustedEntry(request.headers['x-forwarded-host'], hops.xHost);
  let host = (fwdHost ?? request.headers.host ?? 'localhost').toLowerCase();
  if (!/^[a-z0-9.:[\]-]+$/.test(host)) host = 'localhost'; // never echo header garbage into redirects
  const defaultPort = request.isSecure ? '443' : '80';
  const fwdPort = trustedEntry(request.headers['x-forwarded-port'], hops.xPort);
  if (fwdPort && /^\d{1,5}$/.test(fwdPort)) {
    host = `${host.replace(/:\d+$/, '')}:${fwdPort}`;
  }
  // "example.org:443" over https is "example.org": the form browsers use in Origin.
  if (host.endsWith(`:${defaultPort}`)) host = host.slice(0, -defaultPort.length - 1);
  request.publicHost = host;
}

export const proxyPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('clientIp', '');
    app.decorateRequest('isSecure', false);
    app.decorateRequest('publicHost', '');
    app.addHook('onRequest', async (request) => applyProxyTrust(request));
  },
  { name: 'mathsoc-proxy' },
);
