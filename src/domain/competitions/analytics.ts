// The admin side of a competition board: the searchable, filterable entry
// list with bulk delete / reset and manual adjustments, analytics (per
// school, per key stage, top performers, tries per day) and exports.
import type { Kysely, Transaction } from 'kysely';
import { KEY_STAGES, type KeyStage } from '../../config/index.js';
import type { Database } from '../../db/schema.js';
import { audit, type AuditActor } from '../audit.js';
import { averageOneDecimal, rebuildCompetitionBoard, rederiveCompetitionChallenge } from './scoring.js';
import { toCsv } from '../../lib/csv.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

export const ENTRY_SORTS = ['points', 'name', 'school', 'completed', 'joined'] as const;
export type EntrySort = (typeof ENTRY_SORTS)[number];
export const PAGE_SIZES = [25, 50, 100] as const;

export interface EntryFilters {
  q: string;
  keyStage: KeyStage | null;
  schoolId: number | null;
  minPoints: number | null;
  maxPoints: number | null;
  sort: EntrySort;
  dir: 'asc' | 'desc';
}

export interface CompetitionEntry {
  userId: number;
  firstName: string;
  lastName: string;
  email: string;
  schoolId: number;
  school: string;
  keyStage: string;
  points: number;
  completed: number;
  joinedAt: string;
}

/** Every participant of the competition with their board row (0 points when none), filtered and sorted. */
function entriesQuery(db: DbOrTrx, competitionId: number, f: EntryFilters) {
  let q = db
    .selectFrom('competition_participants as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .innerJoin('schools as s', 's.id', 'p.school_id')
    .leftJoin('competition_scores as cs', (j) =>
      j.onRef('cs.user_id', '=', 'p.user_id').onRef('cs.competition_id', '=', 'p.competition_id'),
    )
    .where('p.competition_id', '=', competitionId);
  if (f.keyStage) q = q.where('p.key_stage', '=', f.keyStage);
  if (f.schoolId) q = q.where('p.school_id', '=', f.schoolId);
  if (f.minPoints !== null) q = q.where((eb) => eb(eb.fn.coalesce('cs.points', eb.lit(0)), '>=', f.minPoints!));
  if (f.maxPoints !== null) q = q.where((eb) => eb(eb.fn.coalesce('cs.points', eb.lit(0)), '<=', f.maxPoints!));
  const text = f.q.trim().toLowerCase();
  if (text) {
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['u.first_name']), 'like', like),
        eb(eb.fn('lower', ['u.last_name']), 'like', like),
        eb(eb.fn('lower', ['u.email']), 'like', like),
        eb(eb.fn('lower', ['s.name']), 'like', like),
      ]),
    );
  }
  return q;
}

