// The performance measures that change what a visitor receives: compressed
// assets and pages (details in compression.test.ts), the public leaderboard
// and the home page's data served from memory for PUBLIC_CACHE_SECONDS, and the index
// behind a student's history on a challenge page.
import { brotliDecompressSync } from 'node:zlib';
import type SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { addToBoard } from '../../../src/domain/challenges/scoring.js';
import { assetUrl } from '../../../src/web/assets.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';

describe.each(await availableDialects())('performance measures on %s', (dialect) => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  it('compresses assets and pages for browsers that accept it', async () => {
    t = await createTestApp(dialect);
    const client = t.client();
    const css = await client.get(assetUrl('site.css'), { 'accept-encoding': 'gzip, deflate, br' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(css.rawPayload).toString()).toContain('{');
    const plain = await client.get(assetUrl('site.css'));
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(brotliDecompressSync(css.rawPayload).toString());

    const page = await client.get('/', { 'accept-encoding': 'gzip, deflate, br' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(page.rawPayload).toString()).toContain('<meta name="csrf-token"');
  });

  const stat = (html: string, name: string) => new RegExp(`data-stat="${name}">([^<]*)<`).exec(html)?.[1];

  it('serves the public board from memory for PUBLIC_CACHE_SECONDS, and fresh when it is 0', async () => {
    for (const [seconds, fresh] of [
      ['60', false],
      ['0', true],
    ] as const) {
      t = await createTestApp(dialect, { PUBLIC_CACHE_SECONDS: seconds });
      const student = await t.createUser({ firstName: 'Ada', lastName: 'Lovelace', keyStage: 'KS4', yearGroup: 10 });
      const now = new Date().toISOString();
      await addToBoard(t.db, { userId: student.id, keyStage: 'KS4', points: 3, completed: 1, submissions: 2, now });
      const before = await t.client().get('/leaderboard?ks=KS4');
      expect(before.statusCode).toBe(200);
      expect(before.body).toContain('Ada L.');
      expect(stat(before.body, 'participants')).toBe('1');

      const other = await t.createUser({ firstName: 'Grace', lastName: 'Hopper', keyStage: 'KS4', yearGroup: 10 });
      await addToBoard(t.db, { userId: other.id, keyStage: 'KS4', points: 1, completed: 1, submissions: 1, now });
      const after = await t.client().get('/leaderboard?ks=KS4');
      expect(after.body.includes('Grace H.'), `cache ${seconds} s`).toBe(fresh);
      expect(stat(after.body, 'participants')).toBe(fresh ? '2' : '1');
      expect(stat(after.body, 'points')).toBe(fresh ? '4' : '3');
      await t.close();
      t = undefined as unknown as TestApp;
    }
  });

  it('serves the home page data from memory for PUBLIC_CACHE_SECONDS, and fresh when it is 0', async () => {
    const members = (html: string) => /<span class="stat-number">(\d+)<\/span> members?</.exec(html)?.[1];
    for (const [seconds, fresh] of [
      ['60', false],
      ['0', true],
    ] as const) {
      t = await createTestApp(dialect, { PUBLIC_CACHE_SECONDS: seconds });
      await t.createUser();
      expect(members((await t.client().get('/')).body)).toBe('1');
      await t.createUser();
      expect(members((await t.client().get('/')).body), `cache ${seconds} s`).toBe(fresh ? '2' : '1');
      await t.close();
      t = undefined as unknown as TestApp;
    }
  });
});

describe("the index behind a student's history on a challenge page", () => {
  it('reads the tries of one student on one challenge from one index range, without sorting (SQLite)', async () => {
    const t = await createTestApp('sqlite');
    try {
      const conn = t.database.sqlite as SqliteDatabase.Database;
      const plan = conn
        .prepare(
          'explain query plan select * from "submissions" where "user_id" = ? and "challenge_id" = ? order by "created_at", "id"',
        )
        .all(1, 1) as { detail: string }[];
      const text = plan.map((p) => p.detail).join('\n');
      expect(text).toContain('submissions_user_challenge_time_idx');
      expect(text).not.toContain('TEMP B-TREE');
    } finally {
      await t.close();
    }
  });
});
