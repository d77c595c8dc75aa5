import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../../helpers/db.js';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';

interface Verdict {
  equivalent: boolean;
}

describe.each(await availableDialects())('admin math API and tester page on %s', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
  });

  it('test-equivalence answers with the verdict and both normalised forms', async () => {
    const res = await admin.post('/api/math/test-equivalence', { expr1: '\\frac{1}{2}', expr2: '0.5' }, { json: true });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({ equivalent: true, expr1: '\\frac{1}{2}', expr2: '0.5' });
    expect(typeof body.expr1_normalized).toBe('string');
    expect(typeof body.expr2_normalized).toBe('string');
  });

  it('test-equivalence says not equivalent for a wrong answer', async () => {
    const res = await admin.post(
      '/api/math/test-equivalence',
      { expr1: 'x^2-16', expr2: '\\left(x-4\\right)^2' },
      { json: true },
    );
    expect(res.json<Verdict>().equivalent).toBe(false);
  });

  it('applies box options sent with the request', async () => {
    const unordered = await admin.post('/api/math/test-equivalence', { expr1: '1, 2', expr2: '2, 1' }, { json: true });
    expect(unordered.json<Verdict>().equivalent).toBe(true);
    const ordered = await admin.post(
      '/api/math/test-equivalence',
      { expr1: '1, 2', expr2: '2, 1', options: { listOrder: 'ordered' } },
      { json: true },
    );
    expect(ordered.json<Verdict>().equivalent).toBe(false);
  });

  it.each([
    [{ expr1: '1' }, 'expr2'],
    [{ expr2: '1' }, 'expr1'],
    [{}, 'expr1'],
    [{ expr1: 1, expr2: '1' }, 'expr1'],
  ])('test-equivalence with %o is a 400 naming the field', async (body, fieldName) => {
    const res = await admin.post('/api/math/test-equivalence', body, { json: true });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: string }>().error).toContain(fieldName);
  });

  it('normalize answers {original, normalized}', async () => {
    const res = await admin.post('/api/math/normalize', { expression: '2\\times x+1' }, { json: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ original: '2\\times x+1', normalized: expect.any(String) as unknown });
  });

  it('normalize without an expression is a 400', async () => {
    const res = await admin.post('/api/math/normalize', {}, { json: true });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: string }>().error).toContain('expression');
  });

  it('hostile input is judged not equivalent, never a crash', async () => {
    for (const expr2 of [
      '9^{9^{9^{9}}}',
      '\\input{/etc/passwd}',
      '<script>alert(1)</script>',
      '('.repeat(3000).slice(0, 2000),
    ]) {
      const res = await admin.post('/api/math/test-equivalence', { expr1: '9', expr2 }, { json: true });
      expect(res.statusCode).toBe(200);
      expect(res.json<Verdict>().equivalent).toBe(false);
    }
  });

  it('is for admins only', async () => {
    const student = t.client();
    await student.loginAs(await t.createUser());
    const denied = await student.post('/api/math/test-equivalence', { expr1: '1', expr2: '1' }, { json: true });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toHaveProperty('error');
    const anonymous = await t.client().post('/api/math/normalize', { expression: '1' }, { json: true });
    expect(anonymous.statusCode).toBe(401);
    expect((await student.get('/admin/math')).statusCode).toBe(403);
  });

  it('the tester page has two labelled math fields and works without JavaScript', async () => {
    const page = await admin.get('/admin/math');
    expect(page.statusCode).toBe(200);
    expect(page.body.match(/data-mathfield/g)).toHaveLength(2);
    expect(page.body).toContain('<label for="expr1">');
    expect(page.body).toMatch(/<script type="module" src="\/assets\/math-tester-[\w-]+\.js"/);
    const posted = await admin.post('/admin/math', {
      expr1: '3\\sqrt{3}',
      expr2: '\\sqrt{27}',
      kind: 'auto',
      listOrder: 'unordered',
    });
    expect(posted.statusCode).toBe(200);
    expect(posted.body).toContain('Equivalent: the answer would be marked correct');
    const wrong = await admin.post('/admin/math', { expr1: '2\\sqrt{5}', expr2: '\\sqrt{10}' });
    expect(wrong.body).toContain('Not equivalent');
    const empty = await admin.post('/admin/math', { expr1: '', expr2: '1' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter both expressions.');
  });
});

describe('admin math API in the production profile', () => {
  let t: TestApp;
  let admin: TestClient;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { APP_ENV: 'production', RATELIMIT_MATH_API: '3 per minute' });
    admin = t.client({ https: true });
    await admin.loginAs(await t.createUser({ isAdmin: true }), {});
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a request without the CSRF token', async () => {
    const res = await admin.post('/api/math/normalize', { expression: '1' }, { json: true, csrf: false });
    expect(res.statusCode).toBe(403);
  });

  it('is rate limited by RATELIMIT_MATH_API', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await admin.post('/api/math/normalize', { expression: `${i}` }, { json: true })).statusCode);
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses).toContain(429);
  });
});
