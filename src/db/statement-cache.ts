// Kysely calls prepare() for every query it runs on SQLite, and better-sqlite3
// compiles the SQL each time. The platform's queries are a small fixed set of
// SQL texts (values travel as parameters), so compiled statements are kept and
// reused: a bounded least-recently-used map keyed by SQL text. A statement
// still iterating (a streamed query) is never handed out twice.
import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

const STATEMENT_CACHE_SIZE = 500;

export function cachingStatements(
  conn: SqliteDatabase.Database,
  max = STATEMENT_CACHE_SIZE,
): KyselySqliteDatabase & { cached(): number } {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => conn.close(),
    cached: () => cache.size,
    prepare(sql: string) {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        // Most recently used last, so the first key is the one to evict.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = conn.prepare(sql);
      if (!hit) {
        cache.set(sql, statement);
        if (cache.size > max) cache.delete(cache.keys().next().value!);
      }
      return statement;
    },
  };
}
