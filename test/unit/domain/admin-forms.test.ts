// The admin forms that need no database: one message per field, in the
// words the pages show, and the clean values a valid form gives.
import { describe, expect, it } from 'vitest';
import { validateCompetitionAdjustment } from '../../../src/domain/competitions/competition-form.js';
import { readSchoolForm, validateSchoolForm } from '../../../src/domain/schools.js';
import { validateAnnouncement } from '../../../src/domain/content/announcements.js';

describe('school form', () => {
  it('reads a pasted domain and keeps an empty address as none', () => {
    const outcome = validateSchoolForm(
      readSchoolForm({ name: '  St  Mary’s ', email_domain: ' @School.ORG ', address: '', kind: 'guest' }),
    );
    expect(outcome).toMatchObject({
      ok: true,
      data: { name: 'St Mary’s', emailDomain: 'school.org', address: null, kind: 'guest' },
    });
  });

  it('gives one message per field', () => {
    const outcome = validateSchoolForm(
      readSchoolForm({ name: '', email_domain: 'https://school.org/', address: 'x'.repeat(501) }),
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errors).toEqual({
      name: 'Enter the school’s name.',
      email_domain: 'Enter only the part after the @, for example school.org (letters, digits, hyphens and dots).',
      address: 'The address must be at most 500 characters.',
      kind: 'Choose whether the school is a member school or a competition guest.',
    });
  });
});

describe('competition board adjustment', () => {
  it('names the first problem in the order of the form', () => {
    const first = (fields: Record<string, string>) => {
      const outcome = validateCompetitionAdjustment(fields);
      return outcome.ok ? null : Object.values(outcome.errors)[0];
    };
    expect(first({ user_id: '', points: '0', reason: '' })).toBe('Choose a participant.');
    expect(first({ user_id: '7', points: '0', reason: '' })).toBe(
      'Points must be a whole number from −1000 to 1000, not 0.',
    );
    expect(first({ user_id: '7', points: '5', reason: '  ' })).toBe('Give a reason for the adjustment.');
    expect(first({ user_id: '7', points: '5', reason: 'r'.repeat(301) })).toBe(
      'The reason must be at most 300 characters.',
    );
  });

  it('gives the numbers and the tidied reason', () => {
    expect(validateCompetitionAdjustment({ user_id: '7', points: ' -20 ', reason: ' late \n entry ' })).toMatchObject({
      ok: true,
      data: { userId: 7, points: -20, reason: 'late entry' },
    });
  });
});

describe('content form', () => {
  it('refuses control characters in a title and blank content', () => {
    const outcome = validateAnnouncement({ title: 'a\u0007b', content_html: '<p> </p>' });
    expect(outcome).toMatchObject({
      ok: false,
      errors: { title: 'The title contains control characters.', content_html: 'Write some content.' },
    });
  });

  it('keeps tabs and line breaks out of the control characters', () => {
    expect(validateAnnouncement({ title: 'a\tb', content_html: '<p>x</p>' })).toMatchObject({
      ok: true,
      data: { title: 'a\tb' },
    });
  });
});
