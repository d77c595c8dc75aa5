import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { emailDomain, emailError, normalizeEmail } from '../../../src/domain/accounts/emails.js';
import { isKeyStage, keyStageForYear, parseYear } from '../../../src/domain/key-stage.js';
import { containsProfanity, nameError, normalizeName } from '../../../src/domain/accounts/names.js';
import { mathsClassError, normalizeMathsClass } from '../../../src/domain/accounts/user-forms.js';

describe('names', () => {
  it.each([
    "O'Brien",
    'D’Souza',
    'Mary-Jane',
    'van der Berg',
    'Zoë',
    'Nguyễn',
    'Zhang',
    'Ólafsdóttir',
    'Αλέξανδρος',
    'محمد',
    'Dickson',
    'Cumming',
    'Analise',
  ])('accepts %s', (name) => {
    expect(nameError(normalizeName(name), 'Last name', { profanity: true })).toBeNull();
  });

  it.each([
    ['', /Enter your last name/],
    ['-Smith', /only letters/],
    ["O''Brien", /only letters/],
    ['Smith-', /only letters/],
    ['J. Smith', /only letters/],
    ['<b>Bold</b>', /only letters/],
    ['Robert); DROP TABLE users;--', /only letters/],
    ['x'.repeat(51), /at most 50/],
  ])('refuses %j', (name, message) => {
    expect(nameError(normalizeName(name), 'Last name', { profanity: true })).toMatch(message);
  });

  it('collapses white space and trims', () => {
    expect(normalizeName('  Anne   Marie \t ')).toBe('Anne Marie');
  });

  it('catches profanity, also disguised, but only when asked to', () => {
    for (const word of ['Shit', 'sh1t', 'Fuuuck', 'Biiitch']) expect(containsProfanity(word), word).toBe(true);
    expect(nameError('Shithead', 'First name', { profanity: true })).toMatch(/not allowed.*ask a teacher/);
    expect(nameError('Shithead', 'First name', { profanity: false })).toBeNull();
  });
});

describe('emails', () => {
  it('normalises case and spaces', () => {
    expect(normalizeEmail('  Ada.Lovelace@School.Example.ORG ')).toBe('ada.lovelace@school.example.org');
    expect(normalizeEmail(undefined)).toBe('');
  });

  it.each([
    'a@b',
    'no-at-sign',
    'two@@signs.org',
    'spa ce@x.org',
    '<a>@x.org',
    'a@-x.org',
    'a@x-.org',
    `${'a'.repeat(250)}@x.org`,
  ])('refuses %s', (email) => {
    expect(emailError(normalizeEmail(email))).not.toBeNull();
  });

  it('finds the domain after the last @', () => {
    expect(emailDomain('ada@school.example.org')).toBe('school.example.org');
  });
});

describe('key stages and years', () => {
  const map = loadConfig({ APP_ENV: 'testing' }).accounts.keyStageByYear;
  it('maps the default years', () => {
    expect([7, 8, 9, 10, 11, 12, 13].map((y) => keyStageForYear(map, y))).toEqual([
      'KS3',
      'KS3',
      'KS4',
      'KS4',
      'KS4',
      'KS5',
      'KS5',
    ]);
    expect(keyStageForYear(map, null)).toBeNull();
  });

  it('reads only school years 7 to 13', () => {
    expect(parseYear('9')).toBe(9);
    expect(parseYear(' 13 ')).toBe(13);
    for (const bad of ['6', '14', '9.5', 'nine', '', '09x', null, undefined, {}]) expect(parseYear(bad)).toBeNull();
  });

  it('knows the three key stages, spelled one way', () => {
    expect(isKeyStage('KS4')).toBe(true);
    expect(isKeyStage('ks4')).toBe(false);
    expect(isKeyStage('KS6')).toBe(false);
  });
});

describe('maths class', () => {
  it.each(['9X1', '10/Ma2', '12 Further', 'Set 3-A'])('accepts %s', (c) => {
    expect(mathsClassError(normalizeMathsClass(c), true)).toBeNull();
  });
  it('is optional only where allowed', () => {
    expect(mathsClassError('', true)).toMatch(/Enter your maths class/);
    expect(mathsClassError('', false)).toBeNull();
  });
});
