// The default privacy notice names what is kept and for how long, with a
// paragraph for under-13s; an admin's own text is never replaced by it. Every
// page's footer has "Report a problem", going where REPORT_PROBLEM_URL says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPIRED_TOKEN_KEEP_DAYS } from '../../../src/domain/accounts/email-tokens.js';
import { OUTBOX_KEEP_DAYS } from '../../../src/domain/mail/outbox.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/\s+/g, ' ');

describe.each(await availableDialects())('privacy notice and problem reports on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect, { REPORT_PROBLEM_URL: 'mailto:maths@school.example.org' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('the default privacy notice says what is kept, for how long, and speaks to under-13s', async () => {
    const body = text((await t.client().get('/privacy')).body);
    expect(body).toContain('UK GDPR');
    for (const kept of [
      'Your account',
      'Your answers',
      'Your sign-ins (sessions)',
      'Emails we send you',
      'The security log (audit log)',
    ])
      expect(body).toContain(kept);
    expect(body).toContain('after 2 hours without use and at the latest after 24 hours, or after 30 days');
    expect(body).toContain(`the record that it was sent is deleted ${OUTBOX_KEEP_DAYS} days later`);
    expect(body).toContain(`deleted ${EXPIRED_TOKEN_KEEP_DAYS} days after that`);
    expect(body).toContain('Information Commissioner');
    expect(body).toContain('If you are under 13');
    expect(await t.db.selectFrom('pages').selectAll().execute()).toEqual([]);
  });

  it('a privacy page an admin has saved keeps its own words', async () => {
    const admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
    await admin.post('/admin/pages/privacy', { title: 'Our privacy notice', content_html: '<p>Our own words.</p>' });
    const body = (await t.client().get('/privacy')).body;
    expect(body).toContain('<p>Our own words.</p>');
    expect(body).not.toContain('If you are under 13');
  });

  it('every page’s footer links to the configured problem address', async () => {
    for (const path of ['/', '/privacy', '/login', '/no-such-page']) {
      const body = (await t.client().get(path)).body;
      expect(body, path).toMatch(/<footer[\s\S]*<a href="mailto:maths@school.example.org">Report a problem<\/a>/);
    }
  });

  it('without the setting a no-reply sender sends people to the About page', async () => {
    const plain = await createTestApp(dialect);
    try {
      expect((await plain.client().get('/')).body).toContain('<a href="/about">Report a problem</a>');
    } finally {
      await plain.close();
    }
  });
});
