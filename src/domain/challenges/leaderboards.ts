// Key-stage leaderboards (docs/product.md, "Scoring and leaderboards"; ADR 015), read from the maintained `scores`
// table: every query here is an index range over one board (key_stage,
// points) or one user's rows — nothing counts the submissions table on a
// page view. Also the admin side: manual adjustments, resets,
// recalculation and the CSV export.
import type { Kysely, Transaction } from 'kysely';
import { KEY_STAGES, type KeyStage } from '../../config/index.js';
import type { Database } from '../../db/schema.js';
import { audit, type AuditActor } from '../audit.js';
import { hiddenUserIds, type BoardVisibility } from '../accounts/board-visibility.js';
import { boardResetTimes, rebuildBoards, recalculateAll, resetBoards, type RecalculationSummary } from './scoring.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

/** How a student appears on public pages: first name and last initial ("Ada L."). */
export function publicName(firstName: string, lastName: string): string {
  const initial = [...lastName.trim()][0];
  return initial ? `${firstName.trim()} ${initial.toUpperCase()}.` : firstName.trim();
}

/** Competition ranking ("1, 2, 2, 4"): equal points share a rank, the next rank skips. */
export function rankRows<T extends { points: number }>(
  rows: readonly T[],
  startRank = 1,
  previous?: { points: number; rank: number },
): Array<T & { rank: number }> {
  const out: Array<T & { rank: number }> = [];
  let prev = previous ?? null;
  rows.forEach((row, i) => {
    const rank = prev && prev.points === row.points ? prev.rank : startRank + i;
    out.push({ ...row, rank });
    prev = { points: row.points, rank };
  });
  return out;
}

export interface BoardEntry {
  rank: number;
  userId: number;
  name: string;
  points: number;
  completed: number;
}

/** A board narrowed to the pupils of one school (the public board's school filter); null: every school. */
export type SchoolFilter = number | null;

/** The top of one board: students with points, best first (of one school when given). */
export async function topOfBoard(
  db: DbOrTrx,
  keyStage: KeyStage,
  limit: number,
  visibility: BoardVisibility = { confirmedOnly: false },
  school: SchoolFilter = null,
): Promise<BoardEntry[]> {
  const rows = await db
    .selectFrom('scores as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.user_id', 's.points', 's.challenges_completed', 'u.first_name', 'u.last_name'])
    .where('s.key_stage', '=', keyStage)
    .where('s.points', '>', 0)
    .where('u.archived_at', 'is', null)
    .$if(visibility.confirmedOnly, (qb) => qb.where('u.email_verified_at', 'is not', null))
    .$if(school !== null, (qb) => qb.where('u.school_id', '=', school))
    .orderBy('s.points', 'desc')
    .orderBy('s.challenges_completed', 'desc')
    .orderBy('s.user_id')
    .limit(limit)
    .execute();
  return rankRows(
    rows.map((r) => ({
      userId: r.user_id,
      name: publicName(r.first_name, r.last_name),
      points: r.points,
      completed: r.challenges_completed,
    })),
  );
}

export interface BoardStats {
  participants: number;
  totalPoints: number;
  challengesReleased: number;
  submissions: number;
}

/** Totals of one board (participants: students with a try, a completion or an adjustment on it). */
export async function boardStats(
  db: DbOrTrx,
  keyStage: KeyStage,
  now: string,
  visibility: BoardVisibility = { confirmedOnly: false },
  school: SchoolFilter = null,
): Promise<BoardStats> {
  const s = await db
    .selectFrom('scores')
    .select([
      (eb) => eb.fn.countAll<number>().as('participants'),
      (eb) => eb.fn.coalesce(eb.fn.sum<number>('points'), eb.lit(0)).as('points'),
      (eb) => eb.fn.coalesce(eb.fn.sum<number>('submissions'), eb.lit(0)).as('submissions'),
    ])
    .where('key_stage', '=', keyStage)
    .where('user_id', 'not in', hiddenUserIds(db, visibility))
    .$if(school !== null, (qb) =>
      qb.where('user_id', 'in', db.selectFrom('users').select('id').where('school_id', '=', school)),
    )
    .executeTakeFirstOrThrow();
  const c = await db
    .selectFrom('challenges')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('key_stage', '=', keyStage)
    .where('release_at', '<=', now)
    .where('competition_id', 'is', null)
    .executeTakeFirstOrThrow();
  return {
    participants: Number(s.participants),
    totalPoints: Number(s.points),
    challengesReleased: Number(c.n),
    submissions: Number(s.submissions),
  };
}

export interface ActivityItem {
  name: string;
  challengeId: number;
  title: string;
  points: number;
  at: string;
}

/**
 * Latest weekly completions by the board's pupils (of any challenge) since its
 * reset, newest first. Walks completions_weekly_recent_idx from the newest.
 */
