// What the scenarios point at, read from the generated dataset: a busy open
// challenge, the newest article, a pool of active students to sign in as, and
// for the answer scenario a set of fresh students ("submitters") with a plan
// of tries on the open challenges' boxes — every planned try is one the
// server really grades and records (no box answered twice after it closed).
import type { DatabaseConfig } from '../../src/config/index.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/index.js';
import { ANSWERS } from './content.js';
import { Random } from './random.js';

/** Submitter accounts live under this domain and are deleted after every run. */
export const SUBMITTER_DOMAIN = 'submitters.bench.example.org';
/** User agent of the sessions the benchmark signs in with (removed after every run). */
export const BENCH_USER_AGENT = 'mathsoc-bench';

export interface PlannedTry {
  userId: number;
  challengeId: number;
  boxId: number;
  answer: string;
}

export interface Fixtures {
  challengeId: number;
  articleId: number;
  /** Students with tries and points, to sign in as. */
  studentIds: number[];
  submitterIds: number[];
  /** Tries in the order they are sent: every pair's first try, then second tries, … */
  plan: PlannedTry[];
}

interface OpenBox {
  challengeId: number;
  boxId: number;
  correct: string;
  attempts: number;
}

const HOUR = 3_600_000;

function openNow(c: { release_at: string; lock_after_hours: number | null; is_locked: number }, now: number): boolean {
  if (c.is_locked === 1) return false;
  return c.lock_after_hours === null || Date.parse(c.release_at) + c.lock_after_hours * HOUR > now;
}

async function removeSubmitters(handle: DatabaseHandle): Promise<void> {
  // Their tries, completions and board rows go with them (ON DELETE CASCADE).
  await handle.db.deleteFrom('users').where('email', 'like', `%@${SUBMITTER_DOMAIN}`).execute();
  await handle.db.deleteFrom('sessions').where('user_agent', '=', BENCH_USER_AGENT).execute();
}

export async function prepareFixtures(config: DatabaseConfig, opts: { sessions: number; submitters: number; seed?: number }): Promise<Fixtures> {
  const handle = openDatabase(config);
  try {
    await removeSubmitters(handle);
    const now = Date.now();
    const nowIso = new Date(now).toISOString();
    const random = new Random(opts.seed ?? 7);

    const released = await handle.db.selectFrom('challenges')
      .select(['id', 'key_stage', 'release_at', 'lock_after_hours', 'is_locked', 'attempts_per_box'])
      .where('competition_id', 'is', null).where('release_at', '<=', nowIso)
      .orderBy('release_at', 'desc').orderBy('id', 'desc').limit(60).execute();
    const open = released.filter((c) => openNow(c, now));
    if (open.length === 0) throw new Error('the dataset has no open released challenge; generate it again (npm run bench:data)');
    const boxes = await handle.db.selectFrom('answer_boxes').select(['id', 'challenge_id', 'correct_answer'])
      .where('challenge_id', 'in', open.map((c) => c.id)).orderBy('challenge_id').orderBy('position').execute();
    const boxCount = new Map<number, number>();
    for (const b of boxes) boxCount.set(b.challenge_id, (boxCount.get(b.challenge_id) ?? 0) + 1);
    // The page students open most: the newest open challenge with several boxes.
    const featured = open.find((c) => (boxCount.get(c.id) ?? 0) >= 2) ?? open[0]!;

    const article = await handle.db.selectFrom('articles').select('id').where('type', '=', 'article')
      .orderBy('published_at', 'desc').limit(1).executeTakeFirst();
    if (!article) throw new Error('the dataset has no article; generate it again (npm run bench:data)');

    // Active students (those with the most tries) spread over the key stages.
    const students = await handle.db.selectFrom('scores as s').innerJoin('users as u', 'u.id', 's.user_id')
      .select('s.user_id').where('u.user_type', '=', 'student')
      .orderBy('s.submissions', 'desc').orderBy('s.user_id').limit(opts.sessions).execute();
    const studentIds = [...new Set(students.map((s) => s.user_id))];
    if (studentIds.length === 0) throw new Error('the dataset has no student with tries; generate it with more submissions');

    // Fresh students for the answer scenario, sharing the dataset's password hash.
    const template = await handle.db.selectFrom('users').select(['password_hash', 'school_id'])
      .where('user_type', '=', 'student').limit(1).executeTakeFirstOrThrow();
    const submitterIds: number[] = [];
    await handle.db.transaction().execute(async (trx) => {
      for (let i = 1; i <= opts.submitters; i++) {
        const stage = (['KS3', 'KS4', 'KS5'] as const)[i % 3]!;
        const year = stage === 'KS3' ? 8 : stage === 'KS4' ? 10 : 12;
        const row = await trx.insertInto('users').values({
          email: `submitter${i}@${SUBMITTER_DOMAIN}`, first_name: 'Bench', last_name: `Submitter ${i}`,
          password_hash: template.password_hash, year_group: year, key_stage: stage, maths_class: `${year}A`,
          school_id: template.school_id, user_type: 'student', is_admin: 0, is_participant: 0, must_change_password: 0,
          created_at: nowIso, updated_at: nowIso, password_changed_at: nowIso,
        }).returning('id').executeTakeFirstOrThrow();
        submitterIds.push(row.id);
      }
    });

    // The plan: for each (submitter, open box) pair, up to `attempts` tries, wrong
    // ones first, then (usually) the right one; the box is done after a right answer.
    const attemptsOf = new Map(open.map((c) => [c.id, c.attempts_per_box]));
    const openBoxes: OpenBox[] = boxes.map((b) => ({
      challengeId: b.challenge_id, boxId: b.id, correct: b.correct_answer, attempts: attemptsOf.get(b.challenge_id) ?? 3,
    }));
    const rounds: PlannedTry[][] = [];
    for (const userId of submitterIds) {
      for (const box of openBoxes) {
        const wrongs = ANSWERS.find((a) => a.correct === box.correct)?.wrong ?? ['0', '1', '-1'];
        for (let a = 0; a < box.attempts; a++) {
          const correct = a === box.attempts - 1 ? random.chance(0.6) : random.chance(0.5);
          (rounds[a] ??= []).push({ userId, challengeId: box.challengeId, boxId: box.boxId, answer: correct ? box.correct : random.pick(wrongs) });
          if (correct) break;
        }
      }
    }
    // Within a round, students' tries arrive interleaved, as from many browsers at once.
    for (const round of rounds) {
      for (let i = round.length - 1; i > 0; i--) {
        const j = Math.floor(random.next() * (i + 1));
        [round[i], round[j]] = [round[j]!, round[i]!];
      }
    }
    return { challengeId: featured.id, articleId: article.id, studentIds, submitterIds, plan: rounds.flat() };
  } finally {
    await handle.close();
  }
}

/** Deletes the submitter accounts (and with them every try the answer scenario recorded). */
export async function cleanUpFixtures(config: DatabaseConfig): Promise<void> {
  const handle = openDatabase(config);
  try {
    await removeSubmitters(handle);
  } finally {
    await handle.close();
  }
}

/** How many tries the submitters have recorded (to check that the answer scenario really graded). */
export async function recordedTries(config: DatabaseConfig, submitterIds: number[]): Promise<number> {
  if (submitterIds.length === 0) return 0;
  const handle = openDatabase(config);
  try {
    const row = await handle.db.selectFrom('submissions').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', 'in', submitterIds).executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await handle.close();
  }
}
