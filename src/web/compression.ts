// Response compression for the self-hosted assets (scripts, style sheets,
// fonts, the favicon): public, identical for everyone and large — the editor
// bundle shrinks to about a third.
//
// HTML pages are deliberately not compressed: every page carries the
// visitor's CSRF token, and some reflect what the address asked for (a
// `next=` path, a search term). Compressing both in one response is what the
// BREACH attack measures, byte by byte. Compressing pages becomes safe once
// the token is masked with fresh randomness in every response
// (docs/decisions/014-performance-caches-and-compression.md).
import { constants } from 'node:zlib';
import compress from '@fastify/compress';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';

/** Registers `routes` in a scope where their responses are compressed. */
export function withCompression(routes: FastifyPluginAsync): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    await app.register(compress, {
      global: true,
      threshold: 1024,
      encodings: ['br', 'gzip', 'deflate'],
      // Quality 4: most of brotli's gain at gzip's speed (11, the maximum, costs ~20× more CPU).
      brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
      zlibOptions: { level: 6 },
    });
    await app.register(routes);
  };
}
