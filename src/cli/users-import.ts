// `mathsoc users:import --file pupils.csv`: the pupil import of the admin pages
// (ADR 034) from the command line. --dry-run prints what would be created,
// updated and refused (row and reason) and writes nothing; otherwise the file
// is imported in one transaction and the counts printed (the refused rows too).
// Exit codes: 0 done (refused rows skipped and listed); 1 the file, the school
// or an option is wrong, or --strict and some row is refused (then nothing is
// written, dry run or not).
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import type { DatabaseHandle } from '../db/index.js';
import type { School } from '../db/schema.js';
import {
  ImportRefusedRowsError,
  planImport,
  runImport,
  type ImportPlan,
  type PlannedPupil,
} from '../domain/accounts/pupil-import.js';
import {
  COLUMN_LABELS,
  IMPORT_COLUMNS,
  IMPORT_MAX_BYTES,
  readPupilCsv,
  type ColumnNames,
  type ImportColumn,
} from '../domain/accounts/pupil-import-csv.js';
import { CLI_ACTOR } from '../domain/audit.js';
import { listSchools } from '../domain/schools.js';

interface ImportFlags {
  file: string;
  school?: string;
  dryRun?: boolean;
  email: boolean;
  strict?: boolean;
  firstNameColumn?: string;
  lastNameColumn?: string;
  emailColumn?: string;
  yearColumn?: string;
  classColumn?: string;
}

const FLAG_OF: Record<ImportColumn, keyof ImportFlags> = {
  firstName: 'firstNameColumn',
  lastName: 'lastNameColumn',
  email: 'emailColumn',
  year: 'yearColumn',
  class: 'classColumn',
};

export interface CliDeps {
  withDatabase: <T>(fn: (config: Config, handle: DatabaseHandle) => Promise<T>) => Promise<T>;
  say: (line?: string) => void;
  fail: (message: string) => Error;
}

/** The school named by id or email domain; with none named, the only school there is. */
function chooseSchool(schools: School[], named: string | undefined, fail: CliDeps['fail']): School {
  const list = () => schools.map((s) => `  ${s.id}  ${s.name} (@${s.email_domain})`).join('\n');
  if (named === undefined) {
    if (schools.length === 1) return schools[0]!;
    throw fail(
      schools.length
        ? `Name the school with --school <id or email domain>. The schools are:\n${list()}`
        : 'There is no school yet: create one first (admin pages, Schools).',
    );
  }
  const key = named.trim().toLowerCase().replace(/^@/, '');
  const found = /^\d+$/.test(key)
    ? schools.filter((s) => s.id === Number(key))
    : schools.filter((s) => s.email_domain === key);
  if (found.length === 1) return found[0]!;
  throw fail(
    found.length
      ? `Several schools have the domain ${key}: name one by its id.\n${list()}`
      : `No school has the id or email domain "${named}". The schools are:\n${list()}`,
  );
}

/** Absolute links for the emails: SERVER_NAME, or this machine outside production. */
function linkFor(config: Config, fail: CliDeps['fail']): (path: string) => string {
  const production = config.profile === 'production';
  const name = config.server.serverName;
  if (!name && production) throw fail('SERVER_NAME must be set to send the import emails (their links name the site).');
  const origin = name
    ? `${production || config.https.force ? 'https' : 'http'}://${name}`
    : `http://localhost:${config.server.port}`;
  return (path) => `${origin}${path}`;
}

function pupilLine(p: PlannedPupil): string {
  return `  row ${p.row}: ${p.firstName} ${p.lastName} <${p.email}>, year ${p.year} (${p.keyStage})${p.className ? `, class ${p.className}` : ''}`;
}

function printPlan(plan: ImportPlan, say: CliDeps['say']): void {
  say(`To create (${plan.created.length}):`);
  for (const p of plan.created) say(pupilLine(p));
  say(`To update (${plan.updated.length}):`);
  for (const u of plan.updated)
    say(`  row ${u.row}: ${u.firstName} ${u.lastName} <${u.email}>: ${u.changes.join('; ')}`);
  say(`Already up to date: ${plan.unchanged.length}`);
  printRefused(plan, say);
}

