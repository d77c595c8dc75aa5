// What the admin's challenge pages show beside a challenge: its image file
// and, before deleting, how much would go with it.
import type { Db } from '../../db/index.js';
import { findUploadById } from '../content/uploads.js';

export interface ChallengeImageFile {
  uploadId: number;
  originalName: string;
}

/** The uploaded image of a challenge, if it is still there. */
export async function challengeImageFile(db: Db, uploadId: number | null): Promise<ChallengeImageFile | null> {
  if (uploadId === null) return null;
  const u = await findUploadById(db, uploadId);
  return u ? { uploadId: u.id, originalName: u.original_name } : null;
}

export interface ChallengeDeletionCounts {
  submissions: number;
  completions: number;
  points: number;
}

/** The tries, completions and points that deleting a challenge removes. */
export async function challengeDeletionCounts(db: Db, challengeId: number): Promise<ChallengeDeletionCounts> {
  const [subs, comps] = await Promise.all([
    db
      .selectFrom('submissions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('challenge_id', '=', challengeId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('completions')
      .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('points').as('points')])
      .where('challenge_id', '=', challengeId)
      .executeTakeFirstOrThrow(),
  ]);
  return { submissions: Number(subs.n), completions: Number(comps.n), points: Number(comps.points ?? 0) };
}
