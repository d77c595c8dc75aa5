// Importing pupils from the school's MIS (ADR 034). A file read by
// pupil-import-csv.ts becomes a plan: the accounts it would create (a new
// address), update (an existing pupil of the school: names, year, key stage,
// class) and the rows it refuses, each with its row number and reason. The dry
// run shows the plan and writes nothing; the import computes the plan again
// inside its one transaction (a plan shown earlier is never trusted), writes
// every account, class membership, emailed link, outbox message and the one
// audit entry, or nothing at all. Refused rows are skipped, never half-written.
//
// Speed (10,000 rows in a few seconds, docs/performance.md): existing accounts
// are looked up and new ones inserted a chunk at a time, and the password is
// hashed once per import, not per pupil: every new account gets the Argon2id
// hash of 32 random bytes that are thrown away at once, so no one knows a
// password that matches it. Each pupil sets their own through the emailed link
// (or signs in with the school's provider).
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { KeyStage } from '../../config/index.js';
import type { DbOrTrx } from '../../db/index.js';
import type { Database, School } from '../../db/schema.js';
import { audit, type AuditActor } from '../audit.js';
import { rebuildBoards } from '../challenges/scoring.js';
import { findOrCreateClass } from '../classes/class-records.js';
import { keyStageForYear, parseYear, SCHOOL_YEARS } from '../key-stage.js';
import { queueMails } from '../mail/outbox.js';
import type { OutgoingMail } from '../mail/render.js';
import { importedSchoolSignInMail } from '../mail/templates/imported-school-sign-in.js';
import { setPasswordMail } from '../mail/templates/set-password.js';
import { issueEmailTokens } from './email-tokens.js';
import { emailDomain, emailError, normalizeEmail } from './emails.js';
import { nameError, normalizeName } from './names.js';
import { FORGOT_PASSWORD_PATH, resetPath } from './password-reset.js';
import type { CsvPupilRow } from './pupil-import-csv.js';
import { mathsClassError, normalizeMathsClass } from './user-forms.js';
import { hashNewPassword, isUniqueViolation } from './users.js';

/** How long the emailed "set your password" link works (longer than a reset link: pupils read school mail weekly). */
export const SET_PASSWORD_LINK_DAYS = 7;

/** Rows per statement for lookups and inserts (well under both databases' parameter limits). */
const CHUNK = 500;

export const LOGIN_PATH = '/login';

/** A pupil the import would create, or (with the extra fields) an account it would update. */
export interface PlannedPupil {
  row: number;
  email: string;
  firstName: string;
  lastName: string;
  year: number;
  keyStage: KeyStage;
  /** The class the row names; null: none given. */
  className: string | null;
}

/** The columns of an account an import may change: never its role, password, admin flag or address. */
export type ImportedColumns = Partial<{
  first_name: string;
  last_name: string;
  year_group: number;
  key_stage: KeyStage;
  maths_class: string;
  school_id: number;
}>;

export interface PlannedUpdate extends PlannedPupil {
  userId: number;
  /** What changes, in words ("year 8 → 9", "added to class 9X1"). */
  changes: string[];
  /** The columns that change, with their new values. */
  columns: ImportedColumns;
  /** Whether the pupil joins the row's class (they are not in it yet). */
  joinsClass: boolean;
}

export interface RefusedRow {
  row: number;
  /** The address as the file has it (may be empty or malformed). */
  email: string;
  name: string;
  reason: string;
}

export interface ImportPlan {
  school: Pick<School, 'id' | 'name' | 'email_domain' | 'password_sign_in'>;
  created: PlannedPupil[];
  updated: PlannedUpdate[];
  /** Existing pupils the file describes exactly as they are: nothing to write. */
  unchanged: PlannedPupil[];
  refused: RefusedRow[];
  /** A fingerprint of all of the above: the confirm step checks the plan it writes is the one shown. */
  digest: string;
}

export class ImportSchoolMissingError extends Error {
  constructor() {
    super('There is no such school.');
  }
}

/** The plan computed at commit differs from the one the admin confirmed: nothing was written. */
export class ImportPlanChangedError extends Error {
  constructor(readonly plan: ImportPlan) {
    super('The accounts changed since the dry run, so its plan is out of date. Nothing was imported.');
  }
}

