// The login throttles (OWASP "Blocking Brute Force Attacks"), in place of a
// lock-out that let anyone lock anyone out:
// - per account and client (RATELIMIT_LOGIN_PAIR): one address guessing one
//   account is refused for a while; a device that signed in to the account
//   before counts as its own client, so guessing from a shared address (a
//   school's) cannot lock that device out;
// - per account (RATELIMIT_LOGIN_ACCOUNT): attempts from devices the account
//   has not signed in from, any address; known devices never meet it.
// Attempts are counted before the password is checked, so parallel guesses
// cannot slip past a check, and across processes when the store is shared.
// The account's key (the caller's) changes with its password, which starts
// every count afresh.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { knowsAccount, readKnownDevice, rememberDevice } from './known-device.js';
import { addressKey } from './ratelimit/address.js';

/** Which throttle refused: `address` and `device` are the per-client one. */
export type LoginThrottle = 'address' | 'device' | 'account';

export interface LoginRefusal {
  throttle: LoginThrottle;
  retryAfterSeconds: number;
  /** The first refusal of this throttle and key in the audit window: worth one audit entry. */
  audit: boolean;
}

export interface LoginGate {
  refused: LoginRefusal | null;
  /** Counts a wrong password. */
  failed(): Promise<void>;
  /** Clears this client's count and marks the device as known to the account. */
  succeeded(reply: FastifyReply): Promise<void>;
}

export async function loginGate(
  request: FastifyRequest,
  /** The account's counter key; `accountId` null when no account has the address typed. */
  attempt: { counterKey: string; accountId: number | null },
): Promise<LoginGate> {
  const { rateLimits: limits, config } = request.server;
  const { counterKey, accountId } = attempt;
  const device = accountId === null ? null : readKnownDevice(request);
  const known = device !== null && accountId !== null && knowsAccount(device, config.secretKey, accountId);
  const pairKey = `${counterKey}|${known ? `device:${device.id}` : `ip:${addressKey(request.clientIp)}`}`;

  const refuse = async (throttle: LoginThrottle, retryAfterSeconds: number, key: string): Promise<LoginGate> => {
    const audit = (await limits.hit('login-audit', `${throttle}|${key}`)).allowed;
    return { refused: { throttle, retryAfterSeconds, audit }, failed: async () => {}, succeeded: async () => {} };
  };

  const pair = await limits.hit('login-pair', pairKey);
  if (!pair.allowed) return refuse(known ? 'device' : 'address', pair.retryAfterSeconds, pairKey);
  if (!known) {
    const account = await limits.hit('login-account', counterKey);
    if (!account.allowed) return refuse('account', account.retryAfterSeconds, counterKey);
  }
  return {
    refused: null,
    // An unknown device's attempt is already counted; a known one's wrong password counts too.
    failed: async () => {
      if (known) await limits.hit('login-account', counterKey);
    },
    succeeded: async (reply) => {
      await limits.reset('login-pair', pairKey);
      if (accountId !== null) rememberDevice(request, reply, accountId, config.rateLimit.knownDeviceDays);
    },
  };
}
