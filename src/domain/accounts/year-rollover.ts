// The new school year (ADR 035): every pupil moves up one year, their key
// stage following KEY_STAGE_YEARS; Year 13 pupils become leavers (archived,
// leavers.ts). Teachers, admins, leavers already archived and pupils without a
// school year are left as they are.
//
// A preview (planRollover) changes nothing; the run (runRollover) is one
// transaction: the year_rollovers row first (its unique school_year is what
// makes a second run for the same year fail, even two at once), then the
// leavers, then each year group from the oldest down (so nobody moves twice),
// the boards of pupils whose key stage changed (their points go with them,
// ADR 015), optionally a reset of every board, and the `year.rollover` audit
// entry with the counts.
import { PostgresAdapter, sql } from 'kysely';
import { KEY_STAGES, type KeyStage } from '../../config/index.js';
import type { Db, DbOrTrx } from '../../db/index.js';
import { checkbox, field, formOutcome, type FieldErrors, type FormOutcome, type FormValues } from '../../lib/forms.js';
import { isoToWallTime, wallTimeToIso } from '../../lib/school-time.js';
import { audit, type AuditActor } from '../audit.js';
import { rebuildBoards, resetBoards } from '../challenges/scoring.js';
import { keyStageForYear } from '../key-stage.js';
import { isUniqueViolation } from './users.js';

/** The last school year: its pupils leave. */
export const LEAVING_YEAR = 13;
/** The month (1–12) from which a rollover prepares the school year that starts in the coming September. */
export const ROLLOVER_FROM_MONTH = 7;

/**
 * The school year a rollover run now would start, named by the calendar year
 * it starts in (2027 = 2027–28). School years start in September; from July
 * (summer term over, Year 13 gone) a rollover prepares the year starting that
 * September, and from January to June it still belongs to the year that
 * started the September before. Read in the school's time zone.
 */
export function currentRolloverYear(now: Date, timeZone: string): number {
  const wall = isoToWallTime(now.toISOString(), timeZone); // "2027-07-14T09:30"
  const year = Number(wall.slice(0, 4));
  const month = Number(wall.slice(5, 7));
  return month >= ROLLOVER_FROM_MONTH ? year : year - 1;
}

/**
 * When the present rollover window opened: 1 July (ROLLOVER_FROM_MONTH) of the
 * school year a rollover run now would start, in the school's time zone, as an ISO time.
 * One rollover may run per window, whatever year it names.
 */
export function rolloverWindowStart(now: Date, timeZone: string): string {
  const year = currentRolloverYear(now, timeZone);
  const month = String(ROLLOVER_FROM_MONTH).padStart(2, '0');
  return wallTimeToIso(`${year}-${month}-01T00:00`, timeZone) ?? `${year}-${month}-01T00:00:00.000Z`;
}

/** 2027 → "2027–28". */
export function schoolYearLabel(year: number): string {
  return `${year}–${String((year + 1) % 100).padStart(2, '0')}`;
}

export interface YearMove {
  from: number;
  to: number;
  fromKeyStages: string[];
  toKeyStage: KeyStage | null;
  pupils: number;
}

export interface PupilRow {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
  yearGroup: number | null;
  school: string | null;
}

export interface RolloverPlan {
  /** One row per school year that moves up, youngest first. */
  moves: YearMove[];
  movedUp: number;
  leavers: PupilRow[];
  /** Pupils without a school year: left as they are. */
  noYear: PupilRow[];
}

export interface PastRollover {
  schoolYear: number;
  ranAt: string;
  ranBy: string | null;
  movedUp: number;
  archived: number;
}

/** Pupils (students, not admins, not archived) with what the rollover needs of them. */
async function pupils(db: DbOrTrx) {
  return db
    .selectFrom('users as u')
    .leftJoin('schools as s', 's.id', 'u.school_id')
    .select(['u.id', 'u.first_name', 'u.last_name', 'u.email', 'u.year_group', 'u.key_stage', 's.name as school'])
    .where('u.user_type', '=', 'student')
    .where('u.is_admin', '=', 0)
    .where('u.archived_at', 'is', null)
    .orderBy('u.last_name')
    .orderBy('u.first_name')
    .orderBy('u.id')
    .execute();
}

type Pupil = Awaited<ReturnType<typeof pupils>>[number];