/** `strict` was asked for and some rows are refused: nothing was written. */
export class ImportRefusedRowsError extends Error {
  constructor(readonly plan: ImportPlan) {
    super(
      `${plan.refused.length} row(s) are refused, and a strict import takes all rows or none. Nothing was imported.`,
    );
  }
}

/** "9", "09", "Y9", "Yr 9", "Year 9", "NC Year 9" → 9; anything else (or a year outside 7–13) → null. */
export function parseImportYear(raw: string): number | null {
  const text = raw
    .trim()
    .replace(/^(?:nc\s*)?(?:year|yr|y)\s*/i, '')
    .trim();
  return parseYear(text);
}

const yearsInWords = `${SCHOOL_YEARS[0]!} to ${SCHOOL_YEARS[SCHOOL_YEARS.length - 1]!}`;

/** The row as a pupil, or why it cannot be one (the checks that need no database). */
function checkRow(
  r: CsvPupilRow,
  domain: string,
  keyStageByYear: Record<number, KeyStage>,
): PlannedPupil | { reason: string } {
  const email = normalizeEmail(r.email);
  if (!email) return { reason: 'No email address.' };
  const bad = emailError(email);
  if (bad) return { reason: `The email address is not valid: ${bad}` };
  if (emailDomain(email) !== domain) return { reason: `The address is not at the school's domain (@${domain}).` };
  const firstName = normalizeName(r.firstName);
  const lastName = normalizeName(r.lastName);
  if (!firstName) return { reason: 'No first name.' };
  const badFirst = nameError(firstName, 'The first name', { profanity: false });
  if (badFirst) return { reason: badFirst };
  if (!lastName) return { reason: 'No last name.' };
  const badLast = nameError(lastName, 'The last name', { profanity: false });
  if (badLast) return { reason: badLast };
  if (!r.year.trim()) return { reason: `No year (expected ${yearsInWords}).` };
  const year = parseImportYear(r.year);
  if (year === null) return { reason: `Unknown year “${r.year}” (expected ${yearsInWords}).` };
  const keyStage = keyStageForYear(keyStageByYear, year);
  if (!keyStage) return { reason: `Year ${year} has no key stage in KEY_STAGE_YEARS.` };
  const className = r.class === null ? null : normalizeMathsClass(r.class) || null;
  if (className) {
    const badClass = mathsClassError(className, false);
    if (badClass) return { reason: badClass };
  }
  return { row: r.row, email, firstName, lastName, year, keyStage, className };
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

async function loadSchool(db: DbOrTrx, schoolId: number): Promise<ImportPlan['school']> {
  const school = await db
    .selectFrom('schools')
    .select(['id', 'name', 'email_domain', 'password_sign_in'])
    .where('id', '=', schoolId)
    .executeTakeFirst();
  if (!school) throw new ImportSchoolMissingError();
  return school;
}

/** The dry run: what importing `rows` into the school would do. Reads only. */
export async function planImport(
  db: DbOrTrx,
  opts: { schoolId: number; rows: readonly CsvPupilRow[]; keyStageByYear: Record<number, KeyStage> },
): Promise<ImportPlan> {
  const school = await loadSchool(db, opts.schoolId);
  const domain = school.email_domain;

  // Rows sharing an address are all refused: which of them is right is not ours to guess.
  const rowsByEmail = new Map<string, number[]>();
  for (const r of opts.rows) {
    const email = normalizeEmail(r.email);
    if (email) rowsByEmail.set(email, [...(rowsByEmail.get(email) ?? []), r.row]);
  }

  const refused: RefusedRow[] = [];
  const good: PlannedPupil[] = [];
  for (const r of opts.rows) {
    const refuse = (reason: string) =>
      refused.push({ row: r.row, email: r.email, name: `${r.firstName} ${r.lastName}`.trim(), reason });
    const checked = checkRow(r, domain, opts.keyStageByYear);
    if ('reason' in checked) {
      refuse(checked.reason);
      continue;
    }
    const same = rowsByEmail.get(checked.email) ?? [];
    if (same.length > 1) {
      refuse(`The address appears more than once in the file (rows ${same.join(', ')}).`);
      continue;
    }
    good.push(checked);
  }

  const existing = new Map<
    string,
    {
      id: number;
      first_name: string;
      last_name: string;
      year_group: number | null;
      key_stage: string | null;
      maths_class: string | null;
      school_id: number | null;
      user_type: string;
      is_admin: number;
      archived_at: string | null;
    }
  >();
  for (const part of chunks(good.map((p) => p.email))) {
    const found = await db
      .selectFrom('users')
      .select([
        'id',
        'email',
        'first_name',
        'last_name',
        'year_group',
        'key_stage',
        'maths_class',
        'school_id',
        'user_type',
        'is_admin',
        'archived_at',
      ])
      .where('email', 'in', part)
      .execute();
    for (const u of found) existing.set(u.email, u);
  }

  // The classes of this school each existing pupil is in already.
  const memberOf = new Map<number, Set<string>>();
  const existingIds = [...existing.values()].map((u) => u.id);
  for (const part of chunks(existingIds)) {
    const rows = await db
      .selectFrom('class_members as m')
      .innerJoin('classes as c', 'c.id', 'm.class_id')
      .select(['m.user_id', 'c.name'])
      .where('c.school_id', '=', school.id)
      .where('m.user_id', 'in', part)
      .execute();
    for (const m of rows) memberOf.set(m.user_id, (memberOf.get(m.user_id) ?? new Set()).add(m.name));
  }

  const schoolNames = new Map<number, string>();
  const otherSchoolIds = [...new Set([...existing.values()].map((u) => u.school_id))].filter(
    (id): id is number => id !== null && id !== school.id,
  );
  if (otherSchoolIds.length)
    for (const s of await db.selectFrom('schools').select(['id', 'name']).where('id', 'in', otherSchoolIds).execute())
      schoolNames.set(s.id, s.name);

  const created: PlannedPupil[] = [];
  const updated: PlannedUpdate[] = [];
  const unchanged: PlannedPupil[] = [];
  for (const p of good) {
    const u = existing.get(p.email);
    if (!u) {
      created.push(p);
      continue;
    }
    const refuse = (reason: string) =>
      refused.push({ row: p.row, email: p.email, name: `${p.firstName} ${p.lastName}`, reason });
    if (u.archived_at !== null) {
      refuse('The account of this address is archived (a leaver). The import does not bring it back.');
      continue;
    }
    if (u.is_admin === 1) {
      refuse("The address belongs to an administrator's account; the import changes pupils' accounts only.");
      continue;
    }
    if (u.user_type === 'teacher') {
      refuse("The address belongs to a teacher's account; the import changes pupils' accounts only.");
      continue;
    }
    if (u.school_id !== null && u.school_id !== school.id) {
      refuse(`The account belongs to another school (${schoolNames.get(u.school_id) ?? `#${u.school_id}`}).`);
      continue;
    }
    const changes: string[] = [];
    const columns: ImportedColumns = {};
    if (u.first_name !== p.firstName) {
      changes.push(`first name ${u.first_name} → ${p.firstName}`);
      columns.first_name = p.firstName;
    }
    if (u.last_name !== p.lastName) {
      changes.push(`last name ${u.last_name} → ${p.lastName}`);
      columns.last_name = p.lastName;
    }
    if (u.year_group !== p.year) {
      changes.push(`year ${u.year_group ?? 'none'} → ${p.year}`);
      columns.year_group = p.year;
    }
    if (u.key_stage !== p.keyStage) {
      changes.push(`key stage ${u.key_stage ?? 'none'} → ${p.keyStage}`);
      columns.key_stage = p.keyStage;
    }
    if (u.school_id === null) {
      changes.push(`school → ${school.name}`);
      columns.school_id = school.id;
    }
    let joinsClass = false;
    if (p.className !== null) {
      if (u.maths_class !== p.className) {
        changes.push(`maths class ${u.maths_class ?? 'none'} → ${p.className}`);
        columns.maths_class = p.className;
      }
      joinsClass = !memberOf.get(u.id)?.has(p.className);
      if (joinsClass) changes.push(`added to class ${p.className}`);
    }
    if (changes.length) updated.push({ ...p, userId: u.id, changes, columns, joinsClass });
    else unchanged.push(p);
  }
  refused.sort((a, b) => a.row - b.row);

  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        school,
        created,
        updated.map((u) => [u.row, u.userId, u.email, u.changes]),
        unchanged.map((u) => u.row),
        refused.map((r) => [r.row, r.reason]),
      ]),
    )
    .digest('hex');
  return { school, created, updated, unchanged, refused, digest };
}

