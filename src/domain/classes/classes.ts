// Classes (docs/product.md, "Classes"; ADR 033): named groups of one school's
// pupils with the teachers who own them. Admins see and change every class; a
// teacher only the classes they teach. Every change is one transaction with its
// audit entries. The rows themselves are shared with the pupil import
// (class-records.ts).
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DbOrTrx } from '../../db/index.js';
import type { Database } from '../../db/schema.js';
import { checkFields, field, formOutcome, type FieldErrors, type FormOutcome } from '../../lib/forms.js';
import { plural } from '../../lib/plural.js';
import type { Role } from '../../security/types.js';
import { audit, type AuditActor } from '../audit.js';
import { emailError, normalizeEmail } from '../accounts/emails.js';
import { isUniqueViolation } from '../accounts/users.js';
import { addClassMember, addClassTeacher } from './class-records.js';

export const CLASS_NAME_MAX = 60;
/** The most addresses one "add pupils" form takes at once. */
export const ADD_MAX = 200;

/** Who is looking: the session's user (id, role, school). */
export interface ClassViewer {
  id: number;
  role: Role;
  schoolId: number | null;
}

export interface ClassRow {
  id: number;
  schoolId: number;
  schoolName: string;
  name: string;
  pupils: number;
  teachers: string[];
}

export interface ClassDetail {
  id: number;
  schoolId: number;
  schoolName: string;
  name: string;
  createdAt: string;
}

export interface ClassPerson {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
  yearGroup: number | null;
}

/** The outcome of opening a class as someone: missing (404), not theirs (403), or the class. */
export type ClassAccess = { kind: 'missing' } | { kind: 'forbidden' } | { kind: 'ok'; cls: ClassDetail };

export class ClassNameTakenError extends Error {
  constructor(name: string, school: string) {
    super(`${school} already has a class called «${name}». Choose another name.`);
  }
}

// ---------------------------------------------------------------- reading

/**
 * Does the viewer teach the class (or is an admin, who sees every class)? A teacher
 * must also still belong to the class's school: one moved to another school keeps
 * no view of the old school's pupils.
 */
export async function canManageClass(db: DbOrTrx, viewer: ClassViewer, classId: number): Promise<boolean> {
  if (viewer.role === 'admin') return true;
  if (viewer.role !== 'teacher' || viewer.schoolId === null) return false;
  const row = await db
    .selectFrom('class_teachers as t')
    .innerJoin('classes as c', 'c.id', 't.class_id')
    .select('t.class_id')
    .where('t.class_id', '=', classId)
    .where('t.user_id', '=', viewer.id)
    .where('c.school_id', '=', viewer.schoolId)
    .executeTakeFirst();
  return row !== undefined;
}

export function findClass(db: DbOrTrx, id: number): Promise<ClassDetail | undefined> {
  return db
    .selectFrom('classes as c')
    .innerJoin('schools as s', 's.id', 'c.school_id')
    .select(['c.id', 'c.school_id as schoolId', 's.name as schoolName', 'c.name', 'c.created_at as createdAt'])
    .where('c.id', '=', id)
    .executeTakeFirst();
}

/** The class as its teacher or an admin opens it. */
export async function openClass(db: DbOrTrx, viewer: ClassViewer, id: number): Promise<ClassAccess> {
  const cls = await findClass(db, id);
  if (!cls) return { kind: 'missing' };
  if (!(await canManageClass(db, viewer, id))) return { kind: 'forbidden' };
  return { kind: 'ok', cls };
}

