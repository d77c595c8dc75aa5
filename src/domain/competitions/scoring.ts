// Competition challenges and the competition board. A competition challenge
// is a challenge row with competition_id and a duration (1–168 hours from its
// release, then it locks). Only participants of that competition whose key
// stage is the challenge's may answer. Scoring is the one rule of scoring.ts
// (3 for the first completer, 1 after), recorded in completions with the
// competition and the participant's school, and on competition_scores — never
// on the weekly boards. Admins may try answers; their tries never score.
import type { Kysely, Transaction } from 'kysely';
import { KEY_STAGES, type KeyStage } from '../../config/index.js';
import type { Challenge, Database } from '../../db/schema.js';
import { audit, type AuditActor } from '../audit.js';
import { hiddenUserIds, type BoardVisibility } from '../accounts/board-visibility.js';
import {
  attemptsLeftAfter,
  findChallengeIn,
  insertSubmission,
  isLocked,
  isReleased,
  lockTime,
} from '../challenges/challenges.js';
import { findParticipation, type Participation } from './competitions.js';
import { publicName, rankRows } from '../challenges/leaderboards.js';
import { claimCompletion, deriveCompletions, lockForScoring, type LiveCompletion } from '../challenges/scoring.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

export const DURATION_HOURS = { min: 1, max: 168 } as const;
const BOARD_SIZE = 15;

type DurationFields = Pick<Challenge, 'is_locked' | 'release_at' | 'duration_hours'>;

/** When a competition challenge closes: its duration after release. */
export function closesAt(c: DurationFields): string | null {
  return lockTime(c.release_at, c.duration_hours);
}

/** Locked by hand, or past release + duration. */
export function isCompetitionChallengeLocked(c: DurationFields, now: string): boolean {
  return isLocked(c, c.duration_hours, now);
}

export function findCompetitionChallenge(
  db: DbOrTrx,
  competitionId: number,
  id: number,
): Promise<Challenge | undefined> {
  return findChallengeIn(db, id, competitionId);
}

/** Released competition challenges, newest first (all of them for admins). */
export function listCompetitionChallenges(
  db: DbOrTrx,
  competitionId: number,
  opts: { now: string; includeScheduled: boolean },
): Promise<Challenge[]> {
  let q = db.selectFrom('challenges').selectAll().where('competition_id', '=', competitionId);
  if (!opts.includeScheduled) q = q.where('release_at', '<=', opts.now);
  return q.orderBy('release_at', 'desc').orderBy('id', 'desc').execute();
}

/** The ids of the competition's challenges this user has completed. */
export async function completedCompetitionChallenges(
  db: DbOrTrx,
  competitionId: number,
  userId: number,
): Promise<Set<number>> {
  const rows = await db
    .selectFrom('completions')
    .select('challenge_id')
    .where('user_id', '=', userId)
    .where('competition_id', '=', competitionId)
    .execute();
  return new Set(rows.map((r) => r.challenge_id));
}

export type Eligibility =
  | { ok: true; participation: Participation }
  | { ok: false; reason: 'not-participant' | 'wrong-key-stage'; message: string };

/** Whether this user may answer this competition challenge (admins are handled by the caller). */
export async function answerEligibility(db: DbOrTrx, challenge: Challenge, userId: number): Promise<Eligibility> {
  const participation = await findParticipation(db, challenge.competition_id!, userId);
  if (!participation) {
    return {
      ok: false,
      reason: 'not-participant',
      message:
        'Only registered participants of this competition can answer its challenges. Register or join the competition first.',
    };
  }
  if (participation.keyStage !== challenge.key_stage) {
    return {
      ok: false,
      reason: 'wrong-key-stage',
      message: `This challenge is for ${challenge.key_stage} participants. You are taking part in ${participation.keyStage}. You can read it but not answer it.`,
    };
  }
  return { ok: true, participation };
}

export type CompetitionTryOutcome =
  | {
      kind: 'recorded';
      correct: boolean;
      attemptsLeft: number | null;
      completion: LiveCompletion | null;
      adminTry: boolean;
    }
  | { kind: 'gone' }
  | { kind: 'locked' }
  | { kind: 'solved' }
  | { kind: 'no-attempts' }
  | { kind: 'ineligible'; message: string };

