// A pupil's own competitions, for their profile and the home page: each
// competition they take part in with their points, their rank on its board of
// their key stage and their school's rank there. And whether an account may
// use the weekly challenges: pupils of guest schools (competitions only) may
// not, and are pointed to their competitions instead.
import type { KeyStage } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { hiddenUserIds, type BoardVisibility } from '../accounts/board-visibility.js';
import { memberSchools } from '../schools.js';
import { competitionPhase, type CompetitionPhase } from './competitions.js';
import { schoolRankings } from './scoring.js';

export interface CompetitionStanding {
  competitionId: number;
  name: string;
  phase: CompetitionPhase;
  startsAt: string;
  endsAt: string;
  keyStage: KeyStage;
  schoolName: string;
  points: number;
  completed: number;
  /** Rank on the competition's board of the pupil's key stage; null with no points. */
  rank: number | null;
  /** Their school's rank among the competition's schools in that key stage; null when it has no points. */
  schoolRank: number | null;
  /** How many schools are ranked there. */
  schoolsRanked: number;
}

/** The competitions a user takes part in, the running and upcoming ones first, then the newest. */
export async function competitionStandings(
  db: Db,
  userId: number,
  now: string,
  visibility: BoardVisibility = { confirmedOnly: false },
): Promise<CompetitionStanding[]> {
  const rows = await db
    .selectFrom('competition_participants as p')
    .innerJoin('competitions as c', 'c.id', 'p.competition_id')
    .innerJoin('schools as s', 's.id', 'p.school_id')
    .leftJoin('competition_scores as cs', (join) =>
      join.onRef('cs.competition_id', '=', 'p.competition_id').onRef('cs.user_id', '=', 'p.user_id'),
    )
    .select([
      'c.id',
      'c.name',
      'c.starts_at',
      'c.ends_at',
      'p.key_stage',
      'p.school_id',
      's.name as school',
      'cs.points',
      'cs.challenges_completed',
    ])
    .where('p.user_id', '=', userId)
    .orderBy('c.starts_at', 'desc')
    .orderBy('c.id', 'desc')
    .execute();
  const out: CompetitionStanding[] = [];
  for (const r of rows) {
    const keyStage = r.key_stage as KeyStage;
    const points = Number(r.points ?? 0);
    let rank: number | null = null;
    if (points > 0) {
      const ahead = await db
        .selectFrom('competition_scores')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('competition_id', '=', r.id)
        .where('key_stage', '=', keyStage)
        .where('points', '>', points)
        .where('user_id', 'not in', hiddenUserIds(db, visibility))
        .executeTakeFirstOrThrow();
      rank = Number(ahead.n) + 1;
    }
    const schools = await schoolRankings(db, r.id, keyStage, visibility);
    const mine = schools.find((s) => s.schoolId === r.school_id);
    out.push({
      competitionId: r.id,
      name: r.name,
      phase: competitionPhase({ starts_at: r.starts_at, ends_at: r.ends_at }, now),
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      keyStage,
      schoolName: r.school,
      points,
      completed: Number(r.challenges_completed ?? 0),
      rank,
      schoolRank: mine && mine.points > 0 ? mine.rank : null,
      schoolsRanked: schools.length,
    });
  }
  const order: Record<CompetitionPhase, number> = { running: 0, upcoming: 1, ended: 2 };
  return out.sort((a, b) => order[a.phase] - order[b.phase]);
}

export type WeeklyAccess =
  | { kind: 'member' }
  | {
      kind: 'guest';
      /** The pupil's own (guest) school. */
      school: string;
      /** The member schools, whose pupils the weekly challenges are for. */
      members: string[];
      competitions: CompetitionStanding[];
    };

/**
 * Whether an account may use the weekly challenges: admins and everyone not of
 * a guest school may. Whether it is a guest pupil comes with the signed-in user
 * (loadSessionUser), so members cost no query here; only a guest's page needs more.
 */
export async function weeklyAccess(
  db: Db,
  user: { id: number; schoolId: number | null; guestPupil: boolean },
  now: string,
): Promise<WeeklyAccess> {
  if (!user.guestPupil || user.schoolId === null) return { kind: 'member' };
  const [school, members, competitions] = await Promise.all([
    db.selectFrom('schools').select('name').where('id', '=', user.schoolId).executeTakeFirstOrThrow(),
    memberSchools(db),
    competitionStandings(db, user.id, now),
  ]);
  return { kind: 'guest', school: school.name, members: members.map((m) => m.name), competitions };
}
