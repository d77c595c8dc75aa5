import { describe, expect, it } from 'vitest';
import {
  deviceCookieName,
  deviceCookieValue,
  knowsAccount,
  MAX_DEVICE_ACCOUNTS,
  parseDeviceCookie,
} from '../../../src/security/known-device.js';

const SECRET = 'a-secret-key-long-enough-for-tests-0123456789';
const device = (value: string) => parseDeviceCookie(value)!;

describe('known-device cookie', () => {
  it('knows the account it was issued for, and no other', () => {
    const d = device(deviceCookieValue(null, SECRET, 42));
    expect(knowsAccount(d, SECRET, 42)).toBe(true);
    expect(knowsAccount(d, SECRET, 43)).toBe(false);
    expect(knowsAccount(d, 'another-secret-key-long-enough-0123456789', 42)).toBe(false);
  });

  it('holds no account number in the clear', () => {
    expect(deviceCookieValue(null, SECRET, 123456789)).not.toContain('123456789');
  });

  it('keeps its device id and adds accounts, the latest first, up to a limit', () => {
    let value = deviceCookieValue(null, SECRET, 1);
    const id = device(value).id;
    for (let account = 2; account <= MAX_DEVICE_ACCOUNTS + 3; account++)
      value = deviceCookieValue(device(value), SECRET, account);
    const d = device(value);
    expect(d.id).toBe(id);
    expect(d.tags).toHaveLength(MAX_DEVICE_ACCOUNTS);
    expect(knowsAccount(d, SECRET, MAX_DEVICE_ACCOUNTS + 3)).toBe(true);
    expect(knowsAccount(d, SECRET, 4)).toBe(true);
    expect(knowsAccount(d, SECRET, 3)).toBe(false);
    // Signing in again moves the account to the front without repeating it.
    const again = device(deviceCookieValue(d, SECRET, 4));
    expect(again.tags).toHaveLength(MAX_DEVICE_ACCOUNTS);
    expect(again.tags[0]).toBe(d.tags.at(-1));
  });

  it("gives nothing for another device's entry moved onto this device's id", () => {
    const mine = device(deviceCookieValue(null, SECRET, 7));
    const theirs = device(deviceCookieValue(null, SECRET, 8));
    expect(knowsAccount({ id: mine.id, tags: theirs.tags }, SECRET, 8)).toBe(false);
  });

  it.each([
    undefined,
    '',
    'd1',
    'd1.',
    'd1..',
    'd2.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA',
    'd1.short.AAAAAAAAAAAAAAAAAAAAAA',
    'd1.AAAAAAAAAAAAAAAAAAAAAA.not+base64/url=====',
    `d1.AAAAAAAAAAAAAAAAAAAAAA${'.AAAAAAAAAAAAAAAAAAAAAA'.repeat(MAX_DEVICE_ACCOUNTS + 1)}`,
    'x'.repeat(5000),
    '{"id":1}',
    's:signed.value',
  ])('reads %j as no device', (value) => {
    expect(parseDeviceCookie(value)).toBeNull();
  });

  it('is a __Host- cookie over HTTPS', () => {
    expect(deviceCookieName(true)).toBe('__Host-mathsoc_device');
    expect(deviceCookieName(false)).toBe('mathsoc_device');
  });
});