/** Adds to a participant's row on the competition board, creating it on first use. */
async function addToCompetitionBoard(
  trx: DbOrTrx,
  r: {
    competitionId: number;
    userId: number;
    schoolId: number;
    keyStage: string;
    points: number;
    completed: number;
    now: string;
  },
): Promise<void> {
  const existing = await trx
    .selectFrom('competition_scores')
    .select('id')
    .where('competition_id', '=', r.competitionId)
    .where('user_id', '=', r.userId)
    .executeTakeFirst();
  if (existing) {
    await trx
      .updateTable('competition_scores')
      .set((eb) => ({
        points: eb('points', '+', r.points),
        challenges_completed: eb('challenges_completed', '+', r.completed),
        updated_at: r.now,
      }))
      .where('id', '=', existing.id)
      .execute();
  } else {
    await trx
      .insertInto('competition_scores')
      .values({
        competition_id: r.competitionId,
        user_id: r.userId,
        school_id: r.schoolId,
        key_stage: r.keyStage,
        points: r.points,
        challenges_completed: r.completed,
        updated_at: r.now,
      })
      .execute();
  }
}

/**
 * Stores one graded try on a competition challenge and scores it, in one
 * transaction; release, lock, eligibility and attempts are checked again
 * inside it (under the user's and the challenge's row locks on PostgreSQL).
 */
export async function recordCompetitionTry(
  db: Kysely<Database>,
  t: {
    competitionId: number;
    challengeId: number;
    boxId: number;
    userId: number;
    isAdmin: boolean;
    answer: string;
    correct: boolean;
  },
): Promise<CompetitionTryOutcome> {
  return db.transaction().execute(async (trx): Promise<CompetitionTryOutcome> => {
    const scoring = !t.isAdmin;
    await lockForScoring(trx, t.userId, scoring && t.correct ? t.challengeId : undefined);
    const now = new Date().toISOString();
    const challenge = await findCompetitionChallenge(trx, t.competitionId, t.challengeId);
    const box =
      challenge &&
      (await trx
        .selectFrom('answer_boxes')
        .select('id')
        .where('id', '=', t.boxId)
        .where('challenge_id', '=', t.challengeId)
        .executeTakeFirst());
    if (!challenge || !box || (!t.isAdmin && !isReleased(challenge, now))) return { kind: 'gone' };

    let attemptsLeft: number | null = null;
    let participation: Participation | null = null;
    if (scoring) {
      const eligible = await answerEligibility(trx, challenge, t.userId);
      if (!eligible.ok) return { kind: 'ineligible', message: eligible.message };
      participation = eligible.participation;
      if (isCompetitionChallengeLocked(challenge, now)) return { kind: 'locked' };
      const left = await attemptsLeftAfter(trx, t, challenge.attempts_per_box);
      if (typeof left !== 'number') return left;
      attemptsLeft = left;
    }
    await insertSubmission(trx, t, now);
    let completion: LiveCompletion | null = null;
    if (participation && t.correct) {
      completion = await claimCompletion(trx, {
        challengeId: t.challengeId,
        keyStage: challenge.key_stage,
        userId: t.userId,
        now,
        competitionId: t.competitionId,
        schoolId: participation.schoolId,
      });
      if (completion) {
        await addToCompetitionBoard(trx, {
          competitionId: t.competitionId,
          userId: t.userId,
          schoolId: participation.schoolId,
          keyStage: participation.keyStage,
          points: completion.points,
          completed: 1,
          now,
        });
      }
    }
    return { kind: 'recorded', correct: t.correct, attemptsLeft, completion, adminTry: t.isAdmin };
  });
}

// ---------------------------------------------------------------- recalculation

