// What each route reads, found without a list kept by hand: the forms and links
// of every page (as a visitor, a student and an admin would see them) and, on an
// app of its own, the query and body names each handler actually reads (a
// recording Proxy put on request.query and request.body before the handler).
// The input matrix then sends control characters to every one of them; the
// multipart body builder at the end is shared with the other control-character tests.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { RouteEntry } from '../../src/security/access.js';
import type { TestApp } from '../helpers/app.js';
import { concreteUrl, routes, UNSAFE } from './routes.js';

export interface FieldInfo {
  /** The value the page fills in ('' when none). */
  value: string;
  /** The input's type: text, email, number, hidden, file, textarea, select… */
  type: string;
}

export interface RouteInputs {
  query: Set<string>;
  body: Map<string, FieldInfo>;
  /** A form posting here was multipart/form-data. */
  multipart: boolean;
}

export type InputMap = Map<string, RouteInputs>;

export const routeKey = (method: string, url: string) => `${method} ${url}`;

function entry(map: InputMap, key: string): RouteInputs {
  let e = map.get(key);
  if (!e) map.set(key, (e = { query: new Set(), body: new Map(), multipart: false }));
  return e;
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');

function attr(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  if (!m) return null;
  return decode(m[1] ?? m[2] ?? m[3] ?? '');
}

/** Patterns as regular expressions; a static segment wins over a parameter. */
function matcher(table: RouteEntry[]) {
  const compiled = table.map((r) => {
    const source = r.url
      .split(/(:[A-Za-z0-9_]+(?:\([^)]*\))?|\*)/)
      .map((part) =>
        part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('');
    const params = (r.url.match(/:[A-Za-z0-9_]+|\*/g) ?? []).length;
    return { r, re: new RegExp(`^${source}/?$`), params };
  });
  return (method: string, path: string): RouteEntry | null => {
    const hits = compiled.filter((c) => c.r.method === method && c.re.test(path)).sort((a, b) => a.params - b.params);
    return hits[0]?.r ?? null;
  };
}

/** Forms, GET-form and link query names, and redirect targets of one response. */
export function collectFromPage(
  map: InputMap,
  table: RouteEntry[],
  pageUrl: string,
  res: LightMyRequestResponse,
): void {
  const find = matcher(table);
  const base = new URL(pageUrl, 'http://matrix.invalid');
  const noteQuery = (href: string) => {
    let u: URL;
    try {
      u = new URL(href, base);
    } catch {
      return;
    }
    if (u.origin !== base.origin || !u.search) return;
    const r = find('GET', u.pathname);
    if (r) for (const name of u.searchParams.keys()) entry(map, routeKey('GET', r.url)).query.add(name);
  };
  const location = res.headers.location;
  if (typeof location === 'string') noteQuery(location);
  if (!String(res.headers['content-type'] ?? '').includes('text/html')) return;
  const html = res.body;
  for (const m of html.matchAll(/\shref="([^"]*)"/gi)) noteQuery(decode(m[1]!));
  for (const form of html.match(/<form\b[^>]*>[\s\S]*?<\/form>/gi) ?? []) {
    const open = /<form\b[^>]*>/i.exec(form)![0];
    const method = (attr(open, 'method') ?? 'get').toUpperCase();
    const action = new URL(attr(open, 'action') || pageUrl, base);
    if (action.origin !== base.origin) continue;
    const r = find(method === 'GET' ? 'GET' : 'POST', action.pathname);
    if (!r) continue;
    const e = entry(map, routeKey(r.method, r.url));
    for (const name of action.searchParams.keys()) e.query.add(name);
    if ((attr(open, 'enctype') ?? '').toLowerCase() === 'multipart/form-data') e.multipart = true;
    const fields: Array<[string, FieldInfo]> = [];
    for (const tag of form.match(/<(?:input|button)\b[^>]*>/gi) ?? []) {
      const name = attr(tag, 'name');
      if (!name) continue;
      fields.push([
        name,
        {
          value: attr(tag, 'value') ?? '',
          type: (attr(tag, 'type') ?? (tag.startsWith('<b') ? 'submit' : 'text')).toLowerCase(),
        },
      ]);
    }
    for (const m of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
      const name = attr(m[1]!, 'name');
      if (name) fields.push([name, { value: decode(m[2]!), type: 'textarea' }]);
    }
    for (const m of form.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const name = attr(m[1]!, 'name');
      if (!name) continue;
      const options = [...m[2]!.matchAll(/<option\b[^>]*>/gi)].map((o) => o[0]);
      const chosen = options.find((o) => /\sselected\b/i.test(o)) ?? options[0];
      fields.push([name, { value: chosen ? (attr(chosen, 'value') ?? '') : '', type: 'select' }]);
    }
    for (const [name, info] of fields) {
      if (method === 'GET') e.query.add(name);
      else if (!e.body.has(name)) e.body.set(name, info);
    }
  }
}

const IGNORED_READS = new Set([
  'then',
  'toJSON',
  'constructor',
  'length',
  'prototype',
  '__proto__',
  'valueOf',
  'toString',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'inspect',
  'asymmetricMatch',
  'nodeType',
  '$$typeof',
]);

function recording<T extends object>(target: T, names: Set<string>): T {
  const note = (p: string | symbol) => {
    if (typeof p === 'string' && !IGNORED_READS.has(p) && /^[\w.[\]-]{1,60}$/.test(p)) names.add(p);
  };
  return new Proxy(target, {
    get(t, p, receiver) {
      note(p);
      return Reflect.get(t, p, receiver) as unknown;
    },
    has(t, p) {
      note(p);
      return Reflect.has(t, p);
    },
  });
}

/** Call on an app before it is ready: records the names each route's handler reads. */
export function recordReads(app: FastifyInstance, map: InputMap): void {
  app.addHook('preHandler', async (request) => {
    const url = request.routeOptions.url;
    if (!url) return;
    const e = entry(map, routeKey(request.method, url));
    if (request.query && typeof request.query === 'object') request.query = recording(request.query, e.query);
    const body = request.body;
    if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
      const names = new Set<string>();
      request.body = recording(body, names);
      // Filled in while the handler runs; kept once the response is sent.
      bodyReads.set(request, { e, names });
    }
  });
  app.addHook('onResponse', async (request) => {
    const r = bodyReads.get(request);
    if (!r) return;
    for (const name of r.names) if (!r.e.body.has(name)) r.e.body.set(name, { value: '', type: 'read' });
  });
}

