// What the profile page shows: the account, the pupil's place on their key
// stage's board (from the scores table the scoring code keeps up to date),
// their competitions with points, rank and school rank, challenges completed
// and the latest submissions.
import type { KeyStage } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import type { SchoolKind, User } from '../../db/schema.js';
import { userStandings, type Standing } from '../challenges/leaderboards.js';
import { competitionStandings, type CompetitionStanding } from '../competitions/standing.js';
import type { BoardVisibility } from './board-visibility.js';

const RECENT_SUBMISSIONS = 10;

export interface RecentSubmission {
  id: number;
  challengeId: number;
  /** Set for a competition challenge: its page is under the competition. */
  competitionId: number | null;
  challengeTitle: string;
  boxLabel: string;
  boxPosition: number;
  answer: string;
  isCorrect: boolean;
  createdAt: string;
}

export interface ProfileSummary {
  user: User;
  schoolName: string | null;
  /** "guest": a competition guest school's pupil, with no weekly board. */
  schoolKind: SchoolKind | null;
  /** The pupil's row on their own key stage's weekly board (rank null without points), or null when on none. */
  board: Standing | null;
  /** The key stage whose board the pupil is on (from their school year), or null. */
  boardKeyStage: KeyStage | null;
  competitions: CompetitionStanding[];
  challengesCompleted: number;
  recent: RecentSubmission[];
}

export async function profileSummary(
  db: Db,
  userId: number,
  now = new Date().toISOString(),
  visibility: BoardVisibility = { confirmedOnly: false },
): Promise<ProfileSummary | null> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user) return null;
  const [school, standings, competitions, completed, recent] = await Promise.all([
    user.school_id === null
      ? Promise.resolve(undefined)
      : db.selectFrom('schools').select(['name', 'kind']).where('id', '=', user.school_id).executeTakeFirst(),
    userStandings(db, userId, visibility),
    competitionStandings(db, userId, now, visibility),
    // Completions are unique per user and challenge: counting rows counts distinct challenges solved.
    db
      .selectFrom('completions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('submissions')
      .innerJoin('challenges', 'challenges.id', 'submissions.challenge_id')
      .innerJoin('answer_boxes', 'answer_boxes.id', 'submissions.box_id')
      .select([
        'submissions.id',
        'submissions.challenge_id',
        'challenges.competition_id',
        'challenges.title',
        'answer_boxes.label',
        'answer_boxes.position',
        'submissions.answer',
        'submissions.is_correct',
        'submissions.created_at',
      ])
      .where('submissions.user_id', '=', userId)
      .orderBy('submissions.created_at', 'desc')
      .orderBy('submissions.id', 'desc')
      .limit(RECENT_SUBMISSIONS)
      .execute(),
  ]);
  const guest = school?.kind === 'guest';
  const boardKeyStage = guest ? null : ((user.key_stage as KeyStage | null) ?? null);
  return {
    user,
    schoolName: school?.name ?? null,
    schoolKind: school?.kind ?? null,
    board: (boardKeyStage && standings.find((s) => s.keyStage === boardKeyStage)) || null,
    boardKeyStage,
    competitions,
    challengesCompleted: Number(completed.n),
    recent: recent.map((r) => ({
      id: r.id,
      challengeId: r.challenge_id,
      competitionId: r.competition_id,
      challengeTitle: r.title,
      boxLabel: r.label,
      boxPosition: r.position,
      answer: r.answer,
      isCorrect: r.is_correct === 1,
      createdAt: r.created_at,
    })),
  };
}