function plan(rows: readonly Pupil[], map: Record<number, KeyStage>): RolloverPlan & { movers: Pupil[] } {
  const byYear = new Map<number, Pupil[]>();
  const leavers: PupilRow[] = [];
  const noYear: PupilRow[] = [];
  const movers: Pupil[] = [];
  const row = (p: Pupil): PupilRow => ({
    id: p.id,
    firstName: p.first_name,
    lastName: p.last_name,
    email: p.email,
    yearGroup: p.year_group,
    school: p.school,
  });
  for (const p of rows) {
    if (p.year_group === null) noYear.push(row(p));
    else if (p.year_group >= LEAVING_YEAR) leavers.push(row(p));
    else {
      movers.push(p);
      const list = byYear.get(p.year_group) ?? [];
      list.push(p);
      byYear.set(p.year_group, list);
    }
  }
  const moves = [...byYear.entries()]
    .sort(([a], [b]) => a - b)
    .map(([from, list]) => ({
      from,
      to: from + 1,
      fromKeyStages: [...new Set(list.map((p) => p.key_stage ?? '—'))].sort(),
      toKeyStage: keyStageForYear(map, from + 1),
      pupils: list.length,
    }));
  return { moves, movedUp: movers.length, leavers, noYear, movers };
}

/** What a rollover would do now. Changes nothing. */
export async function planRollover(db: DbOrTrx, map: Record<number, KeyStage>): Promise<RolloverPlan> {
  const { moves, movedUp, leavers, noYear } = plan(await pupils(db), map);
  return { moves, movedUp, leavers, noYear };
}

/** Every rollover run so far, newest first. */
export async function pastRollovers(db: DbOrTrx): Promise<PastRollover[]> {
  const rows = await db
    .selectFrom('year_rollovers as r')
    .leftJoin('users as u', 'u.id', 'r.ran_by')
    .select(['r.school_year', 'r.ran_at', 'r.moved_up', 'r.archived', 'u.email'])
    .orderBy('r.school_year', 'desc')
    .execute();
  return rows.map((r) => ({
    schoolYear: r.school_year,
    ranAt: r.ran_at,
    ranBy: r.email,
    movedUp: r.moved_up,
    archived: r.archived,
  }));
}

/** A rollover that must not run: its message says why, in words for the person running it. */
export class RolloverRefused extends Error {}

/** School years a rollover may name: the computed one, or the year either side of it. */
export function schoolYearProblem(requested: number, computed: number): string | null {
  if (!Number.isInteger(requested)) return 'Give the school year as the calendar year it starts in, e.g. 2027.';
  if (Math.abs(requested - computed) > 1)
    return `The school year must be ${computed - 1}, ${computed} or ${computed + 1} (now it is ${schoolYearLabel(computed)}).`;
  return null;
}

function alreadyRun(done: { school_year: number; ran_at: string }, requested: number): RolloverRefused {
  const when = done.ran_at.slice(0, 10);
  return new RolloverRefused(
    done.school_year === requested
      ? `The new school year ${schoolYearLabel(requested)} was already started on ${when}: everyone has moved up once. Nothing was changed.`
      : `The school year ${schoolYearLabel(done.school_year)} was already started on ${when}, after ${schoolYearLabel(requested)}: running ${schoolYearLabel(requested)} now would move everyone up again. Nothing was changed.`,
  );
}

function ranThisWindow(done: { school_year: number; ran_at: string }, requested: number): RolloverRefused {
  return new RolloverRefused(
    `A new school year (${schoolYearLabel(done.school_year)}) was already started on ${done.ran_at.slice(0, 10)}, since 1 July: running ${schoolYearLabel(requested)} now would move everyone up a second time this year. The next one can run from 1 July. Nothing was changed.`,
  );
}

export interface RolloverResult {
  schoolYear: number;
  movedUp: number;
  archived: number;
  leftAlone: number;
  keyStageChanged: number;
  boardsReset: boolean;
  byYear: Record<string, number>;
  /** The leavers' ids: the caller ends their sessions in the session store. */
  archivedIds: number[];
}

/**
 * Starts the new school year, in one transaction with its audit entry.
 * Throws RolloverRefused when this school year (or a later one) was already
 * started, including when another run for it committed first.
 */
