// Every route × every input it reads (route parameters, query values, form and
// JSON fields, multipart text fields and file names) with a NUL character, sent
// as an admin (and, on public routes, a visitor) with a valid CSRF token so the
// request would reach the handler: never a server error, always the 400 that
// names control characters, and nothing in the database changes. What each
// route reads is discovered from the pages and from the handlers themselves
// (input-discovery.ts), so routes and fields added later are covered without
// editing this.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { RouteEntry } from '../../src/security/access.js';
import { createTestApp, TestClient, type TestApp } from '../helpers/app.js';
import { availableDialects } from '../helpers/db.js';
import {
  discoverInputs,
  multipartBody,
  recordReads,
  routeKey,
  type FieldInfo,
  type InputMap,
  type RouteInputs,
} from './input-discovery.js';
import { concreteUrl, label, routes, seedData, snapshot, UNSAFE } from './routes.js';

const MESSAGE = 'The request contains characters that are not allowed (control characters).';
const NUL = '\u0000';

interface Sent {
  name: string;
  url: string;
  body?: {
    kind: 'form' | 'raw-form' | 'json' | 'multipart' | 'csp';
    fields: Array<[string, string]>;
    files?: Array<[string, string]>;
  };
}

/** A plausible value for an empty field, so the tainted request gets as far as it can. */
function sample(info: FieldInfo | undefined, n: number): string {
  if (info?.value) return info.value;
  switch (info?.type) {
    case 'email':
      return `matrix${n}@school.example.org`;
    case 'number':
      return '1';
    case 'password':
      return 'purple giraffe tea kettle';
    case 'date':
      return '2031-01-15';
    case 'datetime-local':
      return '2031-01-15T09:00';
    case 'checkbox':
      return 'on';
    default:
      return `Matrix ${n}`;
  }
}

/** The requests for one route: each input in turn carries NUL, the others stay plausible. */
function casesFor(r: RouteEntry, inputs: RouteInputs | undefined, token: string): Sent[] {
  const out: Sent[] = [];
  const url = concreteUrl(r.url);
  const unsafe = UNSAFE.has(r.method);
  const bodyFields = [...(inputs?.body ?? new Map<string, FieldInfo>())].filter(([name]) => name !== '_csrf');
  const textFields = bodyFields.filter(([, info]) => info.type !== 'file');
  const fileFields = bodyFields.filter(([, info]) => info.type === 'file').map(([name]) => name);
  const multipart = inputs?.multipart === true;
  const kind = multipart ? 'multipart' : r.json ? 'json' : 'form';
  const base = (): Array<[string, string]> => [
    ...textFields.map(([name, info], i): [string, string] => [name, sample(info, i)]),
    ['_csrf', token],
  ];
  const body = (fields: Array<[string, string]>, files: Array<[string, string]> = []) =>
    unsafe
      ? ({
          kind,
          fields,
          files: multipart ? (files.length ? files : fileFields.map((f): [string, string] => [f, ''])) : [],
        } as const)
      : undefined;

  // Route parameters, one at a time.
  const params = r.url.match(/:[A-Za-z0-9_]+(?:\([^)]*\))?|\*/g) ?? [];
  for (const p of params) {
    const tainted = r.url.replace(p, '%00');
    out.push({ name: `param ${p}`, url: concreteUrl(tainted), body: body(base()) });
  }
  // Query values: every name the route reads or links to, and one it never reads.
  for (const q of [...(inputs?.query ?? []), 'unread']) {
    for (const value of ['%00', 'a%00b']) {
      out.push({ name: `query ${q}=${value}`, url: `${url}?${encodeURIComponent(q)}=${value}`, body: body(base()) });
    }
  }
  if (!unsafe) return out;
  // Body fields: the field alone as NUL, and NUL before and after a plausible value.
  for (const [name] of textFields) {
    for (const [variant, taint] of [
      ['alone', (_v: string) => NUL],
      ['prefixed', (v: string) => `${NUL}${v}`],
      ['appended', (v: string) => `${v}${NUL}`],
    ] as const) {
      out.push({
        name: `field ${name} (${variant})`,
        url,
        body: body(base().map(([k, v]): [string, string] => [k, k === name ? taint(v) : v])),
      });
    }
  }
  // A field name with NUL in it.
  out.push({ name: 'field name with NUL', url, body: body([...base(), [`x${NUL}y`, 'value']]) });
  // A raw NUL byte, not percent-encoded, in every text field of a urlencoded form.
  if (kind === 'form' && textFields.length) {
    out.push({
      name: 'raw NUL bytes in every field',
      url,
      body: { kind: 'raw-form', fields: base().map(([k, v]) => [k, k === '_csrf' ? v : `${v}${NUL}`]) },
    });
  }
  // Upload fields: a real image whose file name carries NUL.
  for (const f of fileFields)
    out.push({ name: `file name of ${f}`, url, body: body(base(), [[f, `matrix${NUL}.png`]]) });
  return out;
}

