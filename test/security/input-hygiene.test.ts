// The outside test's cases for control characters: NUL in the login and
// registration email, %00 in the admin user search and the audit filters. Each
// answers 400 with a clear message (an HTML page, or JSON by Accept), writes
// nothing, and leaves no error or stack trace in the log. Around them: what is
// still allowed (line breaks in body text, file bytes, lone surrogates) and
// that the CSRF and access checks still answer first.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createTestApp, TEST_PASSWORD, TestClient, type TestApp } from '../helpers/app.js';
import { availableDialects } from '../helpers/db.js';
import { registration } from '../integration/accounts/helpers.js';
import { multipartBody } from './input-discovery.js';
import { seedData, snapshot } from './routes.js';

const MESSAGE = 'The request contains characters that are not allowed (control characters).';
const AUDIT_FILTERS = ['action', 'actor', 'target_type', 'target_id', 'ip', 'from', 'to', 'page'];

interface LogLine {
  level: number;
  msg: string;
  err?: { stack?: string };
  statusCode?: number;
  where?: string;
}

function refusedPage(res: LightMyRequestResponse): void {
  expect(res.statusCode).toBe(400);
  expect(String(res.headers['content-type'])).toContain('text/html');
  expect(res.body).toContain(MESSAGE);
  expect(res.body).toContain('That request could not be understood');
}

function refusedJson(res: LightMyRequestResponse): void {
  expect(res.statusCode).toBe(400);
  expect(res.json()).toEqual({ error: MESSAGE });
}

