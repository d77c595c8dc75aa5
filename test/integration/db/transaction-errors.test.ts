// A transaction that fails reports why it failed, even when the rollback that
// follows fails too: a full SQLite database (SQLite has already ended the
// transaction itself) or a PostgreSQL connection killed mid-transaction.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/db.js';
import { serviceAvailable } from '../../helpers/services.js';

let handle: TestDatabase | null = null;
afterEach(async () => {
  await handle?.dispose();
  handle = null;
});

const count = async (db: TestDatabase['db']) =>
  Number((await sql<{ n: number }>`select count(*) as n from audit_log`.execute(db)).rows[0]!.n);

describe('a transaction on a full SQLite database', () => {
  it('fails with SQLITE_FULL, not "cannot rollback", writes nothing, and the next transaction works', async () => {
    handle = await createTestDatabase('sqlite');
    const { db } = handle;
    const sqlite = handle.sqlite!;
    sqlite.exec('vacuum');
    sqlite.pragma(`max_page_count = ${Number(sqlite.pragma('page_count', { simple: true }))}`);
    const before = await count(db);
    const failure = await db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into audit_log (action, created_at) values ('small', 'now')`.execute(trx);
        await sql`insert into audit_log (action, created_at, details) values ('large', 'now', ${'x'.repeat(100_000)})`.execute(
          trx,
        );
      })
      .then(
        () => null,
        (err: unknown) => err as { code?: string; message?: string },
      );
    expect(failure).toMatchObject({ code: 'SQLITE_FULL' });
    expect(failure?.message).not.toContain('rollback');
    expect(await count(db)).toBe(before);
    sqlite.pragma('max_page_count = 1073741823');
    await db
      .transaction()
      .execute((trx) => sql`insert into audit_log (action, created_at) values ('after', 'now')`.execute(trx));
    expect(await count(db)).toBe(before + 1);
  });
});

describe.runIf(await serviceAvailable('postgres'))('a PostgreSQL connection killed mid-transaction', () => {
  it("fails with the server's own reason (57P01), not the failed rollback, writes nothing, and the pool recovers", async () => {
    handle = await createTestDatabase('postgres');
    const { db } = handle;
    const before = await count(db);
    const failure = await db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into audit_log (action, created_at) values ('half', 'now')`.execute(trx);
        await sql`select pg_terminate_backend(pg_backend_pid())`.execute(trx);
      })
      .then(
        () => null,
        (err: unknown) => err as { code?: string; message?: string },
      );
    expect(failure).toMatchObject({ code: '57P01' });
    expect(failure?.message).not.toMatch(/not queryable/);
    expect(await count(db)).toBe(before);
  });
});
