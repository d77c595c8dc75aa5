// Weekly challenges (docs/product.md, "Challenges and answer boxes"): visibility and locking, the student's view
// of a challenge (boxes, attempts, history), recording a try in one
// transaction with its scoring, and the admin's create / edit / lock / delete.
// No HTTP here; the math engine is passed in as a grading function.
import type { Kysely, Transaction } from 'kysely';
import type { KeyStage } from '../../config/index.js';
import type { AnswerBox, Challenge, Database, Submission } from '../../db/schema.js';
import type { SessionUser } from '../../security/types.js';
import { answerOptionsSchema, type AnswerOptions } from '../../math/options.js';
import { audit, type AuditActor } from '../audit.js';
import { addHours } from '../../lib/school-time.js';
import { richHtmlToText } from '../content/sanitize.js';
import { setChallengeTags } from './tags.js';
import {
  addToBoard,
  boardOf,
  completeIfDone,
  lockForScoring,
  rebuildBoards,
  recalculateChallenge,
  type LiveCompletion,
} from './scoring.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

const CHALLENGES_PER_PAGE = 6;
export const MAX_ANSWER_LENGTH = 500;
export const MAX_TITLE_LENGTH = 100;
export const MAX_LABEL_LENGTH = 200;
export const MAX_BOXES = 10;
export const LOCK_HOURS = { min: 1, max: 8760 } as const;
export const ATTEMPTS = { min: 1, max: 20, default: 3 } as const;

/**
 * The one lock rule of every challenge, weekly or competition: `hours` after
 * its release it locks by itself (weekly: the auto-lock hours; competition:
 * its duration); without hours, never.
 */
export function lockTime(releaseAt: string, hours: number | null): string | null {
  return hours ? addHours(releaseAt, hours) : null;
}

/** Locked by hand, or now is past its lock time (see lockTime). */
export function isLocked(c: Pick<Challenge, 'is_locked' | 'release_at'>, hours: number | null, now: string): boolean {
  if (c.is_locked === 1) return true;
  const at = lockTime(c.release_at, hours);
  return at !== null && now > at;
}

export function isReleased(c: Pick<Challenge, 'release_at'>, now: string): boolean {
  return c.release_at <= now;
}

/** Per-box grading options from the stored JSON; unreadable JSON falls back to the defaults. */
export function boxOptions(box: Pick<AnswerBox, 'options_json'>): AnswerOptions {
  try {
    const parsed = answerOptionsSchema.safeParse(JSON.parse(box.options_json));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the defaults
  }
  return answerOptionsSchema.parse({});
}

// ---------------------------------------------------------------- student pages

export interface ChallengeCard {
  id: number;
  title: string;
  keyStage: string;
  releaseAt: string;
  excerpt: string;
  hasImage: boolean;
  locked: boolean;
  completed: boolean;
}

export interface ChallengePage {
  items: ChallengeCard[];
  total: number;
  page: number;
  pages: number;
}

