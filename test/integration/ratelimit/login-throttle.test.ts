// Password guessing on POST /login, throttled without locking the owner out
// (OWASP "Blocking Brute Force Attacks"): one address guessing one account is
// refused for a while; many addresses guessing one account turn on a slower
// per-account throttle that devices which signed in to that account before
// never meet; a password change or reset starts the counters afresh; throttled
// attempts are audited once per throttle window.
// Rate limits on, memory and Redis storage, both database dialects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { serviceAvailable } from '../../helpers/services.js';
import { auditRows, decode, GOOD_PASSWORD } from '../accounts/helpers.js';
import { deleteRedisKeys, REDIS_URI, uniquePrefix } from './helpers.js';

const storages: Array<[string, string]> = [['memory', 'memory://']];
if (await serviceAvailable('redis')) storages.push(['redis', REDIS_URI]);
const combos = (await availableDialects()).flatMap((d) => storages.map(([s, uri]) => [d, s, uri] as const));

const DEVICE = 'mathsoc_device';
const TOO_MANY = /Too many attempts, try again in \d+ minutes?\./;
const PAIR_LIMIT = 3;
const ACCOUNT_LIMIT = 6;
type Response = Awaited<ReturnType<TestClient['post']>>;

describe.each(combos)('login throttling (%s, %s storage)', (dialect, storage, uri) => {
  const prefix = uniquePrefix(`throttle-${storage}`);
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(dialect, {
      RATELIMIT_ENABLED: 'true',
      RATELIMIT_STORAGE_URI: uri,
      RATELIMIT_KEY_PREFIX: prefix,
      PROXY_FIX_X_FOR: '1',
      // The per-address limit of the form is out of the way: these tests are about the account.
      RATELIMIT_LOGIN: '1000 per minute',
      RATELIMIT_LOGIN_PAIR: `${PAIR_LIMIT} per 15 minutes`,
      RATELIMIT_LOGIN_ACCOUNT: `${ACCOUNT_LIMIT} per hour`,
    });
  });
  afterAll(async () => {
    await t?.close();
    if (storage === 'redis') await deleteRedisKeys(uri, prefix);
  });

  let n = 0;
  const nextAddress = () => {
    n += 1;
    return `198.51.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  };
  const newDevice = () => t.client({ ip: nextAddress() });
  /** The same browser (its cookies) on another network. */
  const elsewhere = (device: TestClient) => {
    const c = t.client({ ip: nextAddress() });
    for (const [k, v] of device.cookies) if (k === DEVICE) c.cookies.set(k, v);
    return c;
  };
  const login = (c: TestClient, email: string, password: string) =>
    c.post('/login', { email, password }, { csrf: false });
  const signedIn = (res: Response) =>
    res.statusCode === 303 && res.cookies.some((c) => c.name === t.config.session.cookieName && c.value !== '');
  const expectThrottled = (res: Response) => {
    expect(res.statusCode).toBe(429);
    expect(decode(res.body)).toMatch(TOO_MANY);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(signedIn(res)).toBe(false);
  };
  /**
   * Failures from many addresses, each below the per-address throttle, until the account throttle
   * is on; `counted` attempts from devices the account had not seen were made before.
   */
  const tripAccount = async (email: string, counted: number) => {
    for (let i = counted; i < ACCOUNT_LIMIT; i++) {
      expect((await login(newDevice(), email, `botnet guess ${i}`)).statusCode).toBe(401);
    }
  };
  /** A device the account has signed in from (then signed out: the device stays known). */
  const knownDevice = async (email: string) => {
    const laptop = newDevice();
    expect(signedIn(await login(laptop, email, TEST_PASSWORD))).toBe(true);
    await laptop.post('/logout', {}, { csrf: false });
    expect(laptop.cookies.has(DEVICE)).toBe(true);
    return laptop;
  };

  it('refuses one address guessing one account, but not the owner elsewhere nor other accounts from that address', async () => {
    const owner = await t.createUser();
    const other = await t.createUser();
    const attackerAddress = nextAddress();
    const attacker = t.client({ ip: attackerAddress });
    for (let i = 0; i < PAIR_LIMIT; i++)
      expect((await login(attacker, owner.email, `wrong ${i}`)).statusCode).toBe(401);
    expectThrottled(await login(attacker, owner.email, `wrong again`));
    expectThrottled(await login(attacker, owner.email, TEST_PASSWORD));

    expect(signedIn(await login(t.client({ ip: attackerAddress }), other.email, TEST_PASSWORD))).toBe(true);
    expect(signedIn(await login(newDevice(), owner.email, TEST_PASSWORD))).toBe(true);
  });

  it('lets a device the account has not seen in until the per-account limit, then refuses it', async () => {
    const owner = await t.createUser();
    for (let i = 0; i < ACCOUNT_LIMIT - 1; i++) {
      expect((await login(newDevice(), owner.email, `guess ${i}`)).statusCode).toBe(401);
    }
    expect(signedIn(await login(newDevice(), owner.email, TEST_PASSWORD))).toBe(true);
    expectThrottled(await login(newDevice(), owner.email, TEST_PASSWORD));
    expectThrottled(await login(newDevice(), owner.email.toUpperCase(), 'another guess'));
  });

  it('never refuses the right password from a device that signed in to the account before', async () => {
    const owner = await t.createUser();
    const laptop = await knownDevice(owner.email);
    await tripAccount(owner.email, 1);
    expectThrottled(await login(newDevice(), owner.email, TEST_PASSWORD));

    expect(signedIn(await login(elsewhere(laptop), owner.email, TEST_PASSWORD))).toBe(true);
    expect(signedIn(await login(laptop, owner.email, TEST_PASSWORD))).toBe(true);

    // Not a licence to guess: its own failures are throttled like an address's.
    for (let i = 0; i < PAIR_LIMIT; i++) expect((await login(laptop, owner.email, `typo ${i}`)).statusCode).toBe(401);
    expectThrottled(await login(laptop, owner.email, TEST_PASSWORD));
    expectThrottled(await login(elsewhere(laptop), owner.email, TEST_PASSWORD));
  });

  it('does not let the owner be locked out at a shared address (a school) from a known device', async () => {
    const owner = await t.createUser();
    const school = nextAddress();
    const pupilsLaptop = t.client({ ip: school });
    expect(signedIn(await login(pupilsLaptop, owner.email, TEST_PASSWORD))).toBe(true);
    await pupilsLaptop.post('/logout', {}, { csrf: false });
    const classmate = t.client({ ip: school });
    for (let i = 0; i < PAIR_LIMIT + 2; i++) await login(classmate, owner.email, `prank ${i}`);
    expectThrottled(await login(classmate, owner.email, TEST_PASSWORD));
    expect(signedIn(await login(pupilsLaptop, owner.email, TEST_PASSWORD))).toBe(true);
  });

  it('gives no exemption to a forged or altered device cookie, nor to the cookie of another account', async () => {
    const owner = await t.createUser();
    const other = await t.createUser();
    const laptop = await knownDevice(owner.email);
    const othersLaptop = await knownDevice(other.email);
    await tripAccount(owner.email, 1);

    const genuine = laptop.cookies.get(DEVICE)!;
    const withCookie = (value: string) => {
      const c = newDevice();
      c.cookies.set(DEVICE, value);
      return c;
    };
    const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
    const forgeries = [
      othersLaptop.cookies.get(DEVICE)!,
      flip(genuine, genuine.length - 1),
      flip(genuine, 5),
      `${genuine}x`,
      genuine.slice(0, -4),
      'd1.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA',
      `${othersLaptop.cookies.get(DEVICE)!}.${genuine.split('.').at(-1)}`,
      '',
      '%E0%A4%A',
    ];
    for (const value of forgeries) expectThrottled(await login(withCookie(value), owner.email, TEST_PASSWORD));

    // The genuine cookie still works, and the other account's device signs in to its own account.
    expect(signedIn(await login(withCookie(genuine), owner.email, TEST_PASSWORD))).toBe(true);
    expect(signedIn(await login(othersLaptop, other.email, TEST_PASSWORD))).toBe(true);
  });

  it('sets the device cookie HttpOnly, SameSite=Lax, for a year; Secure with the __Host- prefix over HTTPS', async () => {
    const owner = await t.createUser();
    const plain = await login(newDevice(), owner.email, TEST_PASSWORD);
    const cookie = plain.cookies.find((c) => c.name === DEVICE) as Record<string, unknown> | undefined;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 365 * 86400 });
    expect(cookie?.secure).toBeFalsy();

    const secure = await login(t.client({ ip: nextAddress(), https: true }), owner.email, TEST_PASSWORD);
    expect(secure.cookies.find((c) => c.name === `__Host-${DEVICE}`)).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
      path: '/',
    });
    // A failed attempt marks nothing.
    const failed = await login(newDevice(), owner.email, 'wrong');
    expect(failed.cookies.some((c) => c.name === DEVICE)).toBe(false);
  });

  it("an admin's password reset clears the counters: the owner signs in at once, from anywhere", async () => {
    const owner = await t.createUser();
    const admin = await t.createUser({ isAdmin: true });
    const attackerAddress = nextAddress();
    for (let i = 0; i < PAIR_LIMIT; i++) await login(t.client({ ip: attackerAddress }), owner.email, `wrong ${i}`);
    await tripAccount(owner.email, PAIR_LIMIT);
    expectThrottled(await login(newDevice(), owner.email, TEST_PASSWORD));
    expectThrottled(await login(t.client({ ip: attackerAddress }), owner.email, TEST_PASSWORD));

    const a = t.client({ ip: nextAddress() });
    await a.loginAs(admin);
    const reset = await a.post(`/admin/users/${owner.id}/reset-password`, {}, { csrf: false });
    expect(reset.statusCode).toBe(200);
    const password = /data-one-time-password(?:="true")?>([^<]+)</.exec(reset.body)![1]!;

    const fresh = await login(newDevice(), owner.email, password);
    expect(signedIn(fresh)).toBe(true);
    expect(fresh.headers.location).toBe('/profile/password');
    expect(signedIn(await login(t.client({ ip: attackerAddress }), owner.email, password))).toBe(true);
  });

  it("the owner's own password change clears the counters", async () => {
    const owner = await t.createUser();
    const laptop = await knownDevice(owner.email);
    const attackerAddress = nextAddress();
    for (let i = 0; i < PAIR_LIMIT; i++) await login(t.client({ ip: attackerAddress }), owner.email, `wrong ${i}`);
    await tripAccount(owner.email, 1 + PAIR_LIMIT);
    expectThrottled(await login(newDevice(), owner.email, TEST_PASSWORD));

    expect(signedIn(await login(laptop, owner.email, TEST_PASSWORD))).toBe(true);
    const changed = await laptop.post(
      '/profile/password',
      { current_password: TEST_PASSWORD, new_password: GOOD_PASSWORD, new_password_confirm: GOOD_PASSWORD },
      { csrf: false },
    );
    expect(changed.statusCode).toBe(303);

    expect(signedIn(await login(newDevice(), owner.email, GOOD_PASSWORD))).toBe(true);
    expect(signedIn(await login(t.client({ ip: attackerAddress }), owner.email, GOOD_PASSWORD))).toBe(true);
  });

  it('audits throttled attempts: account, address and throttle, once per throttle window', async () => {
    const owner = await t.createUser();
    const attackerAddress = nextAddress();
    const attacker = t.client({ ip: attackerAddress });
    for (let i = 0; i < PAIR_LIMIT + 5; i++) await login(attacker, owner.email, `wrong ${i}`);
    await tripAccount(owner.email, PAIR_LIMIT);
    const refusedAddresses = [nextAddress(), nextAddress(), nextAddress()];
    for (const ip of refusedAddresses) expectThrottled(await login(t.client({ ip }), owner.email, TEST_PASSWORD));

    const entries = (await auditRows(t, 'login.throttled')).filter((e) => e.actor_email === owner.email);
    const details = (e: (typeof entries)[number]) => JSON.parse(e.details ?? '{}') as { throttle?: string };
    const byAddress = entries.filter((e) => details(e).throttle === 'address');
    const byAccount = entries.filter((e) => details(e).throttle === 'account');
    expect(byAddress).toHaveLength(1);
    expect(byAddress[0]).toMatchObject({
      ip: attackerAddress,
      target_type: 'user',
      target_id: String(owner.id),
      actor_id: null,
    });
    expect(byAccount).toHaveLength(1);
    expect(refusedAddresses).toContain(byAccount[0]!.ip);
    expect(byAccount[0]).toMatchObject({ target_type: 'user', target_id: String(owner.id), actor_id: null });
    expect(entries).toHaveLength(2);
    // Throttled attempts are not also written as failures, one per request.
    const failures = (await auditRows(t, 'login.failure')).filter((e) => e.actor_email === owner.email);
    expect(failures).toHaveLength(ACCOUNT_LIMIT);
  });

  it('treats an unknown email exactly like an account (nothing to learn from the throttle)', async () => {
    const owner = await t.createUser();
    const nobody = `nobody-${n}@school.example.org`;
    const codes = async (email: string) => {
      const attacker = newDevice();
      const out: number[] = [];
      for (let i = 0; i < PAIR_LIMIT + 1; i++) out.push((await login(attacker, email, `guess ${i}`)).statusCode);
      for (let i = 0; i < ACCOUNT_LIMIT; i++) out.push((await login(newDevice(), email, `guess ${i}`)).statusCode);
      return out;
    };
    const known = await codes(owner.email);
    expect(await codes(nobody)).toEqual(known);
    expect(known.filter((c) => c === 429).length).toBeGreaterThan(1);
  });
});

describe('login throttle settings', () => {
  const env = { APP_ENV: 'testing', SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789', LOG_LEVEL: 'silent' };

  it('refuses a malformed RATELIMIT_LOGIN_PAIR at start-up, naming it, whether limiting is on or not', async () => {
    for (const enabled of ['true', 'false']) {
      await expect(
        createTestApp('sqlite', { RATELIMIT_ENABLED: enabled, RATELIMIT_LOGIN_PAIR: '5 per 15 minits' }),
      ).rejects.toThrow('RATELIMIT_LOGIN_PAIR: rate limit "5 per 15 minits"');
    }
  });

  it('keeps a device known for a year by default, and refuses a lifetime out of range', () => {
    expect(loadConfig(env).rateLimit.knownDeviceDays).toBe(365);
    expect(loadConfig({ ...env, APP_ENV: 'production' }).rateLimit.knownDeviceDays).toBe(365);
    expect(loadConfig({ ...env, RATELIMIT_LOGIN_KNOWN_DEVICE_DAYS: '30' }).rateLimit.knownDeviceDays).toBe(30);
    for (const bad of ['0', '3651', 'a year']) {
      expect(() => loadConfig({ ...env, RATELIMIT_LOGIN_KNOWN_DEVICE_DAYS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ...env, RATELIMIT_LOGIN_KNOWN_DEVICE_DAYS: bad })).toThrow(
        'RATELIMIT_LOGIN_KNOWN_DEVICE_DAYS',
      );
    }
  });
});
