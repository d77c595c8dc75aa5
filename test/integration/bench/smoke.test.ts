// Keeps the benchmark working: the dataset generator writes data the scoring
// rule agrees with (on SQLite and PostgreSQL), refuses databases it did not
// create, and `npm run bench` runs end to end at a tiny size. The figures
// themselves are never asserted (speed is measured, not tested).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SqliteDatabase from 'better-sqlite3';
import type { DatabaseConfig } from '../../../src/config/index.js';
import { openDatabase } from '../../../src/db/index.js';
import { recalculateAll } from '../../../src/domain/challenges/scoring.js';
import type { Report } from '../../../bench/lib/report.js';
import { generateDataset } from '../../../bench/lib/dataset.js';
import { BenchTargetError, benchDatabase, existingDataset, resetDatabase } from '../../../bench/lib/target.js';
import { availableDialects } from '../../helpers/db.js';
import { TEST_DATABASE_URL } from '../../helpers/services.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'mathsoc-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A private schema in the test database, as a DATABASE_URL the generator and the app can use. */
async function postgresTarget(): Promise<{ config: DatabaseConfig; drop: () => Promise<void> }> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    config: benchDatabase({ DATABASE_URL: url.toString() }),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

class Rollback extends Error {}

describe.each(await availableDialects())('benchmark dataset on %s', (dialect) => {
  let config: DatabaseConfig;
  let drop = async () => {};
  beforeAll(async () => {
    if (dialect === 'sqlite') {
      config = benchDatabase({ DATABASE_URL: `sqlite:${join(dir, `data-${randomBytes(3).toString('hex')}.db`)}` });
    } else {
      const target = await postgresTarget();
      config = target.config;
      drop = target.drop;
    }
  });
  afterAll(async () => {
    await drop();
  });

  it('generates the asked numbers of users and tries, with completions and boards the scoring rule gives', async () => {
    const marker = await generateDataset(config, {
      users: 60,
      submissions: 800,
      challenges: 24,
      articles: 5,
      announcements: 2,
    });
    expect(marker.counts.users).toBe(60);
    expect(marker.counts.challenges).toBe(24 + 6);
    // Each student's run of tries on a challenge is kept whole, so the total may overshoot by a few.
    expect(marker.counts.submissions).toBeGreaterThanOrEqual(800);
    expect(marker.counts.submissions).toBeLessThan(800 + 40);
    expect(marker.counts.completions).toBeGreaterThan(0);
    expect(await existingDataset(config)).toEqual(marker);

    const handle = openDatabase(config);
    try {
      const boxes = await handle.db
        .selectFrom('answer_boxes')
        .select(['challenge_id', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('challenge_id')
        .execute();
      for (const b of boxes) expect([1, 2, 3, 4]).toContain(Number(b.n));
      const tries = await handle.db
        .selectFrom('submissions')
        .select(['is_correct', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('is_correct')
        .execute();
      expect(tries.map((t) => t.is_correct).sort()).toEqual([0, 1]);

      const snapshot = async (db: typeof handle.db) => ({
        completions: await db
          .selectFrom('completions')
          .select(['user_id', 'challenge_id', 'key_stage', 'points', 'completed_at'])
          .orderBy('user_id')
          .orderBy('challenge_id')
          .execute(),
        boards: await db
          .selectFrom('scores')
          .select(['user_id', 'key_stage', 'points', 'challenges_completed', 'submissions'])
          .orderBy('user_id')
          .orderBy('key_stage')
          .execute(),
        firsts: await db
          .selectFrom('challenges')
          .select(['id', 'first_completed_at', 'first_completed_by'])
          .orderBy('id')
          .execute(),
      });
      const generated = await snapshot(handle.db);
      // The admin "recalculate from submissions" derives everything again from the tries alone.
      await expect(
        handle.db.transaction().execute(async (trx) => {
          await recalculateAll(trx, new Date().toISOString());
          expect(await snapshot(trx)).toEqual(generated);
          throw new Rollback();
        }),
      ).rejects.toBeInstanceOf(Rollback);
    } finally {
      await handle.close();
    }
  });
});

describe('benchmark database guards', () => {
  it('refuses to overwrite a database it did not generate', async () => {
    const file = join(dir, 'someone-elses.db');
    const conn = new SqliteDatabase(file);
    conn.exec('create table settings (key text primary key, value text, updated_at text)');
    conn.exec('create table users (id integer primary key)');
    conn.close();
    const config = benchDatabase({ DATABASE_URL: `sqlite:${file}` });
    await expect(resetDatabase(config)).rejects.toBeInstanceOf(BenchTargetError);
    await expect(generateDataset(config, { users: 10, submissions: 10 })).rejects.toBeInstanceOf(BenchTargetError);
    const still = new SqliteDatabase(file, { readonly: true });
    expect(still.prepare("select count(*) as n from sqlite_master where name = 'users'").get()).toEqual({ n: 1 });
    still.close();
  });

  it('refuses a PostgreSQL database whose name does not say bench or test, and the production profile', () => {
    expect(() => benchDatabase({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/mathsoc' })).toThrow(/bench/);
    expect(() => benchDatabase({ APP_ENV: 'production', DATABASE_URL: 'sqlite:./data/bench.db' })).toThrow(
      /production/,
    );
    expect(benchDatabase({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/mathsoc_bench' }).name).toBe(
      'mathsoc_bench',
    );
  });
});

describe('npm run bench at a tiny size', () => {
  it('runs every scenario against the production-profile app, security on and off, one process and two, and writes its report', async () => {
    const out = join(dir, 'report.json');
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'bench.db')}` };
    delete env.APP_ENV;
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/run.ts',
        '--users',
        '50',
        '--submissions',
        '500',
        '--duration',
        '1',
        '--warmup',
        '0',
        '--connections',
        '4',
        '--submitters',
        '10',
        '--processes',
        '2',
        '--out',
        out,
      ],
      { env, timeout: 170_000, maxBuffer: 10 * 1024 * 1024 },
    );
    expect(stdout).toContain('Budgets:');

    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(report.database.dialect).toBe('sqlite');
    expect(report.database.dataset.users).toBe(50);
    const names = (security: string, processes = 1) =>
      report.results.filter((r) => r.security === security && (r.processes ?? 1) === processes).map((r) => r.name);
    expect(names('n/a')).toEqual(['ceiling']);
    expect(names('on')).toEqual(['home', 'challenges', 'challenge', 'leaderboard', 'article', 'health', 'answer']);
    expect(names('off')).toEqual(['home', 'leaderboard', 'article', 'health']);
    // The two-process server (the supervisor and its workers) answered every scenario as well.
    expect(names('on', 2)).toEqual(['home', 'challenges', 'challenge', 'leaderboard', 'article', 'health', 'answer']);
    expect(report.budgets.map((b) => b.name)).toContain(
      'throughput, 2 processes vs 1 (home, challenges, challenge, leaderboard)',
    );
    // Each GET page's size was taken without and with compression; HTML pages shrink.
    const home = report.results.find((r) => r.name === 'home' && r.security === 'on' && (r.processes ?? 1) === 1)!;
    expect(home.bytes!.identity).toBeGreaterThan(1000);
    expect(home.bytes!.compressed).toBeLessThan(home.bytes!.identity);
    expect(['br', 'gzip']).toContain(home.bytes!.encoding);
    for (const r of report.results) {
      expect(r.skipped, `${r.name} (${r.security})`).toBeUndefined();
      expect(r.measurement!.requests, `${r.name} (${r.security})`).toBeGreaterThan(0);
      expect(r.measurement!.unexpected, `${r.name} (${r.security})`).toEqual({});
      expect(r.measurement!.peakRssMb === null || r.measurement!.peakRssMb > 0).toBe(true);
      if (process.platform === 'linux')
        expect(r.measurement!.cpuMsPerRequest, `${r.name} (${r.security})`).toBeGreaterThan(0);
    }
    for (const answer of report.results.filter((r) => r.name === 'answer'))
      expect(answer.notes?.[0]).toMatch(/^[1-9]\d* tries graded and recorded$/);
    expect(report.securityCost.map((c) => c.name)).toEqual(['home', 'leaderboard', 'article', 'health']);
    expect(report.budgets.map((b) => b.name)).toContain('leaderboard throughput (SQLite)');

    // The run leaves no benchmark accounts or sessions behind in its database.
    const conn = new SqliteDatabase(join(dir, 'bench.db'), { readonly: true });
    expect(
      conn.prepare("select count(*) as n from users where email like '%@submitters.bench.example.org'").get(),
    ).toEqual({ n: 0 });
    expect(conn.prepare('select count(*) as n from sessions').get()).toEqual({ n: 0 });
    conn.close();
  }, 180_000);
});
