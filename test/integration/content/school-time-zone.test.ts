// Content pages show dates as the day in SCHOOL_TIMEZONE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';

// 23:30 UTC on 29 March 2026: 30 March in London, still 29 March in New York.
const LATE = '2026-03-29T23:30:00.000Z';

describe.each(await availableDialects())('dates in the school time zone on %s', (dialect) => {
  let t: TestApp;
  let articleId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect, { SCHOOL_TIMEZONE: 'America/New_York' });
    ({ id: articleId } = await t.db
      .insertInto('articles')
      .values({
        type: 'article',
        title: 'Late-night primes',
        author_name: 'Ada Lovelace',
        content_html: '<p>Primes</p>',
        published_at: LATE,
        created_at: LATE,
        updated_at: LATE,
      })
      .returning('id')
      .executeTakeFirstOrThrow());
  });
  afterAll(async () => {
    await t.close();
  });

  it('an article page and the article list show the day in New York, not in London', async () => {
    for (const url of [`/articles/${articleId}`, '/articles']) {
      const res = await t.client().get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain(`<time datetime="${LATE}">29 March 2026</time>`);
      expect(res.body, url).not.toContain('30 March 2026');
    }
  });
});
