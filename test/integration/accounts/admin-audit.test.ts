import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../../src/domain/audit.js';
import { createTestApp, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { count, decode } from './helpers.js';

const entryIds = (html: string) => [...html.matchAll(/data-audit-id="(\d+)"/g)].map((m) => Number(m[1]));

describe.each(await availableDialects())('audit log page on %s', (dialect) => {
  let t: TestApp;
  let admin: TestUser;
  let a: TestClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = await t.createUser({ isAdmin: true, email: 'auditor@school.example.org' });
    a = t.client({ ip: '198.51.100.4' });
    await a.loginAs(admin);
  });
  afterAll(async () => {
    await t.close();
  });

  async function entry(
    action: string,
    opts: { at?: string; email?: string | null; ip?: string; targetId?: number } = {},
  ) {
    await audit(
      t.db,
      {
        id: null,
        email: opts.email === undefined ? 'someone@school.example.org' : opts.email,
        ip: opts.ip ?? '192.0.2.1',
      },
      { action, targetType: 'user', targetId: opts.targetId ?? 1, details: { note: action } },
    );
    if (opts.at) {
      const last = await t.db
        .selectFrom('audit_log')
        .select('id')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      await t.db.updateTable('audit_log').set({ created_at: opts.at }).where('id', '=', last.id).execute();
    }
    return (await t.db.selectFrom('audit_log').select('id').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow())
      .id;
  }

  it('shows who, what, which target, when and from where — newest first', async () => {
    const user = await t.createUser({ firstName: 'Target', lastName: 'Person' });
    const res = await a.post(`/admin/users/${user.id}`, {
      first_name: user.firstName,
      last_name: user.lastName,
      email: user.email,
      role: 'admin',
      year_group: '9',
    });
    expect(res.statusCode).toBe(303);
    const page = await a.get('/admin/audit');
    expect(page.statusCode).toBe(200);
    const html = decode(page.body);
    const row = /<tr data-audit-id="\d+">([\s\S]*?)<\/tr>/.exec(html)![1]!;
    expect(row).toContain('auditor@school.example.org');
    expect(row).toContain('<code>user.role_changed</code>');
    expect(row).toContain('{"from":"student","to":"admin"}');
    expect(row).toContain(`<a href="/admin/users/${user.id}/edit">user #${user.id}</a>`);
    expect(row).toContain('198.51.100.4');
    expect(row).toMatch(/<time datetime="\d{4}-\d{2}-\d{2}T/);
  });

  it('filters by action, action area, actor, target, IP and dates, and pages by 50', async () => {
    const old = await entry('challenge.delete', {
      at: '2020-01-15T10:00:00.000Z',
      email: 'old.admin@school.example.org',
      ip: '203.0.113.50',
      targetId: 77,
    });
    const mid = await entry('challenge.create', {
      at: '2020-02-01T10:00:00.000Z',
      email: 'old.admin@school.example.org',
      targetId: 78,
    });
    const anon = await entry('login.failure', { email: null, ip: '203.0.113.99' });
    const ids = async (qs: string) => entryIds((await a.get(`/admin/audit?${qs}`)).body);
    expect(await ids('action=challenge.delete')).toEqual([old]);
    expect(await ids('action=challenge.')).toEqual([mid, old]);
    expect(await ids('actor=OLD.ADMIN')).toEqual([mid, old]);
    expect(await ids('target_type=user&target_id=78')).toEqual([mid]);
    expect(await ids('ip=203.0.113.99')).toEqual([anon]);
    expect(await ids('from=2020-01-01&to=2020-01-31')).toEqual([old]);
    expect(await ids('from=2020-02-01&to=2020-02-01')).toEqual([mid]);
    expect((await a.get('/admin/audit?ip=203.0.113.99')).body).toContain('anonymous');
    // Nonsense filters are ignored, not errors.
    const odd = await a.get('/admin/audit?from=2020-13-45&to=yesterday&page=-1');
    expect(odd.statusCode).toBe(200);

    for (let i = 0; i < 60; i++) await entry('paging.test');
    const page1 = await ids('action=paging.test');
    const page2 = await ids('action=paging.test&page=2');
    expect(page1).toHaveLength(50);
    expect(page2).toHaveLength(10);
    expect(new Set([...page1, ...page2]).size).toBe(60);
    expect(Math.min(...page1)).toBeGreaterThan(Math.max(...page2));
    expect(decode((await a.get('/admin/audit?action=paging.test')).body)).toContain(
      'href="/admin/audit?action=paging.test&page=2"',
    );
  });

  it('reading the log changes nothing', async () => {
    const before = await count(t, 'audit_log');
    await a.get('/admin/audit');
    await a.get('/admin/audit?action=user.');
    expect(await count(t, 'audit_log')).toBe(before);
  });

  it('is for admins only', async () => {
    const student = await t.createUser();
    const s = t.client();
    await s.loginAs(student);
    expect((await s.get('/admin/audit')).statusCode).toBe(403);
    expect((await t.client().get('/admin/audit')).headers.location).toBe('/login?next=%2Fadmin%2Faudit');
  });
});
