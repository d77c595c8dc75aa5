// The rows behind a class: found or made by name within a school, and its
// pupils and teachers. Shared by the class pages and the pupil import, so a
// class named "10A" in an import and the one a teacher made by hand are one.
import type { DbOrTrx } from '../../db/index.js';

/**
 * The class of that name in the school, made if missing. Names are compared as
 * the class pages compare them: spaces collapsed, in any case, so "10a" from an
 * import is the "10A" a teacher made by hand.
 */
export async function findOrCreateClass(db: DbOrTrx, schoolId: number, name: string): Promise<number> {
  const clean = name.normalize('NFC').replace(/\s+/g, ' ').trim();
  const rows = await db.selectFrom('classes').select(['id', 'name']).where('school_id', '=', schoolId).execute();
  const found = rows.find((r) => r.name.toLowerCase() === clean.toLowerCase());
  if (found) return found.id;
  const now = new Date().toISOString();
  const row = await db
    .insertInto('classes')
    .values({ school_id: schoolId, name: clean, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Puts a pupil in a class; already there changes nothing. */
export async function addClassMember(db: DbOrTrx, classId: number, userId: number): Promise<void> {
  await db
    .insertInto('class_members')
    .values({ class_id: classId, user_id: userId })
    .onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
    .execute();
}

/** Makes a teacher one of the class's teachers; already one changes nothing. */
export async function addClassTeacher(db: DbOrTrx, classId: number, userId: number): Promise<void> {
  await db
    .insertInto('class_teachers')
    .values({ class_id: classId, user_id: userId })
    .onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
    .execute();
}
