// POST /csp-report: both report formats, size limit, structured log line,
// counted in this process and persisted for the admin page; no CSRF token or
// session needed (browsers send reports on their own).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { cspReportSummary, CSP_REPORT_BODY_LIMIT } from '../../src/security/csp-report.js';
import { availableDialects, createTestDatabase } from '../helpers/db.js';
import { createTestApp, ONE_PROXY, type TestApp } from '../helpers/app.js';
import { STRONG_SECRET } from './helpers.js';

const LEGACY = {
  'csp-report': {
    'document-uri': 'https://maths.example.org/challenges/4?session=abc',
    'violated-directive': 'script-src-elem',
    'effective-directive': 'script-src-elem',
    'blocked-uri': 'https://evil.example/steal.js',
    disposition: 'enforce',
    'line-number': 3,
  },
};
const BATCH = [
  {
    type: 'csp-violation',
    age: 1,
    url: 'https://maths.example.org/',
    body: {
      documentURL: 'https://maths.example.org/',
      blockedURL: 'inline',
      effectiveDirective: 'script-src-elem',
      disposition: 'enforce',
    },
  },
  {
    type: 'csp-violation',
    age: 1,
    url: 'https://maths.example.org/a',
    body: {
      documentURL: 'https://maths.example.org/a',
      blockedURL: 'eval',
      effectiveDirective: 'script-src',
      disposition: 'enforce',
    },
  },
];

const post = (t: TestApp, type: string, payload: string, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/csp-report',
    headers: { 'content-type': type, 'x-forwarded-proto': 'https', ...headers },
    payload,
  });

describe.each(await availableDialects())('/csp-report in production on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { APP_ENV: 'production', SECRET_KEY: STRONG_SECRET, RATELIMIT_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('accepts application/csp-report without a CSRF token or session, and counts it', async () => {
    const res = await post(t, 'application/csp-report', JSON.stringify(LEGACY));
    expect(res.statusCode).toBe(204);
    expect(res.headers['set-cookie']).toBeUndefined();
    const summary = await cspReportSummary(t.app);
    expect(summary).toMatchObject({ total: 1, sinceStart: 1 });
    expect(summary.recent[0]).toMatchObject({
      documentUri: 'https://maths.example.org/challenges/4',
      blockedUri: 'https://evil.example/steal.js',
      effectiveDirective: 'script-src-elem',
    });
    expect(summary.lastAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('accepts an application/reports+json batch and counts each violation; the total persists in settings', async () => {
    expect((await post(t, 'application/reports+json', JSON.stringify(BATCH))).statusCode).toBe(204);
    const summary = await cspReportSummary(t.app);
    expect(summary.total).toBe(3);
    expect(summary.recent.map((r) => r.blockedUri).slice(0, 2)).toEqual(['eval', 'inline']);
    const row = await t.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'csp_reports.total')
      .executeTakeFirstOrThrow();
    expect(row.value).toBe('3');
  });

  it('also takes a report sent as application/json', async () => {
    expect((await post(t, 'application/json', JSON.stringify(LEGACY))).statusCode).toBe(204);
    expect((await cspReportSummary(t.app)).total).toBe(4);
  });

  it('refuses bodies larger than the limit with 413, and counts nothing', async () => {
    const huge = JSON.stringify({ 'csp-report': { 'document-uri': 'x'.repeat(CSP_REPORT_BODY_LIMIT) } });
    for (const type of ['application/csp-report', 'application/reports+json', 'application/json']) {
      const res = await post(t, type, huge);
      expect(res.statusCode, type).toBe(413);
      expect(res.json()).toEqual({ error: expect.any(String) as unknown });
    }
    expect((await cspReportSummary(t.app)).total).toBe(4);
  });

  it('refuses broken JSON, bodies that are not reports, and other content types with a clear JSON error', async () => {
    const bad = await post(t, 'application/csp-report', '{"csp-report":');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: expect.any(String) as unknown });
    expect((await post(t, 'application/reports+json', '[{"type":"deprecation","body":{}}]')).statusCode).toBe(400);
    expect((await post(t, 'application/csp-report', '{"hello":"world"}')).statusCode).toBe(400);
    expect((await post(t, 'application/xml', '<report/>')).statusCode).toBe(415);
    expect((await post(t, 'text/plain', 'hello')).statusCode).toBe(400);
    expect((await cspReportSummary(t.app)).total).toBe(4);
  });

  it('answers only POST', async () => {
    const res = await t.app.inject({ url: '/csp-report', headers: { 'x-forwarded-proto': 'https' } });
    expect(res.statusCode).toBe(404);
  });
});

describe('/csp-report logging', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mathsoc-csp-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each violation as one structured JSON line, without query strings', async () => {
    const file = join(dir, 'app.log');
    const config = loadConfig({
      APP_ENV: 'testing',
      SECRET_KEY: STRONG_SECRET,
      LOG_FILE: file,
      LOG_LEVEL: 'warn',
      ...ONE_PROXY,
    });
    const database = await createTestDatabase('sqlite');
    const app = await buildApp(config, { database });
    await app.ready();
    const res = await app.inject({
      method: 'POST',
      url: '/csp-report',
      headers: { 'content-type': 'application/csp-report', 'x-forwarded-for': '203.0.113.9' },
      payload: JSON.stringify(LEGACY),
    });
    expect(res.statusCode).toBe(204);
    // The log is written asynchronously: wait (up to 10 s) for the line to land.
    const read = () => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    for (let i = 0; i < 200 && !read().includes('csp-violation'); i++) await new Promise((r) => setTimeout(r, 50));
    await app.close();
    await database.dispose();
    const lines = read()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const entry = lines.find((l) => l.event === 'csp-violation');
    expect(entry).toMatchObject({
      msg: 'CSP violation',
      ip: '203.0.113.9',
      csp: {
        documentUri: 'https://maths.example.org/challenges/4',
        blockedUri: 'https://evil.example/steal.js',
        effectiveDirective: 'script-src-elem',
        line: 3,
      },
    });
    expect(JSON.stringify(lines)).not.toContain('session=abc');
  });
});