export async function listEntries(
  db: DbOrTrx,
  competitionId: number,
  f: EntryFilters,
  page: number,
  perPage: number,
): Promise<{ rows: CompetitionEntry[]; total: number; page: number; pages: number }> {
  const { n } = await entriesQuery(db, competitionId, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const current = Math.min(Math.max(1, page), pages);
  let q = entriesQuery(db, competitionId, f).select((eb) => [
    'p.user_id',
    'u.first_name',
    'u.last_name',
    'u.email',
    'p.school_id',
    's.name as school',
    'p.key_stage',
    'p.created_at',
    eb.fn.coalesce('cs.points', eb.lit(0)).as('points'),
    eb.fn.coalesce('cs.challenges_completed', eb.lit(0)).as('completed'),
  ]);
  const dir = f.dir;
  switch (f.sort) {
    case 'name':
      q = q.orderBy('u.last_name', dir).orderBy('u.first_name', dir);
      break;
    case 'school':
      q = q.orderBy('s.name', dir);
      break;
    case 'completed':
      q = q.orderBy('completed', dir);
      break;
    case 'joined':
      q = q.orderBy('p.created_at', dir);
      break;
    default:
      q = q.orderBy('points', dir);
  }
  const rows = await q
    .orderBy('p.user_id')
    .limit(perPage)
    .offset((current - 1) * perPage)
    .execute();
  return {
    total,
    page: current,
    pages,
    rows: rows.map((r) => ({
      userId: r.user_id,
      firstName: r.first_name,
      lastName: r.last_name,
      email: r.email,
      schoolId: r.school_id,
      school: r.school,
      keyStage: r.key_stage,
      points: Number(r.points),
      completed: Number(r.completed),
      joinedAt: r.created_at,
    })),
  };
}

/** All matching entries, best first (for exports). */
export async function allEntries(db: DbOrTrx, competitionId: number, f: EntryFilters): Promise<CompetitionEntry[]> {
  return (await listEntries(db, competitionId, { ...f, sort: 'points', dir: 'desc' }, 1, 1_000_000)).rows;
}

export const BULK_BOARD_ACTIONS = ['reset', 'delete'] as const;
export type BulkBoardAction = (typeof BULK_BOARD_ACTIONS)[number];

/**
 * reset: the participants' tries, completions and adjustments in this
 * competition are removed, so they stand at 0 and can start again;
 * delete: as reset, and they are no longer participants of it.
 */
export async function bulkBoardAction(
  db: Kysely<Database>,
  competitionId: number,
  action: BulkBoardAction,
  userIds: number[],
  actor: AuditActor,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ids = [...new Set(userIds)];
    if (!ids.length) return 0;
    const found = await trx
      .selectFrom('competition_participants')
      .select('user_id')
      .where('competition_id', '=', competitionId)
      .where('user_id', 'in', ids)
      .execute();
    const users = found.map((r) => r.user_id);
    if (!users.length) return 0;
    const challengeIds = (
      await trx.selectFrom('challenges').select('id').where('competition_id', '=', competitionId).execute()
    ).map((r) => r.id);
    if (challengeIds.length) {
      await trx
        .deleteFrom('submissions')
        .where('challenge_id', 'in', challengeIds)
        .where('user_id', 'in', users)
        .execute();
    }
    await trx
      .deleteFrom('completions')
      .where('competition_id', '=', competitionId)
      .where('user_id', 'in', users)
      .execute();
    await trx
      .deleteFrom('score_adjustments')
      .where('competition_id', '=', competitionId)
      .where('user_id', 'in', users)
      .execute();
    if (action === 'delete') {
      await trx
        .deleteFrom('competition_participants')
        .where('competition_id', '=', competitionId)
        .where('user_id', 'in', users)
        .execute();
      // The account stays a participant only while it takes part in another competition.
      for (const u of users) {
        const other = await trx
          .selectFrom('competition_participants')
          .select('id')
          .where('user_id', '=', u)
          .limit(1)
          .execute();
        if (!other.length) await trx.updateTable('users').set({ is_participant: 0 }).where('id', '=', u).execute();
      }
    }
    // First completers may have changed: derive the challenges again, then the board.
    for (const id of challengeIds) await rederiveCompetitionChallenge(trx, id);
    await rebuildCompetitionBoard(trx, competitionId, new Date().toISOString());
    await audit(trx, actor, {
      action: `competition.board.${action}`,
      targetType: 'competition',
      targetId: competitionId,
      details: { userIds: users },
    });
    return users.length;
  });
}

export const ADJUSTMENT_LIMIT = 1000;

export async function addCompetitionAdjustment(
  db: Kysely<Database>,
  competitionId: number,
  a: { userId: number; points: number; reason: string },
  actor: AuditActor,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const p = await trx
      .selectFrom('competition_participants')
      .select(['key_stage'])
      .where('competition_id', '=', competitionId)
      .where('user_id', '=', a.userId)
      .executeTakeFirst();
    if (!p) return false;
    const now = new Date().toISOString();
    await trx
      .insertInto('score_adjustments')
      .values({
        user_id: a.userId,
        key_stage: p.key_stage,
        competition_id: competitionId,
        points: a.points,
        reason: a.reason,
        created_by: actor.id,
        created_at: now,
      })
      .execute();
    await rebuildCompetitionBoard(trx, competitionId, now);
    await audit(trx, actor, {
      action: 'competition.adjustment.create',
      targetType: 'user',
      targetId: a.userId,
      details: { competitionId, points: a.points, reason: a.reason },
    });
    return true;
  });
}

export async function deleteCompetitionAdjustment(
  db: Kysely<Database>,
  competitionId: number,
  id: number,
  actor: AuditActor,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .deleteFrom('score_adjustments')
      .where('id', '=', id)
      .where('competition_id', '=', competitionId)
      .returning(['user_id', 'points', 'reason'])
      .executeTakeFirst();
    if (!row) return false;
    await rebuildCompetitionBoard(trx, competitionId, new Date().toISOString());
    await audit(trx, actor, {
      action: 'competition.adjustment.delete',
      targetType: 'user',
      targetId: row.user_id,
      details: { competitionId, adjustmentId: id, points: row.points, reason: row.reason },
    });
    return true;
  });
}

