// What the admin's challenge pages show beside a challenge: its image file,
// before deleting how much would go with it, and the challenges of a
// printable page (one challenge, or a week's set).
import type { Db } from '../../db/index.js';
import type { AnswerBox, Challenge } from '../../db/schema.js';
import { wallTimeToIso } from '../../lib/school-time.js';
import { findUploadById } from '../content/uploads.js';
import { challengeBoxes, findChallenge, isLocked } from './challenges.js';

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

export interface PrintableChallenge {
  challenge: Challenge;
  boxes: AnswerBox[];
  /** The answers may be printed: the challenge is locked, so students already see them. */
  answersRevealed: boolean;
}

async function printable(db: Db, challenges: Challenge[], now: string): Promise<PrintableChallenge[]> {
  const out: PrintableChallenge[] = [];
  for (const c of challenges)
    out.push({
      challenge: c,
      boxes: await challengeBoxes(db, c.id),
      answersRevealed: isLocked(c, c.lock_after_hours, now),
    });
  return out;
}

/** One weekly or competition challenge ready to print, or null. */
export async function printableChallenge(db: Db, id: number, now: string): Promise<PrintableChallenge | null> {
  const c = await findChallenge(db, id);
  return c ? ((await printable(db, [c], now))[0] ?? null) : null;
}

/** A Monday as YYYY-MM-DD: the school week a weekly set is printed for. */
export function weekStart(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/** YYYY-MM-DD `days` after `day`. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The weekly challenges released from Monday `monday` (school time) for seven days, by key stage. */
export async function printableWeek(
  db: Db,
  monday: string,
  timeZone: string,
  now: string,
): Promise<PrintableChallenge[]> {
  const from = wallTimeToIso(`${monday}T00:00`, timeZone);
  const to = wallTimeToIso(`${addDays(monday, 7)}T00:00`, timeZone);
  if (!from || !to) return [];
  const rows = await db
    .selectFrom('challenges')
    .selectAll()
    .where('competition_id', 'is', null)
    .where('release_at', '>=', from)
    .where('release_at', '<', to)
    .orderBy('key_stage')
    .orderBy('release_at')
    .orderBy('id')
    .execute();
  return printable(db, rows, now);
}
