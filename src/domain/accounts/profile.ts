// What the profile page shows: the account, points per key stage (from the
// scores table the scoring code keeps up to date), challenges completed and
// the latest submissions.
import { KEY_STAGES, type KeyStage } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import type { User } from '../../db/schema.js';

const RECENT_SUBMISSIONS = 10;

export interface RecentSubmission {
  id: number;
  challengeId: number;
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
  points: Array<{ keyStage: KeyStage; points: number; challengesCompleted: number }>;
  totalPoints: number;
  challengesCompleted: number;
  recent: RecentSubmission[];
}

export async function profileSummary(db: Db, userId: number): Promise<ProfileSummary | null> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user) return null;
  const [school, scores, completed, recent] = await Promise.all([
    user.school_id === null
      ? Promise.resolve(undefined)
      : db.selectFrom('schools').select('name').where('id', '=', user.school_id).executeTakeFirst(),
    db
      .selectFrom('scores')
      .select(['key_stage', 'points', 'challenges_completed'])
      .where('user_id', '=', userId)
      .execute(),
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
  const byStage = new Map(scores.map((s) => [s.key_stage, s]));
  const points = KEY_STAGES.map((ks) => ({
    keyStage: ks,
    points: Number(byStage.get(ks)?.points ?? 0),
    challengesCompleted: Number(byStage.get(ks)?.challenges_completed ?? 0),
  }));
  return {
    user,
    schoolName: school?.name ?? null,
    points,
    totalPoints: points.reduce((sum, p) => sum + p.points, 0),
    challengesCompleted: Number(completed.n),
    recent: recent.map((r) => ({
      id: r.id,
      challengeId: r.challenge_id,
      challengeTitle: r.title,
      boxLabel: r.label,
      boxPosition: r.position,
      answer: r.answer,
      isCorrect: r.is_correct === 1,
      createdAt: r.created_at,
    })),
  };
}