export async function listCompetitionAdjustments(db: DbOrTrx, competitionId: number) {
  return db
    .selectFrom('score_adjustments as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('users as by', 'by.id', 'a.created_by')
    .select([
      'a.id',
      'a.user_id',
      'a.points',
      'a.reason',
      'a.created_at',
      'a.key_stage',
      'u.first_name',
      'u.last_name',
      'by.email as by_email',
    ])
    .where('a.competition_id', '=', competitionId)
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(200)
    .execute();
}

// ---------------------------------------------------------------- analytics

export interface GroupStats {
  participants: number;
  points: number;
  average: number;
  completions: number;
  submissions: number;
}

export interface CompetitionAnalytics {
  perSchool: Array<GroupStats & { schoolId: number; school: string }>;
  perKeyStage: Array<GroupStats & { keyStage: KeyStage }>;
  topPerformers: CompetitionEntry[];
  /** Scoring tries per day (UTC date), oldest first, days without tries included. */
  submissionsPerDay: Array<{ day: string; count: number }>;
}

export async function competitionAnalytics(db: DbOrTrx, competitionId: number): Promise<CompetitionAnalytics> {
  const participants = await db
    .selectFrom('competition_participants as p')
    .innerJoin('schools as s', 's.id', 'p.school_id')
    .select(['p.user_id', 'p.school_id', 'p.key_stage', 's.name'])
    .where('p.competition_id', '=', competitionId)
    .execute();
  const scores = await db
    .selectFrom('competition_scores')
    .select(['user_id', 'points', 'challenges_completed'])
    .where('competition_id', '=', competitionId)
    .execute();
  const tries = await db
    .selectFrom('submissions as x')
    .innerJoin('challenges as c', 'c.id', 'x.challenge_id')
    .select(['x.user_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('c.competition_id', '=', competitionId)
    .where('x.is_admin_try', '=', 0)
    .groupBy('x.user_id')
    .execute();
  const score = new Map(scores.map((s) => [s.user_id, s]));
  const triesOf = new Map(tries.map((t) => [t.user_id, Number(t.n)]));

  const group = (members: typeof participants): GroupStats => {
    let points = 0;
    let completions = 0;
    let submissions = 0;
    for (const m of members) {
      points += score.get(m.user_id)?.points ?? 0;
      completions += score.get(m.user_id)?.challenges_completed ?? 0;
      submissions += triesOf.get(m.user_id) ?? 0;
    }
    return {
      participants: members.length,
      points,
      average: averageOneDecimal(points, members.length),
      completions,
      submissions,
    };
  };
  const schoolIds = [...new Set(participants.map((p) => p.school_id))];
  const perSchool = schoolIds
    .map((id) => {
      const members = participants.filter((p) => p.school_id === id);
      return { schoolId: id, school: members[0]!.name, ...group(members) };
    })
    .sort((a, b) => b.points - a.points || a.school.localeCompare(b.school));
  const perKeyStage = KEY_STAGES.map((ks) => ({
    keyStage: ks,
    ...group(participants.filter((p) => p.key_stage === ks)),
  }));

  const topPerformers = (
    await listEntries(
      db,
      competitionId,
      {
        q: '',
        keyStage: null,
        schoolId: null,
        minPoints: 1,
        maxPoints: null,
        sort: 'points',
        dir: 'desc',
      },
      1,
      10,
    )
  ).rows;

  const days = await db
    .selectFrom('submissions as x')
    .innerJoin('challenges as c', 'c.id', 'x.challenge_id')
    .select([
      (eb) => eb.fn<string>('substr', ['x.created_at', eb.lit(1), eb.lit(10)]).as('day'),
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .where('c.competition_id', '=', competitionId)
    .where('x.is_admin_try', '=', 0)
    .groupBy((eb) => eb.fn('substr', ['x.created_at', eb.lit(1), eb.lit(10)]))
    .execute();
  return {
    perSchool,
    perKeyStage,
    topPerformers,
    submissionsPerDay: fillDays(days.map((d) => ({ day: d.day, count: Number(d.n) }))),
  };
}

/** Sorted by day with the missing days in between as zero (at most a year of days). */
export function fillDays(counts: Array<{ day: string; count: number }>): Array<{ day: string; count: number }> {
  if (!counts.length) return [];
  const byDay = new Map(counts.map((c) => [c.day, c.count]));
  const sorted = [...byDay.keys()].sort();
  const out: Array<{ day: string; count: number }> = [];
  const last = sorted[sorted.length - 1]!;
  for (let d = new Date(`${sorted[0]}T00:00:00Z`); out.length < 366; d = new Date(d.getTime() + 86_400_000)) {
    const day = d.toISOString().slice(0, 10);
    out.push({ day, count: byDay.get(day) ?? 0 });
    if (day >= last) break;
  }
  return out;
}

// ---------------------------------------------------------------- export

const EXPORT_HEADER = [
  'rank',
  'first_name',
  'last_name',
  'email',
  'school',
  'key_stage',
  'points',
  'challenges_completed',
  'joined_at',
] as const;

export function exportRecords(entries: CompetitionEntry[]) {
  return entries.map((e, i) => ({
    rank: i + 1,
    first_name: e.firstName,
    last_name: e.lastName,
    email: e.email,
    school: e.school,
    key_stage: e.keyStage,
    points: e.points,
    challenges_completed: e.completed,
    joined_at: e.joinedAt,
  }));
}

export function exportCsv(entries: CompetitionEntry[]): string {
  return toCsv(
    EXPORT_HEADER,
    exportRecords(entries).map((r) => EXPORT_HEADER.map((k) => r[k])),
  );
}
