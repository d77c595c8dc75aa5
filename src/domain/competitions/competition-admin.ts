// Counts the admin's competition pages show: completions per challenge, and
// what deleting a competition takes with it.
import type { Db } from '../../db/index.js';

/** How many participants completed each of the competition's challenges. */
export async function completionsPerChallenge(db: Db, competitionId: number): Promise<Map<number, number>> {
  const rows = await db
    .selectFrom('completions')
    .select(['challenge_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('competition_id', '=', competitionId)
    .groupBy('challenge_id')
    .execute();
  return new Map(rows.map((r) => [r.challenge_id, Number(r.n)]));
}

/** The challenges and participants that deleting a competition removes. */
export async function competitionDeletionCounts(
  db: Db,
  competitionId: number,
): Promise<{ challenges: number; participants: number }> {
  const [ch, p] = await Promise.all([
    db
      .selectFrom('challenges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('competition_id', '=', competitionId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('competition_participants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('competition_id', '=', competitionId)
      .executeTakeFirstOrThrow(),
  ]);
  return { challenges: Number(ch.n), participants: Number(p.n) };
}
