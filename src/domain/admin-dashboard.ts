// The numbers on the admin dashboard.
import type { Db } from '../db/index.js';

export interface DashboardCounts {
  challengesReleased: number;
  challengesScheduled: number;
  users: number;
  admins: number;
  articles: number;
  submissionsToday: number;
}

const count = (n: { n: number | string | bigint }) => Number(n.n);

export async function dashboardCounts(db: Db, now = new Date()): Promise<DashboardCounts> {
  const iso = now.toISOString();
  const startOfDay = `${iso.slice(0, 10)}T00:00:00.000Z`;
  const [released, scheduled, users, admins, articles, today] = await Promise.all([
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
    db
      .selectFrom('submissions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('created_at', '>=', startOfDay)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    challengesReleased: count(released),
    challengesScheduled: count(scheduled),
    users: count(users),
    admins: count(admins),
    articles: count(articles),
    submissionsToday: count(today),
  };
}