/** The classes a viewer may manage: a teacher's own, or every class for an admin; by school, then name. */
export async function listClasses(db: DbOrTrx, viewer: ClassViewer): Promise<ClassRow[]> {
  if (viewer.role === 'student') return [];
  const classes = await db
    .selectFrom('classes as c')
    .innerJoin('schools as s', 's.id', 'c.school_id')
    .select(['c.id', 'c.school_id', 's.name as school_name', 'c.name'])
    .$if(viewer.role !== 'admin', (qb) =>
      qb
        .where('c.id', 'in', db.selectFrom('class_teachers').select('class_id').where('user_id', '=', viewer.id))
        // Only the school the teacher belongs to now (as canManageClass).
        .where('c.school_id', '=', viewer.schoolId ?? -1),
    )
    .orderBy('s.name')
    .orderBy('c.name')
    .orderBy('c.id')
    .execute();
  if (classes.length === 0) return [];
  const ids = classes.map((c) => c.id);
  const counts = await db
    .selectFrom('class_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.class_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('m.class_id', 'in', ids)
    .where('u.archived_at', 'is', null)
    .groupBy('m.class_id')
    .execute();
  const teachers = await db
    .selectFrom('class_teachers as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['t.class_id', 'u.first_name', 'u.last_name'])
    .where('t.class_id', 'in', ids)
    .orderBy('u.last_name')
    .orderBy('u.first_name')
    .execute();
  return classes.map((c) => ({
    id: c.id,
    schoolId: c.school_id,
    schoolName: c.school_name,
    name: c.name,
    pupils: Number(counts.find((n) => n.class_id === c.id)?.n ?? 0),
    teachers: teachers.filter((t) => t.class_id === c.id).map((t) => `${t.first_name} ${t.last_name}`),
  }));
}

const personColumns = ['u.id', 'u.first_name', 'u.last_name', 'u.email', 'u.year_group'] as const;
const toPerson = (r: {
  id: number;
  first_name: string;
  last_name: string;
  email: string;
  year_group: number | null;
}): ClassPerson => ({
  id: r.id,
  firstName: r.first_name,
  lastName: r.last_name,
  email: r.email,
  yearGroup: r.year_group,
});

/** The class's pupils (leavers left out), by name. */
export async function classPupils(db: DbOrTrx, classId: number): Promise<ClassPerson[]> {
  const rows = await db
    .selectFrom('class_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(personColumns)
    .where('m.class_id', '=', classId)
    .where('u.archived_at', 'is', null)
    .orderBy('u.last_name')
    .orderBy('u.first_name')
    .orderBy('u.id')
    .execute();
  return rows.map(toPerson);
}

/** The class's teachers, by name. */
export async function classTeachers(db: DbOrTrx, classId: number): Promise<ClassPerson[]> {
  const rows = await db
    .selectFrom('class_teachers as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(personColumns)
    .where('t.class_id', '=', classId)
    .orderBy('u.last_name')
    .orderBy('u.first_name')
    .orderBy('u.id')
    .execute();
  return rows.map(toPerson);
}

/** The school's pupils (not leavers) who are not in the class yet: the pick list of "add pupils". */
export async function pupilsToAdd(db: DbOrTrx, cls: ClassDetail): Promise<ClassPerson[]> {
  const rows = await db
    .selectFrom('users as u')
    .select(personColumns)
    .where('u.school_id', '=', cls.schoolId)
    .where('u.user_type', '=', 'student')
    .where('u.is_admin', '=', 0)
    .where('u.archived_at', 'is', null)
    .where('u.id', 'not in', db.selectFrom('class_members').select('user_id').where('class_id', '=', cls.id))
    .orderBy('u.year_group')
    .orderBy('u.last_name')
    .orderBy('u.first_name')
    .orderBy('u.id')
    .execute();
  return rows.map(toPerson);
}

/** The school's teacher accounts (not leavers) who do not teach the class yet. */
export async function teachersToAdd(db: DbOrTrx, cls: ClassDetail): Promise<ClassPerson[]> {
  const rows = await db
    .selectFrom('users as u')
    .select(personColumns)
    .where('u.school_id', '=', cls.schoolId)
    .where((eb) => eb.or([eb('u.user_type', '=', 'teacher'), eb('u.is_admin', '=', 1)]))
    .where('u.archived_at', 'is', null)
    .where('u.id', 'not in', db.selectFrom('class_teachers').select('user_id').where('class_id', '=', cls.id))
    .orderBy('u.last_name')
    .orderBy('u.first_name')
    .orderBy('u.id')
    .execute();
  return rows.map(toPerson);
}

/** The schools a viewer may make a class in: every school for an admin, their own for a teacher. */
export async function schoolsForNewClass(
  db: DbOrTrx,
  viewer: ClassViewer,
): Promise<Array<{ id: number; name: string }>> {
  if (viewer.role === 'student') return [];
  if (viewer.role === 'teacher' && viewer.schoolId === null) return [];
  return db
    .selectFrom('schools')
    .select(['id', 'name'])
    .$if(viewer.role !== 'admin', (qb) => qb.where('id', '=', viewer.schoolId!))
    .orderBy('name')
    .orderBy('id')
    .execute();
}

// ---------------------------------------------------------------- the name form

export type ClassFormValues = { name: string; school_id: string };

export interface ClassInput {
  name: string;
  schoolId: number;
}

/** "  10   A " → "10 A". */
export function normalizeClassName(raw: string): string {
  return raw.normalize('NFC').replace(/\s+/g, ' ').trim();
}

const nameSchema = z
  .string()
  .min(1, 'Enter the class’s name, for example 10A or Year 9 set 1.')
  .refine((v) => [...v].length <= CLASS_NAME_MAX, `The name must be at most ${CLASS_NAME_MAX} characters.`);

/** Another class of the school with this name, in any case ("10a" and "10A" would confuse). */
async function nameTaken(db: DbOrTrx, schoolId: number, name: string, exceptId?: number): Promise<boolean> {
  const rows = await db.selectFrom('classes').select(['id', 'name']).where('school_id', '=', schoolId).execute();
  return rows.some((r) => r.id !== exceptId && r.name.toLowerCase() === name.toLowerCase());
}

/**
 * The new-class form: a name, and for an admin the school (a teacher's class is
 * in their own school). A name already used in the school is refused here.
 */
export async function validateNewClass(
  db: DbOrTrx,
  viewer: ClassViewer,
  body: unknown,
): Promise<FormOutcome<ClassInput, ClassFormValues>> {
  const values: ClassFormValues = {
    name: normalizeClassName(field(body, 'name')),
    school_id: viewer.role === 'admin' ? field(body, 'school_id').trim() : String(viewer.schoolId ?? ''),
  };
  const { errors } = checkFields(z.object({ name: nameSchema }), values);
  const schools = await schoolsForNewClass(db, viewer);
  const school = schools.find((s) => String(s.id) === values.school_id);
  if (!school)
    errors.school_id =
      viewer.role === 'admin'
        ? 'Choose the school the class belongs to.'
        : 'Your account belongs to no school, so you cannot make a class. Ask an administrator.';
  else if (!errors.name && (await nameTaken(db, school.id, values.name)))
    errors.name = new ClassNameTakenError(values.name, school.name).message;
  return formOutcome(values, errors, () => ({ name: values.name, schoolId: school!.id }));
}

/** The rename form: the new name, free in the class's school. */
export async function validateRename(
  db: DbOrTrx,
  cls: ClassDetail,
  body: unknown,
): Promise<FormOutcome<string, { name: string }>> {
  const values = { name: normalizeClassName(field(body, 'name')) };
  const { errors } = checkFields(z.object({ name: nameSchema }), values);
  if (!errors.name && (await nameTaken(db, cls.schoolId, values.name, cls.id)))
    errors.name = new ClassNameTakenError(values.name, cls.schoolName).message;
  return formOutcome(values, errors, () => values.name);
}

// ---------------------------------------------------------------- writing the class

/** Makes a class; a teacher who makes one becomes its teacher. */
export async function createClass(
  db: Kysely<Database>,
  input: ClassInput,
  viewer: ClassViewer,
  actor: AuditActor,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    let id: number;
    try {
      const row = await trx
        .insertInto('classes')
        .values({ school_id: input.schoolId, name: input.name, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      id = row.id;
    } catch (err) {
      // Made by someone else between the form's check and this insert.
      if (isUniqueViolation(err)) throw new ClassNameTakenError(input.name, 'The school');
      throw err;
    }
    if (viewer.role === 'teacher') await addClassTeacher(trx, id, viewer.id);
    await audit(trx, actor, {
      action: 'class.created',
      targetType: 'class',
      targetId: id,
      details: { name: input.name, schoolId: input.schoolId, teacherId: viewer.role === 'teacher' ? viewer.id : null },
    });
    return id;
  });
}

export async function renameClass(
  db: Kysely<Database>,
  cls: ClassDetail,
  name: string,
  actor: AuditActor,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    try {
      await trx
        .updateTable('classes')
        .set({ name, updated_at: new Date().toISOString() })
        .where('id', '=', cls.id)
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ClassNameTakenError(name, cls.schoolName);
      throw err;
    }
    await audit(trx, actor, {
      action: 'class.renamed',
      targetType: 'class',
      targetId: cls.id,
      details: { before: cls.name, after: name },
    });
  });
}

/** Deletes the class with its memberships; the pupils, their answers and points stay. */
export async function deleteClass(db: Kysely<Database>, cls: ClassDetail, actor: AuditActor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const members = await trx
      .selectFrom('class_members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('class_id', '=', cls.id)
      .executeTakeFirstOrThrow();
    await trx.deleteFrom('class_members').where('class_id', '=', cls.id).execute();
    await trx.deleteFrom('class_teachers').where('class_id', '=', cls.id).execute();
    await trx.deleteFrom('classes').where('id', '=', cls.id).execute();
    await audit(trx, actor, {
      action: 'class.deleted',
      targetType: 'class',
      targetId: cls.id,
      details: { name: cls.name, schoolId: cls.schoolId, pupils: Number(members.n) },
    });
  });
}

// ---------------------------------------------------------------- pupils

/** Form values of "add pupils": addresses typed in, and the ids ticked in the pick list. */
export type AddPupilsValues = { emails: string };

/** One value or several of a repeated form field (`user_id=3&user_id=5`). */
function fieldList(body: unknown, name: string): string[] {
  if (!body || typeof body !== 'object') return [];
  const v = (body as Record<string, unknown>)[name];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/**
 * "Add pupils": addresses (separated by commas, spaces or lines) and ticked
 * pupils of the pick list. Every one must be a pupil of the class's school and
 * not a leaver; if any is not, the form says which and nothing is added.
 */
export async function validateAddPupils(
  db: DbOrTrx,
  cls: ClassDetail,
  body: unknown,
): Promise<FormOutcome<number[], AddPupilsValues>> {
  const raw = field(body, 'emails');
  const emails = [
    ...new Set(
      raw
        .split(/[\s,;]+/)
        .map(normalizeEmail)
        .filter(Boolean),
    ),
  ];
  const ticked = [...new Set(fieldList(body, 'user_id'))];
  const values: AddPupilsValues = { emails: emails.join('\n') };
  const errors: FieldErrors = {};
  if (emails.length === 0 && ticked.length === 0) {
    errors.emails = 'Enter a pupil’s email address, or tick pupils in the list.';
    return { ok: false, errors, values };
  }
  if (emails.length + ticked.length > ADD_MAX) {
    errors.emails = `Add at most ${ADD_MAX} pupils at a time.`;
    return { ok: false, errors, values };
  }
  const malformed = emails.filter((e) => emailError(e) !== null);
  if (malformed.length > 0) {
    errors.emails = `Not an email address: ${malformed.join(', ')}.`;
    return { ok: false, errors, values };
  }
  const ids = ticked.map((v) => (/^[1-9]\d{0,9}$/.test(v) ? Number(v) : NaN));
  if (ids.some((n) => !Number.isSafeInteger(n) || n > 2_147_483_647)) {
    errors.user_id = 'The list of pupils was not sent correctly. Reload the page and try again.';
    return { ok: false, errors, values };
  }
  const found =
    emails.length === 0 && ids.length === 0
      ? []
      : await db
          .selectFrom('users')
          .select(['id', 'email', 'school_id', 'user_type', 'is_admin', 'archived_at'])
          .where((eb) =>
            eb.or([
              ...(emails.length ? [eb('email', 'in', emails)] : []),
              ...(ids.length ? [eb('id', 'in', ids)] : []),
            ]),
          )
          .execute();
  const pupil = (u: (typeof found)[number]) =>
    u.school_id === cls.schoolId && u.user_type === 'student' && u.is_admin === 0 && u.archived_at === null;
  // One answer for every address that cannot join, whatever the reason (no account, staff,
  // another school, a leaver): the form must not tell a teacher who has an account here.
  const refused = emails.filter((e) => {
    const u = found.find((x) => x.email === e);
    return !u || !pupil(u);
  });
  if (refused.length)
    errors.emails = `These addresses are not pupils of ${cls.schoolName} who can join a class: ${refused.join(', ')}. Nobody was added.`;
  if (ids.some((id) => !found.some((u) => u.id === id && pupil(u))))
    errors.user_id = `Some of the ticked pupils are not pupils of ${cls.schoolName} any more. Reload the page and try again.`;
  const userIds = [...new Set([...emails.map((e) => found.find((u) => u.email === e)?.id ?? 0), ...ids])].filter(
    (id) => id > 0,
  );
  return formOutcome(values, errors, () => userIds);
}

/** Puts the pupils in the class (one audit entry each); those already in it are left as they are. */
export async function addPupils(
  db: Kysely<Database>,
  cls: ClassDetail,
  userIds: readonly number[],
  actor: AuditActor,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const already = new Set(
      (
        await trx
          .selectFrom('class_members')
          .select('user_id')
          .where('class_id', '=', cls.id)
          .where('user_id', 'in', [...userIds, 0])
          .execute()
      ).map((r) => r.user_id),
    );
    // Checked again inside the transaction: still a pupil of the class's school who has not left.
    const eligible = new Set(
      (
        await trx
          .selectFrom('users')
          .select('id')
          .where('id', 'in', [...userIds, 0])
          .where('school_id', '=', cls.schoolId)
          .where('user_type', '=', 'student')
          .where('is_admin', '=', 0)
          .where('archived_at', 'is', null)
          .execute()
      ).map((r) => r.id),
    );
    let added = 0;
    for (const userId of userIds) {
      if (already.has(userId) || !eligible.has(userId)) continue;
      await addClassMember(trx, cls.id, userId);
      await audit(trx, actor, {
        action: 'class.member_added',
        targetType: 'class',
        targetId: cls.id,
        details: { userId, class: cls.name },
      });
      added += 1;
    }
    return added;
  });
}