export interface ImportOptions {
  schoolId: number;
  rows: readonly CsvPupilRow[];
  keyStageByYear: Record<number, KeyStage>;
  /** Email each new pupil (a set-password link, or the school sign-in welcome). */
  sendEmail: boolean;
  /** Turns a path of this site into an absolute link; needed when emails are sent. */
  link: ((path: string) => string) | null;
  /** The plan the admin confirmed: a different plan at commit writes nothing (ImportPlanChangedError). */
  expectDigest?: string;
  /** Any refused row: write nothing (ImportRefusedRowsError). */
  strict?: boolean;
  /** For the audit entry: where the file came from ("web", "cli") and its name. */
  source: string;
  fileName?: string | null;
}

export interface ImportResult {
  plan: ImportPlan;
  created: number;
  updated: number;
  unchanged: number;
  refused: number;
  /** What new pupils were sent. */
  emails: 'set-password' | 'school-sign-in' | 'none';
}

/** The import itself: the plan recomputed and written in one transaction with one audit entry. */
export async function runImport(db: Kysely<Database>, actor: AuditActor, opts: ImportOptions): Promise<ImportResult> {
  // Once per import (see the top of this file): a password nobody can know.
  const passwordHash = await hashNewPassword(randomBytes(32).toString('base64url'));
  try {
    return await writeImport(db, actor, opts, passwordHash);
  } catch (err) {
    // An address taken between the plan and the insert (another import, a registration):
    // nothing was written; the admin is shown the plan as it is now.
    if (isUniqueViolation(err)) throw new ImportPlanChangedError(await planImport(db, opts));
    throw err;
  }
}