async function send(
  app: FastifyInstance,
  client: TestClient,
  method: string,
  s: Sent,
  token: string,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = {
    cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    'x-csrf-token': token,
  };
  if (!s.body) return app.inject({ method: method as 'GET', url: s.url, headers });
  let payload: string | Buffer;
  const { kind, fields } = s.body;
  if (kind === 'json') {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(Object.fromEntries(fields.filter(([k]) => k !== '_csrf')));
  } else if (kind === 'csp') {
    headers['content-type'] = 'application/csp-report';
    payload = JSON.stringify({ 'csp-report': Object.fromEntries(fields) });
  } else if (kind === 'multipart') {
    const m = multipartBody(fields, s.body.files ?? []);
    headers['content-type'] = m.type;
    payload = m.payload;
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload =
      kind === 'raw-form'
        ? fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%00/g, NUL)}`).join('&')
        : new URLSearchParams(fields).toString();
  }
  return app.inject({ method: method as 'POST', url: s.url, headers, payload });
}

function refused(res: LightMyRequestResponse, method: string): boolean {
  if (res.statusCode !== 400) return false;
  return method === 'HEAD' || res.body.includes(MESSAGE);
}

describe.each(await availableDialects())('input hygiene matrix on %s', (dialect) => {
  const env = { CSRF_ENABLED: 'true', RATELIMIT_ENABLED: 'false', UPLOAD_DIR: '' };
  let uploads: string;
  let discovery: TestApp;
  let recorder: FastifyInstance;
  let t: TestApp;
  const inputs: InputMap = new Map();

  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'mathsoc-input-matrix-'));
    env.UPLOAD_DIR = uploads;
    // Discovery runs on an app and database of its own: its empty POSTs may change data.
    discovery = await createTestApp(dialect, { ...env, CSRF_ENABLED: 'false' });
    await seedData(discovery);
    recorder = await buildApp(discovery.config, { database: discovery.database, logger: false });
    recordReads(recorder, inputs);
    await recorder.ready();
    await discoverInputs({ ...discovery, app: recorder, client: (o) => new TestClient(recorder, o) }, inputs);

    t = await createTestApp(dialect, env);
    await seedData(t);
  }, 300_000);
  afterAll(async () => {
    await recorder?.close();
    await discovery?.close();
    await t?.close();
    rmSync(uploads, { recursive: true, force: true });
  });

  it('discovery found the inputs the findings name', () => {
    const body = (m: string, u: string) => [...(inputs.get(routeKey(m, u))?.body.keys() ?? [])];
    const query = (u: string) => [...(inputs.get(routeKey('GET', u))?.query ?? [])];
    expect(body('POST', '/login')).toEqual(expect.arrayContaining(['email', 'password']));
    expect(body('POST', '/register')).toEqual(expect.arrayContaining(['email']));
    expect(query('/admin/users')).toEqual(expect.arrayContaining(['q']));
    expect(query('/admin/audit')).toEqual(
      expect.arrayContaining(['action', 'actor', 'target_type', 'target_id', 'ip']),
    );
    expect([...inputs.values()].some((e) => e.multipart)).toBe(true);
  });

  it('NUL in any input of any route: 400 with the message, never a server error, and nothing changes', async () => {
    // One admin per route: a request that got through (logout, delete…) spoils only its own route.
    // Public routes are sent by a visitor too: some (registration) turn signed-in users away.
    const callers = new Map<string, Array<{ who: string; client: TestClient; token: string }>>();
    for (const r of routes(t.app)) {
      const admin = t.client();
      await admin.loginAs(await t.createUser({ isAdmin: true, lastName: 'Matrix' }));
      const list = [{ who: 'admin', client: admin, token: await admin.csrfToken() }];
      if (r.access === 'public') {
        const visitor = t.client();
        list.push({ who: 'visitor', client: visitor, token: await visitor.csrfToken() });
      }
      callers.set(label(r), list);
    }
    const before = await snapshot(t);
    const serverErrors: string[] = [];
    const notRefused: string[] = [];
    let sent = 0;
    for (const r of routes(t.app)) {
      for (const { who, client, token } of callers.get(label(r))!) {
        // HEAD reads what its GET twin reads.
        const cases = casesFor(r, inputs.get(label(r)) ?? inputs.get(routeKey('GET', r.url)), token);
        if (r.url === '/csp-report') {
          // Browsers' reports, with NUL where a page's text is quoted.
          for (const field of ['document-uri', 'blocked-uri', 'script-sample']) {
            const fields: Array<[string, string]> = [
              ['document-uri', 'https://localhost/'],
              ['blocked-uri', 'inline'],
              ['effective-directive', 'script-src-elem'],
              ['script-sample', 'alert(1)'],
            ];
            cases.push({
              name: `report ${field}`,
              url: '/csp-report',
              body: { kind: 'csp', fields: fields.map(([k, v]) => [k, k === field ? `${v}${NUL}` : v]) },
            });
          }
        }
        for (const s of cases) {
          const res = await send(t.app, client, r.method, s, token);
          sent += 1;
          const line = `${label(r)} as ${who} — ${s.name}: ${res.statusCode} ${res.body.slice(0, 160).replace(/\s+/g, ' ')}`;
          if (res.statusCode >= 500) serverErrors.push(line);
          else if (!refused(res, r.method)) notRefused.push(line);
        }
      }
    }
    expect(serverErrors).toEqual([]);
    expect(notRefused).toEqual([]);
    expect(await snapshot(t)).toEqual(before);
    expect(sent).toBeGreaterThan(500);
  }, 600_000);
});