export async function recentActivity(
  db: DbOrTrx,
  keyStage: KeyStage,
  limit = 10,
  visibility: BoardVisibility = { confirmedOnly: false },
  school: SchoolFilter = null,
): Promise<ActivityItem[]> {
  const since = (await boardResetTimes(db))[keyStage];
  const rows = await db
    .selectFrom('completions as k')
    .innerJoin('users as u', 'u.id', 'k.user_id')
    .innerJoin('challenges as c', 'c.id', 'k.challenge_id')
    .leftJoin('schools as sc', 'sc.id', 'u.school_id')
    .select(['k.points', 'k.completed_at', 'k.challenge_id', 'c.title', 'u.first_name', 'u.last_name'])
    .where('u.key_stage', '=', keyStage)
    .where((eb) => eb.or([eb('sc.kind', 'is', null), eb('sc.kind', '!=', 'guest')]))
    .where('k.competition_id', 'is', null)
    .where('k.completed_at', '>=', since)
    .where('u.archived_at', 'is', null)
    .$if(visibility.confirmedOnly, (qb) => qb.where('u.email_verified_at', 'is not', null))
    .$if(school !== null, (qb) => qb.where('u.school_id', '=', school))
    .orderBy('k.completed_at', 'desc')
    .orderBy('k.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    name: publicName(r.first_name, r.last_name),
    challengeId: r.challenge_id,
    title: r.title,
    points: r.points,
    at: r.completed_at,
  }));
}

export interface Standing {
  keyStage: KeyStage;
  points: number;
  completed: number;
  submissions: number;
  /** Rank on the board, or null with no points. */
  rank: number | null;
}

/** A user's rows on every board (profile page and "your place" on the leaderboard). */
export async function userStandings(
  db: DbOrTrx,
  userId: number,
  visibility: BoardVisibility = { confirmedOnly: false },
): Promise<Standing[]> {
  const rows = await db
    .selectFrom('scores')
    .select(['key_stage', 'points', 'challenges_completed', 'submissions'])
    .where('user_id', '=', userId)
    .execute();
  const out: Standing[] = [];
  for (const ks of KEY_STAGES) {
    const r = rows.find((x) => x.key_stage === ks);
    if (!r) continue;
    let rank: number | null = null;
    if (r.points > 0) {
      const ahead = await db
        .selectFrom('scores')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('key_stage', '=', ks)
        .where('points', '>', r.points)
        .where('user_id', 'not in', hiddenUserIds(db, visibility))
        .executeTakeFirstOrThrow();
      rank = Number(ahead.n) + 1;
    }
    out.push({ keyStage: ks, points: r.points, completed: r.challenges_completed, submissions: r.submissions, rank });
  }
  return out;
}

// ---------------------------------------------------------------- admin: adjustments

export const ADJUSTMENT_POINTS = { min: -1000, max: 1000 } as const;
export const MAX_REASON_LENGTH = 300;

export interface AdjustmentInput {
  userId: number;
  keyStage: KeyStage;
  points: number;
  reason: string;
}

export interface AdjustmentRow {
  id: number;
  userId: number;
  userName: string;
  userEmail: string;
  keyStage: string;
  points: number;
  reason: string;
  createdBy: string | null;
  createdAt: string;
  /** Made before the board's last reset, so it no longer counts. */
  beforeReset: boolean;
}

const ADJUSTMENTS_PER_PAGE = 25;

export async function listAdjustments(
  db: DbOrTrx,
  page = 1,
): Promise<{ rows: AdjustmentRow[]; total: number; page: number; pages: number }> {
  const { n } = await db
    .selectFrom('score_adjustments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('competition_id', 'is', null)
    .executeTakeFirstOrThrow();
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / ADJUSTMENTS_PER_PAGE));
  const current = Math.min(Math.max(1, page), pages);
  const resets = await boardResetTimes(db);
  const rows = await db
    .selectFrom('score_adjustments as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('users as by', 'by.id', 'a.created_by')
    .select([
      'a.id',
      'a.user_id',
      'a.key_stage',
      'a.points',
      'a.reason',
      'a.created_at',
      'u.first_name',
      'u.last_name',
      'u.email',
      'by.email as by_email',
    ])
    .where('a.competition_id', 'is', null)
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(ADJUSTMENTS_PER_PAGE)
    .offset((current - 1) * ADJUSTMENTS_PER_PAGE)
    .execute();
  return {
    total,
    page: current,
    pages,
    rows: rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      userName: `${r.first_name} ${r.last_name}`,
      userEmail: r.email,
      keyStage: r.key_stage,
      points: r.points,
      reason: r.reason,
      createdBy: r.by_email,
      createdAt: r.created_at,
      beforeReset: r.created_at < (resets[r.key_stage as KeyStage] ?? ''),
    })),
  };
}

export function findAdjustment(db: DbOrTrx, id: number) {
  return db
    .selectFrom('score_adjustments')
    .selectAll()
    .where('id', '=', id)
    .where('competition_id', 'is', null)
    .executeTakeFirst();
}

