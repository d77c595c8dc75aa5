// The numbers on the admin dashboard, and the teaching ones a teacher's dashboard shows.
import type { Db } from '../db/index.js';

export interface DashboardCounts {
  challengesReleased: number;
  challengesScheduled: number;
  users: number;
  admins: number;
  articles: number;
  submissionsToday: number;
}

/** What a teacher's dashboard shows: the weekly challenges and today's answers, nothing about accounts. */
export type TeachingCounts = Pick<DashboardCounts, 'challengesReleased' | 'challengesScheduled' | 'submissionsToday'>;

const count = (n: { n: number | string | bigint }) => Number(n.n);

export async function teachingCounts(db: Db, now = new Date()): Promise<TeachingCounts> {
  const c = await challengeCounts(db, now);
  return { challengesReleased: c.released, challengesScheduled: c.scheduled, submissionsToday: c.today };
}

async function challengeCounts(db: Db, now: Date): Promise<{ released: number; scheduled: number; today: number }> {
  const iso = now.toISOString();
  const startOfDay = `${iso.slice(0, 10)}T00:00:00.000Z`;
  const [released, scheduled, today] = await Promise.all([
    db
      .selectFrom('challenges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('release_at', '<=', iso)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('challenges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('release_at', '>', iso)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('submissions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('created_at', '>=', startOfDay)
      .executeTakeFirstOrThrow(),
  ]);
  return { released: count(released), scheduled: count(scheduled), today: count(today) };
}

export async function dashboardCounts(db: Db, now = new Date()): Promise<DashboardCounts> {
  const [challenges, users, admins, articles] = await Promise.all([
    challengeCounts(db, now),
    db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('is_admin', '=', 1)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('articles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    challengesReleased: challenges.released,
    challengesScheduled: challenges.scheduled,
    users: count(users),
    admins: count(admins),
    articles: count(articles),
    submissionsToday: challenges.today,
  };
}
