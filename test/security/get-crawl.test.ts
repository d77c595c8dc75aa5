// No GET or HEAD request changes the database: every GET route of the route
// table is crawled as an admin, a teacher, a student and an anonymous visitor, with a
// snapshot of every table's rows before and after. The same crawl checks what
// the CSP needs of every page (each <script> carries this response's nonce;
// no inline event handlers, javascript: URLs, <style> elements or style
// attributes) and that every POST form
// carries the CSRF field.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient } from '../helpers/app.js';
import { availableDialects } from '../helpers/db.js';
import { hit, label, routes, seedData, snapshot } from './routes.js';

/** Problems a page would have under the production CSP. */
export function cspProblems(res: LightMyRequestResponse): string[] {
  if (!String(res.headers['content-type'] ?? '').includes('text/html')) return [];
  const nonce = /'nonce-([^']+)'/.exec(String(res.headers['content-security-policy'] ?? ''))?.[1];
  const problems: string[] = [];
  for (const tag of res.body.match(/<script\b[^>]*>/gi) ?? []) {
    const attr = /\snonce="([^"]*)"/.exec(tag)?.[1];
    if (!nonce || attr !== nonce) problems.push(`script without this response's nonce: ${tag}`);
  }
  for (const m of res.body.match(/<[a-z][^>]*\son[a-z]+\s*=[^>]*>/gi) ?? [])
    problems.push(`inline event handler: ${m.slice(0, 100)}`);
  if (/\s(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:/i.test(res.body)) problems.push('javascript: URL');
  // style-src has no 'unsafe-inline': a <style> element would be refused. Style
  // attributes are allowed only for MathLive's run-time markup, never in a page.
  for (const m of res.body.match(/<style\b[^>]*>/gi) ?? []) problems.push(`<style> element: ${m}`);
  for (const m of res.body.match(/<[a-z][^>]*\sstyle\s*=[^>]*>/gi) ?? [])
    problems.push(`style attribute: ${m.slice(0, 100)}`);
  return problems;
}

/** POST forms without the CSRF field (they would fail without JavaScript, or in production). */
export function formProblems(res: LightMyRequestResponse): string[] {
  if (!String(res.headers['content-type'] ?? '').includes('text/html')) return [];
  const problems: string[] = [];
  for (const form of res.body.match(/<form\b[^>]*>[\s\S]*?<\/form>/gi) ?? []) {
    const open = /<form\b[^>]*>/i.exec(form)![0];
    if (!/\smethod\s*=\s*["']?post/i.test(open)) continue;
    if (
      !/<input\b[^>]*\sname="_csrf"[^>]*\svalue="[^"]+"/i.test(form) &&
      !/<input\b[^>]*\svalue="[^"]+"[^>]*\sname="_csrf"/i.test(form)
    ) {
      problems.push(`POST form without a CSRF field: ${open}`);
    }
  }
  return problems;
}

describe.each(await availableDialects())('GET crawl on %s', (dialect) => {
  let t: TestApp;
  const clients: Record<string, TestClient | null> = {};
  beforeAll(async () => {
    t = await createTestApp(dialect);
    await seedData(t);
    clients.admin = t.client();
    await clients.admin.loginAs(await t.createUser({ isAdmin: true }));
    clients.teacher = t.client();
    await clients.teacher.loginAs(await t.createUser({ teacher: true }));
    clients.student = t.client();
    await clients.student.loginAs(await t.createUser());
    clients.anonymous = null;
  });
  afterAll(async () => {
    await t.close();
  });

  const safeRoutes = () => routes(t.app).filter((r) => r.method === 'GET' || r.method === 'HEAD');

  it.each(['admin', 'teacher', 'student', 'anonymous'])(
    'crawling every GET and HEAD route as %s changes no row of any table',
    async (role) => {
      const before = await snapshot(t);
      expect(Object.keys(before)).toEqual(
        expect.arrayContaining(['users', 'sessions', 'challenges', 'submissions', 'settings', 'audit_log']),
      );
      const problems: string[] = [];
      let pages = 0;
      for (const r of safeRoutes()) {
        const res = await hit(t, clients[role]!, r);
        if (res.statusCode >= 500) problems.push(`${label(r)}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        for (const p of [...cspProblems(res), ...formProblems(res)]) problems.push(`${label(r)}: ${p}`);
        if (res.statusCode === 200 && String(res.headers['content-type']).includes('text/html')) {
          pages += 1;
          // A page for a signed-in user names them: no cache may keep it.
          if (role !== 'anonymous' && res.headers['cache-control'] !== 'no-store')
            problems.push(`${label(r)}: cached (${res.headers['cache-control']})`);
        }
      }
      expect(problems).toEqual([]);
      expect(await snapshot(t)).toEqual(before);
      // The crawl reached real pages, not only redirects and 404s.
      expect(pages).toBeGreaterThan(role === 'anonymous' ? 3 : 5);
    },
  );

  it('the snapshot notices a changed row', async () => {
    const before = await snapshot(t);
    await t.db
      .insertInto('settings')
      .values({ key: 'crawl.probe', value: '1', updated_at: new Date().toISOString() })
      .execute();
    expect(await snapshot(t)).not.toEqual(before);
    await t.db.deleteFrom('settings').where('key', '=', 'crawl.probe').execute();
    expect(await snapshot(t)).toEqual(before);
  });

  it('the checks would notice a script without the nonce and an inline handler', () => {
    const fake = {
      headers: { 'content-type': 'text/html', 'content-security-policy': "script-src 'nonce-abc'" },
      body:
        '<script nonce="abc" src="/a.js"></script><script src="/b.js"></script><button onclick="x()">' +
        '<style>p{}</style><span class="strut" style="height:1em">',
    } as unknown as LightMyRequestResponse;
    expect(cspProblems(fake)).toHaveLength(4);
    const forms = {
      headers: { 'content-type': 'text/html' },
      body:
        '<form method="post" action="/a"><input type="hidden" name="_csrf" value="t"></form>' +
        '<form method="POST" action="/b"><input name="x"></form><form method="get" action="/c"></form>',
    } as unknown as LightMyRequestResponse;
    expect(formProblems(forms)).toEqual(['POST form without a CSRF field: <form method="POST" action="/b">']);
  });
});
