// Competition fixtures: schools, a competition and its challenges written
// through the domain functions the admin pages use.
import { createChallenge } from '../../../src/domain/challenges/challenges.js';
import { createCompetition } from '../../../src/domain/competitions/competitions.js';
import { createSchool } from '../../../src/domain/schools.js';
import { answerOptionsSchema } from '../../../src/math/index.js';
import type { TestApp } from '../../helpers/app.js';
import { ADMIN_ACTOR, hoursFromNow } from '../challenges/fixtures.js';

export { ADMIN_ACTOR, hoursFromNow };

/** A school added for competitions: a guest unless said otherwise. */
export async function seedSchool(
  t: TestApp,
  name: string,
  domain: string,
  kind: 'member' | 'guest' = 'guest',
): Promise<number> {
  return createSchool(t.db, { name, emailDomain: domain, address: null, kind }, ADMIN_ACTOR);
}

export async function seedCompetition(
  t: TestApp,
  schoolIds: number[],
  f: { name?: string; startsAt?: string; endsAt?: string } = {},
): Promise<number> {
  return createCompetition(
    t.db,
    {
      name: f.name ?? 'Autumn competition',
      aboutHtml: '<p>About it</p>',
      startsAt: f.startsAt ?? hoursFromNow(-24),
      endsAt: f.endsAt ?? hoursFromNow(24 * 14),
      schoolIds,
    },
    ADMIN_ACTOR,
  );
}

export async function seedCompetitionChallenge(
  t: TestApp,
  competitionId: number,
  f: {
    title?: string;
    keyStage?: 'KS3' | 'KS4' | 'KS5';
    releaseAt?: string;
    durationHours?: number;
    answers?: string[];
  } = {},
): Promise<{ id: number; boxIds: number[] }> {
  const id = await createChallenge(
    t.db,
    {
      title: f.title ?? 'Competition fractions',
      contentHtml: '<p>Solve it.</p>',
      keyStage: f.keyStage ?? 'KS4',
      releaseAt: f.releaseAt ?? hoursFromNow(-1),
      lockAfterHours: null,
      attemptsPerBox: 3,
      boxes: (f.answers ?? ['3/4']).map((a) => ({
        id: null,
        label: '',
        correctAnswer: a,
        options: answerOptionsSchema.parse({}),
      })),
    },
    ADMIN_ACTOR,
    { competitionId, durationHours: f.durationHours ?? 48 },
  );
  const rows = await t.db
    .selectFrom('answer_boxes')
    .select('id')
    .where('challenge_id', '=', id)
    .orderBy('position')
    .execute();
  return { id, boxIds: rows.map((r) => r.id) };
}

/** Adds an existing user to a competition as a participant of a school and key stage. */
export async function seedParticipant(
  t: TestApp,
  competitionId: number,
  schoolId: number,
  keyStage: 'KS3' | 'KS4' | 'KS5',
  email: string,
  names: { first?: string; last?: string } = {},
) {
  const u = await t.createUser({
    email,
    keyStage,
    yearGroup: keyStage === 'KS3' ? 7 : keyStage === 'KS4' ? 9 : 12,
    schoolId,
    firstName: names.first,
    lastName: names.last,
  });
  await t.db
    .insertInto('competition_participants')
    .values({
      competition_id: competitionId,
      user_id: u.id,
      school_id: schoolId,
      key_stage: keyStage,
      created_at: new Date().toISOString(),
    })
    .execute();
  return u;
}
