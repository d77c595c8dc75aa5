// A class's progress for its teachers (ADR 033): the class's pupils against
// the weekly challenges released in the last N weeks (of one key stage, or
// all), each cell completed (and when), tried and not solved (how many tries),
// or not tried. Admin tries and competition challenges are not counted.
import { KEY_STAGES, type KeyStage } from '../../config/index.js';
import type { DbOrTrx } from '../../db/index.js';
import { classPupils, type ClassPerson } from './classes.js';

export const PROGRESS_WEEKS = { min: 1, max: 52, default: 6 } as const;
const WEEK_MS = 7 * 24 * 3600_000;

export interface ProgressFilter {
  keyStage: KeyStage | null;
  weeks: number;
}

/** The filter from the query string; anything malformed is the default. */
export function progressFilter(query: { ks?: string | undefined; weeks?: string | undefined }): ProgressFilter {
  const ks = (KEY_STAGES as readonly string[]).includes(query.ks ?? '') ? (query.ks as KeyStage) : null;
  const raw = query.weeks ?? '';
  const n = /^\d{1,3}$/.test(raw) ? Number(raw) : PROGRESS_WEEKS.default;
  const weeks = Math.min(PROGRESS_WEEKS.max, Math.max(PROGRESS_WEEKS.min, n));
  return { keyStage: ks, weeks };
}

export interface ProgressChallenge {
  id: number;
  title: string;
  keyStage: string;
  releaseAt: string;
  /** How many of the class's pupils completed it. */
  completedBy: number;
}

export type ProgressCell =
  { state: 'completed'; at: string; tries: number } | { state: 'tried'; tries: number } | { state: 'not-tried' };

export interface ProgressRow {
  pupil: ClassPerson;
  cells: ProgressCell[];
  completed: number;
}

export interface ClassProgress {
  challenges: ProgressChallenge[];
  rows: ProgressRow[];
}

/** The grid: challenges oldest first (left to right), pupils by name. */
export async function classProgress(
  db: DbOrTrx,
  classId: number,
  filter: ProgressFilter,
  now: Date = new Date(),
): Promise<ClassProgress> {
  const since = new Date(now.getTime() - filter.weeks * WEEK_MS).toISOString();
  const challenges = await db
    .selectFrom('challenges')
    .select(['id', 'title', 'key_stage', 'release_at'])
    .where('competition_id', 'is', null)
    .where('release_at', '<=', now.toISOString())
    .where('release_at', '>=', since)
    .$if(filter.keyStage !== null, (qb) => qb.where('key_stage', '=', filter.keyStage!))
    .orderBy('release_at')
    .orderBy('id')
    .execute();
  const pupils = await classPupils(db, classId);
  const challengeIds = challenges.map((c) => c.id);
  const pupilIds = pupils.map((p) => p.id);
  const some = challengeIds.length > 0 && pupilIds.length > 0;
  const completions = some
    ? await db
        .selectFrom('completions')
        .select(['user_id', 'challenge_id', 'completed_at'])
        .where('challenge_id', 'in', challengeIds)
        .where('user_id', 'in', db.selectFrom('class_members').select('user_id').where('class_id', '=', classId))
        .execute()
    : [];
  const tries = some
    ? await db
        .selectFrom('submissions')
        .select(['user_id', 'challenge_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('challenge_id', 'in', challengeIds)
        .where('is_admin_try', '=', 0)
        .where('user_id', 'in', db.selectFrom('class_members').select('user_id').where('class_id', '=', classId))
        .groupBy(['user_id', 'challenge_id'])
        .execute()
    : [];
  const key = (u: number, c: number) => `${u}:${c}`;
  const doneAt = new Map(completions.map((c) => [key(c.user_id, c.challenge_id), c.completed_at]));
  const tryCount = new Map(tries.map((t) => [key(t.user_id, t.challenge_id), Number(t.n)]));
  const rows: ProgressRow[] = pupils.map((pupil) => {
    const cells = challenges.map((c): ProgressCell => {
      const at = doneAt.get(key(pupil.id, c.id));
      const n = tryCount.get(key(pupil.id, c.id)) ?? 0;
      if (at) return { state: 'completed', at, tries: n };
      return n > 0 ? { state: 'tried', tries: n } : { state: 'not-tried' };
    });
    return { pupil, cells, completed: cells.filter((x) => x.state === 'completed').length };
  });
  return {
    challenges: challenges.map((c, i) => ({
      id: c.id,
      title: c.title,
      keyStage: c.key_stage,
      releaseAt: c.release_at,
      completedBy: rows.filter((r) => r.cells[i]!.state === 'completed').length,
    })),
    rows,
  };
}
