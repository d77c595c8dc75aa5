// Response compression for everything whose type compresses: pages (error
// pages included), JSON, CSV exports, scripts, style sheets, SVG. Brotli at
// quality 4 when the browser offers it, else gzip — most of brotli's gain at
// gzip's speed (11, the maximum, costs ~20× more CPU); a page shrinks to about
// a fifth.
//
// Pages are safe to compress because the CSRF token in them is masked with
// fresh randomness every time it is written (src/security/csrf.ts): BREACH
// learns a secret by compressing it next to attacker-chosen text (a `next=`
// path, a search term) many times, and a masked token is never the same twice.
// The session and visitor cookies are SameSite=Lax, so the cross-site requests
// such an attack needs carry no session anyway
// (docs/decisions/028-masked-csrf-tokens-and-compressed-pages.md).
//
// Left alone: uploads (PNG, JPEG, GIF, WebP and PDF are compressed already),
// fonts in woff2, bodies under 1 KB, partial content (Range), event streams,
// anything already encoded. Request bodies are never decompressed: browsers
// do not compress what they send, and a server that inflates them invites
// decompression bombs.
import { negotiate } from '@fastify/accept-negotiator';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import compress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

const ENCODINGS = ['br', 'gzip', 'deflate'];
const THRESHOLD = 1024;
const BROTLI = { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } };
const ZLIB = { level: 6 };
/** Types worth compressing; everything else (images, PDF, woff2) is compressed by its format. */
const COMPRESSIBLE =
  /^(?:text\/(?!event-stream)|application\/javascript\b|image\/svg\+xml\b)|[+/](?:json|xml)\s*(?:;|$)/i;

const COMPRESSORS: Record<string, (body: Buffer) => Buffer> = {
  br: (body) => brotliCompressSync(body, BROTLI),
  gzip: (body) => gzipSync(body, ZLIB),
  deflate: (body) => deflateSync(body, ZLIB),
};

function compressibleType(reply: FastifyReply): boolean {
  return COMPRESSIBLE.test(String(reply.getHeader('content-type') ?? ''));
}

/**
 * A response whose type compresses depends on Accept-Encoding even when this
 * one went out plain (no header, under the threshold): say so, so that a
 * cache never keeps one encoding for every browser. Lower case, as
 * @fastify/compress writes it, so the two never add it twice.
 */
function varyOnEncoding(reply: FastifyReply): void {
  const current = reply.getHeader('vary');
  const values = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (values.some((v) => v === '*' || v.toLowerCase() === 'accept-encoding')) return;
  reply.header('vary', [...values, 'accept-encoding'].join(', '));
}

/** The encoding the client accepts, negotiated as @fastify/compress does (`*` and x-gzip mean gzip). */
function acceptedEncoding(request: FastifyRequest): string | null {
  const header = request.headers['accept-encoding'];
  if (!header || request.headers['x-no-compression'] !== undefined) return null;
  const encoding = negotiate(header.toLowerCase().replace(/\*|x-gzip/g, 'gzip'), [...ENCODINGS, 'identity']);
  return encoding && encoding !== 'identity' ? encoding : null;
}

/**
 * Not-found pages are answered outside any route, where @fastify/compress has
 * no hook; they are compressed here with the same settings. They are always a
 * rendered page or a JSON message, never a stream.
 */
function compressNotFound(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
  const current = reply.getHeader('content-encoding');
  if (current && current !== 'identity') return payload;
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const encoding = acceptedEncoding(request);
  if (!encoding || body.length < THRESHOLD) return payload;
  const compressed = COMPRESSORS[encoding]!(body);
  reply.header('content-encoding', encoding);
  reply.header('content-length', String(compressed.length));
  return compressed;
}

/** Registered at the root before every route, so every route's responses pass through it. */
export const compressionPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(compress, {
      globalCompression: true,
      globalDecompression: false,
      threshold: THRESHOLD,
      encodings: ENCODINGS as Array<'br' | 'gzip' | 'deflate'>,
      customTypes: COMPRESSIBLE,
      brotliOptions: BROTLI,
      zlibOptions: ZLIB,
    });
    // Runs before each route's own compression hook (route hooks come last).
    app.addHook('onSend', async (request, reply, payload) => {
      if (!compressibleType(reply)) return payload;
      varyOnEncoding(reply);
      return request.is404 ? compressNotFound(request, reply, payload) : payload;
    });
  },
  { name: 'mathsoc-compression' },
);
