import { describe, expect, it } from 'vitest';
import { openSecret, sealSecret } from '../../../src/domain/sso/secret-box.js';
import { emailDomainAllowed, parseDomains } from '../../../src/domain/sso/providers.js';

const KEY = 'a-secret-key-of-more-than-thirty-two-characters';

describe('client secrets at rest', () => {
  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const sealed = sealSecret(KEY, 'client-secret-value~1');
    expect(sealed).not.toContain('client-secret-value');
    expect(openSecret(KEY, sealed)).toBe('client-secret-value~1');
  });

  it('seals the same secret differently each time', () => {
    expect(sealSecret(KEY, 'same')).not.toBe(sealSecret(KEY, 'same'));
  });

  it('cannot be opened with another SECRET_KEY', () => {
    expect(openSecret(`${KEY}-rotated`, sealSecret(KEY, 'x'))).toBeNull();
  });

  it('refuses an altered or malformed value instead of returning garbage', () => {
    const sealed = sealSecret(KEY, 'secret');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    expect(openSecret(KEY, [parts[0], parts[1], parts[2], body.toString('base64url')].join('.'))).toBeNull();
    expect(openSecret(KEY, 'v1.only.three')).toBeNull();
    expect(openSecret(KEY, `${sealed}.extra`)).toBeNull();
    expect(openSecret(KEY, sealed.replace(/^v1/, 'v2'))).toBeNull();
    expect(openSecret(KEY, '')).toBeNull();
  });
});

describe('allowed email domains', () => {
  it('reads a list typed with commas, spaces or @', () => {
    expect(parseDomains(' @School.example.org, pupils.school.example.org;;staff.example.org ')).toEqual([
      'school.example.org',
      'pupils.school.example.org',
      'staff.example.org',
    ]);
  });

  it('accepts exactly the listed domains, never a subdomain or a look-alike', () => {
    const allowed = ['school.example.org'];
    expect(emailDomainAllowed('Pupil@School.Example.org', allowed)).toBe(true);
    expect(emailDomainAllowed('pupil@evil.school.example.org', allowed)).toBe(false);
    expect(emailDomainAllowed('pupil@school.example.org.evil.test', allowed)).toBe(false);
    expect(emailDomainAllowed('pupil@school.example.org@evil.test', allowed)).toBe(false);
    expect(emailDomainAllowed('school.example.org', allowed)).toBe(false);
    expect(emailDomainAllowed('@school.example.org', allowed)).toBe(false);
  });
});
