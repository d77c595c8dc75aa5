import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import {
  commonPasswords,
  normalizePassword,
  passwordError,
  passwordLength,
  passwordRules,
} from '../../../src/domain/accounts/password-policy.js';

const rules = { minLength: 8, maxLength: 256 };

describe('password policy (NIST SP 800-63B)', () => {
  it('takes its lengths from the configuration, 12 for admins', () => {
    const config = loadConfig({ APP_ENV: 'testing' });
    expect(passwordRules(config, { isAdmin: false })).toEqual({ minLength: 8, maxLength: 256 });
    expect(passwordRules(config, { isAdmin: true })).toEqual({ minLength: 12, maxLength: 256 });
    const custom = loadConfig({
      APP_ENV: 'testing',
      PASSWORD_MIN_LENGTH: '10',
      ADMIN_PASSWORD_MIN_LENGTH: '16',
      PASSWORD_MAX_LENGTH: '64',
    });
    expect(passwordRules(custom, { isAdmin: false })).toEqual({ minLength: 10, maxLength: 64 });
    expect(passwordRules(custom, { isAdmin: true })).toEqual({ minLength: 16, maxLength: 64 });
    // An admin minimum set below the general one never weakens admins.
    const odd = loadConfig({ APP_ENV: 'testing', PASSWORD_MIN_LENGTH: '14', ADMIN_PASSWORD_MIN_LENGTH: '12' });
    expect(passwordRules(odd, { isAdmin: true }).minLength).toBe(14);
  });

  it('needs the minimum length, counted in characters not bytes', () => {
    expect(passwordError('abcdefg', rules)).toMatch(/at least 8 characters \(this one has 7\)/);
    expect(passwordError('qzmxnvbt', rules)).toBeNull();
    // Eight emoji are eight characters, though 32 bytes.
    expect(passwordLength('🦊🐙🦉🐝🦋🐢🦑🐬')).toBe(8);
    expect(passwordError('🦊🐙🦉🐝🦋🐢🦑🐬', rules)).toBeNull();
  });

  it('allows long passwords up to the maximum and refuses longer ones (never truncates)', () => {
    expect(passwordError('a b c d '.repeat(32), rules)).toBeNull();
    expect(passwordError('x'.repeat(255) + 'y!', rules)).toMatch(/at most 256 characters \(this one has 257\)/);
  });

  it('has no composition rules: lower-case letters and spaces only are fine', () => {
    for (const p of ['correct horse battery staple', 'mountain river cloud', 'zqxwvjkpml'])
      expect(passwordError(p, rules)).toBeNull();
  });

  it('refuses passwords from the shipped common list, in any case', () => {
    expect(commonPasswords().size).toBeGreaterThan(10_000);
    for (const p of ['password', 'Password1', 'QWERTYUIOP', 'iloveyou1', '12345678', 'football']) {
      expect(passwordError(p, rules), p).toMatch(/commonly used passwords/);
    }
  });

  it('refuses passwords built from the account’s own name or email, or the society’s name', () => {
    const context = { email: 'ada.lovelace@school.example.org', firstName: 'Ada', lastName: 'Lovelace' };
    for (const p of [
      'adalovelace',
      'Ada Lovelace 1815',
      'LOVELACE2024!',
      'ada.lovelace',
      'mathssociety1',
      'MathsSoc2025',
    ]) {
      expect(passwordError(p, rules, context), p).toMatch(/your name, your email address or the society/);
    }
    expect(passwordError('lovelace likes engines', rules, context)).toBeNull();
  });

  it('refuses one repeated character', () => {
    expect(passwordError('$$$$$$$$$$', rules)).toMatch(/repeated character/);
  });

  it('normalises to NFKC so the same password typed differently matches', () => {
    const composed = 'caf\u00e9 au lait';
    const decomposed = 'cafe\u0301 au lait';
    expect(normalizePassword(composed)).toBe(normalizePassword(decomposed));
    expect(passwordLength(decomposed)).toBe(passwordLength(composed));
  });

  it('asks for a password when there is none', () => {
    expect(passwordError('', rules)).toBe('Enter a password.');
  });
});
