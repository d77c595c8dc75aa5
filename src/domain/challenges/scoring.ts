// The scoring rule (docs/product.md, "Scoring and leaderboards"; ADR 015), in one place, used live (every correct
// answer) and by every recalculation:
//   a user completes a challenge when every answer box has a correct try;
//   the first user to complete it gets 3 points, every later completer 1;
//   points go to the board of the pupil's own key stage (from their school
//   year), whatever the challenge's key stage; pupils of guest schools
//   (competitions only) and accounts without a key stage are on no board.
//
// Live scoring runs inside the submission's transaction. The "first" decision
// is a conditional UPDATE of the challenge row (`… WHERE first_completed_at IS
// NULL`): of many simultaneous completions exactly one changes the row. The
// unique constraint completions_once(user_id, challenge_id) makes a second
// completion by the same user impossible whatever the code does.
//
// Recalculation derives the same result from the submissions alone: a
// completion's moment is the user's last first-correct try, ordered by
// (time, submission id). Live submissions that may complete a challenge take
// its row lock before reading the clock and inserting, so live order and
// (time, id) order are the same order.
//
// Boards are reset by time (docs/decisions/015-scoring-and-leaderboards.md): a board counts the
// completions, adjustments and tries made since its reset, so a reset never
// deletes history and a recalculation after a reset keeps the reset.
import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import { KEY_STAGES, type KeyStage } from '../../config/index.js';
import type { Database } from '../../db/schema.js';

export type DbOrTrx = Kysely<Database> | Transaction<Database>;

export const FIRST_COMPLETER_POINTS = 3;
export const LATER_COMPLETER_POINTS = 1;

/** Points for a completion: 3 for the first completer, 1 for everyone after. */
export function completionPoints(isFirst: boolean): number {
  return isFirst ? FIRST_COMPLETER_POINTS : LATER_COMPLETER_POINTS;
}

/** True on PostgreSQL, where rows are locked explicitly (SQLite runs one transaction at a time). */
function usesRowLocks(db: DbOrTrx): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Takes the row lock of a user and, when given, of a challenge (always in this order). */
export async function lockForScoring(trx: Transaction<Database>, userId: number, challengeId?: number): Promise<void> {
  if (!usesRowLocks(trx)) return;
  await trx.selectFrom('users').select('id').where('id', '=', userId).forNoKeyUpdate().execute();
  if (challengeId !== undefined) {
    await trx.selectFrom('challenges').select('id').where('id', '=', challengeId).forNoKeyUpdate().execute();
  }
}

// ---------------------------------------------------------------- the rule, derived from tries

export interface ScoredTry {
  id: number;
  userId: number;
  boxId: number;
  isCorrect: boolean;
  createdAt: string;
}

export interface DerivedCompletion {
  userId: number;
  completedAt: string;
  /** The try that made the last box correct. */
  submissionId: number;
  points: number;
}

const before = (a: { createdAt: string; id: number }, b: { createdAt: string; id: number }) =>
  a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);

/**
 * The completions a challenge's tries add up to (admin tries must already be
 * left out), in completion order with their points.
 */
export function deriveCompletions(boxIds: readonly number[], tries: readonly ScoredTry[]): DerivedCompletion[] {
  if (boxIds.length === 0) return [];
  const boxes = new Set(boxIds);
  // user → box → first correct try
  const firstCorrect = new Map<number, Map<number, ScoredTry>>();
  for (const t of tries) {
    if (!t.isCorrect || !boxes.has(t.boxId)) continue;
    let perBox = firstCorrect.get(t.userId);
    if (!perBox) firstCorrect.set(t.userId, (perBox = new Map<number, ScoredTry>()));
    const seen = perBox.get(t.boxId);
    if (!seen || before(t, seen)) perBox.set(t.boxId, t);
  }
  const done: Array<{ userId: number; last: ScoredTry }> = [];
  for (const [userId, perBox] of firstCorrect) {
    if (perBox.size !== boxes.size) continue;
    let last: ScoredTry | null = null;
    for (const t of perBox.values()) if (!last || before(last, t)) last = t;
    done.push({ userId, last: last! });
  }
  done.sort((a, b) => (before(a.last, b.last) ? -1 : 1));
  return done.map((d, i) => ({
    userId: d.userId,
    completedAt: d.last.createdAt,
    submissionId: d.last.id,
    points: completionPoints(i === 0),
  }));
}

