// Content Security Policy, built from one dictionary (the security document's
// directives, docs/security.md, tightened: every asset is self-hosted, scripts run only with this
// response's nonce). The policy is compiled once at start-up into the text
// before and after the nonce, so a request only adds 16 random bytes.
import { randomFillSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config, CspDirective } from '../config/index.js';

export type CspDictionary = Map<string, string[]>;

/** Stands for the request's nonce in the dictionary; replaced per response. */
export const NONCE = '{nonce}';
export const REPORT_GROUP = 'csp-endpoint';

/**
 * The security document's CDN allowlist (CSP_CDN_SOURCES=true), per directive.
 * polyfill.io is left out on purpose: the domain changed hands in 2024 and
 * served malware to the sites that loaded it.
 */
export const CDN_SOURCES: Partial<Record<CspDirective, string[]>> = {
  'script-src': [
    'https://cdn.jsdelivr.net',
    'https://cdnjs.cloudflare.com',
    'https://unpkg.com',
    'https://cdn.ckeditor.com',
  ],
  'style-src': [
    'https://cdn.jsdelivr.net',
    'https://cdnjs.cloudflare.com',
    'https://fonts.googleapis.com',
    'https://unpkg.com',
    'https://cdn.ckeditor.com',
  ],
  'font-src': [
    'https://fonts.gstatic.com',
    'https://cdnjs.cloudflare.com',
    'https://unpkg.com',
    'https://cdn.ckeditor.com',
  ],
  'img-src': ['https://cdn.ckeditor.com'],
  'connect-src': [
    'https://cdn.jsdelivr.net',
    'https://cdnjs.cloudflare.com',
    'https://unpkg.com',
    'https://cdn.ckeditor.com',
    'https://cke4.ckeditor.com',
  ],
};

/** The policy as a dictionary, in header order. */
export function cspDirectives(config: Config): CspDictionary {
  const csp = config.csp;
  const d: CspDictionary = new Map([
    // Nothing by default: each kind of resource the pages load is allowed by its own directive.
    ['default-src', ["'none'"]],
    ['base-uri', ["'self'"]],
    ['object-src', ["'none'"]],
    ['frame-ancestors', [config.headers.frameOptions === 'DENY' ? "'none'" : "'self'"]],
    // With 'strict-dynamic', CSP3 browsers run only scripts carrying the nonce
    // (and what those load); 'self' remains for older browsers.
    [
      'script-src',
      ["'self'", `'nonce-${NONCE}'`, "'strict-dynamic'", ...(csp.allowUnsafeEval ? ["'unsafe-eval'"] : [])],
    ],
    ['script-src-attr', ["'none'"]],
    // Stylesheets and <style> elements: this site's files only. Attributes:
    // MathLive lays out every math field with style="…" in its markup, which
    // a browser parses as an inline style (docs/decisions/019-csp-styles.md).
    ['style-src', ["'self'"]],
    ['style-src-attr', ["'unsafe-inline'"]],
    ['font-src', ["'self'", 'data:']],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['connect-src', ["'self'", ...(config.server.serverName ? [`https://${config.server.serverName}`] : [])]],
    // The PDF viewer's frame.
    ['frame-src', ["'self'"]],
    ['worker-src', ["'self'", 'blob:']],
    ['media-src', ["'self'", 'data:', 'blob:']],
    ['manifest-src', ["'self'"]],
    ['form-action', ["'self'"]],
  ]);
  const add = (directive: string, sources: string[]) => {
    // A directive that did not exist fell back to default-src 'none'; 'none'
    // beside a source would be ignored by browsers (and misread by people).
    const list = (d.get(directive) ?? []).filter((s) => s !== "'none'");
    for (const s of sources) if (!list.includes(s)) list.push(s);
    d.set(directive, list);
  };
  if (csp.cdnSources) for (const [directive, sources] of Object.entries(CDN_SOURCES)) add(directive, sources);
  for (const [directive, sources] of Object.entries(csp.extra)) if (sources?.length) add(directive, sources);
  // Plain HTTP pages in development must keep loading over HTTP.
  if (config.https.force) d.set('upgrade-insecure-requests', []);
  d.set('report-uri', [csp.reportUri]);
  d.set('report-to', [REPORT_GROUP]);
  return d;
}

export function serialise(d: CspDictionary): string {
  return [...d].map(([name, values]) => (values.length ? `${name} ${values.join(' ')}` : name)).join('; ');
}

export interface CompiledCsp {
  headerName: 'content-security-policy' | 'content-security-policy-report-only';
  /** The header value for one response. */
  render(nonce: string): string;
}

export function compileCsp(config: Config): CompiledCsp {
  const text = serialise(cspDirectives(config));
  const at = text.indexOf(NONCE);
  const before = text.slice(0, at);
  const after = text.slice(at + NONCE.length);
  return {
    headerName: config.csp.reportOnly ? 'content-security-policy-report-only' : 'content-security-policy',
    render: (nonce) => before + nonce + after,
  };
}

// Nonces are cut from a pool of CSPRNG bytes refilled 256 nonces at a time (as
// Node does for randomUUID), not drawn with one randomBytes call per response.
const NONCE_BYTES = 16;
const noncePool = Buffer.alloc(NONCE_BYTES * 256);
let noncePoolOffset = noncePool.length;

export function newNonce(): string {
  if (noncePoolOffset >= noncePool.length) {
    randomFillSync(noncePool);
    noncePoolOffset = 0;
  }
  const nonce = noncePool.toString('base64', noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

export const cspPlugin = fp(
  async (app: FastifyInstance) => {
    const config = app.config;
    if (!config.csp.enabled) {
      // Views still put a nonce on script tags; it is simply not enforced.
      app.addHook('onRequest', async (request) => {
        request.cspNonce = newNonce();
      });
      return;
    }
    const csp = compileCsp(config);
    const reporting = `${REPORT_GROUP}="${config.csp.reportUri}"`;
    app.addHook('onRequest', async (request, reply) => {
      const nonce = newNonce();
      request.cspNonce = nonce;
      reply.header(csp.headerName, csp.render(nonce));
      reply.header('reporting-endpoints', reporting);
    });
  },
  { name: 'mathsoc-csp' },
);
