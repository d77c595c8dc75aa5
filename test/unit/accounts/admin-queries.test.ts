import { describe, expect, it } from 'vitest';
import { parseAuditQuery } from '../../../src/domain/audit-log.js';
import { clampLimit, parseUserListQuery } from '../../../src/domain/accounts/user-admin.js';
import { describeDevice } from '../../../src/web/views/profile/device.js';

describe('user table query', () => {
  it('has sensible defaults', () => {
    expect(parseUserListQuery({})).toEqual({
      q: '',
      keyStage: null,
      year: null,
      type: null,
      admin: null,
      role: null,
      verified: null,
      sort: 'name',
      dir: 'asc',
      page: 1,
      perPage: 25,
    });
  });

  it('reads every filter', () => {
    expect(
      parseUserListQuery({
        q: ' ada ',
        key_stage: 'ks4',
        year: '10',
        type: 'teacher',
        admin: 'yes',
        role: 'teacher',
        verified: 'no',
        sort: 'email',
        dir: 'desc',
        page: '3',
        per_page: '100',
      }),
    ).toEqual({
      q: 'ada',
      keyStage: 'KS4',
      year: 10,
      type: 'teacher',
      admin: true,
      role: 'teacher',
      verified: false,
      sort: 'email',
      dir: 'desc',
      page: 3,
      perPage: 100,
    });
  });

  it('drops anything it does not know', () => {
    expect(
      parseUserListQuery({
        key_stage: 'KS9',
        year: '6',
        type: 'x',
        admin: 'maybe',
        role: 'superuser',
        sort: 'password_hash',
        dir: 'up',
        page: '0',
        per_page: '1000',
      }),
    ).toMatchObject({
      keyStage: null,
      year: null,
      type: null,
      admin: null,
      role: null,
      sort: 'name',
      dir: 'asc',
      page: 1,
      perPage: 25,
    });
    expect(parseUserListQuery({ q: ['a', 'b'], page: ['2'] })).toMatchObject({ q: '', page: 1 });
  });
});

describe('JSON search limit', () => {
  it.each([
    ['1', 1],
    ['50', 50],
    ['51', 50],
    ['0', 1],
    ['-5', 1],
    ['abc', 10],
    [undefined, 10],
    ['9999999', 10],
    ['12.5', 10],
  ])('limit=%s → %d', (raw, expected) => {
    expect(clampLimit(raw)).toBe(expected);
  });
});

describe('audit query', () => {
  it('keeps real dates and drops impossible ones', () => {
    expect(parseAuditQuery({ from: '2026-02-28', to: '2026-02-30' })).toMatchObject({ from: '2026-02-28', to: '' });
    expect(parseAuditQuery({ from: 'yesterday', page: '2' })).toMatchObject({ from: '', page: 2 });
  });
});

describe('device description', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0',
      'Edge on Windows',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
      'Safari on macOS',
    ],
    [
      'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
      'Chrome on ChromeOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36',
      'Chrome on Android',
    ],
    [null, 'Unknown device'],
    ['curl/8.5.0', 'curl/8.5.0'],
  ])('%s → %s', (ua, expected) => {
    expect(describeDevice(ua)).toBe(expected);
  });
});
