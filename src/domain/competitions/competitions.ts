// Competitions (docs/product.md, "Competitions"; ADR 013) as records of their own: name, about text,
// start and end, participating schools, and participants registered through
// their school. A participant's school is decided by the exact email domain:
// the part after the last @, lower-cased, must equal the school's domain —
// "evil-school.org" and "school.org.evil.com" are not "school.org".
import type { Kysely, Transaction } from 'kysely';
import type { Config, KeyStage } from '../../config/index.js';
import type { Competition, Database, School, User } from '../../db/schema.js';
import { audit, type AuditActor } from '../audit.js';
import { z } from 'zod';
import { emailDomain, normalizeEmail } from '../accounts/emails.js';
import { keyStageForYear } from '../key-stage.js';
import { normalizeName } from '../accounts/names.js';
import { passwordRules } from '../accounts/password-policy.js';
import { newAccountFields, newPasswordRule } from '../accounts/user-forms.js';
import { emailInUse, insertUser, type NewAccount } from '../accounts/users.js';
import { registrationRefusal } from '../sso/password-sign-in.js';
import { checkFields, field, formOutcome, type FormOutcome, type FormValues } from '../../lib/forms.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

// ---------------------------------------------------------------- the domain rule

/** True when the address's domain is exactly the school's (case-insensitive, whole domain after the last @). */
export function emailMatchesSchool(email: string, school: Pick<School, 'email_domain'>): boolean {
  const normalized = normalizeEmail(email);
  if (!normalized.includes('@')) return false;
  return emailDomain(normalized) === school.email_domain.trim().toLowerCase();
}

// ---------------------------------------------------------------- reading

