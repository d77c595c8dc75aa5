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

  it('test-equivalence applies answer forms and names the form a right value is not written in', async () => {
    const ask = async (options: unknown) =>
      (
        await admin.post(
          '/api/math/test-equivalence',
          { expr1: '2x+3', expr2: '(x+1)^2-x^2+2', options },
          { json: true },
        )
      ).json<Record<string, unknown>>();
    expect(await ask(undefined)).toMatchObject({ equivalent: true, reason: 'equivalent', form: null });
    const refused = await ask({ form: ['expanded'] });
    expect(refused).toMatchObject({ equivalent: false, reason: 'wrong-form', form: 'expanded' });
    expect(String(refused.detail)).toContain('bracket');
    const right = await admin.post(
      '/api/math/test-equivalence',
      { expr1: '2x+3', expr2: '3+2x', options: { form: ['expanded', 'simplified'] } },
      { json: true },
    );
    expect(right.json()).toMatchObject({ equivalent: true, form: null });
    // The older switch is the alias of the form "simplified".
    const alias = await admin.post(
      '/api/math/test-equivalence',
      { expr1: '\\frac{3}{4}', expr2: '\\frac{6}{8}', options: { requireSimplified: true } },
      { json: true },
    );
    expect(alias.json()).toMatchObject({ equivalent: false, reason: 'wrong-form', form: 'simplified' });
  });

  it('test-equivalence refuses an unknown form with a 400 that lists the forms', async () => {
    const res = await admin.post(
      '/api/math/test-equivalence',
      { expr1: '1', expr2: '1', options: { form: ['expanded', 'neat'] } },
      { json: true },
    );
    expect(res.statusCode).toBe(400);
    const error = res.json<{ error: string }>().error;
    expect(error).toContain('options.form');
    expect(error).toContain('mixed-number');
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

  it('the tester page offers every answer form as a checkbox, and applies the ticked ones without JavaScript', async () => {
    const page = await admin.get('/admin/math');
    const boxes = [...page.body.matchAll(/<input type="checkbox" name="form" value="([\w-]+)"/g)].map((m) => m[1]);
    expect(boxes).toEqual([
      'simplified',
      'fraction',
      'mixed-number',
      'decimal',
      'standard-form',
      'factorised',
      'expanded',
      'power',
      'surd',
      'exact',
    ]);
    expect(page.body).toContain('x² + 2x + 3, not (x+1)² + 2');
    expect(page.body).not.toMatch(/name="form"[^>]*checked/);

    // Two ticked boxes arrive as a repeated field; the page keeps them ticked.
    const token = await admin.csrfToken();
    const body = new URLSearchParams([
      ['expr1', '3^4'],
      ['expr2', '81'],
      ['form', 'power'],
      ['form', 'exact'],
      ['form', 'no-such-form'],
      ['_csrf', token],
    ]).toString();
    const refused = await admin.post('/admin/math', body);
    expect(refused.statusCode).toBe(200);
    expect(refused.body).toContain('Not equivalent');
    expect(refused.body).toContain('wrong-form');
    expect(refused.body).toMatch(/data-result="form">A single power</);
    expect(refused.body).toMatch(/value="power" checked/);
    expect(refused.body).toMatch(/value="exact" checked/);
    expect(refused.body).not.toMatch(/value="surd" checked/);

    const accepted = await admin.post('/admin/math', { expr1: '3^4', expr2: '3^{4}', form: 'power' });
    expect(accepted.body).toContain('Equivalent: the answer would be marked correct');
    expect(accepted.body).not.toContain('data-result="form"');

    // The older "requireSimplified" field still means the form "simplified".
    const alias = await admin.post('/admin/math', {
      expr1: '\\frac{3}{4}',
      expr2: '\\frac{6}{8}',
      requireSimplified: 'on',
    });
    expect(alias.body).toContain('wrong-form');
    expect(alias.body).toMatch(/value="simplified" checked/);
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
