import type { Db } from '../db/index.js';

export interface HomeStats {
  releasedChallenges: number;
  articles: number;
  members: number;
}

export async function homeStats(db: Db, now = new Date().toISOString()): Promise<HomeStats> {
  const [c, a, u] = await Promise.all([
    db.selectFrom('challenges').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('release_at', '<=', now).where('competition_id', 'is', null).executeTakeFirstOrThrow(),
    db.selectFrom('articles').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { releasedChallenges: Number(c.n), articles: Number(a.n), members: Number(u.n) };
}
