// Self-hosted client files. Hashed bundles under /assets never change, so they
// may be cached for a year; nothing here depends on the visitor.
import { relative } from 'node:path';
import staticFiles from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { isHashedAsset, PUBLIC_DIR } from '../assets.js';
import { paramValue } from '../params.js';

const asset = { access: 'public', rateLimit: false, probe: false, session: false } as const;
const YEAR = 'public, max-age=31536000, immutable';
// Files whose name does not change with their content (favicon, fonts, manifest).
const DAY = 'public, max-age=86400';

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  // The plugin's own Cache-Control (public, max-age=0) would replace ours; it is
  // set here instead, only on files actually sent (a 404 must not be kept).
  await app.register(staticFiles, {
    root: PUBLIC_DIR,
    serve: false,
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('cache-control', isHashedAsset(relative(PUBLIC_DIR, path)) ? YEAR : DAY);
    },
  });
  app.get('/assets/*', { config: asset }, (request, reply) => {
    const path = paramValue(request, '*');
    return reply.sendFile(`assets/${path}`);
  });
  app.get('/favicon.svg', { config: asset }, (_request, reply) => {
    return reply.sendFile('favicon.svg');
  });
}
