import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { cachingStatements } from '../../../src/db/statement-cache.js';

describe('SQLite statement cache', () => {
  let conn: SqliteDatabase.Database;
  afterEach(() => conn?.open && conn.close());

  const open = () => {
    conn = new SqliteDatabase(':memory:');
    conn.exec('create table t (n integer)');
    conn.exec('insert into t values (1), (2), (3)');
    return conn;
  };

  it('compiles each SQL text once and gives the same statement back', () => {
    const db = cachingStatements(open());
    const a = db.prepare('select n from t where n > ?');
    const b = db.prepare('select n from t where n > ?');
    expect(b).toBe(a);
    expect(b.all([1])).toEqual([{ n: 2 }, { n: 3 }]);
    expect(db.prepare('select count(*) as c from t')).not.toBe(a);
  });

  it('keeps at most the given number of statements, dropping the least recently used', () => {
    const db = cachingStatements(open(), 2);
    const first = db.prepare('select 1');
    db.prepare('select 2');
    expect(db.prepare('select 1')).toBe(first); // now most recently used
    db.prepare('select 3'); // evicts "select 2"
    expect(db.cached()).toBe(2);
    expect(db.prepare('select 1')).toBe(first);
  });

  it('never hands out a statement that is still iterating', () => {
    const db = cachingStatements(open());
    const sql = 'select n from t order by n';
    const streaming = db.prepare(sql);
    const rows = streaming.iterate([]);
    expect(rows.next().value).toEqual({ n: 1 });
    const second = db.prepare(sql);
    expect(second).not.toBe(streaming);
    expect(second.all([])).toHaveLength(3);
    expect([...rows]).toEqual([{ n: 2 }, { n: 3 }]);
    expect(db.prepare(sql)).toBe(streaming);
  });

  it('sees schema changes made after a statement was cached', () => {
    const db = cachingStatements(open());
    expect(db.prepare('select * from t').all([])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    conn.exec('alter table t add column m integer default 7');
    expect(db.prepare('select * from t').all([])[0]).toEqual({ n: 1, m: 7 });
  });
});
