// Email link tokens on both databases: hashed at rest, single use even under
// a race, superseded by a newer link, and anything malformed is just "invalid".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEmailToken, consumeEmailToken, issueEmailToken } from '../../../src/domain/accounts/email-tokens.js';
import { availableDialects } from '../../helpers/db.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';

describe.each(await availableDialects())('email tokens on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  const issue = async (userId: number, purpose: 'reset-password' | 'verify-email' = 'reset-password') =>
    issueEmailToken(t.db, { userId, purpose, ttlSeconds: 3600 });

  it('gives a 256-bit URL-safe token and stores only its SHA-256', async () => {
    const user = await t.createUser();
    const token = await issue(user.id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await t.db.selectFrom('email_tokens').selectAll().where('user_id', '=', user.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('checking does not use the token; consuming does, once', async () => {
    const user = await t.createUser();
    const token = await issue(user.id);
    expect(await checkEmailToken(t.db, token, 'reset-password')).toEqual({ ok: true, userId: user.id, newEmail: null });
    expect(await checkEmailToken(t.db, token, 'reset-password')).toMatchObject({ ok: true });
    expect(await consumeEmailToken(t.db, token, 'reset-password')).toEqual({
      ok: true,
      userId: user.id,
      newEmail: null,
    });
    expect(await consumeEmailToken(t.db, token, 'reset-password')).toEqual({ ok: false, why: 'used' });
    expect(await checkEmailToken(t.db, token, 'reset-password')).toEqual({ ok: false, why: 'used' });
  });

  it('carries the new address of a change link', async () => {
    const user = await t.createUser();
    const token = await issueEmailToken(t.db, {
      userId: user.id,
      purpose: 'change-email',
      ttlSeconds: 60,
      newEmail: 'new@school.example.org',
    });
    expect(await consumeEmailToken(t.db, token, 'change-email')).toEqual({
      ok: true,
      userId: user.id,
      newEmail: 'new@school.example.org',
    });
  });

  it('an expired token is "expired" and stays unused', async () => {
    const user = await t.createUser();
    const token = await issue(user.id);
    await t.db
      .updateTable('email_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('user_id', '=', user.id)
      .execute();
    expect(await consumeEmailToken(t.db, token, 'reset-password')).toEqual({ ok: false, why: 'expired' });
    const row = await t.db
      .selectFrom('email_tokens')
      .select('used_at')
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    expect(row?.used_at).toBeNull();
  });

  it('a newer link of the same kind replaces the older one; other kinds and accounts are untouched', async () => {
    const user = await t.createUser();
    const other = await t.createUser();
    const first = await issue(user.id);
    const verify = await issue(user.id, 'verify-email');
    const others = await issue(other.id);
    const second = await issue(user.id);
    expect(await checkEmailToken(t.db, first, 'reset-password')).toEqual({ ok: false, why: 'expired' });
    expect(await checkEmailToken(t.db, second, 'reset-password')).toMatchObject({ ok: true });
    expect(await checkEmailToken(t.db, verify, 'verify-email')).toMatchObject({ ok: true });
    expect(await checkEmailToken(t.db, others, 'reset-password')).toMatchObject({ ok: true, userId: other.id });
  });

  it('malformed, truncated, forged and wrong-purpose tokens are "invalid", without a database error', async () => {
    const user = await t.createUser();
    const token = await issue(user.id);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    const forged = [
      '',
      'abc',
      token.slice(0, -1),
      token.slice(0, 20),
      `${token.slice(0, -1)}${last}`,
      `${token}A`,
      'x'.repeat(100_000),
      "' OR 1=1 --",
      `${token.slice(0, 40)}%00`,
      undefined,
      null,
      42,
      [token],
    ];
    for (const bad of forged) {
      expect(await checkEmailToken(t.db, bad, 'reset-password')).toEqual({ ok: false, why: 'invalid' });
      expect(await consumeEmailToken(t.db, bad, 'reset-password')).toEqual({ ok: false, why: 'invalid' });
    }
    expect(await consumeEmailToken(t.db, token, 'verify-email')).toEqual({ ok: false, why: 'invalid' });
    expect(await consumeEmailToken(t.db, token, 'reset-password')).toMatchObject({ ok: true });
  });

  it('of two requests racing with one token, exactly one succeeds', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await t.createUser();
      const token = await issue(user.id);
      const results = await Promise.all(
        [0, 1].map(() => t.db.transaction().execute(async (trx) => consumeEmailToken(trx, token, 'reset-password'))),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.find((r) => !r.ok)).toEqual({ ok: false, why: 'used' });
    }
  });

  it('a change that rolls back leaves its link usable', async () => {
    const user = await t.createUser();
    const token = await issue(user.id);
    await expect(
      t.db.transaction().execute(async (trx) => {
        expect(await consumeEmailToken(trx, token, 'reset-password')).toMatchObject({ ok: true });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await consumeEmailToken(t.db, token, 'reset-password')).toMatchObject({ ok: true });
  });

  it('tokens go with their account', async () => {
    const user = await t.createUser();
    const token = await issue(user.id);
    await t.db.deleteFrom('users').where('id', '=', user.id).execute();
    expect(await consumeEmailToken(t.db, token, 'reset-password')).toEqual({ ok: false, why: 'invalid' });
  });
});
