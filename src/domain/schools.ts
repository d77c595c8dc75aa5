// Schools (docs/product.md, "Schools"): name (unique), email domain (decides who may register
// for the school), address, and kind: a member school's pupils have the weekly challenges and
// the key-stage boards; a guest school is invited to competitions only. A school with
// competition participants cannot be deleted: their points belong to it.
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Database, School, SchoolKind } from '../db/schema.js';
import { validateForm, type FormOutcome } from '../lib/forms.js';
import { audit, type AuditActor } from './audit.js';
import { isUniqueViolation } from './accounts/users.js';
import { rebuildBoards } from './challenges/scoring.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

const SCHOOL_NAME_MAX = 120;
const SCHOOL_ADDRESS_MAX = 500;
const DOMAIN_MAX = 253;

// Lower-case host name with at least one dot; no scheme, @, path or port.
export const DOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export interface SchoolInput {
  name: string;
  emailDomain: string;
  address: string | null;
  kind: SchoolKind;
}

export const SCHOOL_KINDS: readonly SchoolKind[] = ['member', 'guest'];

export type SchoolFormValues = { name: string; email_domain: string; address: string; kind: string };

export class SchoolNameTakenError extends Error {
  constructor(name: string) {
    super(`A school called «${name}» already exists. Choose another name, or edit that school.`);
  }
}

/** "@School.ORG " → "school.org": admins may paste the domain with its @. */
function normalizeDomain(raw: string): string {
  return raw.trim().toLowerCase().replace(/^@/, '');
}

export function readSchoolForm(fields: Record<string, string | undefined>): SchoolFormValues {
  return {
    name: (fields.name ?? '').normalize('NFC').replace(/\s+/g, ' ').trim(),
    email_domain: normalizeDomain(fields.email_domain ?? ''),
    address: (fields.address ?? '').normalize('NFC').replace(/\r\n/g, '\n').trim(),
    kind: (fields.kind ?? '').trim(),
  };
}

const chars = (s: string) => [...s].length;

const schoolSchema = z
  .object({
    name: z
      .string()
      .min(1, 'Enter the school’s name.')
      .refine((v) => chars(v) <= SCHOOL_NAME_MAX, `The name must be at most ${SCHOOL_NAME_MAX} characters.`),
    email_domain: z
      .string()
      .min(1, 'Enter the domain of the school’s email addresses, for example school.org.')
      .refine(
        (v) => v.length <= DOMAIN_MAX && DOMAIN_PATTERN.test(v),
        'Enter only the part after the @, for example school.org (letters, digits, hyphens and dots).',
      ),
    address: z
      .string()
      .refine((v) => chars(v) <= SCHOOL_ADDRESS_MAX, `The address must be at most ${SCHOOL_ADDRESS_MAX} characters.`),
    kind: z.enum(['member', 'guest'], {
      error: 'Choose whether the school is a member school or a competition guest.',
    }),
  })
  .transform((v): SchoolInput => ({
    name: v.name,
    emailDomain: v.email_domain,
    address: v.address || null,
    kind: v.kind,
  }));

export function validateSchoolForm(values: SchoolFormValues): FormOutcome<SchoolInput, SchoolFormValues> {
  return validateForm(schoolSchema, values);
}

export function listSchools(db: DbOrTrx): Promise<School[]> {
  return db.selectFrom('schools').selectAll().orderBy('name').orderBy('id').execute();
}