export async function runRollover(
  db: Db,
  opts: {
    schoolYear: number;
    keyStageByYear: Record<number, KeyStage>;
    actor: AuditActor;
    /** The school's time zone: where the present rollover window starts (1 July). */
    timeZone: string;
    resetBoards?: boolean;
    now?: Date;
  },
): Promise<RolloverResult> {
  const nowDate = opts.now ?? new Date();
  const now = nowDate.toISOString();
  const windowStart = rolloverWindowStart(nowDate, opts.timeZone);
  try {
    return await db.transaction().execute(async (trx) => {
      // Two runs at once naming different years must not both pass the checks below:
      // on PostgreSQL the second waits here for the first to commit (SQLite's
      // BEGIN IMMEDIATE already lets one writer in at a time). Reads are not blocked.
      if (trx.getExecutor().adapter instanceof PostgresAdapter) {
        await sql`lock table year_rollovers in share row exclusive mode`.execute(trx);
      }
      const done = await trx
        .selectFrom('year_rollovers')
        .select(['school_year', 'ran_at'])
        .where('school_year', '>=', opts.schoolYear)
        .orderBy('school_year', 'desc')
        .executeTakeFirst();
      if (done) throw alreadyRun(done, opts.schoolYear);
      // Once a window, whatever year is named: in February, naming next year's school year
      // after this September's run would move everyone up a second time.
      const sameWindow = await trx
        .selectFrom('year_rollovers')
        .select(['school_year', 'ran_at'])
        .where('ran_at', '>=', windowStart)
        .orderBy('ran_at', 'desc')
        .executeTakeFirst();
      if (sameWindow) throw ranThisWindow(sameWindow, opts.schoolYear);
      // First write: a second run for the same year waits here on PostgreSQL,
      // then fails on the unique key once this one commits.
      const record = await trx
        .insertInto('year_rollovers')
        .values({ school_year: opts.schoolYear, ran_at: now, ran_by: opts.actor.id, moved_up: 0, archived: 0 })
        .returning('id')
        .executeTakeFirstOrThrow();

      const { moves, leavers, noYear, movers } = plan(await pupils(trx), opts.keyStageByYear);
      const archivedIds = leavers.map((l) => l.id);
      for (let i = 0; i < archivedIds.length; i += 500) {
        await trx
          .updateTable('users')
          .set({ archived_at: now, updated_at: now })
          .where('id', 'in', archivedIds.slice(i, i + 500))
          .where('archived_at', 'is', null)
          .execute();
      }
      // The oldest year first: Year 12 becomes 13 before Year 11 becomes 12, so nobody moves twice.
      for (const move of [...moves].sort((a, b) => b.from - a.from)) {
        await trx
          .updateTable('users')
          .set({ year_group: move.to, key_stage: move.toKeyStage, updated_at: now })
          .where('user_type', '=', 'student')
          .where('is_admin', '=', 0)
          .where('archived_at', 'is', null)
          .where('year_group', '=', move.from)
          .execute();
      }

      const changed = movers
        .filter((p) => p.key_stage !== keyStageForYear(opts.keyStageByYear, p.year_group! + 1))
        .map((p) => p.id);
      if (opts.resetBoards) await resetBoards(trx, KEY_STAGES, now);
      else await rebuildBoards(trx, { userIds: changed, now });

      const byYear: Record<string, number> = {};
      for (const m of moves) byYear[`${m.from}->${m.to}`] = m.pupils;
      const result: RolloverResult = {
        schoolYear: opts.schoolYear,
        movedUp: movers.length,
        archived: archivedIds.length,
        leftAlone: noYear.length,
        keyStageChanged: changed.length,
        boardsReset: opts.resetBoards ?? false,
        byYear,
        archivedIds,
      };
      await trx
        .updateTable('year_rollovers')
        .set({ moved_up: result.movedUp, archived: result.archived })
        .where('id', '=', record.id)
        .execute();
      await audit(trx, opts.actor, {
        action: 'year.rollover',
        targetType: 'year_rollover',
        targetId: opts.schoolYear,
        details: {
          schoolYear: result.schoolYear,
          movedUp: result.movedUp,
          archived: result.archived,
          leftAlone: result.leftAlone,
          keyStageChanged: result.keyStageChanged,
          boardsReset: result.boardsReset,
          byYear,
        },
      });
      return result;
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      const done = await db
        .selectFrom('year_rollovers')
        .select(['school_year', 'ran_at'])
        .where('school_year', '=', opts.schoolYear)
        .executeTakeFirst();
      throw alreadyRun(done ?? { school_year: opts.schoolYear, ran_at: now }, opts.schoolYear);
    }
    throw err;
  }
}

export interface RolloverFormData {
  schoolYear: number;
  resetBoards: boolean;
}

/** The "Start the new school year" form: a school year near the computed one, and the confirmation ticked. */
export function validateRolloverForm(body: unknown, computed: number): FormOutcome<RolloverFormData> {
  const values: FormValues = {
    school_year: field(body, 'school_year').trim(),
    reset_boards: checkbox(body, 'reset_boards') ? 'yes' : '',
    confirm: checkbox(body, 'confirm') ? 'yes' : '',
  };
  const errors: FieldErrors = {};
  const year = /^\d{4}$/.test(values.school_year!) ? Number(values.school_year) : NaN;
  const problem = schoolYearProblem(year, computed);
  if (problem) errors.school_year = problem;
  if (values.confirm !== 'yes') errors.confirm = 'Tick the box to confirm: this moves every pupil up.';
  return formOutcome(values, errors, () => ({ schoolYear: year, resetBoards: values.reset_boards === 'yes' }));
}
