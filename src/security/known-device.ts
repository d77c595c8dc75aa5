// Devices an account has signed in from (OWASP's "device cookies"): a
// long-lived cookie whose only use is to exempt the right password from the
// per-account login throttle, so guessing from elsewhere never locks the
// owner out. It holds the device's random id and, per account, an HMAC
// (SECRET_KEY) of that id and the account id: it cannot be forged, carried
// over to another device's id, or read as an account number.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieOptions } from './session.js';

const BASE_NAME = 'mathsoc_device';
const VERSION = 'd1';
/** A shared computer (a school library's) remembers this many accounts, the latest first. */
export const MAX_DEVICE_ACCOUNTS = 10;
/** 16 random bytes for the id, 16 bytes of HMAC per account, both base64url. */
const PART = /^[A-Za-z0-9_-]{22}$/;

export interface KnownDevice {
  id: string;
  tags: string[];
}

export function deviceCookieName(secure: boolean): string {
  return secure ? `__Host-${BASE_NAME}` : BASE_NAME;
}

function accountTag(secret: string, deviceId: string, accountId: number): string {
  return createHmac('sha256', secret).update(`known-device:${deviceId}:${accountId}`).digest('base64url').slice(0, 22);
}

/** The cookie's content, or null for anything that is not one of ours. */
export function parseDeviceCookie(value: string | undefined): KnownDevice | null {
  if (!value) return null;
  const parts = value.split('.');
  if (parts.length < 3 || parts.length > MAX_DEVICE_ACCOUNTS + 2 || parts[0] !== VERSION) return null;
  const [, id, ...tags] = parts as [string, string, ...string[]];
  if (!PART.test(id) || !tags.every((t) => PART.test(t))) return null;
  return { id, tags };
}

/** Whether this device has signed in to the account before. */
export function knowsAccount(device: KnownDevice, secret: string, accountId: number): boolean {
  const expected = Buffer.from(accountTag(secret, device.id, accountId));
  return device.tags.some((tag) => tag.length === expected.length && timingSafeEqual(Buffer.from(tag), expected));
}

/** The cookie after a sign-in to `accountId`: that account first, the device's id kept. */
export function deviceCookieValue(device: KnownDevice | null, secret: string, accountId: number): string {
  const id = device?.id ?? randomBytes(16).toString('base64url');
  const tag = accountTag(secret, id, accountId);
  const others = (device?.tags ?? []).filter((t) => t !== tag);
  return [VERSION, id, tag, ...others.slice(0, MAX_DEVICE_ACCOUNTS - 1)].join('.');
}

export function readKnownDevice(request: FastifyRequest): KnownDevice | null {
  return parseDeviceCookie(request.cookies[deviceCookieName(request.isSecure)]);
}

/** Marks (or re-marks, for another year) the request's device as known to the account. */
export function rememberDevice(request: FastifyRequest, reply: FastifyReply, accountId: number, days: number): void {
  const value = deviceCookieValue(readKnownDevice(request), request.server.config.secretKey, accountId);
  reply.setCookie(deviceCookieName(request.isSecure), value, {
    ...cookieOptions(request, days * 86_400),
    signed: false,
  });
}