/** Re-derives one competition challenge's completions from its tries (participants of its key stage only). */
export async function rederiveCompetitionChallenge(trx: Transaction<Database>, challengeId: number): Promise<void> {
  const c = await trx
    .selectFrom('challenges')
    .select(['id', 'key_stage', 'competition_id'])
    .where('id', '=', challengeId)
    .executeTakeFirst();
  if (!c || c.competition_id === null) return;
  const participants = await trx
    .selectFrom('competition_participants')
    .select(['user_id', 'school_id'])
    .where('competition_id', '=', c.competition_id)
    .where('key_stage', '=', c.key_stage)
    .execute();
  const schoolOf = new Map(participants.map((p) => [p.user_id, p.school_id]));
  const boxes = await trx.selectFrom('answer_boxes').select('id').where('challenge_id', '=', challengeId).execute();
  const tries = await trx
    .selectFrom('submissions')
    .select(['id', 'user_id', 'box_id', 'created_at'])
    .where('challenge_id', '=', challengeId)
    .where('is_correct', '=', 1)
    .where('is_admin_try', '=', 0)
    .execute();
  const derived = deriveCompletions(
    boxes.map((b) => b.id),
    tries
      .filter((x) => schoolOf.has(x.user_id))
      .map((x) => ({
        id: x.id,
        userId: x.user_id,
        boxId: x.box_id,
        isCorrect: true,
        createdAt: x.created_at,
      })),
  );
  await trx.deleteFrom('completions').where('challenge_id', '=', challengeId).execute();
  for (const d of derived) {
    await trx
      .insertInto('completions')
      .values({
        user_id: d.userId,
        challenge_id: challengeId,
        key_stage: c.key_stage,
        points: d.points,
        completed_at: d.completedAt,
        competition_id: c.competition_id,
        school_id: schoolOf.get(d.userId) ?? null,
      })
      .execute();
  }
  const first = derived[0];
  await trx
    .updateTable('challenges')
    .set({ first_completed_at: first?.completedAt ?? null, first_completed_by: first?.userId ?? null })
    .where('id', '=', challengeId)
    .execute();
}

/** Rebuilds a competition's board from its completions and adjustments (every participant has a row). */
export async function rebuildCompetitionBoard(
  trx: Transaction<Database>,
  competitionId: number,
  now: string,
): Promise<void> {
  const participants = await trx
    .selectFrom('competition_participants')
    .select(['user_id', 'school_id', 'key_stage'])
    .where('competition_id', '=', competitionId)
    .execute();
  const completions = await trx
    .selectFrom('completions')
    .select(['user_id', (eb) => eb.fn.sum<number>('points').as('points'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('competition_id', '=', competitionId)
    .groupBy('user_id')
    .execute();
  const adjustments = await trx
    .selectFrom('score_adjustments')
    .select(['user_id', (eb) => eb.fn.sum<number>('points').as('points')])
    .where('competition_id', '=', competitionId)
    .groupBy('user_id')
    .execute();
  await trx.deleteFrom('competition_scores').where('competition_id', '=', competitionId).execute();
  for (const p of participants) {
    const c = completions.find((x) => x.user_id === p.user_id);
    const a = adjustments.find((x) => x.user_id === p.user_id);
    const points = Number(c?.points ?? 0) + Number(a?.points ?? 0);
    const completed = Number(c?.n ?? 0);
    if (!c && !a) continue;
    await trx
      .insertInto('competition_scores')
      .values({
        competition_id: competitionId,
        user_id: p.user_id,
        school_id: p.school_id,
        key_stage: p.key_stage,
        points,
        challenges_completed: completed,
        updated_at: now,
      })
      .execute();
  }
}

/** After an edit of a competition challenge: its completions, then its competition's board. */
export async function rescoreCompetitionChallenge(
  trx: Transaction<Database>,
  challengeId: number,
  now: string,
): Promise<void> {
  const c = await trx
    .selectFrom('challenges')
    .select('competition_id')
    .where('id', '=', challengeId)
    .executeTakeFirst();
  if (!c?.competition_id) return;
  await rederiveCompetitionChallenge(trx, challengeId);
  await rebuildCompetitionBoard(trx, c.competition_id, now);
}

// ---------------------------------------------------------------- admin: lock and delete

export async function setCompetitionChallengeLock(
  db: Kysely<Database>,
  competitionId: number,
  id: number,
  locked: boolean,
  actor: AuditActor,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('challenges')
      .set({ is_locked: locked ? 1 : 0, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('competition_id', '=', competitionId)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await audit(trx, actor, {
      action: locked ? 'competition.challenge.lock' : 'competition.challenge.unlock',
      targetType: 'challenge',
      targetId: id,
      details: { competitionId },
    });
    return true;
  });
}

/** Deletes a competition challenge with its tries and completions; the competition's board is rebuilt without it. */
export async function deleteCompetitionChallenge(
  db: Kysely<Database>,
  competitionId: number,
  id: number,
  actor: AuditActor,
): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    const c = await findCompetitionChallenge(trx, competitionId, id);
    if (!c) return null;
    await trx.deleteFrom('submissions').where('challenge_id', '=', id).execute();
    await trx.deleteFrom('completions').where('challenge_id', '=', id).execute();
    await trx.deleteFrom('answer_boxes').where('challenge_id', '=', id).execute();
    await trx.deleteFrom('challenges').where('id', '=', id).execute();
    await rebuildCompetitionBoard(trx, competitionId, new Date().toISOString());
    await audit(trx, actor, {
      action: 'competition.challenge.delete',
      targetType: 'challenge',
      targetId: id,
      details: { competitionId, title: c.title },
    });
    return c.title;
  });
}

