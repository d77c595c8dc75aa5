// Validation of the account forms (registration, admin create/edit, login,
// password change, account deletion): a zod schema for the field rules, so
// each message can be shown next to its field, then the checks that need the
// database. Values come back normalised for re-rendering; password fields are
// never echoed.
import { z } from 'zod';
import type { Config, KeyStage } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import type { User } from '../../db/schema.js';
import {
  checkbox,
  checkFields,
  field,
  formOutcome,
  ruleField,
  type FormOutcome,
  type FormValues,
} from '../../lib/forms.js';
import { emailError, normalizeEmail } from './emails.js';
import { keyStageForYear, parseYear } from '../key-stage.js';
import { nameError, normalizeName } from './names.js';
import { passwordError, passwordRules, type PasswordRules } from './password-policy.js';
import { registrationRefusal } from '../sso/password-sign-in.js';
import {
  allowedDomains,
  checkPassword,
  emailInUse,
  roleColumns,
  ROLES,
  schoolForEmail,
  type UserType,
} from './users.js';
import type { Role } from '../../security/types.js';

const MATHS_CLASS_MAX_LENGTH = 30;
const MATHS_CLASS_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ./-]*$/u;

export function normalizeMathsClass(raw: string): string {
  return raw.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

export function mathsClassError(value: string, required: boolean): string | null {
  if (!value) return required ? 'Enter your maths class (for example 9X1).' : null;
  if ([...value].length > MATHS_CLASS_MAX_LENGTH)
    return `The class must be at most ${MATHS_CLASS_MAX_LENGTH} characters.`;
  if (!MATHS_CLASS_PATTERN.test(value)) {
    return 'The class may contain letters, digits, spaces, dots, slashes and hyphens (for example 9X1 or 10/Ma2).';
  }
  return null;
}

// ---------------------------------------------------------------- field rules

/** A person's name; self-registration also applies the profanity filter. */
const nameField = (label: string, opts: { profanity: boolean }) => ruleField((v) => nameError(v, label, opts));

/** A school year (7 to 13) as a number. */
const yearField = (message: string) =>
  z.string().transform((raw, ctx) => {
    const year = parseYear(raw);
    if (year === null) {
      // continue: the form-wide rules (the password's) still run.
      ctx.addIssue({ code: 'custom', message, continue: true });
      return z.NEVER;
    }
    return year;
  });

// ---------------------------------------------------------------- registration

function domainHint(domains: string[]): string {
  if (domains.length === 0) return 'Registration is not open yet: no school has been set up.';
  if (domains.length <= 3)
    return `Use your school email address (ending in ${domains.map((d) => `@${d}`).join(' or ')}).`;
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

/** The fields every new pupil account asks for (registration, competition sign-up). */
export function newAccountFields() {
  return {
    first_name: nameField('First name', { profanity: true }),
    last_name: nameField('Last name', { profanity: true }),
    email: ruleField(emailError),
    year_group: yearField('Choose your school year (7 to 13).'),
    password: z.string(),
    password_confirm: z.string(),
  };
}

interface NewPassword {
  first_name: string;
  last_name: string;
  email: string;
  password: string;
  password_confirm: string;
}

/** The password rules, then the confirmation: checked only once the password itself is acceptable. */
export function newPasswordRule(rules: PasswordRules) {
  return (v: NewPassword, ctx: z.RefinementCtx): void => {
    const problem = passwordError(v.password, rules, {
      email: v.email,
      firstName: v.first_name,
      lastName: v.last_name,
    });
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
    else if (!v.password_confirm)
      ctx.addIssue({ code: 'custom', path: ['password_confirm'], message: 'Type your password again to confirm it.' });
    else if (v.password_confirm !== v.password)
      ctx.addIssue({ code: 'custom', path: ['password_confirm'], message: 'The two passwords do not match.' });
  };
}

function registrationSchema(rules: PasswordRules) {
  return z
    .object({ ...newAccountFields(), maths_class: ruleField((v) => mathsClassError(v, true)) })
    .superRefine(newPasswordRule(rules));
}

/**
 * `revealTaken: false` when addresses must be confirmed: an address that has
 * an account passes here, and registration answers it like any other
 * (email-verification.ts), so the form never says who has an account.
 */
export async function validateRegistration(
  db: Db,
  config: Config,
  body: unknown,
  opts: { revealTaken: boolean } = { revealTaken: true },
): Promise<FormOutcome<Registration>> {
  const values = {
    first_name: normalizeName(field(body, 'first_name')),
    last_name: normalizeName(field(body, 'last_name')),
    email: normalizeEmail(field(body, 'email')),
    year_group: field(body, 'year_group').trim(),
    maths_class: normalizeMathsClass(field(body, 'maths_class')),
  };
  const { data, errors } = checkFields(registrationSchema(passwordRules(config, { isAdmin: false })), {
    ...values,
    password: field(body, 'password'),
    password_confirm: field(body, 'password_confirm'),
  });

  let schoolId: number | null = null;
  let passwordOff: string | null;
  if (!errors.email) {
    // Only member schools register here; a guest school's pupils join through their competition.
    const school = await schoolForEmail(db, values.email, 'member');
    const guest = school ? undefined : await schoolForEmail(db, values.email, 'guest');
    if (guest)
      errors.email = `${guest.name} takes part in our competitions only, so this form is not for its pupils: register on the competition’s page (“Competition”, at the foot of every page).`;
    else if (!school) errors.email = domainHint(await allowedDomains(db));
    else if ((passwordOff = await registrationRefusal(db, school.id))) errors.email = passwordOff;
    else if (opts.revealTaken && (await emailInUse(db, values.email)))
      errors.email = 'An account with this email address already exists. Log in instead.';
    else schoolId = school.id;
  }

  return formOutcome<Registration, FormValues>(values, errors, () => {
    const d = data!;
    return {
      firstName: d.first_name,
      lastName: d.last_name,
      email: d.email,
      yearGroup: d.year_group,
      keyStage: keyStageForYear(config.accounts.keyStageByYear, d.year_group)!,
      mathsClass: d.maths_class,
      schoolId: schoolId!,
      password: d.password,
    };
  });
}

// ---------------------------------------------------------------- the admin's create/edit form

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
  /** Student, teacher or administrator; userType and isAdmin are the columns it is stored in. */
  role: Role;
  isAdmin: boolean;
}

/** The rule messages address the admin about someone else: "the", not "your". */
const aboutSomeoneElse = (message: string | null) => message?.replace('your ', 'the ') ?? null;

const adminUserSchema = z
  .object({
    first_name: ruleField((v) => aboutSomeoneElse(nameError(v, 'First name', { profanity: false }))),
    last_name: ruleField((v) => aboutSomeoneElse(nameError(v, 'Last name', { profanity: false }))),
    email: ruleField((v) => aboutSomeoneElse(emailError(v))),
    role: z.enum(ROLES, { error: 'Choose student, teacher or administrator.' }),
    year_group: z.string().transform((raw, ctx) => {
      if (!raw) return null;
      const year = parseYear(raw);
      if (year === null)
        ctx.addIssue({ code: 'custom', message: 'Choose a school year from 7 to 13.', continue: true });
      return year;
    }),
    maths_class: ruleField((v) => mathsClassError(v, false)),
    is_participant: z.string(),
  })
  .superRefine((v, ctx) => {
    if (v.role === 'student' && v.year_group === null) {
      ctx.addIssue({ code: 'custom', path: ['year_group'], message: 'Students need a school year (7 to 13).' });
    }
  });

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
  const values = {
    first_name: normalizeName(field(body, 'first_name')),
    last_name: normalizeName(field(body, 'last_name')),
    email: normalizeEmail(field(body, 'email')),
    role: field(body, 'role').trim(),
    year_group: field(body, 'year_group').trim(),
    maths_class: normalizeMathsClass(field(body, 'maths_class')),
    is_participant: checkbox(body, 'is_participant') ? 'on' : '',
  };
  const { data, errors } = checkFields(adminUserSchema, values);
  if (!errors.email && (await emailInUse(db, values.email, opts.userId)))
    errors.email = 'Another account already uses this email address.';
  if (Object.keys(errors).length > 0 || !data) return { ok: false, errors, values };

  const school = await schoolForEmail(db, data.email);
  const columns = roleColumns(data.role);
  return formOutcome<AdminUserDetails, FormValues>(values, errors, () => ({
    firstName: data.first_name,
    lastName: data.last_name,
    email: data.email,
    userType: columns.user_type,
    yearGroup: data.year_group,
    keyStage: keyStageForYear(config.accounts.keyStageByYear, data.year_group),
    mathsClass: data.maths_class || null,
    schoolId: school?.id ?? null,
    isParticipant: data.is_participant === 'on',
    role: data.role,
    isAdmin: columns.is_admin === 1,
  }));
}