export function findCompetition(db: DbOrTrx, id: number): Promise<Competition | undefined> {
  return db.selectFrom('competitions').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listCompetitions(db: DbOrTrx): Promise<Competition[]> {
  return db.selectFrom('competitions').selectAll().orderBy('starts_at', 'desc').orderBy('id', 'desc').execute();
}

/**
 * The competition /competition shows: the one running now (latest start
 * first), else the most recent that has started, else the next to start.
 */
export async function currentCompetition(db: DbOrTrx, now: string): Promise<Competition | undefined> {
  const running = await db
    .selectFrom('competitions')
    .selectAll()
    .where('starts_at', '<=', now)
    .where('ends_at', '>=', now)
    .orderBy('starts_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (running) return running;
  const past = await db
    .selectFrom('competitions')
    .selectAll()
    .where('starts_at', '<=', now)
    .orderBy('starts_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (past) return past;
  return db.selectFrom('competitions').selectAll().orderBy('starts_at').orderBy('id').executeTakeFirst();
}

export type CompetitionPhase = 'upcoming' | 'running' | 'ended';

export function competitionPhase(c: Pick<Competition, 'starts_at' | 'ends_at'>, now: string): CompetitionPhase {
  if (now < c.starts_at) return 'upcoming';
  return now > c.ends_at ? 'ended' : 'running';
}

export function competitionSchools(db: DbOrTrx, competitionId: number): Promise<School[]> {
  return db
    .selectFrom('schools as s')
    .innerJoin('competition_schools as cs', 'cs.school_id', 's.id')
    .selectAll('s')
    .where('cs.competition_id', '=', competitionId)
    .orderBy('s.name')
    .execute();
}

export interface Participation {
  competitionId: number;
  schoolId: number;
  schoolName: string;
  keyStage: KeyStage;
}

export async function findParticipation(
  db: DbOrTrx,
  competitionId: number,
  userId: number,
): Promise<Participation | undefined> {
  const r = await db
    .selectFrom('competition_participants as p')
    .innerJoin('schools as s', 's.id', 'p.school_id')
    .select(['p.competition_id', 'p.school_id', 'p.key_stage', 's.name'])
    .where('p.competition_id', '=', competitionId)
    .where('p.user_id', '=', userId)
    .executeTakeFirst();
  return (
    r && {
      competitionId: r.competition_id,
      schoolId: r.school_id,
      schoolName: r.name,
      keyStage: r.key_stage as KeyStage,
    }
  );
}

// ---------------------------------------------------------------- admin: saving

/** A validated competition (see competition-form.ts). */
export interface CompetitionInput {
  name: string;
  aboutHtml: string;
  startsAt: string;
  endsAt: string;
  schoolIds: number[];
}

export class CompetitionSchoolInUseError extends Error {}

async function setSchools(trx: Transaction<Database>, competitionId: number, schoolIds: number[]): Promise<void> {
  const current = await trx
    .selectFrom('competition_schools')
    .select('school_id')
    .where('competition_id', '=', competitionId)
    .execute();
  const removed = current.map((r) => r.school_id).filter((id) => !schoolIds.includes(id));
  if (removed.length) {
    const used = await trx
      .selectFrom('competition_participants as p')
      .innerJoin('schools as s', 's.id', 'p.school_id')
      .select('s.name')
      .distinct()
      .where('p.competition_id', '=', competitionId)
      .where('p.school_id', 'in', removed)
      .execute();
    if (used.length) {
      throw new CompetitionSchoolInUseError(
        `${used.map((u) => u.name).join(', ')} cannot be removed: students of that school take part. Remove its participants first.`,
      );
    }
    await trx
      .deleteFrom('competition_schools')
      .where('competition_id', '=', competitionId)
      .where('school_id', 'in', removed)
      .execute();
  }
  const added = schoolIds.filter((id) => !current.some((r) => r.school_id === id));
  if (added.length) {
    await trx
      .insertInto('competition_schools')
      .values(added.map((school_id) => ({ competition_id: competitionId, school_id })))
      .execute();
  }
}

export async function createCompetition(
  db: Kysely<Database>,
  input: CompetitionInput,
  actor: AuditActor,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const row = await trx
      .insertInto('competitions')
      .values({
        name: input.name,
        about_html: input.aboutHtml,
        starts_at: input.startsAt,
        ends_at: input.endsAt,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await setSchools(trx, row.id, input.schoolIds);
    await audit(trx, actor, {
      action: 'competition.create',
      targetType: 'competition',
      targetId: row.id,
      details: { name: input.name, startsAt: input.startsAt, endsAt: input.endsAt, schoolIds: input.schoolIds },
    });
    return row.id;
  });
}

export async function updateCompetition(
  db: Kysely<Database>,
  id: number,
  input: CompetitionInput,
  actor: AuditActor,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await findCompetition(trx, id))) return false;
    await trx
      .updateTable('competitions')
      .set({
        name: input.name,
        about_html: input.aboutHtml,
        starts_at: input.startsAt,
        ends_at: input.endsAt,
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', id)
      .execute();
    await setSchools(trx, id, input.schoolIds);
    await audit(trx, actor, {
      action: 'competition.update',
      targetType: 'competition',
      targetId: id,
      details: { name: input.name, startsAt: input.startsAt, endsAt: input.endsAt, schoolIds: input.schoolIds },
    });
    return true;
  });
}

/** Deletes a competition with its challenges, tries, completions, participants and board. */
export async function deleteCompetition(db: Kysely<Database>, id: number, actor: AuditActor): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    const c = await findCompetition(trx, id);
    if (!c) return null;
    const challengeIds = (
      await trx.selectFrom('challenges').select('id').where('competition_id', '=', id).execute()
    ).map((r) => r.id);
    if (challengeIds.length) {
      await trx.deleteFrom('submissions').where('challenge_id', 'in', challengeIds).execute();
      await trx.deleteFrom('completions').where('challenge_id', 'in', challengeIds).execute();
      await trx.deleteFrom('answer_boxes').where('challenge_id', 'in', challengeIds).execute();
      await trx.deleteFrom('challenges').where('id', 'in', challengeIds).execute();
    }
    await trx.deleteFrom('score_adjustments').where('competition_id', '=', id).execute();
    await trx.deleteFrom('competition_scores').where('competition_id', '=', id).execute();
    await trx.deleteFrom('competition_participants').where('competition_id', '=', id).execute();
    await trx.deleteFrom('competition_schools').where('competition_id', '=', id).execute();
    await trx.deleteFrom('competitions').where('id', '=', id).execute();
    await audit(trx, actor, {
      action: 'competition.delete',
      targetType: 'competition',
      targetId: id,
      details: { name: c.name, challenges: challengeIds.length },
    });
    return c.name;
  });
}

// ---------------------------------------------------------------- joining

/**
 * Adds the user to the competition and marks the account as a participant
 * (users.is_participant: "takes part in a competition", the flag the admin
 * users area shows and sets in bulk). Returns false when already a participant.
 */