export async function createAdjustment(
  db: Kysely<Database>,
  input: AdjustmentInput,
  actor: AuditActor,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const row = await trx
      .insertInto('score_adjustments')
      .values({
        user_id: input.userId,
        key_stage: input.keyStage,
        points: input.points,
        reason: input.reason,
        created_by: actor.id,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await rebuildBoards(trx, { userIds: [input.userId], now });
    await audit(trx, actor, {
      action: 'leaderboard.adjustment.create',
      targetType: 'score_adjustment',
      targetId: row.id,
      details: { userId: input.userId, keyStage: input.keyStage, points: input.points, reason: input.reason },
    });
    return row.id;
  });
}

export async function updateAdjustment(
  db: Kysely<Database>,
  id: number,
  input: Omit<AdjustmentInput, 'userId'>,
  actor: AuditActor,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const before = await findAdjustment(trx, id);
    if (!before) return false;
    const now = new Date().toISOString();
    await trx
      .updateTable('score_adjustments')
      .set({ key_stage: input.keyStage, points: input.points, reason: input.reason })
      .where('id', '=', id)
      .execute();
    await rebuildBoards(trx, { userIds: [before.user_id], now });
    await audit(trx, actor, {
      action: 'leaderboard.adjustment.update',
      targetType: 'score_adjustment',
      targetId: id,
      details: {
        userId: before.user_id,
        before: { keyStage: before.key_stage, points: before.points, reason: before.reason },
        after: { keyStage: input.keyStage, points: input.points, reason: input.reason },
      },
    });
    return true;
  });
}

export async function deleteAdjustment(db: Kysely<Database>, id: number, actor: AuditActor): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const before = await findAdjustment(trx, id);
    if (!before) return false;
    await trx.deleteFrom('score_adjustments').where('id', '=', id).execute();
    await rebuildBoards(trx, { userIds: [before.user_id], now: new Date().toISOString() });
    await audit(trx, actor, {
      action: 'leaderboard.adjustment.delete',
      targetType: 'score_adjustment',
      targetId: id,
      details: { userId: before.user_id, keyStage: before.key_stage, points: before.points, reason: before.reason },
    });
    return true;
  });
}

// ---------------------------------------------------------------- admin: reset, recalculate, export

export async function resetLeaderboards(
  db: Kysely<Database>,
  stages: readonly KeyStage[],
  actor: AuditActor,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    await resetBoards(trx, stages, now);
    await audit(trx, actor, {
      action: 'leaderboard.reset',
      targetType: 'leaderboard',
      targetId: stages.join(','),
      details: { stages, at: now },
    });
  });
}

export async function recalculateLeaderboards(db: Kysely<Database>, actor: AuditActor): Promise<RecalculationSummary> {
  return db.transaction().execute(async (trx) => {
    const summary = await recalculateAll(trx, new Date().toISOString());
    await audit(trx, actor, { action: 'leaderboard.recalculate', targetType: 'leaderboard', details: { ...summary } });
    return summary;
  });
}

export interface ExportRow {
  rank: number | null;
  keyStage: string;
  firstName: string;
  lastName: string;
  email: string;
  yearGroup: number | null;
  mathsClass: string | null;
  school: string | null;
  points: number;
  completed: number;
  submissions: number;
}

/** Every row of the chosen boards (all when none), ranked, for the CSV export. The same rows as the public boards. */
export async function exportBoards(db: DbOrTrx, stages: readonly KeyStage[] = KEY_STAGES): Promise<ExportRow[]> {
  const out: ExportRow[] = [];
  for (const ks of stages) {
    const rows = await db
      .selectFrom('scores as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .leftJoin('schools as sc', 'sc.id', 'u.school_id')
      .select([
        's.points',
        's.challenges_completed',
        's.submissions',
        'u.first_name',
        'u.last_name',
        'u.email',
        'u.year_group',
        'u.maths_class',
        'sc.name as school',
      ])
      .where('s.key_stage', '=', ks)
      .orderBy('s.points', 'desc')
      .orderBy('s.challenges_completed', 'desc')
      .orderBy('s.user_id')
      .execute();
    const ranked = rankRows(rows.filter((r) => r.points > 0));
    for (const r of ranked) out.push(exportRow(ks, r, r.rank));
    for (const r of rows.filter((x) => x.points <= 0)) out.push(exportRow(ks, r, null));
  }
  return out;
}

function exportRow(
  ks: string,
  r: {
    points: number;
    challenges_completed: number;
    submissions: number;
    first_name: string;
    last_name: string;
    email: string;
    year_group: number | null;
    maths_class: string | null;
    school: string | null;
  },
  rank: number | null,
): ExportRow {
  return {
    rank,
    keyStage: ks,
    firstName: r.first_name,
    lastName: r.last_name,
    email: r.email,
    yearGroup: r.year_group,
    mathsClass: r.maths_class,
    school: r.school,
    points: r.points,
    completed: r.challenges_completed,
    submissions: r.submissions,
  };
}