async function writeImport(
  db: Kysely<Database>,
  actor: AuditActor,
  opts: ImportOptions,
  passwordHash: string,
): Promise<ImportResult> {
  return db.transaction().execute(async (trx) => {
    // Imports into one school take turns (the row lock is held to the commit): a second
    // confirm of the same file plans after the first has written, and finds its plan changed.
    await trx
      .updateTable('schools')
      .set((eb) => ({ name: eb.ref('name') }))
      .where('id', '=', opts.schoolId)
      .execute();
    const plan = await planImport(trx, opts);
    if (opts.expectDigest !== undefined && plan.digest !== opts.expectDigest) throw new ImportPlanChangedError(plan);
    if (opts.strict && plan.refused.length) throw new ImportRefusedRowsError(plan);
    const { school } = plan;
    const now = new Date().toISOString();

    const idOf = new Map<string, number>();
    for (const part of chunks(plan.created)) {
      const rows = await trx
        .insertInto('users')
        .values(
          part.map((p) => ({
            email: p.email,
            first_name: p.firstName,
            last_name: p.lastName,
            password_hash: passwordHash,
            year_group: p.year,
            key_stage: p.keyStage,
            maths_class: p.className,
            school_id: school.id,
            user_type: 'student',
            is_admin: 0,
            is_participant: 0,
            must_change_password: 0,
            // The school vouches for its own pupils' addresses (as an admin creating an account does, ADR 023).
            email_verified_at: now,
            created_at: now,
            updated_at: now,
            last_login_at: null,
            password_changed_at: now,
          })),
        )
        .returning(['id', 'email'])
        .execute();
      for (const r of rows) idOf.set(r.email, r.id);
    }

    // Accounts with the same changes are updated together (a year moving up is a few statements, not one per pupil).
    const byColumns = new Map<string, { columns: ImportedColumns; ids: number[] }>();
    for (const u of plan.updated) {
      if (Object.keys(u.columns).length === 0) continue;
      const key = JSON.stringify(u.columns);
      const group = byColumns.get(key) ?? { columns: u.columns, ids: [] };
      group.ids.push(u.userId);
      byColumns.set(key, group);
    }
    for (const { columns, ids } of byColumns.values())
      for (const part of chunks(ids))
        await trx
          .updateTable('users')
          .set({ ...columns, updated_at: now })
          .where('id', 'in', part)
          .execute();
    // A pupil whose key stage (or school) changed takes their points to the new board at once.
    const moved = plan.updated.filter((u) => u.columns.key_stage !== undefined || u.columns.school_id !== undefined);
    if (moved.length) await rebuildBoards(trx, { userIds: moved.map((u) => u.userId), now });

    // Classes by name through class-records.ts, so an imported "10A" is the class a teacher made by hand.
    const members: Array<{ className: string; userId: number }> = [];
    for (const p of plan.created) if (p.className) members.push({ className: p.className, userId: idOf.get(p.email)! });
    for (const u of plan.updated) if (u.joinsClass) members.push({ className: u.className!, userId: u.userId });
    const classIds = new Map<string, number>();
    for (const { className } of members)
      if (!classIds.has(className)) classIds.set(className, await findOrCreateClass(trx, school.id, className));
    await addClassMembers(
      trx,
      members.map((m) => ({ class_id: classIds.get(m.className)!, user_id: m.userId })),
    );

    const emails: ImportResult['emails'] = !opts.sendEmail
      ? 'none'
      : school.password_sign_in === 1
        ? 'set-password'
        : 'school-sign-in';
    if (emails !== 'none' && plan.created.length) await queueWelcomes(trx, plan, idOf, emails, opts.link);

    const result = {
      created: plan.created.length,
      updated: plan.updated.length,
      unchanged: plan.unchanged.length,
      refused: plan.refused.length,
    };
    await audit(trx, actor, {
      action: 'user.import',
      targetType: 'school',
      targetId: school.id,
      details: {
        ...result,
        classes: classIds.size,
        emails,
        source: opts.source,
        file: opts.fileName ? opts.fileName.slice(0, 200) : null,
      },
    });
    return { plan, ...result, emails };
  });
}

