// The one question a pupil made by a sign-in with a school account is asked
// (ADR 031): their school year, which sets their key stage as registration
// does, and if they like one of their school's classes. Asked once: a pupil
// with a year is never asked again, and one imported with a year never is.
import type { Config, KeyStage } from '../../config/index.js';
import type { Db, DbOrTrx } from '../../db/index.js';
import { field, formOutcome, type FieldErrors, type FormOutcome } from '../../lib/forms.js';
import { mathsClassError } from '../accounts/user-forms.js';
import { audit, type AuditActor } from '../audit.js';
import { addClassMember } from '../classes/class-records.js';
import { keyStageForYear, parseYear } from '../key-stage.js';

export interface WelcomeAnswers {
  yearGroup: number;
  keyStage: KeyStage;
  classId: number | null;
  className: string | null;
}

/** The school's classes a pupil may choose from, by name. */
export function schoolClasses(db: DbOrTrx, schoolId: number | null): Promise<Array<{ id: number; name: string }>> {
  if (schoolId === null) return Promise.resolve([]);
  return db
    .selectFrom('classes')
    .select(['id', 'name'])
    .where('school_id', '=', schoolId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export async function validateWelcome(
  db: DbOrTrx,
  config: Pick<Config, 'accounts'>,
  body: unknown,
  schoolId: number | null,
): Promise<FormOutcome<WelcomeAnswers>> {
  const values = { year_group: field(body, 'year_group').trim(), class_id: field(body, 'class_id').trim() };
  const errors: FieldErrors = {};
  const year = parseYear(values.year_group);
  const keyStage = keyStageForYear(config.accounts.keyStageByYear, year);
  if (year === null || keyStage === null) errors.year_group = 'Choose your school year (7 to 13).';
  let chosen: { id: number; name: string } | null = null;
  if (values.class_id !== '') {
    chosen = (await schoolClasses(db, schoolId)).find((c) => String(c.id) === values.class_id) ?? null;
    if (!chosen) errors.class_id = 'Choose one of the classes in the list, or none.';
  }
  return formOutcome(values, errors, () => ({
    yearGroup: year!,
    keyStage: keyStage!,
    classId: chosen?.id ?? null,
    className: chosen?.name ?? null,
  }));
}

/**
 * Saves the answers, with the audit entry, in one transaction. Only a pupil
 * still without a year is changed: answering twice (two tabs) changes nothing.
 */
export async function saveWelcome(db: Db, userId: number, a: WelcomeAnswers, actor: AuditActor): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const updated = await trx
      .updateTable('users')
      .set({
        year_group: a.yearGroup,
        key_stage: a.keyStage,
        // The class's name also goes where the account pages show a pupil's class, when it fits there.
        ...(a.className !== null && mathsClassError(a.className, false) === null ? { maths_class: a.className } : {}),
        updated_at: now,
      })
      .where('id', '=', userId)
      .where('user_type', '=', 'student')
      .where('year_group', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    if (a.classId !== null) await addClassMember(trx, a.classId, userId);
    await audit(trx, actor, {
      action: 'account.welcome',
      targetType: 'user',
      targetId: userId,
      details: { yearGroup: a.yearGroup, keyStage: a.keyStage, classId: a.classId },
    });
    return true;
  });
}