export async function addParticipant(
  trx: Transaction<Database>,
  p: { competitionId: number; userId: number; schoolId: number; keyStage: KeyStage },
): Promise<boolean> {
  const now = new Date().toISOString();
  const inserted = await trx
    .insertInto('competition_participants')
    .values({
      competition_id: p.competitionId,
      user_id: p.userId,
      school_id: p.schoolId,
      key_stage: p.keyStage,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['competition_id', 'user_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return false;
  await trx.updateTable('users').set({ is_participant: 1, updated_at: now }).where('id', '=', p.userId).execute();
  return true;
}

export interface CompetitionRegistration {
  firstName: string;
  lastName: string;
  email: string;
  yearGroup: number;
  keyStage: KeyStage;
  schoolId: number;
  password: string;
}

export type RegistrationOutcome = FormOutcome<CompetitionRegistration> & { existingAccount: boolean };

/** Why this competition takes no registrations now, or null. */
export function registrationClosedReason(c: Competition, now: string): string | null {
  return competitionPhase(c, now) === 'ended' ? `${c.name} has ended: registration is closed.` : null;
}

/**
 * The sign-up form of a competition: a new pupil account at one of its
 * schools. `revealTaken` as for validateRegistration.
 */
export async function validateCompetitionRegistration(
  db: DbOrTrx,
  config: Config,
  competitionId: number,
  body: unknown,
  opts: { revealTaken: boolean } = { revealTaken: true },
): Promise<RegistrationOutcome> {
  const values: FormValues = {
    first_name: normalizeName(field(body, 'first_name')),
    last_name: normalizeName(field(body, 'last_name')),
    email: normalizeEmail(field(body, 'email')),
    school_id: field(body, 'school_id').trim(),
    year_group: field(body, 'year_group').trim(),
  };
  const schema = z
    .object({ ...newAccountFields(), school_id: z.string() })
    .superRefine(newPasswordRule(passwordRules(config, { isAdmin: false })));
  const { data, errors } = checkFields(schema, {
    ...values,
    password: field(body, 'password'),
    password_confirm: field(body, 'password_confirm'),
  });

  const schools = await competitionSchools(db, competitionId);
  const school = /^[1-9]\d{0,9}$/.test(values.school_id!)
    ? schools.find((s) => s.id === Number(values.school_id))
    : undefined;
  if (!school) errors.school_id = 'Choose your school from the list.';

  let existingAccount = false;
  let passwordOff: string | null;
  if (!errors.email) {
    if (school && !emailMatchesSchool(values.email!, school)) {
      errors.email = `Use your ${school.name} email address: it must end in @${school.email_domain}.`;
    } else if (school && (passwordOff = await registrationRefusal(db, school.id))) {
      errors.email = passwordOff;
    } else if (opts.revealTaken && (await emailInUse(db, values.email!))) {
      // Only when addresses need no confirmation: otherwise the owner is told by email instead.
      existingAccount = true;
      errors.email =
        'An account with this email address already exists. Log in, then join the competition from this page.';
    }
  }

  const outcome = formOutcome<CompetitionRegistration, FormValues>(values, errors, () => {
    const d = data!;
    return {
      firstName: d.first_name,
      lastName: d.last_name,
      email: d.email,
      yearGroup: d.year_group,
      keyStage: keyStageForYear(config.accounts.keyStageByYear, d.year_group)!,
      schoolId: school!.id,
      password: d.password,
    };
  });
  return { ...outcome, existingAccount };
}

/** Creates the account and its participation in one transaction. */
export async function registerParticipant(
  db: Kysely<Database>,
  competitionId: number,
  account: NewAccount & { keyStage: KeyStage; schoolId: number },
  actor: AuditActor,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const userId = await insertUser(trx, account);
    await addParticipant(trx, { competitionId, userId, schoolId: account.schoolId, keyStage: account.keyStage });
    const who = { ...actor, id: userId, email: normalizeEmail(account.email) };
    await audit(trx, who, {
      action: 'competition.register',
      targetType: 'competition',
      targetId: competitionId,
      details: { userId, schoolId: account.schoolId, keyStage: account.keyStage, yearGroup: account.yearGroup },
    });
    return userId;
  });
}

export type JoinOutcome =
  | { kind: 'joined'; school: School; keyStage: KeyStage }
  | { kind: 'already' }
  | { kind: 'no-school' }
  | { kind: 'no-key-stage' };

/** The competition school an existing account belongs to by its email domain. */
export async function schoolForJoin(
  db: DbOrTrx,
  competitionId: number,
  user: Pick<User, 'email'>,
): Promise<School | undefined> {
  return (await competitionSchools(db, competitionId)).find((s) => emailMatchesSchool(user.email, s));
}

/** An existing account joins: its email domain must be one of the competition's schools. */
export async function joinCompetition(
  db: Kysely<Database>,
  competitionId: number,
  user: Pick<User, 'id' | 'email' | 'key_stage'>,
  actor: AuditActor,
): Promise<JoinOutcome> {
  return db.transaction().execute(async (trx): Promise<JoinOutcome> => {
    const school = await schoolForJoin(trx, competitionId, user);
    if (!school) return { kind: 'no-school' };
    const keyStage = user.key_stage as KeyStage | null;
    if (!keyStage) return { kind: 'no-key-stage' };
    if (!(await addParticipant(trx, { competitionId, userId: user.id, schoolId: school.id, keyStage })))
      return { kind: 'already' };
    await audit(trx, actor, {
      action: 'competition.join',
      targetType: 'competition',
      targetId: competitionId,
      details: { userId: user.id, schoolId: school.id, keyStage },
    });
    return { kind: 'joined', school, keyStage };
  });
}
