// "Download my data": every record the platform holds about the person, as
// JSON, built from their own rows only. The password hash and session secrets
// are never included; audit entries about them leave out who else acted.
import type { Db } from '../../db/index.js';
import type { SessionRecord } from '../../security/session-store.js';

export async function exportUserData(
  db: Db,
  userId: number,
  sessions: SessionRecord[],
): Promise<Record<string, unknown> | null> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user) return null;
  const { password_hash: _secret, ...account } = user;
  const uid = String(userId);
  const [
    school,
    scores,
    completions,
    submissions,
    adjustments,
    participation,
    competitionScores,
    articles,
    own,
    about,
  ] = await Promise.all([
    user.school_id === null
      ? Promise.resolve(null)
      : db
          .selectFrom('schools')
          .select(['id', 'name', 'email_domain'])
          .where('id', '=', user.school_id)
          .executeTakeFirst(),
    db
      .selectFrom('scores')
      .select(['key_stage', 'points', 'challenges_completed', 'updated_at'])
      .where('user_id', '=', userId)
      .orderBy('key_stage')
      .execute(),
    db
      .selectFrom('completions')
      .innerJoin('challenges', 'challenges.id', 'completions.challenge_id')
      .select([
        'completions.challenge_id',
        'challenges.title',
        'completions.key_stage',
        'completions.points',
        'completions.competition_id',
        'completions.completed_at',
      ])
      .where('completions.user_id', '=', userId)
      .orderBy('completions.completed_at')
      .execute(),
    db
      .selectFrom('submissions')
      .innerJoin('challenges', 'challenges.id', 'submissions.challenge_id')
      .innerJoin('answer_boxes', 'answer_boxes.id', 'submissions.box_id')
      .select([
        'submissions.id',
        'submissions.challenge_id',
        'challenges.title',
        'answer_boxes.position as box',
        'answer_boxes.label as box_label',
        'submissions.answer',
        'submissions.is_correct',
        'submissions.created_at',
      ])
      .where('submissions.user_id', '=', userId)
      .orderBy('submissions.created_at')
      .orderBy('submissions.id')
      .execute(),
    db
      .selectFrom('score_adjustments')
      .select(['key_stage', 'competition_id', 'points', 'reason', 'created_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('competition_participants')
      .select(['competition_id', 'school_id', 'key_stage', 'created_at'])
      .where('user_id', '=', userId)
      .execute(),
    db
      .selectFrom('competition_scores')
      .select(['competition_id', 'school_id', 'key_stage', 'points', 'challenges_completed', 'updated_at'])
      .where('user_id', '=', userId)
      .execute(),
    db
      .selectFrom('articles')
      .select(['id', 'type', 'title', 'author_name', 'published_at'])
      .where('author_id', '=', userId)
      .orderBy('published_at')
      .execute(),
    db
      .selectFrom('audit_log')
      .select(['action', 'target_type', 'target_id', 'ip', 'user_agent', 'created_at'])
      .where('actor_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('audit_log')
      .select(['action', 'ip', 'created_at'])
      .where('target_type', '=', 'user')
      .where('target_id', '=', uid)
      .where((eb) => eb.or([eb('actor_id', 'is', null), eb('actor_id', '!=', userId)]))
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  ]);
  return {
    exported_at: new Date().toISOString(),
    account: {
      ...account,
      is_admin: user.is_admin === 1,
      is_participant: user.is_participant === 1,
      must_change_password: user.must_change_password === 1,
    },
    school: school ?? null,
    scores,
    completions,
    submissions: submissions.map((s) => ({ ...s, is_correct: s.is_correct === 1 })),
    score_adjustments: adjustments,
    competition_participation: participation,
    competition_scores: competitionScores,
    articles_written: articles,
    sessions: sessions.map((s) => ({
      created_at: s.createdAt,
      last_seen_at: s.lastSeenAt,
      ip: s.ip,
      user_agent: s.userAgent,
      remember_me: s.remember,
    })),
    activity: own,
    events_about_account: about.map((e) => ({ action: e.action, created_at: e.created_at })),
  };
}