// ---------------------------------------------------------------- board resets

const RESET_KEY = (ks: KeyStage) => `leaderboard.reset_at.${ks}`;

/** When each board was last reset ('' = never; '' sorts before every ISO time). */
export async function boardResetTimes(db: DbOrTrx): Promise<Record<KeyStage, string>> {
  const rows = await db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', KEY_STAGES.map(RESET_KEY))
    .execute();
  const out = { KS3: '', KS4: '', KS5: '' } as Record<KeyStage, string>;
  for (const ks of KEY_STAGES) out[ks] = rows.find((r) => r.key === RESET_KEY(ks))?.value ?? '';
  return out;
}

/** Empties the boards: they count only what happens from `now` on. History is kept. */
export async function resetBoards(trx: Transaction<Database>, stages: readonly KeyStage[], now: string): Promise<void> {
  for (const ks of stages) {
    await trx
      .insertInto('settings')
      .values({ key: RESET_KEY(ks), value: now, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: now, updated_at: now }))
      .execute();
    await trx.deleteFrom('scores').where('key_stage', '=', ks).execute();
  }
}

// ---------------------------------------------------------------- whose board

/**
 * The board a user's weekly points go on: their own key stage, or null for an
 * account without one (teachers) or of a guest school.
 */
export async function boardOf(db: DbOrTrx, userId: number): Promise<KeyStage | null> {
  const row = await db
    .selectFrom('users as u')
    .leftJoin('schools as s', 's.id', 'u.school_id')
    .select(['u.key_stage', 's.kind'])
    .where('u.id', '=', userId)
    .executeTakeFirst();
  if (!row || row.kind === 'guest') return null;
  return (KEY_STAGES as readonly string[]).includes(row.key_stage ?? '') ? (row.key_stage as KeyStage) : null;
}

// ---------------------------------------------------------------- live scoring

/** Adds to a user's row on a board, creating it on first use. */
export async function addToBoard(
  trx: DbOrTrx,
  row: {
    userId: number;
    keyStage: string;
    points?: number;
    completed?: number;
    submissions?: number;
    now: string;
  },
): Promise<void> {
  const points = row.points ?? 0;
  const completed = row.completed ?? 0;
  const submissions = row.submissions ?? 0;
  await trx
    .insertInto('scores')
    .values({
      user_id: row.userId,
      key_stage: row.keyStage,
      points,
      challenges_completed: completed,
      submissions,
      updated_at: row.now,
    })
    .onConflict((oc) =>
      oc.columns(['user_id', 'key_stage']).doUpdateSet({
        points: sql`scores.points + ${points}`,
        challenges_completed: sql`scores.challenges_completed + ${completed}`,
        submissions: sql`scores.submissions + ${submissions}`,
        updated_at: row.now,
      }),
    )
    .execute();
}

export interface LiveCompletion {
  points: number;
  first: boolean;
}

/**
 * Called in the transaction of a correct, scoring try (after lockForScoring
 * with the challenge): records the completion when every box now has a
 * correct try, and adds its points to the user's board (`board`, from
 * boardOf; null: on no board). Returns null when the challenge is not
 * complete for the user or was completed before.
 */
export async function completeIfDone(
  trx: Transaction<Database>,
  c: {
    challengeId: number;
    keyStage: string;
    userId: number;
    board: KeyStage | null;
    now: string;
  },
): Promise<LiveCompletion | null> {
  const done = await claimCompletion(trx, c);
  if (done && c.board)
    await addToBoard(trx, { userId: c.userId, keyStage: c.board, points: done.points, completed: 1, now: c.now });
  return done;
}

