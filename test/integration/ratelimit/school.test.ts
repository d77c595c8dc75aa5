// A school is one address: a class behind the school's NAT registers and signs
// in within a minute with the shipped limits, and nobody sees a 429; a single
// address flooding the login and registration forms is still refused.
// Rate limits on, the default limit strings, memory and Redis storage, both
// database dialects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLimits } from '../../../src/security/ratelimit/grammar.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { serviceAvailable } from '../../helpers/services.js';
import { addSchool, registration } from '../accounts/helpers.js';
import { deleteRedisKeys, REDIS_URI, uniquePrefix } from './helpers.js';

const storages: Array<[string, string]> = [['memory', 'memory://']];
if (await serviceAvailable('redis')) storages.push(['redis', REDIS_URI]);
const combos = (await availableDialects()).flatMap((d) => storages.map(([s, uri]) => [d, s, uri] as const));

const SCHOOL_ADDRESS = '203.0.113.30';
const CLASS_SIZE = 30;

describe.each(combos)('a class behind one address (%s, %s storage)', (dialect, storage, uri) => {
  const prefix = uniquePrefix(`school-${storage}`);
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(dialect, {
      RATELIMIT_ENABLED: 'true',
      RATELIMIT_STORAGE_URI: uri,
      RATELIMIT_KEY_PREFIX: prefix,
      PROXY_FIX_X_FOR: '1',
    });
    await addSchool(t);
  });
  afterAll(async () => {
    await t?.close();
    if (storage === 'redis') await deleteRedisKeys(uri, prefix);
  });

  it(`lets ${CLASS_SIZE} pupils register, sign out and sign in again within a minute, none refused`, async () => {
    const statuses: Array<[string, number]> = [];
    const note = (what: string, status: number) => {
      statuses.push([what, status]);
      return status;
    };
    // Back to back, as fast as the server answers: well within one minute on an ordinary machine.
    for (let i = 0; i < CLASS_SIZE; i++) {
      const pupil = t.client({ ip: SCHOOL_ADDRESS });
      const form = registration();
      note('GET /', (await pupil.get('/')).statusCode);
      note('GET /register', (await pupil.get('/register')).statusCode);
      expect(note('POST /register', (await pupil.post('/register', form)).statusCode)).toBe(303);
      note('GET /challenges', (await pupil.get('/challenges')).statusCode);
      expect(note('POST /logout', (await pupil.post('/logout')).statusCode)).toBe(303);
      note('GET /login', (await pupil.get('/login')).statusCode);
      // Every third pupil mistypes the password first.
      if (i % 3 === 0)
        expect(
          note(
            'POST /login',
            (await pupil.post('/login', { email: form.email, password: 'not my password' })).statusCode,
          ),
        ).toBe(401);
      const login = await pupil.post('/login', { email: form.email, password: form.password });
      expect(note('POST /login', login.statusCode)).toBe(303);
      note('GET /profile', (await pupil.get('/profile')).statusCode);
    }
    expect(statuses.filter(([, s]) => s === 429)).toEqual([]);
    expect(statuses.filter(([, s]) => s >= 500)).toEqual([]);
  }, 180_000);

  it('still refuses one address flooding the login form, even with the right password at the end', async () => {
    const perMinute = parseLimits(t.config.rateLimit.login)[0]!;
    expect(perMinute.windowSeconds).toBe(60);
    const attacker = t.client({ ip: '198.51.100.66' });
    const user = await t.createUser();
    let admitted = 0;
    let refused = null;
    for (let i = 0; i <= perMinute.amount + 1 && !refused; i++) {
      const res = await attacker.post(
        '/login',
        { email: `guess-${i}@school.example.org`, password: '' },
        { csrf: false },
      );
      if (res.statusCode === 429) refused = res;
      else admitted++;
    }
    expect(admitted).toBe(perMinute.amount);
    expect(refused?.statusCode).toBe(429);
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const right = await attacker.post(
      '/login',
      { email: user.email, password: 'correct horse battery staple' },
      { csrf: false },
    );
    expect(right.statusCode).toBe(429);
    // The school next door is another address and is not affected.
    expect((await t.client({ ip: SCHOOL_ADDRESS }).get('/login')).statusCode).toBe(200);
  });

  it('still refuses one address flooding the registration form', async () => {
    const perMinute = parseLimits(t.config.rateLimit.register)[0]!;
    const attacker = t.client({ ip: '198.51.100.67' });
    const codes: number[] = [];
    for (let i = 0; i <= perMinute.amount; i++) {
      codes.push(
        (await attacker.post('/register', { email: `bot-${i}@school.example.org` }, { csrf: false })).statusCode,
      );
    }
    expect(codes.slice(0, perMinute.amount).every((c) => c === 400)).toBe(true);
    expect(codes[perMinute.amount]).toBe(429);
  });

  it("keeps guessing a signed-in account's current password at five a minute, per account", async () => {
    const perMinute = parseLimits(t.config.rateLimit.passwordConfirm)[0]!;
    expect(perMinute.amount).toBe(5);
    const user = await t.createUser();
    const thief = t.client({ ip: SCHOOL_ADDRESS });
    await thief.loginAs(user);
    const codes: number[] = [];
    for (let i = 0; i <= perMinute.amount; i++) {
      const res = await thief.post('/profile/password', {
        current_password: `guess-${i}`,
        new_password: 'x',
        new_password_confirm: 'x',
      });
      codes.push(res.statusCode);
    }
    expect(codes.slice(0, perMinute.amount).every((c) => c === 400)).toBe(true);
    expect(codes[perMinute.amount]).toBe(429);
    // Another pupil at the same address is not affected.
    const classmate = t.client({ ip: SCHOOL_ADDRESS });
    await classmate.loginAs(await t.createUser());
    expect((await classmate.post('/profile/password', { current_password: 'nope' })).statusCode).toBe(400);
  });
});