const bodyReads = new WeakMap<object, { e: RouteInputs; names: Set<string> }>();

/** URLs with a destructive last segment go last, so discovery keeps its fixtures for the others. */
const destructive = (r: RouteEntry) =>
  /\/(delete|remove|reset|logout|revoke-others|recalculate|admin)(\/|$)/.test(r.url) ? 1 : 0;

/**
 * Crawls every GET route as a visitor, a student and an admin (pages and links), then sends
 * every route once with an empty body (as a visitor and as a fresh admin) so the recording
 * hook sees what the handlers read. `t` is an app of its own: the empty POSTs may change data.
 */
export async function discoverInputs(t: TestApp, map: InputMap): Promise<void> {
  const table = routes(t.app);
  const student = t.client();
  await student.loginAs(await t.createUser({ lastName: 'Discovery' }));
  const crawlAdmin = t.client();
  await crawlAdmin.loginAs(await t.createUser({ isAdmin: true, lastName: 'Discovery' }));
  const safe = table.filter((r) => r.method === 'GET');
  for (const client of [null, student, crawlAdmin]) {
    for (const r of safe) {
      const url = concreteUrl(r.url);
      const res = client ? await client.get(url) : await t.app.inject({ method: 'GET', url });
      collectFromPage(map, table, url, res);
    }
  }
  const unsafe = table.filter((r) => UNSAFE.has(r.method)).sort((a, b) => destructive(a) - destructive(b));
  for (const r of unsafe) {
    const admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true, lastName: 'Discovery' }));
    for (const client of r.access === 'public' ? [t.client(), admin] : [admin]) {
      await client.send(r.method as 'POST', concreteUrl(r.url), {}, { csrf: false, json: r.json });
    }
  }
}

/** A 1×1 PNG: a real image for upload fields (its bytes hold NULs, as images do). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** A multipart/form-data body: text fields, then files (name, file name) carrying PNG. */
export function multipartBody(
  fields: Array<[string, string]>,
  files: Array<[string, string]>,
): { payload: Buffer; type: string } {
  const boundary = `----matrix${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const [name, filename] of files) {
    // No file chosen: browsers send an empty part with an empty file name.
    const type = filename ? 'image/png' : 'application/octet-stream';
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
      ),
    );
    parts.push(filename ? PNG : Buffer.alloc(0), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}
