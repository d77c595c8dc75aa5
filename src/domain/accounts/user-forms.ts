// Validation of the account forms (registration, admin create/edit), field by
// field, so each message can be shown next to its field. Values come back
// normalised for re-rendering; password fields are never echoed.
import type { Config, KeyStage } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { emailError, normalizeEmail } from './emails.js';
import { keyStageForYear, parseYear } from '../key-stage.js';
import { nameError, normalizeName } from './names.js';
import { passwordError, passwordRules } from './password-policy.js';
import { allowedDomains, emailInUse, schoolForEmail, USER_TYPES, type UserType } from './users.js';

export type FieldErrors = Record<string, string>;
export type FormValues = Record<string, string>;
export type FormOutcome<T> = { ok: true; data: T; values: FormValues } | { ok: false; errors: FieldErrors; values: FormValues };

export const MATHS_CLASS_MAX_LENGTH = 30;
const MATHS_CLASS_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ./-]*$/u;

/** One text field of a parsed form body; anything but a single string counts as empty. */
export function field(body: unknown, name: string): string {
  if (!body || typeof body !== 'object') return '';
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : '';
}

/** A checkbox: present with any of the usual "on" values. */
export function checkbox(body: unknown, name: string): boolean {
  return ['on', '1', 'true', 'yes'].includes(field(body, name).toLowerCase());
}

export function normalizeMathsClass(raw: string): string {
  return raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

export function mathsClassError(value: string, required: boolean): string | null {
  if (!value) return required ? 'Enter your maths class (for example 9X1).' : null;
  if ([...value].length > MATHS_CLASS_MAX_LENGTH) return `The class must be at most ${MATHS_CLASS_MAX_LENGTH} characters.`;
  if (!MATHS_CLASS_PATTERN.test(value)) {
    return 'The class may contain letters, digits, spaces, dots, slashes and hyphens (for example 9X1 or 10/Ma2).';
  }
  return null;
}

function domainHint(domains: string[]): string {
  if (domains.length === 0) return 'Registration is not open yet: no school has been set up.';
  if (domains.length <= 3) return `Use your school email address (ending in ${domains.map((d) => `@${d}`).join(' or ')}).`;
  return 'Use the email address your school gave you.';
}

export interface Registration {
  firstName: string;
  lastName: string;
  email: string;
  yearGroup: number;
  keyStage: KeyStage;
  mathsClass: string;
  schoolId: number;
  password: string;
}

export async function validateRegistration(db: Db, config: Config, body: unknown): Promise<FormOutcome<Registration>> {
  const values: FormValues = {
    first_name: normalizeName(field(body, 'first_name')),
    last_name: normalizeName(field(body, 'last_name')),
    email: normalizeEmail(field(body, 'email')),
    year_group: field(body, 'year_group').trim(),
    maths_class: normalizeMathsClass(field(body, 'maths_class')),
  };
  const password = field(body, 'password');
  const confirm = field(body, 'password_confirm');
  const errors: FieldErrors = {};

  const first = nameError(values.first_name!, 'First name', { profanity: true });
  if (first) errors.first_name = first;
  const last = nameError(values.last_name!, 'Last name', { profanity: true });
  if (last) errors.last_name = last;

  let schoolId: number | null = null;
  const emailProblem = emailError(values.email!);
  if (emailProblem) {
    errors.email = emailProblem;
  } else {
    const school = await schoolForEmail(db, values.email!);
    if (!school) errors.email = domainHint(await allowedDomains(db));
    else if (await emailInUse(db, values.email!)) errors.email = 'An account with this email address already exists. Log in instead.';
    else schoolId = school.id;
  }

  const year = parseYear(values.year_group);
  if (year === null) errors.year_group = 'Choose your school year (7 to 13).';
  const keyStage = keyStageForYear(config.accounts.keyStageByYear, year);

  const cls = mathsClassError(values.maths_class!, true);
  if (cls) errors.maths_class = cls;

  const pw = passwordError(password, passwordRules(config, { isAdmin: false }), {
    email: values.email, firstName: values.first_name, lastName: values.last_name,
  });
  if (pw) errors.password = pw;
  else if (!confirm) errors.password_confirm = 'Type your password again to confirm it.';
  else if (confirm !== password) errors.password_confirm = 'The two passwords do not match.';

  if (Object.keys(errors).length > 0 || year === null || keyStage === null || schoolId === null) {
    return { ok: false, errors, values };
  }
  return {
    ok: true,
    values,
    data: {
      firstName: values.first_name!,
      lastName: values.last_name!,
      email: values.email!,
      yearGroup: year,
      keyStage,
      mathsClass: values.maths_class!,
      schoolId,
      password,
    },
  };
}

export interface AdminUserDetails {
  firstName: string;
  lastName: string;
  email: string;
  userType: UserType;
  yearGroup: number | null;
  keyStage: KeyStage | null;
  mathsClass: string | null;
  schoolId: number | null;
  isParticipant: boolean;
  isAdmin: boolean;
}

/**
 * The admin create/edit form. Admins may enter any well-formed name (no
 * profanity filter: they are accountable and it is the way round a false
 * positive) and any email domain (teachers from partner schools). Students
 * need a school year; the key stage always follows from it.
 */
export async function validateAdminUserForm(
  db: Db,
  config: Config,
  body: unknown,
  opts: { userId?: number },
): Promise<FormOutcome<AdminUserDetails>> {
  const values: FormValues = {
    first_name: normalizeName(field(body, 'first_name')),
    last_name: normalizeName(field(body, 'last_name')),
    email: normalizeEmail(field(body, 'email')),
    user_type: field(body, 'user_type').trim(),
    year_group: field(body, 'year_group').trim(),
    maths_class: normalizeMathsClass(field(body, 'maths_class')),
    is_participant: checkbox(body, 'is_participant') ? 'on' : '',
    is_admin: checkbox(body, 'is_admin') ? 'on' : '',
  };
  const errors: FieldErrors = {};

  const first = nameError(values.first_name!, 'First name', { profanity: false });
  if (first) errors.first_name = first.replace('your ', 'the ');
  const last = nameError(values.last_name!, 'Last name', { profanity: false });
  if (last) errors.last_name = last.replace('your ', 'the ');

  const emailProblem = emailError(values.email!);
  if (emailProblem) errors.email = emailProblem.replace('your ', 'the ');
  else if (await emailInUse(db, values.email!, opts.userId)) errors.email = 'Another account already uses this email address.';

  const userType = (USER_TYPES as readonly string[]).includes(values.user_type!) ? (values.user_type as UserType) : null;
  if (!userType) errors.user_type = 'Choose student or teacher.';

  let year: number | null = null;
  if (values.year_group) {
    year = parseYear(values.year_group);
    if (year === null) errors.year_group = 'Choose a school year from 7 to 13.';
  } else if (userType === 'student') {
    errors.year_group = 'Students need a school year (7 to 13).';
  }

  const cls = mathsClassError(values.maths_class!, false);
  if (cls) errors.maths_class = cls;

  if (Object.keys(errors).length > 0 || !userType) return { ok: false, errors, values };
  const school = emailProblem ? undefined : await schoolForEmail(db, values.email!);
  return {
    ok: true,
    values,
    data: {
      firstName: values.first_name!,
      lastName: values.last_name!,
      email: values.email!,
      userType,
      yearGroup: year,
      keyStage: keyStageForYear(config.accounts.keyStageByYear, year),
      mathsClass: values.maths_class || null,
      schoolId: school?.id ?? null,
      isParticipant: values.is_participant === 'on',
      isAdmin: values.is_admin === 'on',
    },
  };
}