/** Takes a pupil out of the class; false when they were not in it. */
export async function removePupil(
  db: Kysely<Database>,
  cls: ClassDetail,
  userId: number,
  actor: AuditActor,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .deleteFrom('class_members')
      .where('class_id', '=', cls.id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) return false;
    await audit(trx, actor, {
      action: 'class.member_removed',
      targetType: 'class',
      targetId: cls.id,
      details: { userId, class: cls.name },
    });
    return true;
  });
}

// ---------------------------------------------------------------- teachers

/**
 * "Add a teacher": one teacher account of the class's school (not a leaver).
 * Admins and the class's own teachers may add one (a co-teacher): it gives
 * access to this class only, and only to a teacher of the same school.
 */
export async function validateAddTeacher(
  db: DbOrTrx,
  cls: ClassDetail,
  body: unknown,
): Promise<FormOutcome<number, { teacher_id: string }>> {
  const values = { teacher_id: field(body, 'teacher_id').trim() };
  const errors: FieldErrors = {};
  const candidates = await teachersToAdd(db, cls);
  const chosen = candidates.find((c) => String(c.id) === values.teacher_id);
  if (!values.teacher_id) errors.teacher_id = 'Choose a teacher.';
  else if (!chosen)
    errors.teacher_id = `Choose one of the teachers of ${cls.schoolName} who does not teach the class yet.`;
  return formOutcome(values, errors, () => chosen!.id);
}

