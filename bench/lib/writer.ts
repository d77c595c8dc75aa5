// Bulk inserts for the generator, below Kysely for speed: on SQLite one
// prepared statement per table run inside a transaction per batch; on
// PostgreSQL one INSERT … SELECT FROM unnest($1::int[], …) per batch, so a
// batch of thousands of rows is a single statement and a single round trip.
import type SqliteDatabase from 'better-sqlite3';
import type pg from 'pg';

export type ColumnType = 'int' | 'text';
export type Row = (string | number | null)[];

export interface TableSpec {
  name: string;
  columns: readonly (readonly [string, ColumnType])[];
}

export interface BulkWriter {
  /** Queues a row; writes a batch once enough rows wait. */
  add(table: TableSpec, row: Row): Promise<void>;
  /** Writes every queued row. */
  flush(): Promise<void>;
  /** Runs a statement outside the batches (schema tweaks, sequence fixes). */
  exec(sql: string): Promise<void>;
  rowsWritten(): number;
}

const BATCH = 10_000;

abstract class BatchingWriter implements BulkWriter {
  private readonly queues = new Map<string, { table: TableSpec; rows: Row[] }>();
  private written = 0;

  async add(table: TableSpec, row: Row): Promise<void> {
    let queue = this.queues.get(table.name);
    if (!queue) this.queues.set(table.name, (queue = { table, rows: [] }));
    queue.rows.push(row);
    if (queue.rows.length >= BATCH) await this.write(queue);
  }

  async flush(): Promise<void> {
    for (const queue of this.queues.values()) if (queue.rows.length) await this.write(queue);
  }

  rowsWritten(): number {
    return this.written;
  }

  private async write(queue: { table: TableSpec; rows: Row[] }): Promise<void> {
    const rows = queue.rows;
    queue.rows = [];
    await this.insert(queue.table, rows);
    this.written += rows.length;
  }

  protected abstract insert(table: TableSpec, rows: Row[]): Promise<void>;
  abstract exec(sql: string): Promise<void>;
}

export class SqliteWriter extends BatchingWriter {
  private readonly statements = new Map<string, SqliteDatabase.Statement>();

  constructor(private readonly conn: SqliteDatabase.Database) {
    super();
  }

  protected async insert(table: TableSpec, rows: Row[]): Promise<void> {
    let stmt = this.statements.get(table.name);
    if (!stmt) {
      const cols = table.columns.map(([c]) => c);
      stmt = this.conn.prepare(
        `insert into ${table.name} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`,
      );
      this.statements.set(table.name, stmt);
    }
    const run = stmt;
    this.conn.transaction(() => {
      for (const row of rows) run.run(row);
    })();
  }

  async exec(sql: string): Promise<void> {
    this.conn.exec(sql);
  }
}

export class PostgresWriter extends BatchingWriter {
  constructor(private readonly client: pg.Client) {
    super();
  }

  protected async insert(table: TableSpec, rows: Row[]): Promise<void> {
    const cols = table.columns.map(([c]) => c);
    const arrays = table.columns.map((_, i) => rows.map((r) => r[i] ?? null));
    const params = table.columns.map(([, type], i) => `$${i + 1}::${type === 'int' ? 'int4' : 'text'}[]`);
    await this.client.query('begin');
    try {
      await this.client.query(
        `insert into ${table.name} (${cols.join(', ')}) select * from unnest(${params.join(', ')})`,
        arrays,
      );
      await this.client.query('commit');
    } catch (err) {
      await this.client.query('rollback');
      throw err;
    }
  }

  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }
}