// ---------------------------------------------------------------- public board

export interface CompetitionBoardEntry {
  rank: number;
  userId: number;
  name: string;
  school: string;
  points: number;
  completed: number;
  medal: 'gold' | 'silver' | 'bronze' | null;
}

const MEDALS = ['gold', 'silver', 'bronze'] as const;

/** The top of one key stage's board with medals for ranks 1–3 (ties share the medal). */
async function competitionTop(
  db: DbOrTrx,
  competitionId: number,
  keyStage: KeyStage,
  visibility: BoardVisibility,
  limit = BOARD_SIZE,
): Promise<CompetitionBoardEntry[]> {
  const rows = await db
    .selectFrom('competition_scores as cs')
    .innerJoin('users as u', 'u.id', 'cs.user_id')
    .innerJoin('schools as s', 's.id', 'cs.school_id')
    .select(['cs.user_id', 'cs.points', 'cs.challenges_completed', 'u.first_name', 'u.last_name', 's.name as school'])
    .where('cs.competition_id', '=', competitionId)
    .where('cs.key_stage', '=', keyStage)
    .where('cs.points', '>', 0)
    .where('u.archived_at', 'is', null)
    .$if(visibility.confirmedOnly, (qb) => qb.where('u.email_verified_at', 'is not', null))
    .orderBy('cs.points', 'desc')
    .orderBy('cs.challenges_completed', 'desc')
    .orderBy('cs.user_id')
    .limit(limit)
    .execute();
  return rankRows(
    rows.map((r) => ({
      userId: r.user_id,
      name: publicName(r.first_name, r.last_name),
      school: r.school,
      points: r.points,
      completed: r.challenges_completed,
    })),
  ).map((r) => ({ ...r, medal: r.rank <= 3 ? MEDALS[r.rank - 1]! : null }));
}

export interface SchoolRanking {
  rank: number;
  schoolId: number;
  school: string;
  points: number;
  participants: number;
  /** Of those, the pupils with points: the ones the board above lists (up to its length). */
  scoring: number;
  /** Points per participant, to one decimal place. */
  average: number;
}

/** Average to one decimal place (0 with no participants). */
export function averageOneDecimal(points: number, participants: number): number {
  return participants === 0 ? 0 : Math.round((points * 10) / participants) / 10;
}

/**
 * Schools of one key stage, by total points. Participants are everyone of
 * the school registered in that key stage (also those without points yet),
 * so the average is per registered participant.
 */