function printRefused(plan: ImportPlan, say: CliDeps['say']): void {
  say(`Refused (${plan.refused.length}):`);
  for (const r of plan.refused) say(`  row ${r.row}: ${r.email || '(no email)'}: ${r.reason}`);
}

export function registerUsersImport(program: Command, deps: CliDeps): void {
  const { say, fail } = deps;
  const command = program
    .command('users:import')
    .description(
      'import pupils from a CSV file exported from the MIS (--dry-run: show what would change, write nothing)',
    )
    .requiredOption('--file <path>', 'the CSV file (UTF-8, comma or semicolon separated)')
    .option('--school <id or domain>', 'the school the pupils go into (needed when there are several)')
    .option('--dry-run', 'print what would be created, updated and refused; write nothing')
    .option('--no-email', 'send new pupils no email (no set-password link, no welcome)')
    .option('--strict', 'import nothing (exit code 1) when any row is refused');
  for (const column of IMPORT_COLUMNS)
    command.option(
      `--${COLUMN_LABELS[column].replace(' ', '-')}-column <header>`,
      `the header of the ${COLUMN_LABELS[column]} column`,
    );
  command.action((opts: ImportFlags) =>
    deps.withDatabase(async (config, handle) => {
      const size = await stat(opts.file).then(
        (s) => s.size,
        () => {
          throw fail(`Cannot read ${opts.file}.`);
        },
      );
      if (size > IMPORT_MAX_BYTES)
        throw fail(
          `${opts.file} is too large (${(size / 1024 / 1024).toFixed(1)} MB); the limit is ${IMPORT_MAX_BYTES / 1024 / 1024} MB. Split it into several files.`,
        );
      const names: ColumnNames = {};
      for (const column of IMPORT_COLUMNS) {
        const given = opts[FLAG_OF[column]];
        if (typeof given === 'string' && given.trim()) names[column] = given.trim();
      }
      const reading = readPupilCsv(await readFile(opts.file), names);
      if (!reading.ok) throw fail(`${opts.file}: ${reading.error}`);
      const school = chooseSchool(await listSchools(handle.db), opts.school, fail);
      const keyStageByYear = config.accounts.keyStageByYear;
      say(`${reading.rows.length} row(s) read from ${opts.file} for ${school.name} (@${school.email_domain}).`);

      if (opts.dryRun) {
        const plan = await planImport(handle.db, { schoolId: school.id, rows: reading.rows, keyStageByYear });
        printPlan(plan, say);
        say('Dry run: nothing was written.');
        if (opts.strict && plan.refused.length)
          throw fail(`${plan.refused.length} row(s) refused; with --strict nothing would be imported.`);
        return;
      }
      try {
        const result = await runImport(handle.db, CLI_ACTOR, {
          schoolId: school.id,
          rows: reading.rows,
          keyStageByYear,
          sendEmail: opts.email,
          link: opts.email ? linkFor(config, fail) : null,
          strict: opts.strict ?? false,
          source: 'cli',
          fileName: opts.file,
        });
        if (result.refused) printRefused(result.plan, say);
        say(
          `Imported: ${result.created} created, ${result.updated} updated, ${result.unchanged} already up to date, ${result.refused} refused (skipped).`,
        );
        say(
          result.emails === 'none'
            ? 'No emails sent.'
            : `${result.created} ${result.emails === 'set-password' ? 'set-password' : 'school sign-in welcome'} email(s) queued; the server sends them (or run mail:send).`,
        );
      } catch (err) {
        if (err instanceof ImportRefusedRowsError) {
          printRefused(err.plan, say);
          throw fail(err.message);
        }
        throw err;
      }
    }),
  );
}
