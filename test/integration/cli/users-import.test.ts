// `mathsoc users:import`, run as a real process on SQLite and PostgreSQL: the
// school must be named when there are several; --dry-run lists what would be
// created, updated and refused and writes nothing; --strict writes nothing when
// a row is refused; a 10,000-row file imports with a set-password email per
// pupil and one audit entry; column flags and --no-email.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../../src/db/index.js';
import { serviceAvailable, TEST_DATABASE_URL } from '../../helpers/services.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', '..', 'bin', 'mathsoc.js');
const DOMAIN = 'school.example.org';
const ROWS = 10_000;

async function mathsoc(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'silent', ...env },
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Names are letters only: 0 → "Pa", 1 → "Pb", … */
function letters(n: number): string {
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  } while (n > 0);
  return `P${out}`;
}

const dialects = [
  { dialect: 'sqlite' as const, available: true },
  { dialect: 'postgres' as const, available: await serviceAvailable('postgres') },
];

describe.each(dialects.filter((d) => d.available))('users:import on $dialect', ({ dialect }) => {
  const pgName = `users_import_test_${process.pid}`;
  let dir: string;
  let env: Record<string, string>;
  let handle: DatabaseHandle;
  let bigFile: string;

  async function pgAdmin(q: string) {
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  }
  const count = async (table: 'users' | 'mail_outbox' | 'audit_log' | 'class_members') =>
    Number(
      (
        await handle.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const counts = async () => ({
    users: await count('users'),
    mail: await count('mail_outbox'),
    audit: await count('audit_log'),
    members: await count('class_members'),
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mathsoc-users-import-'));
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
    env = {
      APP_ENV: 'development',
      DATABASE_URL: databaseUrl,
      UPLOAD_DIR: join(dir, 'uploads'),
      BACKUP_DIR: join(dir, 'backups'),
      SERVER_NAME: 'maths.example.org',
    };
    handle = openDatabase(loadConfig(env).database);
    await migrateToLatest(handle.db);
    expect((await mathsoc(['db:init'], env)).code).toBe(0);
    await handle.db
      .insertInto('schools')
      .values({ name: 'Other School', email_domain: 'other.example.org', address: null, created_at: '2026-01-01' })
      .execute();

    const lines = ['Forename,Surname,Email Address,Year Group,Reg Group'];
    for (let i = 0; i < ROWS; i++) {
      const year = 7 + (i % 7);
      lines.push(`Pupil,${letters(i)},pupil${i}@${DOMAIN},Year ${year},${year}R${i % 4}`);
    }
    lines.push(`Wrong,Place,someone@elsewhere.org,9,9R1`);
    lines.push(`No,Year,noyear@${DOMAIN},,9R1`);
    bigFile = join(dir, 'pupils.csv');
    writeFileSync(bigFile, lines.join('\n') + '\n');
  });
  afterAll(async () => {
    await handle.close();
    if (dialect === 'postgres') await pgAdmin(`drop database if exists ${pgName}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it('with several schools, the school must be named', async () => {
    const before = await counts();
    const res = await mathsoc(['users:import', '--file', bigFile], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Name the school with --school <id or email domain>');
    expect(res.stderr).toContain('(@other.example.org)');
    const unknown = await mathsoc(['users:import', '--file', bigFile, '--school', 'nowhere.org'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No school has the id or email domain "nowhere.org"');
    expect(await counts()).toEqual(before);
  });

  it('--dry-run lists what would be created and refused, with row and reason, and writes nothing', async () => {
    const before = await counts();
    const res = await mathsoc(['users:import', '--file', bigFile, '--school', DOMAIN, '--dry-run'], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`To create (${ROWS}):`);
    expect(res.stdout).toContain(`  row 2: Pupil Pa <pupil0@${DOMAIN}>, year 7 (KS3), class 7R0`);
    expect(res.stdout).toContain('Refused (2):');
    expect(res.stdout).toContain(
      `  row ${ROWS + 2}: someone@elsewhere.org: The address is not at the school's domain (@${DOMAIN}).`,
    );
    expect(res.stdout).toContain(`  row ${ROWS + 3}: noyear@${DOMAIN}: No year (expected 7 to 13).`);
    expect(res.stdout).toContain('Dry run: nothing was written.');
    expect(await counts()).toEqual(before);
  });

  it('--strict writes nothing when a row is refused', async () => {
    const before = await counts();
    const res = await mathsoc(['users:import', '--file', bigFile, '--school', DOMAIN, '--strict'], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('2 row(s) are refused, and a strict import takes all rows or none.');
    expect(await counts()).toEqual(before);
  });

  it('imports 10,000 rows in one go: accounts, classes, a set-password email each, one audit entry', async () => {
    const before = await counts();
    const school = await handle.db
      .selectFrom('schools')
      .select('id')
      .where('email_domain', '=', DOMAIN)
      .executeTakeFirstOrThrow();
    const res = await mathsoc(['users:import', '--file', bigFile, '--school', String(school.id)], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`Imported: ${ROWS} created, 0 updated, 0 already up to date, 2 refused (skipped).`);
    expect(res.stdout).toContain(`${ROWS} set-password email(s) queued`);
    const after = await counts();
    expect(after.users).toBe(before.users + ROWS);
    expect(after.mail).toBe(before.mail + ROWS);
    expect(after.members).toBe(before.members + ROWS);
    expect(after.audit).toBe(before.audit + 1);
    const entry = await handle.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'user.import')
      .executeTakeFirstOrThrow();
    expect(entry.actor_email).toBe('cli');
    expect(JSON.parse(entry.details!)).toMatchObject({ created: ROWS, updated: 0, refused: 2, source: 'cli' });
    const last = await handle.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', `pupil${ROWS - 1}@${DOMAIN}`)
      .executeTakeFirstOrThrow();
    expect(last).toMatchObject({
      last_name: letters(ROWS - 1),
      user_type: 'student',
      is_admin: 0,
      school_id: school.id,
    });
    expect(last.email_verified_at).not.toBeNull();
    const mail = await handle.db
      .selectFrom('mail_outbox')
      .select(['kind', 'text_body'])
      .where('to_address', '=', last.email)
      .executeTakeFirstOrThrow();
    expect(mail.kind).toBe('set-password');
    expect(mail.text_body).toMatch(/http:\/\/maths\.example\.org\/reset-password\?token=[A-Za-z0-9_-]{43}/);
    const classes = await handle.db
      .selectFrom('classes')
      .select('name')
      .where('school_id', '=', school.id)
      .orderBy('name')
      .execute();
    expect(classes).toHaveLength(28);
  });

  it('column flags name the headers; --no-email sends nothing; an existing pupil is updated', async () => {
    const file = join(dir, 'update.csv');
    writeFileSync(file, `Given;Family;Mail;Yr\nPupil;Renamed;pupil0@${DOMAIN};8\nNew;Comer;newcomer@${DOMAIN};9\n`);
    const before = await counts();
    const res = await mathsoc(
      [
        'users:import',
        '--file',
        file,
        '--school',
        `@${DOMAIN}`,
        '--no-email',
        '--first-name-column',
        'Given',
        '--last-name-column',
        'Family',
        '--email-column',
        'Mail',
        '--year-column',
        'Yr',
      ],
      env,
    );
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('Imported: 1 created, 1 updated, 0 already up to date, 0 refused (skipped).');
    expect(res.stdout).toContain('No emails sent.');
    const after = await counts();
    expect(after.users).toBe(before.users + 1);
    expect(after.mail).toBe(before.mail);
    expect(
      await handle.db
        .selectFrom('users')
        .select(['last_name', 'year_group', 'key_stage'])
        .where('email', '=', `pupil0@${DOMAIN}`)
        .executeTakeFirstOrThrow(),
    ).toEqual({ last_name: 'Renamed', year_group: 8, key_stage: 'KS3' });

    const wrongFlag = await mathsoc(
      ['users:import', '--file', file, '--school', DOMAIN, '--year-column', 'NC Year'],
      env,
    );
    expect(wrongFlag.code).toBe(1);
    expect(wrongFlag.stderr).toContain('There is no column called “NC Year” for the year.');
  });
});