export async function schoolRankings(
  db: DbOrTrx,
  competitionId: number,
  keyStage: KeyStage,
  visibility: BoardVisibility,
): Promise<SchoolRanking[]> {
  const schools = await db
    .selectFrom('competition_schools as cs')
    .innerJoin('schools as s', 's.id', 'cs.school_id')
    .select(['s.id', 's.name'])
    .where('cs.competition_id', '=', competitionId)
    .execute();
  const people = await db
    .selectFrom('competition_participants')
    .select(['school_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('competition_id', '=', competitionId)
    .where('key_stage', '=', keyStage)
    .where('user_id', 'not in', hiddenUserIds(db, visibility))
    .groupBy('school_id')
    .execute();
  const points = await db
    .selectFrom('competition_scores')
    .select([
      'school_id',
      (eb) => eb.fn.sum<number>('points').as('points'),
      // Counted as the board counts (points above 0), so the table and the board agree.
      (eb) => eb.fn.sum<number>(eb.case().when('points', '>', 0).then(1).else(0).end()).as('scoring'),
    ])
    .where('competition_id', '=', competitionId)
    .where('key_stage', '=', keyStage)
    .where('user_id', 'not in', hiddenUserIds(db, visibility))
    .groupBy('school_id')
    .execute();
  const ids = new Set([...schools.map((s) => s.id), ...people.map((p) => p.school_id)]);
  const names = new Map(schools.map((s) => [s.id, s.name]));
  const missing = [...ids].filter((id) => !names.has(id));
  if (missing.length) {
    for (const s of await db.selectFrom('schools').select(['id', 'name']).where('id', 'in', missing).execute())
      names.set(s.id, s.name);
  }
  const rows = [...ids]
    .map((id) => {
      const n = Number(people.find((p) => p.school_id === id)?.n ?? 0);
      const scored = points.find((p) => p.school_id === id);
      const total = Number(scored?.points ?? 0);
      return {
        schoolId: id,
        school: names.get(id) ?? '',
        points: total,
        participants: n,
        scoring: Number(scored?.scoring ?? 0),
        average: averageOneDecimal(total, n),
      };
    })
    .filter((r) => r.participants > 0 || r.points !== 0);
  rows.sort((a, b) => b.points - a.points || b.average - a.average || a.school.localeCompare(b.school));
  return rankRows(rows);
}

export interface CompetitionActivity {
  name: string;
  school: string;
  title: string;
  keyStage: string;
  points: number;
  at: string;
}

async function competitionActivity(
  db: DbOrTrx,
  competitionId: number,
  visibility: BoardVisibility,
  limit = 10,
): Promise<CompetitionActivity[]> {
  const rows = await db
    .selectFrom('completions as k')
    .innerJoin('users as u', 'u.id', 'k.user_id')
    .innerJoin('challenges as c', 'c.id', 'k.challenge_id')
    .leftJoin('schools as s', 's.id', 'k.school_id')
    .select(['k.points', 'k.completed_at', 'k.key_stage', 'c.title', 'u.first_name', 'u.last_name', 's.name as school'])
    .where('k.competition_id', '=', competitionId)
    .where('u.archived_at', 'is', null)
    .$if(visibility.confirmedOnly, (qb) => qb.where('u.email_verified_at', 'is not', null))
    .orderBy('k.completed_at', 'desc')
    .orderBy('k.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    name: publicName(r.first_name, r.last_name),
    school: r.school ?? '',
    title: r.title,
    keyStage: r.key_stage,
    points: r.points,
    at: r.completed_at,
  }));
}

export interface CompetitionBoards {
  boards: Array<{ keyStage: KeyStage; top: CompetitionBoardEntry[]; schools: SchoolRanking[] }>;
  activity: CompetitionActivity[];
}

/** The public boards; `visibility` leaves out accounts whose address is not confirmed (board-visibility.ts). */
export async function competitionBoards(
  db: DbOrTrx,
  competitionId: number,
  visibility: BoardVisibility = { confirmedOnly: false },
): Promise<CompetitionBoards> {
  const boards = [];
  for (const ks of KEY_STAGES) {
    boards.push({
      keyStage: ks,
      top: await competitionTop(db, competitionId, ks, visibility),
      schools: await schoolRankings(db, competitionId, ks, visibility),
    });
  }
  return { boards, activity: await competitionActivity(db, competitionId, visibility) };
}
