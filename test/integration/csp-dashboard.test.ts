import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('the admin dashboard counts blocked page scripts (CSP violation reports)', () => {
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
    expect(before.body).toContain('<h2 id="csp-heading">Blocked page scripts (security reports)</h2>');
    expect(before.body).toContain('When a browser stops a script or other content that our pages do not allow');
    expect(before.body).not.toContain('Content Security Policy');
    expect(before.body).toContain('<strong>0</strong> reports received in all');
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
    expect(after.body).toContain('<strong>1</strong> report received in all (1 since the server started)');
    expect(after.body).toContain('script-src-elem blocked https://evil.example/x.js');
  });
});