export async function addTeacher(
  db: Kysely<Database>,
  cls: ClassDetail,
  teacherId: number,
  actor: AuditActor,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await addClassTeacher(trx, cls.id, teacherId);
    await audit(trx, actor, {
      action: 'class.teacher_added',
      targetType: 'class',
      targetId: cls.id,
      details: { userId: teacherId, class: cls.name },
    });
  });
}

export type RemoveTeacherResult = { kind: 'removed' } | { kind: 'not-teacher' } | { kind: 'last-teacher' };

/**
 * Takes a teacher off the class. A teacher may not remove the class's last
 * teacher (the class would be left to admins alone); an admin may.
 */
export async function removeTeacher(
  db: Kysely<Database>,
  cls: ClassDetail,
  teacherId: number,
  viewer: ClassViewer,
  actor: AuditActor,
): Promise<RemoveTeacherResult> {
  return db.transaction().execute(async (trx) => {
    const teachers = await trx.selectFrom('class_teachers').select('user_id').where('class_id', '=', cls.id).execute();
    if (!teachers.some((t) => t.user_id === teacherId)) return { kind: 'not-teacher' as const };
    if (viewer.role !== 'admin' && teachers.length === 1) return { kind: 'last-teacher' as const };
    await trx.deleteFrom('class_teachers').where('class_id', '=', cls.id).where('user_id', '=', teacherId).execute();
    await audit(trx, actor, {
      action: 'class.teacher_removed',
      targetType: 'class',
      targetId: cls.id,
      details: { userId: teacherId, class: cls.name },
    });
    return { kind: 'removed' as const };
  });
}

/** "3 pupils added to 10A." */
export function addedMessage(added: number, asked: number, cls: { name: string }): string {
  const already = asked - added;
  return `${plural(added, 'pupil')} added to ${cls.name}.${already > 0 ? ` ${plural(already, 'pupil')} ${already === 1 ? 'was' : 'were'} in it already.` : ''}`;
}
