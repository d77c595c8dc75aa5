import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('the admin dashboard counts CSP violation reports', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows a report received at /csp-report', async () => {
    const admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
    const before = await admin.get('/admin');
    expect(before.body).toContain('<strong>0</strong> violation reports');
    const report = await t.app.inject({
      method: 'POST',
      url: '/csp-report',
      headers: { 'content-type': 'application/csp-report' },
      payload: JSON.stringify({
        'csp-report': {
          'document-uri': 'https://maths.example/challenges/1',
          'effective-directive': 'script-src-elem',
          'blocked-uri': 'https://evil.example/x.js',
        },
      }),
    });
    expect(report.statusCode).toBe(204);
    const after = await admin.get('/admin');
    expect(after.body).toContain('<strong>1</strong> violation reports');
    expect(after.body).toContain('script-src-elem blocked https://evil.example/x.js');
  });
});
