// The claim rules of a school sign-in (ADR 031) on the ID token's claims
// directly, where a real provider on loopback cannot carry Microsoft's issuer;
// and the password check on an account that signs in with its school account.
import { describe, expect, it } from 'vitest';
import type { User } from '../../../src/db/schema.js';
import { checkCredentials } from '../../../src/domain/accounts/users.js';
import { hashPassword } from '../../../src/domain/accounts/passwords.js';
import { issuerProblem, personFromClaims, unusablePasswordHash } from '../../../src/domain/sso/sign-in.js';

const TENANT = '1b2c3d4e-0000-4a5b-8c9d-0123456789ab';
const microsoft = {
  id: 1,
  kind: 'microsoft' as const,
  label: 'Microsoft',
  issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
  allowedDomains: ['school.org'],
};
const oidc = { ...microsoft, kind: 'oidc' as const, label: 'Trust ID', issuer: 'https://id.trust.org' };
const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'abc',
  email: 'ada@school.org',
  email_verified: true,
  ...extra,
});
const refusal = (r: ReturnType<typeof personFromClaims>) => ('ok' in r ? r.reason : null);

describe('Microsoft: the token must come from the issuer’s directory', () => {
  it('accepts tid equal to the issuer’s tenant, in any case', () => {
    expect(refusal(personFromClaims(microsoft, claims({ tid: TENANT })))).toBeNull();
    expect(refusal(personFromClaims(microsoft, claims({ tid: TENANT.toUpperCase() })))).toBeNull();
  });

  it('refuses a missing, empty or different tid, and the consumers tenant', () => {
    for (const tid of [
      undefined,
      '',
      42,
      '9188040d-6c67-4c5b-b112-36a304b66dad',
      '72f988bf-86f1-41af-91ab-2d7cd011db47',
    ])
      expect(refusal(personFromClaims(microsoft, claims({ tid })))).toBe('tenant-mismatch');
  });

  it('refuses issuers naming a shared tenant by name or ID, or no tenant', () => {
    const config = { profile: 'production' as const };
    for (const issuer of [
      'https://login.microsoftonline.com/consumers/v2.0',
      'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0',
      'https://login.microsoftonline.com/9188040D-6C67-4C5B-B112-36A304B66DAD/v2.0',
      'https://login.microsoftonline.com/common/v2.0',
      'https://login.microsoftonline.com/organizations/v2.0',
      'https://login.microsoftonline.com/school.org/v2.0',
    ])
      expect(issuerProblem(issuer, 'microsoft', config)).toMatch(/own Microsoft directory/);
    expect(issuerProblem(microsoft.issuer, 'microsoft', config)).toBeNull();
  });
});

describe('another OpenID provider must say it has confirmed the address', () => {
  it('accepts email_verified true only', () => {
    expect(refusal(personFromClaims(oidc, claims()))).toBeNull();
    for (const email_verified of [undefined, false, 'true', 1])
      expect(refusal(personFromClaims(oidc, claims({ email_verified })))).toBe('email-unverified');
  });
});

describe('subjects', () => {
  it('keeps a subject of 255 characters whole and refuses a longer one', () => {
    const whole = personFromClaims(oidc, claims({ sub: 'a'.repeat(255) }));
    expect('subject' in whole && whole.subject).toBe('a'.repeat(255));
    expect(refusal(personFromClaims(oidc, claims({ sub: 'a'.repeat(256) })))).toBe('subject-too-long');
  });
});

describe('the password check on an account of school sign-in', () => {
  const user = (password_hash: string) => ({ id: 1, email: 'ada@school.org', password_hash }) as User;

  it('answers wrong-password, even to the stored text itself', async () => {
    // The hash is not Argon2's: checkCredentials verifies against the dummy hash instead (as for an
    // unknown address), so the answer takes as long as any other refusal.
    const hash = unusablePasswordHash();
    expect(await checkCredentials(user(hash), hash)).toMatchObject({ ok: false, reason: 'wrong-password' });
    expect(await checkCredentials(user(hash), 'anything')).toMatchObject({ ok: false, reason: 'wrong-password' });
  });

  it('still signs in an Argon2 hash’s password', async () => {
    const hash = await hashPassword('purple giraffe tea kettle');
    expect(await checkCredentials(user(hash), 'purple giraffe tea kettle')).toMatchObject({ ok: true });
    expect(await checkCredentials(user(hash), 'wrong')).toMatchObject({ ok: false, reason: 'wrong-password' });
  });
});
