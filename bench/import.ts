// npm run bench:import — the pupil import (ADR 034) at the size of a large
// school: a generated file of IMPORT_BENCH_ROWS pupils (10,000 by default) in
// 42 classes, read, dry-run and imported into a fresh database (SQLite in a
// temporary folder, or PostgreSQL with DATABASE_URL), with the set-password
// emails. Then the same file again (every row up to date) and a file moving
// every pupil up a year (every row an update). Prints the time of each step
// and the statements run. docs/performance.md keeps the latest figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { migrateToLatest, openDatabase } from '../src/db/index.js';
import { planImport, runImport } from '../src/domain/accounts/pupil-import.js';
import { readPupilCsv } from '../src/domain/accounts/pupil-import-csv.js';
import { CLI_ACTOR } from '../src/domain/audit.js';

const ROWS = Number(process.env.IMPORT_BENCH_ROWS ?? 10_000);
const DOMAIN = 'bench.example.org';

/** 0 → "Aa", 1 → "Ab", …: names are letters only. */
function letters(n: number): string {
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  } while (n > 0);
  return `A${out}`;
}

function csv(rows: number, yearShift: number): Buffer {
  const lines = ['Forename,Surname,Email Address,Year Group,Reg Group'];
  for (let i = 0; i < rows; i++) {
    const year = 7 + (i % 6) + yearShift;
    lines.push(`Pupil,${letters(i)},pupil${i}@${DOMAIN},Year ${year},${year}C${i % 7}`);
  }
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

const dir = mkdtempSync(join(tmpdir(), 'mathsoc-bench-import-'));
const url = process.env.DATABASE_URL ?? `sqlite:${join(dir, 'import.db')}`;
const config = loadConfig({ ...process.env, APP_ENV: 'development', DATABASE_URL: url, LOG_LEVEL: 'silent' });
let statements = 0;
const handle = openDatabase(config.database, { onQuery: () => (statements += 1) });

async function step<T>(label: string, work: () => Promise<T> | T): Promise<T> {
  statements = 0;
  const start = performance.now();
  const result = await work();
  const ms = performance.now() - start;
  console.log(
    `${label.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(6)} s   ${String(statements).padStart(6)} statements`,
  );
  return result;
}

try {
  await migrateToLatest(handle.db);
  if (config.database.dialect === 'postgres') {
    // A bench database is emptied of the accounts a previous run left.
    await handle.db.deleteFrom('users').where('email', 'like', `%@${DOMAIN}`).execute();
    await handle.db.deleteFrom('schools').where('email_domain', '=', DOMAIN).execute();
  }
  const school = await handle.db
    .insertInto('schools')
    .values({ name: 'Bench School', email_domain: DOMAIN, address: null, created_at: new Date().toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  const keyStageByYear = config.accounts.keyStageByYear;
  const link = (path: string) => `https://maths.example.org${path}`;
  console.log(`Pupil import, ${ROWS.toLocaleString('en-GB')} rows, ${config.database.dialect}`);

  const first = csv(ROWS, 0);
  const reading = await step(`read the CSV (${(first.length / 1024).toFixed(0)} KB)`, () => readPupilCsv(first));
  if (!reading.ok) throw new Error(reading.error);
  await step('dry run (plan only)', () =>
    planImport(handle.db, { schoolId: school.id, rows: reading.rows, keyStageByYear }),
  );
  const made = await step('import: create all, with set-password emails', () =>
    runImport(handle.db, CLI_ACTOR, {
      schoolId: school.id,
      rows: reading.rows,
      keyStageByYear,
      sendEmail: true,
      link,
      source: 'bench',
    }),
  );
  const again = await step('the same file again (all up to date)', () =>
    runImport(handle.db, CLI_ACTOR, {
      schoolId: school.id,
      rows: reading.rows,
      keyStageByYear,
      sendEmail: true,
      link,
      source: 'bench',
    }),
  );
  const movedUp = readPupilCsv(csv(ROWS, 1));
  if (!movedUp.ok) throw new Error(movedUp.error);
  const moved = await step('every pupil a year up (all updates)', () =>
    runImport(handle.db, CLI_ACTOR, {
      schoolId: school.id,
      rows: movedUp.rows,
      keyStageByYear,
      sendEmail: true,
      link,
      source: 'bench',
    }),
  );
  console.log(
    `created ${made.created}, then ${again.unchanged} up to date, then ${moved.updated} updated and ${moved.refused} refused`,
  );
} finally {
  await handle.close();
  rmSync(dir, { recursive: true, force: true });
}
