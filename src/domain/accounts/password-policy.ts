// The password rules of NIST SP 800-63B §5.1.1.2: a minimum length (8, or 12
// for admins; configurable), a generous maximum (≥ 64) and no truncation, no
// composition rules, and refusal of passwords that are known to be common or
// that are built from the account's own name or email. Every place that sets
// a password (registration, change, admin create/reset, CLI) uses this module.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/index.js';

export interface PasswordRules {
  minLength: number;
  maxLength: number;
}

export interface PasswordContext {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

const COMMON_FILE = join(import.meta.dirname, 'lists', 'common-passwords.txt');
let common: Set<string> | null = null;

/** The shipped list (src/domain/accounts/lists/common-passwords.txt), loaded once. */
export function commonPasswords(): Set<string> {
  if (!common) {
    const lines = readFileSync(COMMON_FILE, 'utf8').split('\n');
    common = new Set(lines.filter((l) => l && !l.startsWith('#')));
  }
  return common;
}

// Words anyone would try first against this site.
const SITE_WORDS = ['mathssociety', 'mathsociety', 'mathssoc', 'mathsoc', 'mathematics', 'maths'];

/**
 * The form a password is hashed and measured in: NFKC, as NIST recommends, so
 * the same password typed on different devices is the same string.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export function passwordRules(config: Config, opts: { isAdmin: boolean }): PasswordRules {
  const { passwordMinLength, adminPasswordMinLength, passwordMaxLength } = config.accounts;
  return {
    minLength: opts.isAdmin ? Math.max(adminPasswordMinLength, passwordMinLength) : passwordMinLength,
    maxLength: passwordMaxLength,
  };
}

/** Length in characters as a person counts them (code points), never bytes. */
export function passwordLength(password: string): number {
  return [...normalizePassword(password)].length;
}

function lettersAndDigits(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

function contextWords(context: PasswordContext): string[] {
  const words = [...SITE_WORDS];
  const email = context.email?.trim().toLowerCase();
  if (email) {
    words.push(lettersAndDigits(email));
    words.push(lettersAndDigits(email.split('@')[0] ?? ''));
  }
  const first = lettersAndDigits(context.firstName ?? '');
  const last = lettersAndDigits(context.lastName ?? '');
  words.push(first, last, first + last, last + first);
  return words.filter((w) => w.length >= 3);
}

/**
 * Why `password` may not be used, or null when it may. The password is
 * checked exactly as typed (after normalisation): never trimmed or truncated.
 */
export function passwordError(password: string, rules: PasswordRules, context: PasswordContext = {}): string | null {
  if (password.length === 0) return 'Enter a password.';
  const length = passwordLength(password);
  if (length < rules.minLength) return `Use at least ${rules.minLength} characters (this one has ${length}).`;
  if (length > rules.maxLength) return `Use at most ${rules.maxLength} characters (this one has ${length}).`;
  const normalized = normalizePassword(password);
  const lower = normalized.toLowerCase();
  if (new Set(lower).size === 1) return 'A password of one repeated character is too easy to guess.';
  if (commonPasswords().has(lower)) {
    return 'This password is on a list of commonly used passwords, so it is easy to guess. Choose another — a few unrelated words make a good one.';
  }
  // "OBrien2024!" is the name with a few characters added: refuse that too.
  const core = lettersAndDigits(normalized).replace(/\d+$/u, '').replace(/^\d+/u, '');
  const words = contextWords(context);
  if (words.includes(lettersAndDigits(normalized)) || words.includes(core)) {
    return 'Do not use your name, your email address or the society’s name as your password.';
  }
  return null;
}