/**
 * addClassMember (class-records.ts) for many pupils: the same row and the same
 * rule (already a member changes nothing), one statement per chunk.
 */
async function addClassMembers(
  trx: Transaction<Database>,
  rows: ReadonlyArray<{ class_id: number; user_id: number }>,
): Promise<void> {
  for (const part of chunks(rows))
    await trx
      .insertInto('class_members')
      .values(part)
      .onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
      .execute();
}

async function queueWelcomes(
  trx: Transaction<Database>,
  plan: ImportPlan,
  idOf: Map<string, number>,
  kind: 'set-password' | 'school-sign-in',
  link: ImportOptions['link'],
): Promise<void> {
  if (!link) throw new Error('runImport needs a link maker to send emails');
  const { school } = plan;
  let mails: OutgoingMail[];
  if (kind === 'set-password') {
    // The reset-password link (ADR 022), bound to the address it goes to, for longer.
    const tokens = await issueEmailTokens(trx, {
      items: plan.created.map((p) => ({ userId: idOf.get(p.email)!, newEmail: p.email })),
      purpose: 'reset-password',
      ttlSeconds: SET_PASSWORD_LINK_DAYS * 86_400,
    });
    const forgotLink = link(FORGOT_PASSWORD_PATH);
    mails = plan.created.map((p) =>
      setPasswordMail({
        to: p.email,
        firstName: p.firstName,
        schoolName: school.name,
        link: link(resetPath(tokens.get(idOf.get(p.email)!)!)),
        days: SET_PASSWORD_LINK_DAYS,
        forgotLink,
      }),
    );
  } else {
    const loginLink = link(LOGIN_PATH);
    mails = plan.created.map((p) =>
      importedSchoolSignInMail({ to: p.email, firstName: p.firstName, schoolName: school.name, loginLink }),
    );
  }
  await queueMails(trx, mails);
}