// ---------------------------------------------------------------- login

export interface LoginDetails {
  email: string;
  password: string;
  remember: boolean;
}

const loginSchema = z.object({
  email: z.string().min(1, 'Enter your email address.'),
  password: z.string().min(1, 'Enter your password.'),
});

/** Only that both fields are filled in: whether they match an account is the login's own answer. */
export function validateLoginForm(body: unknown): FormOutcome<LoginDetails> {
  const values = { email: normalizeEmail(field(body, 'email')), remember: checkbox(body, 'remember') ? 'on' : '' };
  const password = field(body, 'password');
  const { errors } = checkFields(loginSchema, { email: values.email, password });
  return formOutcome<LoginDetails, FormValues>(values, errors, () => ({
    email: values.email,
    password,
    remember: values.remember === 'on',
  }));
}

// ---------------------------------------------------------------- the signed-in person's own account

/** These forms hold nothing but passwords, and a password is never sent back. */
const NO_VALUES: FormValues = {};

function passwordChangeSchema(account: User, rules: PasswordRules, currentOk: boolean) {
  return z
    .object({
      current_password: z
        .string()
        .min(1, 'Enter your current password.')
        .refine(() => currentOk, 'That is not your current password.'),
      new_password: z.string(),
      new_password_confirm: z.string(),
    })
    .superRefine((v, ctx) => {
      const problem = passwordError(v.new_password, rules, {
        email: account.email,
        firstName: account.first_name,
        lastName: account.last_name,
      });
      if (problem) ctx.addIssue({ code: 'custom', path: ['new_password'], message: problem });
      else if (currentOk && v.new_password === v.current_password) {
        ctx.addIssue({
          code: 'custom',
          path: ['new_password'],
          message: 'Choose a password different from your current one.',
        });
      } else if (!v.new_password_confirm) {
        ctx.addIssue({
          code: 'custom',
          path: ['new_password_confirm'],
          message: 'Type the new password again to confirm it.',
        });
      } else if (v.new_password_confirm !== v.new_password) {
        ctx.addIssue({ code: 'custom', path: ['new_password_confirm'], message: 'The two passwords do not match.' });
      }
    });
}

/** The password change form: the current password, then a new one that meets the account's rules. */
export async function validatePasswordChange(
  body: unknown,
  account: User,
  rules: PasswordRules,
): Promise<FormOutcome<{ password: string }>> {
  const input = {
    current_password: field(body, 'current_password'),
    new_password: field(body, 'new_password'),
    new_password_confirm: field(body, 'new_password_confirm'),
  };
  const currentOk =
    input.current_password !== '' && (await checkPassword(account.password_hash, input.current_password));
  const { errors } = checkFields(passwordChangeSchema(account, rules, currentOk), input);
  return formOutcome(NO_VALUES, errors, () => ({ password: input.new_password }));
}

/** Deleting one's own account is confirmed with the current password. */
export async function validateAccountDeletion(body: unknown, account: User): Promise<FormOutcome<true>> {
  const password = field(body, 'password');
  const ok = password !== '' && (await checkPassword(account.password_hash, password));
  const schema = z.object({
    password: z
      .string()
      .min(1, 'Type your current password to confirm.')
      .refine(() => ok, 'That is not your current password.'),
  });
  return formOutcome(NO_VALUES, checkFields(schema, { password }).errors, () => true as const);
}