/** Released weekly challenges, newest first, optionally one key stage. */
export async function listReleasedChallenges(
  db: DbOrTrx,
  opts: {
    now: string;
    page: number;
    perPage?: number;
    keyStage?: KeyStage | null;
    userId?: number | null;
  },
): Promise<ChallengePage> {
  const perPage = opts.perPage ?? CHALLENGES_PER_PAGE;
  let base = db.selectFrom('challenges').where('competition_id', 'is', null).where('release_at', '<=', opts.now);
  if (opts.keyStage) base = base.where('key_stage', '=', opts.keyStage);
  const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(Math.max(1, opts.page), pages);
  const rows = await base
    .select([
      'id',
      'title',
      'key_stage',
      'release_at',
      'content_html',
      'image_upload_id',
      'is_locked',
      'lock_after_hours',
    ])
    .orderBy('release_at', 'desc')
    .orderBy('id', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  const done = new Set<number>();
  if (opts.userId && rows.length) {
    const completions = await db
      .selectFrom('completions')
      .select('challenge_id')
      .where('user_id', '=', opts.userId)
      .where(
        'challenge_id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    for (const c of completions) done.add(c.challenge_id);
  }
  return {
    total,
    page,
    pages,
    items: rows.map((r) => ({
      id: r.id,
      title: r.title,
      keyStage: r.key_stage,
      releaseAt: r.release_at,
      excerpt: richHtmlToText(r.content_html, 180),
      hasImage: r.image_upload_id !== null,
      locked: isLocked(r, r.lock_after_hours, opts.now),
      completed: done.has(r.id),
    })),
  };
}

/** A weekly challenge (competition challenges live elsewhere). */
export function findChallenge(db: DbOrTrx, id: number): Promise<Challenge | undefined> {
  return findChallengeIn(db, id, null);
}

/** A challenge of one competition, or (competitionId null) a weekly challenge. */
export function findChallengeIn(db: DbOrTrx, id: number, competitionId: number | null): Promise<Challenge | undefined> {
  const q = db.selectFrom('challenges').selectAll().where('id', '=', id);
  return (
    competitionId === null ? q.where('competition_id', 'is', null) : q.where('competition_id', '=', competitionId)
  ).executeTakeFirst();
}

/**
 * Where a challenge belongs: a competition (with its duration in hours from
 * release, and the rescoring of that competition's board) or, when absent,
 * the weekly challenges.
 */
export interface CompetitionTarget {
  competitionId: number;
  durationHours: number;
  rescore: (trx: Transaction<Database>, challengeId: number, now: string) => Promise<unknown>;
}

/**
 * The challenge when this viewer may see it: released, or the viewer writes challenges (a teacher
 * or an administrator, who preview scheduled ones).
 */
export async function findVisibleChallenge(
  db: DbOrTrx,
  id: number,
  viewer: Pick<SessionUser, 'role'> | null,
  now: string,
): Promise<Challenge | undefined> {
  const c = await findChallenge(db, id);
  if (!c) return undefined;
  return (viewer && viewer.role !== 'student') || isReleased(c, now) ? c : undefined;
}

export function challengeBoxes(db: DbOrTrx, challengeId: number): Promise<AnswerBox[]> {
  return db
    .selectFrom('answer_boxes')
    .selectAll()
    .where('challenge_id', '=', challengeId)
    .orderBy('position')
    .orderBy('id')
    .execute();
}

/** One answer box of a challenge; undefined when the box belongs to another challenge. */
export function findChallengeBox(db: DbOrTrx, challengeId: number, boxId: number): Promise<AnswerBox | undefined> {
  return db
    .selectFrom('answer_boxes')
    .selectAll()
    .where('id', '=', boxId)
    .where('challenge_id', '=', challengeId)
    .executeTakeFirst();
}

export function userTries(db: DbOrTrx, userId: number, challengeId: number): Promise<Submission[]> {
  return db
    .selectFrom('submissions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('challenge_id', '=', challengeId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export interface BoxState {
  box: AnswerBox;
  position: number;
  tries: Submission[];
  attemptsUsed: number;
  /** null: unlimited (admins). */
  attemptsLeft: number | null;
  solved: boolean;
  closed: boolean;
}

/**
 * Each box as the viewer sees it. Students: their scoring tries count against
 * the attempts and a box closes when solved or out of attempts. Admins: their
 * tries are shown, never limited.
 */
export function boxStates(
  boxes: AnswerBox[],
  tries: Submission[],
  attemptsPerBox: number,
  isAdmin: boolean,
): BoxState[] {
  return boxes.map((box, i) => {
    const mine = tries.filter((t) => t.box_id === box.id && (isAdmin || t.is_admin_try === 0));
    const solved = mine.some((t) => t.is_correct === 1);
    if (isAdmin)
      return {
        box,
        position: i + 1,
        tries: mine,
        attemptsUsed: mine.length,
        attemptsLeft: null,
        solved,
        closed: false,
      };
    const attemptsLeft = Math.max(0, attemptsPerBox - mine.length);
    return {
      box,
      position: i + 1,
      tries: mine,
      attemptsUsed: mine.length,
      attemptsLeft,
      solved,
      closed: solved || attemptsLeft === 0,
    };
  });
}

export async function userCompletion(db: DbOrTrx, userId: number, challengeId: number) {
  return db
    .selectFrom('completions')
    .select(['points', 'completed_at'])
    .where('user_id', '=', userId)
    .where('challenge_id', '=', challengeId)
    .executeTakeFirst();
}

// ---------------------------------------------------------------- recording a try

/** A student's scoring tries on one box so far (one range of the user/challenge index). */
export async function boxProgress(
  db: DbOrTrx,
  userId: number,
  challengeId: number,
  boxId: number,
): Promise<{ tries: number; solved: boolean }> {
  const r = await db
    .selectFrom('submissions')
    .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('is_correct').as('solved')])
    .where('user_id', '=', userId)
    .where('challenge_id', '=', challengeId)
    .where('box_id', '=', boxId)
    .where('is_admin_try', '=', 0)
    .executeTakeFirstOrThrow();
  return { tries: Number(r.n), solved: Number(r.solved ?? 0) === 1 };
}

interface TryFields {
  challengeId: number;
  boxId: number;
  userId: number;
  isAdmin: boolean;
  answer: string;
  correct: boolean;
}

/** The attempts a student has left once this try counts, or why it cannot count (weekly and competition tries alike). */
export async function attemptsLeftAfter(
  db: DbOrTrx,
  t: TryFields,
  attemptsPerBox: number,
): Promise<number | { kind: 'solved' } | { kind: 'no-attempts' }> {
  const prior = await boxProgress(db, t.userId, t.challengeId, t.boxId);
  if (prior.solved) return { kind: 'solved' };
  if (prior.tries >= attemptsPerBox) return { kind: 'no-attempts' };
  return attemptsPerBox - prior.tries - 1;
}

/** Stores one graded try. */
export async function insertSubmission(db: DbOrTrx, t: TryFields, now: string): Promise<void> {
  await db
    .insertInto('submissions')
    .values({
      user_id: t.userId,
      challenge_id: t.challengeId,
      box_id: t.boxId,
      answer: t.answer,
      is_correct: t.correct ? 1 : 0,
      is_admin_try: t.isAdmin ? 1 : 0,
      created_at: now,
    })
    .execute();
}

export type TryOutcome =
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
  | { kind: 'no-attempts' };

/**
 * Stores one graded try and, for a student's correct answer, scores it — in
 * one transaction. The box, lock and attempts are checked again inside the
 * transaction (under the user's row lock on PostgreSQL), so simultaneous
 * requests cannot exceed the attempts or answer a closed box.
 */
export async function recordTry(
  db: Kysely<Database>,
  t: {
    challengeId: number;
    boxId: number;
    userId: number;
    isAdmin: boolean;
    answer: string;
    correct: boolean;
  },
): Promise<TryOutcome> {
  return db.transaction().execute(async (trx): Promise<TryOutcome> => {
    const scoring = !t.isAdmin;
    await lockForScoring(trx, t.userId, scoring && t.correct ? t.challengeId : undefined);
    // Read the clock only after the locks: completion order = (time, id) order.
    const now = new Date().toISOString();
    // The challenge and whether the box is still one of its boxes, in one statement.
    const row = await trx
      .selectFrom('challenges')
      .selectAll('challenges')
      .select((eb) =>
        eb
          .selectFrom('answer_boxes')
          .select('answer_boxes.id')
          .where('answer_boxes.id', '=', t.boxId)
          .whereRef('answer_boxes.challenge_id', '=', 'challenges.id')
          .as('box_id'),
      )
      .where('challenges.id', '=', t.challengeId)
      .where('challenges.competition_id', 'is', null)
      .executeTakeFirst();
    if (!row || row.box_id === null) return { kind: 'gone' };
    const { box_id: _boxId, ...challenge } = row;
    if (!t.isAdmin && !isReleased(challenge, now)) return { kind: 'gone' };

    let attemptsLeft: number | null = null;
    if (scoring) {
      if (isLocked(challenge, challenge.lock_after_hours, now)) return { kind: 'locked' };
      const left = await attemptsLeftAfter(trx, t, challenge.attempts_per_box);
      if (typeof left !== 'number') return left;
      attemptsLeft = left;
    }

    await insertSubmission(trx, t, now);
    let completion: LiveCompletion | null = null;
    if (scoring) {
      // Tries and points count on the pupil's own board, not the challenge's key stage.
      const board = await boardOf(trx, t.userId);
      if (board) await addToBoard(trx, { userId: t.userId, keyStage: board, submissions: 1, now });
      if (t.correct) {
        completion = await completeIfDone(trx, {
          challengeId: t.challengeId,
          keyStage: challenge.key_stage,
          userId: t.userId,
          board,
          now,
        });
      }
    }
    return { kind: 'recorded', correct: t.correct, attemptsLeft, completion, adminTry: t.isAdmin };
  });
}

// ---------------------------------------------------------------- admin: lists

export interface AdminChallengeRow {
  id: number;
  title: string;
  keyStage: string;
  releaseAt: string;
  lockAfterHours: number | null;
  autoLockAt: string | null;
  manualLock: boolean;
  locked: boolean;
  boxes: number;
  completions: number;
  submissions: number;
  hasImage: boolean;
}

export interface AdminChallengeLists {
  scheduled: AdminChallengeRow[];
  released: AdminChallengeRow[];
  releasedTotal: number;
  page: number;
  pages: number;
}

const ADMIN_RELEASED_PER_PAGE = 25;

/** Scheduled (all, soonest first) and released (newest first, paged) weekly challenges. */
export async function adminChallengeLists(db: DbOrTrx, now: string, page = 1): Promise<AdminChallengeLists> {
  const cols = ['id', 'title', 'key_stage', 'release_at', 'lock_after_hours', 'is_locked', 'image_upload_id'] as const;
  const scheduled = await db
    .selectFrom('challenges')
    .select(cols)
    .where('competition_id', 'is', null)
    .where('release_at', '>', now)
    .orderBy('release_at')
    .orderBy('id')
    .execute();
  const { n } = await db
    .selectFrom('challenges')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('competition_id', 'is', null)
    .where('release_at', '<=', now)
    .executeTakeFirstOrThrow();
  const releasedTotal = Number(n);
  const pages = Math.max(1, Math.ceil(releasedTotal / ADMIN_RELEASED_PER_PAGE));
  const current = Math.min(Math.max(1, page), pages);
  const released = await db
    .selectFrom('challenges')
    .select(cols)
    .where('competition_id', 'is', null)
    .where('release_at', '<=', now)
    .orderBy('release_at', 'desc')
    .orderBy('id', 'desc')
    .limit(ADMIN_RELEASED_PER_PAGE)
    .offset((current - 1) * ADMIN_RELEASED_PER_PAGE)
    .execute();

  const ids = [...scheduled, ...released].map((r) => r.id);
  const counts = new Map<number, { boxes: number; completions: number; submissions: number }>();
  for (const id of ids) counts.set(id, { boxes: 0, completions: 0, submissions: 0 });
  if (ids.length) {
    const boxes = await db
      .selectFrom('answer_boxes')
      .select(['challenge_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('challenge_id', 'in', ids)
      .groupBy('challenge_id')
      .execute();
    const comps = await db
      .selectFrom('completions')
      .select(['challenge_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('challenge_id', 'in', ids)
      .groupBy('challenge_id')
      .execute();
    const subs = await db
      .selectFrom('submissions')
      .select(['challenge_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('challenge_id', 'in', ids)
      .where('is_admin_try', '=', 0)
      .groupBy('challenge_id')
      .execute();
    for (const r of boxes) counts.get(r.challenge_id)!.boxes = Number(r.n);
    for (const r of comps) counts.get(r.challenge_id)!.completions = Number(r.n);
    for (const r of subs) counts.get(r.challenge_id)!.submissions = Number(r.n);
  }
  const row = (r: (typeof scheduled)[number]): AdminChallengeRow => ({
    id: r.id,
    title: r.title,
    keyStage: r.key_stage,
    releaseAt: r.release_at,
    lockAfterHours: r.lock_after_hours,
    autoLockAt: lockTime(r.release_at, r.lock_after_hours),
    manualLock: r.is_locked === 1,
    locked: isLocked(r, r.lock_after_hours, now),
    hasImage: r.image_upload_id !== null,
    ...counts.get(r.id)!,
  });
  return { scheduled: scheduled.map(row), released: released.map(row), releasedTotal, page: current, pages };
}

// ---------------------------------------------------------------- admin: create and edit

export interface BoxInput {
  /** An existing box of this challenge, or null for a new one. */
  id: number | null;
  label: string;
  correctAnswer: string;
  options: AnswerOptions;
  /**
   * A right value in a form the box does not accept uses an attempt; otherwise (the default) it is
   * explained to the student and not counted.
   */
  wrongFormCostsAttempt?: boolean;
}

export interface ChallengeInput {
  title: string;
  contentHtml: string;
  keyStage: KeyStage;
  releaseAt: string;
  lockAfterHours: number | null;
  attemptsPerBox: number;
  boxes: BoxInput[];
  /** Topic tags, normalised; left out, the challenge's tags are not touched. */
  tags?: string[];
  /** An image uploaded with the new-challenge form (creating only). */
  imageUploadId?: number | null;
}

export async function createChallenge(
  db: Kysely<Database>,
  input: ChallengeInput,
  actor: AuditActor,
  target?: Omit<CompetitionTarget, 'rescore'>,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const row = await trx
      .insertInto('challenges')
      .values({
        title: input.title,
        content_html: input.contentHtml,
        key_stage: input.keyStage,
        release_at: input.releaseAt,
        lock_after_hours: input.lockAfterHours,
        attempts_per_box: input.attemptsPerBox,
        image_upload_id: input.imageUploadId ?? null,
        competition_id: target?.competitionId ?? null,
        duration_hours: target?.durationHours ?? null,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const [i, b] of input.boxes.entries()) {
      await trx
        .insertInto('answer_boxes')
        .values({
          challenge_id: row.id,
          position: i + 1,
          label: b.label,
          correct_answer: b.correctAnswer,
          options_json: JSON.stringify(b.options),
          wrong_form_costs_attempt: b.wrongFormCostsAttempt ? 1 : 0,
          created_at: now,
        })
        .execute();
    }
    if (input.tags) await setChallengeTags(trx, row.id, input.tags);
    await audit(trx, actor, {
      action: 'challenge.create',
      targetType: 'challenge',
      targetId: row.id,
      details: {
        title: input.title,
        keyStage: input.keyStage,
        releaseAt: input.releaseAt,
        boxes: input.boxes.length,
        ...(target ? { competitionId: target.competitionId, durationHours: target.durationHours } : {}),
      },
    });
    return row.id;
  });
}

/** A box whose grading changes: its stored tries must be marked again. */
function gradingChanged(old: AnswerBox, next: BoxInput): boolean {
  return old.correct_answer !== next.correctAnswer || JSON.stringify(boxOptions(old)) !== JSON.stringify(next.options);
}

export type Grader = (expected: string, submitted: string, options: AnswerOptions) => Promise<boolean>;

export interface Regrading {
  /** submission id → new verdict, for tries on boxes whose answer or options change. */
  verdicts: Map<number, boolean>;
  boxes: number;
}

/**
 * Marks again, with the new answers, every try on the boxes whose correct
 * answer or options an edit changes. Runs before the edit's transaction
 * (grading is slow and must not hold a transaction open).
 */
export async function regradeForEdit(
  db: DbOrTrx,
  challengeId: number,
  boxes: BoxInput[],
  grade: Grader,
): Promise<Regrading> {
  const current = await challengeBoxes(db, challengeId);
  const verdicts = new Map<number, boolean>();
  let changed = 0;
  for (const next of boxes) {
    const old = next.id === null ? undefined : current.find((b) => b.id === next.id);
    if (!old || !gradingChanged(old, next)) continue;
    changed += 1;
    const tries = await db.selectFrom('submissions').select(['id', 'answer']).where('box_id', '=', old.id).execute();
    // Many tries repeat the same answer: grade each distinct answer once.
    const byAnswer = new Map<string, boolean>();
    for (const t of tries) {
      let verdict = byAnswer.get(t.answer);
      if (verdict === undefined) {
        verdict = await grade(next.correctAnswer, t.answer, next.options);
        byAnswer.set(t.answer, verdict);
      }
      verdicts.set(t.id, verdict);
    }
  }
  return { verdicts, boxes: changed };
}

export class ChallengeEditError extends Error {}

export interface EditSummary {
  boxesAdded: number;
  boxesRemoved: number;
  triesRemarked: number;
  /** The challenge's completions and boards were recalculated. */
  rescored: boolean;
}

/**
 * Saves an edit in one transaction. Tries stay attached to their boxes: a
 * box kept by id keeps its tries (re-marked when its answer changed), a
 * removed box takes its tries with it, and whenever the boxes, answers or key
 * stage change, the challenge's completions and the affected boards are
 * derived again with the scoring rule — so no completion or point is left
 * that the tries no longer support.
 */
export async function updateChallenge(
  db: Kysely<Database>,
  id: number,
  input: ChallengeInput,
  regrading: Regrading,
  actor: AuditActor,
  target?: CompetitionTarget,
): Promise<EditSummary | null> {
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const before = await findChallengeIn(trx, id, target?.competitionId ?? null);
    if (!before) return null;
    const current = await challengeBoxes(trx, id);
    const keep = new Set(input.boxes.filter((b) => b.id !== null).map((b) => b.id!));
    for (const b of input.boxes) {
      if (b.id !== null && !current.some((c) => c.id === b.id))
        throw new ChallengeEditError(
          'An answer box in the form does not belong to this challenge. Reload the page and try again.',
        );
    }
    const removed = current.filter((b) => !keep.has(b.id));
    if (removed.length)
      await trx
        .deleteFrom('answer_boxes')
        .where(
          'id',
          'in',
          removed.map((b) => b.id),
        )
        .execute();

    let added = 0;
    for (const [i, b] of input.boxes.entries()) {
      const values = {
        position: i + 1,
        label: b.label,
        correct_answer: b.correctAnswer,
        options_json: JSON.stringify(b.options),
        wrong_form_costs_attempt: b.wrongFormCostsAttempt ? 1 : 0,
      };
      if (b.id === null) {
        added += 1;
        await trx
          .insertInto('answer_boxes')
          .values({ ...values, challenge_id: id, created_at: now })
          .execute();
      } else {
        await trx.updateTable('answer_boxes').set(values).where('id', '=', b.id).execute();
      }
    }
    let remarked = 0;
    for (const [submissionId, correct] of regrading.verdicts) {
      const r = await trx
        .updateTable('submissions')
        .set({ is_correct: correct ? 1 : 0 })
        .where('id', '=', submissionId)
        .where('challenge_id', '=', id)
        .where('is_correct', '!=', correct ? 1 : 0)
        .executeTakeFirst();
      remarked += Number(r.numUpdatedRows);
    }
    await trx
      .updateTable('challenges')
      .set({
        title: input.title,
        content_html: input.contentHtml,
        key_stage: input.keyStage,
        release_at: input.releaseAt,
        lock_after_hours: input.lockAfterHours,
        attempts_per_box: input.attemptsPerBox,
        ...(target ? { duration_hours: target.durationHours } : {}),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    if (input.tags) await setChallengeTags(trx, id, input.tags);

    const rescored = added > 0 || removed.length > 0 || remarked > 0 || before.key_stage !== input.keyStage;
    if (rescored) await (target ? target.rescore(trx, id, now) : recalculateChallenge(trx, id, now));
    await audit(trx, actor, {
      action: 'challenge.update',
      targetType: 'challenge',
      targetId: id,
      details: {
        title: input.title,
        keyStage: input.keyStage,
        releaseAt: input.releaseAt,
        boxesAdded: added,
        boxesRemoved: removed.length,
        triesRemarked: remarked,
        rescored,
        ...(target ? { competitionId: target.competitionId, durationHours: target.durationHours } : {}),
      },
    });
    return { boxesAdded: added, boxesRemoved: removed.length, triesRemarked: remarked, rescored };
  });
}

/** How many tries an edit would remove with the boxes it drops (for the warning on the form). */
export async function triesPerBox(db: DbOrTrx, challengeId: number): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('submissions')
    .select(['box_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('challenge_id', '=', challengeId)
    .groupBy('box_id')
    .execute();
  return new Map(rows.map((r) => [r.box_id, Number(r.n)]));
}

// ---------------------------------------------------------------- admin: lock, image, delete

export async function setManualLock(
  db: Kysely<Database>,
  id: number,
  locked: boolean,
  actor: AuditActor,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('challenges')
      .set({ is_locked: locked ? 1 : 0, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('competition_id', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await audit(trx, actor, {
      action: locked ? 'challenge.lock' : 'challenge.unlock',
      targetType: 'challenge',
      targetId: id,
    });
    return true;
  });
}

/**
 * Points the challenge at a new image (an uploads row), or at none. Returns
 * the stored name of the image it replaced, so the caller can remove the file
 * after the commit.
 */
export async function setChallengeImage(
  db: Kysely<Database>,
  id: number,
  uploadId: number | null,
  actor: AuditActor,
): Promise<{ found: boolean; replaced: { id: number; storedName: string } | null }> {
  return db.transaction().execute(async (trx) => {
    const c = await findChallenge(trx, id);
    if (!c) return { found: false, replaced: null };
    let replaced: { id: number; storedName: string } | null = null;
    if (c.image_upload_id !== null && c.image_upload_id !== uploadId) {
      const old = await trx
        .deleteFrom('uploads')
        .where('id', '=', c.image_upload_id)
        .returning(['id', 'stored_name'])
        .executeTakeFirst();
      if (old) replaced = { id: old.id, storedName: old.stored_name };
    }
    await trx
      .updateTable('challenges')
      .set({ image_upload_id: uploadId, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
    await audit(trx, actor, {
      action: uploadId === null ? 'challenge.image.remove' : 'challenge.image.set',
      targetType: 'challenge',
      targetId: id,
      details: { uploadId },
    });
    return { found: true, replaced };
  });
}

export interface DeleteSummary {
  title: string;
  submissions: number;
  completions: number;
  pointsKept: number;
  imageStoredName: string | null;
}

/**
 * Deletes a challenge with its boxes, tries and completions. With keepPoints,
 * each completer's points become a manual adjustment ("kept from deleted
 * challenge …"), so the boards — and any later recalculation — keep them;
 * without it the affected boards are recalculated without the challenge.
 */
export async function deleteChallenge(
  db: Kysely<Database>,
  id: number,
  opts: { keepPoints: boolean },
  actor: AuditActor,
): Promise<DeleteSummary | null> {
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const c = await findChallenge(trx, id);
    if (!c) return null;
    const completions = await trx
      .selectFrom('completions')
      .select(['user_id', 'key_stage', 'points', 'completed_at'])
      .where('challenge_id', '=', id)
      .execute();
    const triers = await trx
      .selectFrom('submissions')
      .select('user_id')
      .distinct()
      .where('challenge_id', '=', id)
      .where('is_admin_try', '=', 0)
      .execute();
    const { n: submissions } = await trx
      .selectFrom('submissions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('challenge_id', '=', id)
      .executeTakeFirstOrThrow();

    let pointsKept = 0;
    if (opts.keepPoints) {
      for (const comp of completions) {
        await trx
          .insertInto('score_adjustments')
          .values({
            user_id: comp.user_id,
            key_stage: comp.key_stage,
            points: comp.points,
            reason: `Points kept from deleted challenge «${c.title}»`.slice(0, 300),
            created_by: actor.id,
            created_at: comp.completed_at,
          })
          .execute();
        pointsKept += comp.points;
      }
    }
    await trx.deleteFrom('submissions').where('challenge_id', '=', id).execute();
    await trx.deleteFrom('completions').where('challenge_id', '=', id).execute();
    await trx.deleteFrom('answer_boxes').where('challenge_id', '=', id).execute();
    await trx.deleteFrom('challenges').where('id', '=', id).execute();
    let imageStoredName: string | null = null;
    if (c.image_upload_id !== null) {
      const img = await trx
        .deleteFrom('uploads')
        .where('id', '=', c.image_upload_id)
        .returning('stored_name')
        .executeTakeFirst();
      imageStoredName = img?.stored_name ?? null;
    }
    const users = [...new Set([...completions.map((x) => x.user_id), ...triers.map((x) => x.user_id)])];
    await rebuildBoards(trx, { userIds: users, now });
    await audit(trx, actor, {
      action: 'challenge.delete',
      targetType: 'challenge',
      targetId: id,
      details: {
        title: c.title,
        keepPoints: opts.keepPoints,
        submissions: Number(submissions),
        completions: completions.length,
        pointsKept,
      },
    });
    return {
      title: c.title,
      submissions: Number(submissions),
      completions: completions.length,
      pointsKept,
      imageStoredName,
    };
  });
}
