// What the home page shows: society numbers, the latest announcement and
// newsletter, the newest released challenges and the newest articles; and,
// for a signed-in pupil, the way to their competitions (the only way for a
// pupil of a guest school, who has no weekly challenges).
import type { Db } from '../db/index.js';
import type { Announcement, Article } from '../db/schema.js';
import { latestAnnouncement } from './content/announcements.js';
import { latestArticles } from './content/articles.js';
import type { BoardVisibility } from './accounts/board-visibility.js';
import { competitionStandings, type CompetitionStanding } from './competitions/standing.js';

export interface HomeStats {
  releasedChallenges: number;
  articles: number;
  members: number;
}

export interface HomeChallenge {
  id: number;
  title: string;
  keyStage: string;
  releaseAt: string;
}

export interface HomeData {
  stats: HomeStats;
  announcement: Announcement | null;
  newsletter: Article | null;
  challenges: HomeChallenge[];
  articles: Article[];
}

async function homeStats(db: Db, now: string, visibility: BoardVisibility): Promise<HomeStats> {
  const [c, a, u] = await Promise.all([
    db
      .selectFrom('challenges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('release_at', '<=', now)
      .where('competition_id', 'is', null)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('articles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    // Members: accounts not of a guest school (those take part in competitions only), leavers left out.
    db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) =>
        eb.or([
          eb('school_id', 'is', null),
          eb('school_id', 'not in', eb.selectFrom('schools').select('id').where('kind', '=', 'guest')),
        ]),
      )
      .where('archived_at', 'is', null)
      .$if(visibility.confirmedOnly, (qb) => qb.where('email_verified_at', 'is not', null))
      .executeTakeFirstOrThrow(),
  ]);
  return { releasedChallenges: Number(c.n), articles: Number(a.n), members: Number(u.n) };
}

/** The newest weekly challenges already released (never scheduled or competition ones). */
async function newestReleasedChallenges(
  db: Db,
  limit: number,
  now = new Date().toISOString(),
): Promise<HomeChallenge[]> {
  const rows = await db
    .selectFrom('challenges')
    .select(['id', 'title', 'key_stage', 'release_at'])
    .where('release_at', '<=', now)
    .where('competition_id', 'is', null)
    .orderBy('release_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, title: r.title, keyStage: r.key_stage, releaseAt: r.release_at }));
}

export async function homeData(
  db: Db,
  now = new Date().toISOString(),
  visibility: BoardVisibility = { confirmedOnly: false },
): Promise<HomeData> {
  const [stats, announcement, newsletters, challenges, articles] = await Promise.all([
    homeStats(db, now, visibility),
    latestAnnouncement(db),
    latestArticles(db, 'newsletter', 1),
    newestReleasedChallenges(db, 3, now),
    latestArticles(db, 'article', 3),
  ]);
  return { stats, announcement, newsletter: newsletters[0] ?? null, challenges, articles };
}

export interface HomeForUser {
  /** False for a pupil of a guest school: no weekly challenges. */
  weekly: boolean;
  /** The pupil's running and upcoming competitions, running first. */
  competitions: CompetitionStanding[];
}

/** The signed-in user's part of the home page (never cached: it is theirs). */
export async function homeForUser(
  db: Db,
  user: { id: number; guestPupil: boolean },
  now = new Date().toISOString(),
): Promise<HomeForUser> {
  const competitions = await competitionStandings(db, user.id, now);
  return { weekly: !user.guestPupil, competitions: competitions.filter((c) => c.phase !== 'ended') };
}