export function findSchool(db: DbOrTrx, id: number): Promise<School | undefined> {
  return db.selectFrom('schools').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The member schools (weekly challenges and boards), by name. */
export function memberSchools(db: DbOrTrx): Promise<School[]> {
  return db.selectFrom('schools').selectAll().where('kind', '=', 'member').orderBy('name').orderBy('id').execute();
}

/** "A", "A and B", "A, B and C". */
export function namesInWords(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
}

/** Rebuilds the boards of a school's pupils: its kind decides whether they are on them. */
async function rebuildSchoolBoards(trx: Transaction<Database>, schoolId: number): Promise<void> {
  const users = await trx.selectFrom('users').select('id').where('school_id', '=', schoolId).execute();
  await rebuildBoards(trx, { userIds: users.map((u) => u.id), now: new Date().toISOString() });
}

export interface SchoolRow extends School {
  participants: number;
  competitions: number;
}

/** Every school with how many competition participants and competitions it has. */
export async function schoolRows(db: DbOrTrx): Promise<SchoolRow[]> {
  const schools = await listSchools(db);
  const parts = await db
    .selectFrom('competition_participants')
    .select(['school_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('school_id')
    .execute();
  const comps = await db
    .selectFrom('competition_schools')
    .select(['school_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('school_id')
    .execute();
  return schools.map((s) => ({
    ...s,
    participants: Number(parts.find((p) => p.school_id === s.id)?.n ?? 0),
    competitions: Number(comps.find((c) => c.school_id === s.id)?.n ?? 0),
  }));
}

async function nameTaken(db: DbOrTrx, name: string, exceptId?: number): Promise<boolean> {
  // Unique regardless of case: "St Mary's" and "st mary's" would confuse students choosing from the list.
  const rows = await db.selectFrom('schools').select(['id', 'name']).execute();
  return rows.some((r) => r.id !== exceptId && r.name.toLowerCase() === name.toLowerCase());
}

export async function createSchool(db: Kysely<Database>, input: SchoolInput, actor: AuditActor): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (await nameTaken(trx, input.name)) throw new SchoolNameTakenError(input.name);
    let id: number;
    try {
      const row = await trx
        .insertInto('schools')
        .values({
          name: input.name,
          email_domain: input.emailDomain,
          address: input.address,
          kind: input.kind,
          created_at: new Date().toISOString(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      id = row.id;
    } catch (err) {
      if (isUniqueViolation(err)) throw new SchoolNameTakenError(input.name);
      throw err;
    }
    await audit(trx, actor, { action: 'school.create', targetType: 'school', targetId: id, details: { ...input } });
    return id;
  });
}

export async function updateSchool(
  db: Kysely<Database>,
  id: number,
  input: SchoolInput,
  actor: AuditActor,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const before = await findSchool(trx, id);
    if (!before) return false;
    if (await nameTaken(trx, input.name, id)) throw new SchoolNameTakenError(input.name);
    try {
      await trx
        .updateTable('schools')
        .set({ name: input.name, email_domain: input.emailDomain, address: input.address, kind: input.kind })
        .where('id', '=', id)
        .execute();
    } catch (err) {
      if (isUniqueViolation(err)) throw new SchoolNameTakenError(input.name);
      throw err;
    }
    // A school made a guest takes its pupils off the boards; made a member, puts them (back) on.
    if (before.kind !== input.kind) await rebuildSchoolBoards(trx, id);
    await audit(trx, actor, {
      action: 'school.update',
      targetType: 'school',
      targetId: id,
      details: {
        before: { name: before.name, emailDomain: before.email_domain, address: before.address, kind: before.kind },
        after: input,
      },
    });
    return true;
  });
}

export type SchoolDeletion =
  | { kind: 'deleted'; name: string }
  | { kind: 'missing' }
  | { kind: 'has-participants'; name: string; participants: number };

/** Deletes a school without participants (it leaves the competitions it was in; its accounts keep working). */
export async function deleteSchool(db: Kysely<Database>, id: number, actor: AuditActor): Promise<SchoolDeletion> {
  return db.transaction().execute(async (trx): Promise<SchoolDeletion> => {
    const school = await findSchool(trx, id);
    if (!school) return { kind: 'missing' };
    const { n } = await trx
      .selectFrom('competition_participants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('school_id', '=', id)
      .executeTakeFirstOrThrow();
    const scores = await trx
      .selectFrom('competition_scores')
      .select('id')
      .where('school_id', '=', id)
      .limit(1)
      .execute();
    if (Number(n) > 0 || scores.length > 0)
      return { kind: 'has-participants', name: school.name, participants: Number(n) };
    await trx.deleteFrom('competition_schools').where('school_id', '=', id).execute();
    await trx.deleteFrom('schools').where('id', '=', id).execute();
    await audit(trx, actor, {
      action: 'school.delete',
      targetType: 'school',
      targetId: id,
      details: { name: school.name },
    });
    return { kind: 'deleted', name: school.name };
  });
}
