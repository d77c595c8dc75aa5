// Self-hosted client files. Hashed bundles under /assets never change, so they
// may be cached for a year; nothing here depends on the visitor.
import staticFiles from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { PUBLIC_DIR } from '../assets.js';

const asset = { access: 'public', rateLimit: false, probe: false } as const;

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  await app.register(staticFiles, { root: PUBLIC_DIR, serve: false });
  app.get('/assets/*', { config: asset }, (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    return reply.sendFile(`assets/${path}`);
  });
  app.get('/favicon.svg', { config: asset }, (_request, reply) => {
    reply.header('cache-control', 'public, max-age=86400');
    return reply.sendFile('favicon.svg');
  });
}
