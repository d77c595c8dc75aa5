// `mathsoc year:rollover` and `mathsoc leavers:purge` (ADR 035), run as real
// processes on SQLite and PostgreSQL: the dry run changes nothing, a run
// without --yes from a script refuses, --school-year names the year, a second
// run is refused with a clear message, and the purge deletes only the leavers
// older than LEAVER_RETENTION_DAYS, with an audit entry each and no email.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/index.js';
import { currentRolloverYear } from '../../../src/domain/accounts/year-rollover.js';
import { serviceAvailable, TEST_DATABASE_URL } from '../../helpers/services.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', '..', 'bin', 'mathsoc.js');
const YEAR = currentRolloverYear(new Date(), 'Europe/London');
const DAY = 86_400_000;

async function mathsoc(args: string[], env: Record<string, string>) {
  try {
    const child = run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...env },
      timeout: 60_000,
    });
    child.child.stdin?.end();
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const dialects = [
  { dialect: 'sqlite' as const, available: true },
  { dialect: 'postgres' as const, available: await serviceAvailable('postgres') },
];

describe.each(dialects.filter((d) => d.available))('year:rollover and leavers:purge on $dialect', ({ dialect }) => {
  const pgName = `year_rollover_cli_test_${process.pid}`;
  let dir: string;
  let env: Record<string, string>;
  let handle: DatabaseHandle;
  const ids: Record<string, number> = {};

  async function pgAdmin(q: string) {
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  }

  async function addUser(
    name: string,
    f: { year: number | null; keyStage: string | null; type?: string; archivedDaysAgo?: number },
  ) {
    const now = new Date().toISOString();
    const row = await handle.db
      .insertInto('users')
      .values({
        email: `${name}@school.example.org`,
        first_name: name,
        last_name: 'Pupil',
        password_hash: 'x',
        year_group: f.year,
        key_stage: f.keyStage,
        user_type: f.type ?? 'student',
        is_admin: 0,
        created_at: now,
        updated_at: now,
        email_verified_at: now,
        archived_at:
          f.archivedDaysAgo === undefined ? null : new Date(Date.now() - f.archivedDaysAgo * DAY).toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids[name] = row.id;
  }
  const user = (name: string) =>
    handle.db
      .selectFrom('users')
      .select(['year_group', 'key_stage', 'archived_at'])
      .where('id', '=', ids[name]!)
      .executeTakeFirst();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-rollover-cli-'));
    let databaseUrl: string;
    if (dialect === 'postgres') {
      await pgAdmin(`drop database if exists ${pgName}`);
      await pgAdmin(`create database ${pgName}`);
      const url = new URL(TEST_DATABASE_URL);
      url.pathname = `/${pgName}`;
      databaseUrl = url.toString();
    } else {
      databaseUrl = `sqlite:${join(dir, 'dev_test.db')}`;
    }
    env = { APP_ENV: 'development', DATABASE_URL: databaseUrl, BACKUP_DIR: join(dir, 'backups') };
    handle = openDatabase(loadConfig(env).database);
    await migrateToLatest(handle.db);
    await addUser('seven', { year: 7, keyStage: 'KS3' });
    await addUser('eight', { year: 8, keyStage: 'KS3' });
    await addUser('eleven', { year: 11, keyStage: 'KS4' });
    await addUser('thirteen', { year: 13, keyStage: 'KS5' });
    await addUser('yearless', { year: null, keyStage: null });
    await addUser('teacher', { year: null, keyStage: null, type: 'teacher' });
    await addUser('gone400', { year: 13, keyStage: 'KS5', archivedDaysAgo: 400 });
    await addUser('gone10', { year: 13, keyStage: 'KS5', archivedDaysAgo: 10 });
  });
  afterAll(async () => {
    await handle.close();
    if (dialect === 'postgres') await pgAdmin(`drop database if exists ${pgName}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--dry-run prints the preview and changes nothing', async () => {
    const res = await mathsoc(['year:rollover', '--dry-run'], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Year 7 → Year 8 (KS3 → KS3): 1 pupil');
    expect(res.stdout).toContain('Year 8 → Year 9 (KS3 → KS4): 1 pupil');
    expect(res.stdout).toContain('Year 11 → Year 12 (KS4 → KS5): 1 pupil');
    expect(res.stdout).toContain('Moving up: 3 pupils');
    expect(res.stdout).toContain('Leaving from Year 13, accounts closed: 1 pupil');
    expect(res.stdout).toContain('Pupil, thirteen <thirteen@school.example.org>');
    expect(res.stdout).toContain('Without a school year, left as they are: 1 pupil');
    expect(res.stdout).toContain('Dry run: nothing was changed.');
    expect(await user('seven')).toMatchObject({ year_group: 7, archived_at: null });
    expect(await handle.db.selectFrom('year_rollovers').selectAll().execute()).toEqual([]);
  });

  it('refuses without --yes when nobody can be asked, and refuses an unlikely school year', async () => {
    const res = await mathsoc(['year:rollover'], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Nothing was changed: add --yes');
    const far = await mathsoc(['year:rollover', '--yes', '--school-year', String(YEAR + 3)], env);
    expect(far.code).toBe(1);
    expect(far.stderr).toContain(`The school year must be ${YEAR - 1}, ${YEAR} or ${YEAR + 1}`);
    const word = await mathsoc(['year:rollover', '--yes', '--school-year', 'next'], env);
    expect(word.code).toBe(1);
    expect(word.stderr).toContain('--school-year must be a year');
    expect(await user('seven')).toMatchObject({ year_group: 7 });
  });

  it('runs once for the school year it is given, with an audit entry, and refuses a second run', async () => {
    const res = await mathsoc(['year:rollover', '--yes', '--school-year', String(YEAR + 1)], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      /School year \d{4}–\d{2} started: 3 pupils moved up, 1 leaver’s account closed, 1 pupil without a school year left as they are\./,
    );
    expect(await user('seven')).toEqual({ year_group: 8, key_stage: 'KS3', archived_at: null });
    expect(await user('eight')).toEqual({ year_group: 9, key_stage: 'KS4', archived_at: null });
    expect(await user('eleven')).toEqual({ year_group: 12, key_stage: 'KS5', archived_at: null });
    expect((await user('thirteen'))!.archived_at).not.toBeNull();
    expect(await user('yearless')).toEqual({ year_group: null, key_stage: null, archived_at: null });
    expect(await user('teacher')).toEqual({ year_group: null, key_stage: null, archived_at: null });
    expect(await handle.db.selectFrom('year_rollovers').select(['school_year', 'ran_by']).execute()).toEqual([
      { school_year: YEAR + 1, ran_by: null },
    ]);
    const entries = await handle.db.selectFrom('audit_log').selectAll().where('action', '=', 'year.rollover').execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.actor_email).toBe('cli');
    expect(JSON.parse(entries[0]!.details!)).toMatchObject({ schoolYear: YEAR + 1, movedUp: 3, archived: 1 });

    const again = await mathsoc(['year:rollover', '--yes', '--school-year', String(YEAR + 1)], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('was already started on');
    expect(again.stderr).toContain('Nothing was changed.');
    expect(await user('seven')).toMatchObject({ year_group: 8 });
  });

  it('leavers:purge deletes only leavers past the retention period, with an audit entry and no email', async () => {
    const dry = await mathsoc(['leavers:purge', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('(retention 365 days): would delete 1 account.');
    expect(dry.stdout).toContain('Would delete: Pupil, gone400 <gone400@school.example.org>');
    expect(dry.stdout).toContain('Dry run: nothing was changed.');
    expect(await user('gone400')).toBeDefined();

    const res = await mathsoc(['leavers:purge'], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('deleted 1 account.');
    expect(await user('gone400')).toBeUndefined();
    expect(await user('gone10')).toBeDefined();
    expect(await user('thirteen')).toBeDefined();
    const entries = await handle.db.selectFrom('audit_log').selectAll().where('action', '=', 'leaver.purge').execute();
    expect(entries.map((e) => [e.target_id, e.actor_email])).toEqual([[String(ids.gone400), 'cli']]);
    expect(
      await handle.db.selectFrom('mail_outbox').select('id').where('to_address', 'like', 'gone%').execute(),
    ).toEqual([]);

    // A shorter retention reaches the leaver of ten days ago; a malformed one stops with one line.
    const shorter = await mathsoc(['leavers:purge'], { ...env, LEAVER_RETENTION_DAYS: '7' });
    expect(shorter.code).toBe(0);
    expect(await user('gone10')).toBeUndefined();
    const bad = await mathsoc(['leavers:purge'], { ...env, LEAVER_RETENTION_DAYS: '0' });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('mathsoc: LEAVER_RETENTION_DAYS="0" must be a whole number from 1 to 3650');
  });
});