/**
 * The rule itself, without a board: records the completion (3 for the first
 * completer, 1 after) when every box has a correct scoring try. Competition
 * challenges pass their competition and the participant's school and keep
 * their own board (competition-scoring.ts).
 */
export async function claimCompletion(
  trx: Transaction<Database>,
  c: {
    challengeId: number;
    keyStage: string;
    userId: number;
    now: string;
    competitionId?: number | null;
    schoolId?: number | null;
  },
): Promise<LiveCompletion | null> {
  // Boxes and solved boxes in one statement (one round trip on PostgreSQL).
  const counts = await trx
    .selectNoFrom((eb) => [
      eb
        .selectFrom('answer_boxes')
        .select((e) => e.fn.countAll<number>().as('n'))
        .where('challenge_id', '=', c.challengeId)
        .as('boxes'),
      eb
        .selectFrom('submissions')
        .select((e) => e.fn.count<number>('box_id').distinct().as('n'))
        .where('user_id', '=', c.userId)
        .where('challenge_id', '=', c.challengeId)
        .where('is_correct', '=', 1)
        .where('is_admin_try', '=', 0)
        .as('solved'),
    ])
    .executeTakeFirstOrThrow();
  const boxes = Number(counts.boxes);
  if (boxes === 0 || Number(counts.solved) < boxes) return null;

  const inserted = await trx
    .insertInto('completions')
    .values({
      user_id: c.userId,
      challenge_id: c.challengeId,
      key_stage: c.keyStage,
      points: LATER_COMPLETER_POINTS,
      completed_at: c.now,
      competition_id: c.competitionId ?? null,
      school_id: c.schoolId ?? null,
    })
    .onConflict((oc) => oc.columns(['user_id', 'challenge_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return null; // completed before: the constraint keeps it to once

  const claimed = await trx
    .updateTable('challenges')
    .set({ first_completed_at: c.now, first_completed_by: c.userId })
    .where('id', '=', c.challengeId)
    .where('first_completed_at', 'is', null)
    .executeTakeFirst();
  const first = Number(claimed.numUpdatedRows) === 1;
  const points = completionPoints(first);
  if (first) await trx.updateTable('completions').set({ points }).where('id', '=', inserted.id).execute();
  return { points, first };
}

// ---------------------------------------------------------------- recalculation

const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Re-derives one challenge's completions from its tries, and the boards of
 * everyone affected. Used after an admin edits answers, boxes or the key
 * stage. Returns the users whose boards were rebuilt.
 */
export async function recalculateChallenge(
  trx: Transaction<Database>,
  challengeId: number,
  now: string,
): Promise<number[]> {
  const challenge = await trx
    .selectFrom('challenges')
    .select(['id', 'key_stage', 'competition_id'])
    .where('id', '=', challengeId)
    .executeTakeFirst();
  if (!challenge || challenge.competition_id !== null) return [];
  const before = await trx
    .selectFrom('completions')
    .select('user_id')
    .where('challenge_id', '=', challengeId)
    .execute();
  const triers = await trx
    .selectFrom('submissions')
    .select('user_id')
    .distinct()
    .where('challenge_id', '=', challengeId)
    .where('is_admin_try', '=', 0)
    .execute();
  await rederiveChallenge(trx, challengeId, challenge.key_stage);
  const users = [...new Set([...before.map((r) => r.user_id), ...triers.map((r) => r.user_id)])];
  await rebuildBoards(trx, { userIds: users, now });
  return users;
}

/** Replaces a challenge's completions and first-completer fields with those its tries give. */
async function rederiveChallenge(trx: Transaction<Database>, challengeId: number, keyStage: string): Promise<number> {
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
    tries.map((t) => ({
      id: t.id,
      userId: t.user_id,
      boxId: t.box_id,
      isCorrect: true,
      createdAt: t.created_at,
    })),
  );
  await trx.deleteFrom('completions').where('challenge_id', '=', challengeId).execute();
  for (const part of chunks(derived, 2000)) {
    await trx
      .insertInto('completions')
      .values(
        part.map((d) => ({
          user_id: d.userId,
          challenge_id: challengeId,
          key_stage: keyStage,
          points: d.points,
          completed_at: d.completedAt,
        })),
      )
      .execute();
  }
  const first = derived[0];
  await trx
    .updateTable('challenges')
    .set({ first_completed_at: first?.completedAt ?? null, first_completed_by: first?.userId ?? null })
    .where('id', '=', challengeId)
    .execute();
  return derived.length;
}

/**
 * Rebuilds board rows from completions, adjustments and tries since each
 * board's reset: for the given users, or for everyone when userIds is absent.
 * Everything a user did counts on the board of their key stage as it is now
 * (so a pupil whose school year changes takes their points with them), and
 * guest-school pupils and accounts without a key stage are left off.
 * One INSERT … SELECT per group of users: the database adds it all up (the
 * reset time is picked per key stage), nothing travels through the app.
 */
export async function rebuildBoards(
  trx: Transaction<Database>,
  opts: { userIds?: readonly number[]; now: string },
): Promise<void> {
  const resets = await boardResetTimes(trx);
  const since = (column: string) =>
    sql<string>`case ${sql.ref(column)} when 'KS3' then ${resets.KS3} when 'KS4' then ${resets.KS4} when 'KS5' then ${resets.KS5} else '' end`;
  const groups: Array<readonly number[] | null> = opts.userIds ? chunks([...new Set(opts.userIds)]) : [null];
  for (const ids of groups) {
    if (ids && ids.length === 0) continue;
    const only = (column: string) => (ids ? sql`and ${sql.ref(column)} in (${sql.join(ids)})` : sql``);
    if (ids) await trx.deleteFrom('scores').where('user_id', 'in', ids).execute();
    else await trx.deleteFrom('scores').execute();
    await sql`
      insert into scores (user_id, key_stage, points, challenges_completed, submissions, updated_at)
      select parts.user_id, u.key_stage, sum(parts.points), sum(parts.completed), sum(parts.tries), ${opts.now}
      from (
        select user_id, points, 1 as completed, 0 as tries, completed_at as at from completions
        where competition_id is null ${only('user_id')}
        union all
        select user_id, points, 0, 0, created_at from score_adjustments
        where competition_id is null ${only('user_id')}
        union all
        select s.user_id, 0, 0, 1, s.created_at from submissions s join challenges c on c.id = s.challenge_id
        where c.competition_id is null and s.is_admin_try = 0 ${only('s.user_id')}
      ) parts
      join users u on u.id = parts.user_id
      left join schools sc on sc.id = u.school_id
      where u.key_stage in ('KS3', 'KS4', 'KS5') and (sc.kind is null or sc.kind <> 'guest')
        and parts.at >= ${since('u.key_stage')}
      group by parts.user_id, u.key_stage`.execute(trx);
  }
}

export interface RecalculationSummary {
  challenges: number;
  completions: number;
  boardRows: number;
}

/** "Recalculate from submissions": every challenge's completions, then every board. */
export async function recalculateAll(trx: Transaction<Database>, now: string): Promise<RecalculationSummary> {
  const challenges = await trx
    .selectFrom('challenges')
    .select(['id', 'key_stage'])
    .where('competition_id', 'is', null)
    .orderBy('id')
    .execute();
  let completions = 0;
  for (const c of challenges) completions += await rederiveChallenge(trx, c.id, c.key_stage);
  await rebuildBoards(trx, { now });
  const rows = await trx
    .selectFrom('scores')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { challenges: challenges.length, completions, boardRows: Number(rows.n) };
}
