// `mathsoc year:rollover` and `mathsoc leavers:purge` (ADR 035): the new
// school year from the command line, with the same preview and the same
// one-transaction run as /admin/year-rollover, and the removal of leavers
// whose retention period is over.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import type { DatabaseHandle } from '../db/index.js';
import { CLI_ACTOR } from '../domain/audit.js';
import { purgeLeavers } from '../domain/accounts/leavers.js';
import {
  currentRolloverYear,
  planRollover,
  RolloverRefused,
  runRollover,
  schoolYearLabel,
  schoolYearProblem,
  type RolloverPlan,
} from '../domain/accounts/year-rollover.js';
import { plural } from '../lib/plural.js';
import type { SessionStore } from '../security/session-store.js';

export interface YearRolloverCliDeps {
  withDatabase: <T>(fn: (config: Config, handle: DatabaseHandle) => Promise<T>) => Promise<T>;
  sessionStore: (config: Config, handle: DatabaseHandle) => Promise<SessionStore>;
  say: (line?: string) => void;
  fail: (message: string) => Error;
}

/** One line typed at a terminal (echoed). */
async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  return new Promise((resolve) =>
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer.trim());
    }),
  );
}

function printPlan(plan: RolloverPlan, schoolYear: number, say: (line?: string) => void): void {
  say(`New school year ${schoolYearLabel(schoolYear)}:`);
  if (plan.moves.length === 0) say('  No pupil has a school year to move up from.');
  for (const m of plan.moves)
    say(
      `  Year ${m.from} → Year ${m.to} (${m.fromKeyStages.join(', ')} → ${m.toKeyStage ?? '—'}): ${plural(m.pupils, 'pupil')}`,
    );
  say(`  Moving up: ${plural(plan.movedUp, 'pupil')}`);
  say(`  Leaving from Year 13, accounts closed: ${plural(plan.leavers.length, 'pupil')}`);
  for (const l of plan.leavers) say(`    ${l.lastName}, ${l.firstName} <${l.email}>`);
  say(`  Without a school year, left as they are: ${plural(plan.noYear.length, 'pupil')}`);
  for (const p of plan.noYear) say(`    ${p.lastName}, ${p.firstName} <${p.email}>`);
}

export function registerYearRolloverCommands(program: Command, deps: YearRolloverCliDeps): void {
  const { withDatabase, sessionStore, say, fail } = deps;

  program
    .command('year:rollover')
    .description('start the new school year: every pupil moves up one year, Year 13 leave (accounts closed)')
    .option('--school-year <year>', 'the calendar year the new school year starts in (default: from today)')
    .option('--dry-run', 'only show what would happen')
    .option('--yes', 'run without asking')
    .option('--reset-boards', 'start every leaderboard from zero as well')
    .action((opts: { schoolYear?: string; dryRun?: boolean; yes?: boolean; resetBoards?: boolean }) =>
      withDatabase(async (config, handle) => {
        const computed = currentRolloverYear(new Date(), config.school.timeZone);
        const schoolYear = opts.schoolYear === undefined ? computed : Number(opts.schoolYear);
        if (opts.schoolYear !== undefined && !/^\d{4}$/.test(opts.schoolYear))
          throw fail(`--school-year must be a year such as ${computed}, not "${opts.schoolYear}".`);
        const problem = schoolYearProblem(schoolYear, computed);
        if (problem) throw fail(problem);
        const map = config.accounts.keyStageByYear;
        printPlan(await planRollover(handle.db, map), schoolYear, say);
        if (opts.dryRun) {
          say('Dry run: nothing was changed.');
          return;
        }
        if (!opts.yes) {
          if (!process.stdin.isTTY)
            throw fail('Nothing was changed: add --yes to start the new school year, or --dry-run to only look.');
          const answer = await ask(`Type ${schoolYear} to start the new school year ${schoolYearLabel(schoolYear)}: `);
          if (answer !== String(schoolYear)) throw fail('Nothing was changed.');
        }
        let result;
        try {
          result = await runRollover(handle.db, {
            schoolYear,
            keyStageByYear: map,
            actor: CLI_ACTOR,
            timeZone: config.school.timeZone,
            resetBoards: opts.resetBoards ?? false,
          });
        } catch (err) {
          if (err instanceof RolloverRefused) throw fail(err.message);
          throw err;
        }
        const store = await sessionStore(config, handle);
        try {
          for (const id of result.archivedIds) await store.destroyForUser(id);
        } finally {
          await store.close();
        }
        say(
          `School year ${schoolYearLabel(result.schoolYear)} started: ${plural(result.movedUp, 'pupil')} moved up, ` +
            `${plural(result.archived, 'leaver’s account', 'leavers’ accounts')} closed, ${plural(result.leftAlone, 'pupil')} without a school year left as they are` +
            `${result.boardsReset ? '; every board starts from zero' : ''}.`,
        );
      }),
    );

  program
    .command('leavers:purge')
    .description('delete leavers archived longer ago than LEAVER_RETENTION_DAYS (no email is sent to them)')
    .option('--dry-run', 'only list the accounts that would be deleted')
    .action((opts: { dryRun?: boolean }) =>
      withDatabase(async (config, handle) => {
        const days = config.accounts.leaverRetentionDays;
        const result = await purgeLeavers(handle.db, {
          retentionDays: days,
          actor: CLI_ACTOR,
          dryRun: opts.dryRun ?? false,
        });
        const verb = opts.dryRun ? 'Would delete' : 'Deleted';
        say(
          `Leavers archived before ${result.cutoff.slice(0, 10)} (retention ${plural(days, 'day')}): ` +
            `${verb.toLowerCase()} ${plural(result.removed.length, 'account')}.`,
        );
        for (const l of result.removed)
          say(`  ${verb}: ${l.lastName}, ${l.firstName} <${l.email}>, archived ${l.archivedAt.slice(0, 10)}`);
        if (opts.dryRun) say('Dry run: nothing was changed.');
      }),
    );
}