describe.each(await availableDialects())('control characters on %s', (dialect) => {
  let t: TestApp;
  let app: FastifyInstance;
  let dir: string;
  let logFile: string;
  let admin: TestClient;
  const client = (opts?: { https?: boolean }) => new TestClient(app, opts);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-control-chars-'));
    logFile = join(dir, 'app.log');
    const env = { UPLOAD_DIR: join(dir, 'uploads') };
    t = await createTestApp(dialect, env);
    await seedData(t);
    // The same database, served by an app with its real logger writing to a file.
    const config = loadConfig({
      APP_ENV: 'testing',
      SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
      LOG_LEVEL: 'info',
      LOG_TO_STDOUT: 'false',
      LOG_FILE: logFile,
      CSRF_ENABLED: 'true',
      ...env,
    });
    app = await buildApp(config, { database: t.database });
    await app.ready();
    admin = client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function logLines(completed: number): Promise<LogLine[]> {
    // The file is written asynchronously: wait until every request's access line is there.
    let lines: LogLine[] = [];
    for (let i = 0; i < 50; i += 1) {
      lines = readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LogLine);
      if (lines.filter((l) => l.msg === 'request completed' || l.msg === 'request errored').length >= completed) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return lines;
  }

  it('the findings: NUL in login and registration emails, %00 in the user search and audit filters → 400, nothing written, no error logged', async () => {
    const student = await t.createUser();
    const before = await snapshot(t);
    const sent = 5 + 9 + AUDIT_FILTERS.length + 1;

    refusedPage(await client().post('/login', { email: `${student.email}\u0000`, password: TEST_PASSWORD }));
    refusedPage(await client().post('/login', { email: '\u0000', password: TEST_PASSWORD }));
    refusedJson(
      await client().post(
        '/login',
        { email: `${student.email}\u0000`, password: TEST_PASSWORD },
        { headers: { accept: 'application/json' } },
      ),
    );
    const form = registration({ email: 'ada\u0000@school.example.org' });
    refusedPage(await client().post('/register', form));
    refusedPage(await client().post('/register', registration({ first_name: 'A\u0000da' })));

    for (const q of ['%00', 'a%00b', '%00%27']) {
      refusedPage(await admin.get(`/admin/users?q=${q}`));
      refusedJson(await admin.get(`/admin/users?q=${q}`, { accept: 'application/json' }));
      refusedJson(await admin.get(`/admin/users/search?q=${q}`));
    }
    for (const name of AUDIT_FILTERS) refusedPage(await admin.get(`/admin/audit?${name}=%00`));
    refusedPage(await admin.get('/admin/audit?action=user.&actor=a%00'));

    // No account was made, nothing else changed, and the student's account still works.
    expect(await t.db.selectFrom('users').select('id').where('email', 'like', 'ada%').execute()).toEqual([]);
    expect(await snapshot(t)).toEqual(before);
    expect((await client().post('/login', { email: student.email, password: TEST_PASSWORD })).statusCode).toBe(303);

    const lines = await logLines(sent);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines.filter((l) => l.err?.stack)).toEqual([]);
    const refusals = lines.filter((l) => l.msg === 'request refused: control characters');
    expect(refusals).toHaveLength(sent);
    expect(refusals.every((l) => l.level === 30)).toBe(true);
    expect(refusals.map((l) => l.where)).toEqual(
      expect.arrayContaining(['body.email', 'body.first_name', 'query.q', 'query.target_type']),
    );
  });

  it('other C0 controls and DEL are refused too; a single value may not hold tab or newline', async () => {
    refusedPage(await client().post('/register', registration({ last_name: 'Love\u0007lace' })));
    refusedPage(await client().post('/register', registration({ maths_class: '9X\u001b[31m' })));
    refusedPage(await client().post('/register', registration({ first_name: 'Ada\u007f' })));
    for (const v of ['%09', '%0A', '%0D', '%01', '%1F', '%7F']) refusedPage(await admin.get(`/admin/users?q=a${v}`));
    refusedPage(await admin.get('/admin/users/%00/edit'));
    refusedPage(await admin.get('/articles/1%00'));
  });

  it('multi-line body text keeps its tabs and line breaks', async () => {
    const content = '<p>one</p>\r\n\t<p>two</p>\n';
    const res = await admin.post('/admin/announcements', { title: 'Line breaks', content_html: content });
    expect(res.statusCode).toBe(303);
    const row = await t.db
      .selectFrom('announcements')
      .select('content_html')
      .where('title', '=', 'Line breaks')
      .executeTakeFirstOrThrow();
    expect(row.content_html).toContain('<p>one</p>');
    expect(row.content_html).toContain('<p>two</p>');
  });

  it('multipart: text fields and file names are checked, file bytes are not', async () => {
    const token = await admin.csrfToken();
    const send = (url: string, fields: Array<[string, string]>, files: Array<[string, string]>) => {
      const m = multipartBody([...fields, ['_csrf', token]], files);
      const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      return app.inject({ method: 'POST', url, headers: { cookie, 'content-type': m.type }, payload: m.payload });
    };
    const article: Array<[string, string]> = [
      ['title', 'Multipart'],
      ['author_name', 'A. Author'],
      ['content_html', '<p>x</p>'],
      ['type', 'article'],
    ];
    refusedPage(
      await send(
        '/admin/articles',
        article.map(([k, v]) => [k, k === 'title' ? `Multi\u0000part` : v]),
        [['pdf', '']],
      ),
    );
    refusedPage(await send('/admin/challenges/1/image', [], [['image', 'diagram\u0000.png']]));
    // A real PNG (its bytes hold NULs) with an ordinary name goes through.
    const ok = await send('/admin/challenges/1/image', [], [['image', 'diagram.png']]);
    expect(ok.statusCode).toBe(303);
    expect(ok.body).not.toContain(MESSAGE);
    const challenge = await t.db
      .selectFrom('challenges')
      .select('image_upload_id')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    expect(challenge.image_upload_id).not.toBeNull();
  });

  it('CSP reports: a report with NUL is refused in JSON, one quoting code with line breaks is kept', async () => {
    const report = (sample: string) =>
      JSON.stringify({
        'csp-report': {
          'document-uri': 'http://localhost/',
          'blocked-uri': 'inline',
          'effective-directive': 'script-src-elem',
          'script-sample': sample,
        },
      });
    const post = (payload: string) =>
      app.inject({
        method: 'POST',
        url: '/csp-report',
        headers: { 'content-type': 'application/csp-report' },
        payload,
      });
    refusedJson(await post(report('alert(1)\u0000')));
    expect((await post(report('if (a) {\n\talert(1)\r\n}'))).statusCode).toBe(204);
  });

  it('lone surrogates are not control characters (PostgreSQL stores them as U+FFFD)', async () => {
    const token = await admin.csrfToken();
    const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await app.inject({
      method: 'POST',
      url: '/api/math/normalize',
      payload: '{"expression":"x\\ud800"}',
      headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': token },
    });
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).not.toContain(MESSAGE);
  });

  it('the CSRF and access checks still answer first', async () => {
    const cross = await client().post(
      '/login',
      { email: '\u0000', password: 'x' },
      { headers: { origin: 'https://evil.example' } },
    );
    expect(cross.statusCode).toBe(403);
    expect(cross.body).toContain('another site');
    const anonymous = await client().get('/admin/users?q=%00');
    expect(anonymous.statusCode).toBe(302);
    expect(String(anonymous.headers.location)).toMatch(/^\/login\?next=/);
    const student = client();
    await student.loginAs(await t.createUser());
    expect((await student.get('/admin/audit?action=%00')).statusCode).toBe(403);
  });

  it('an unknown address with %00 is still a 404', async () => {
    expect((await client().get('/no-such-page?q=%00')).statusCode).toBe(404);
  });
});
