// The shipped limits against the traffic docs/rate-limiting.md sizes them for
// ("Sizing: a school is one address"): a whole school of 1,500 behind one
// address through a day of lessons is never refused, while one address
// sending without pause is. Requests go through the real limiter and store,
// with the clock under the test's control.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { parseLimits, type LimitItem } from '../../../src/security/ratelimit/grammar.js';
import { MultiLimiter } from '../../../src/security/ratelimit/limiter.js';
import { memoryStore } from '../../../src/security/ratelimit/storage.js';
import type { WindowStore } from '../../../src/security/ratelimit/types.js';

const settings = loadConfig({ APP_ENV: 'production', SECRET_KEY: 'x'.repeat(40) }).rateLimit;
const anonymous = parseLimits(settings.default);
const login = parseLimits(settings.login);
const register = parseLimits(settings.register);

const SCHOOL = 'ip:203.0.113.30';
const PUPILS = 1500;
// 08:50 on a school day: the windows of the day all open within it.
const T0 = Date.parse('2030-01-07T08:50:00.000Z');
const MINUTE = 60_000;

describe.each(['fixed-window', 'moving-window', 'sliding-window-counter'] as const)(
  'the default limits with %s',
  (strategy) => {
    let store: WindowStore;
    let limiter: MultiLimiter;
    let refused: string[];

    beforeEach(() => {
      vi.useFakeTimers();
      vi.setSystemTime(T0);
      store = memoryStore(strategy, { maxKeys: 100_000 });
      limiter = new MultiLimiter(store);
      refused = [];
    });
    afterEach(async () => {
      await store.close();
      vi.useRealTimers();
    });

    type Planned = { at: number; scope: string; items: LimitItem[]; n: number };
    let planned: Planned[];
    beforeEach(() => {
      planned = [];
    });

    /** Plans `count` requests spread evenly over [from, from + spanMs). */
    function plan(scope: string, items: LimitItem[], count: number, from: number, spanMs: number) {
      for (let i = 0; i < count; i++)
        planned.push({ at: from + Math.floor((i * spanMs) / count), scope, items, n: i + 1 });
    }

    /** Sends what was planned, in time order, from the school's address. */
    async function send() {
      planned.sort((a, b) => a.at - b.at);
      for (const r of planned) {
        vi.setSystemTime(r.at);
        const d = await limiter.hit(r.scope, SCHOOL, r.items);
        if (!d.allowed) refused.push(`${r.scope} #${r.n} at +${Math.round((r.at - T0) / 1000)} s (${d.item.text})`);
      }
    }

    it('never refuses a school of 1,500 on one address through six lessons', async () => {
      // Lesson starts an hour apart. In the first two minutes every pupil opens
      // the home, login and registration pages, each twice; in minutes 1-3 every
      // pupil signs in, and in minutes 2-5 one in three signs in again after a
      // mistyped password. In each of the first five lessons a year group of 300
      // registers: first attempts in the first two minutes, up to two more each
      // within ten minutes.
      for (let lesson = 0; lesson < 6; lesson++) {
        const start = T0 + lesson * 60 * MINUTE;
        for (const page of ['GET /', 'GET /login', 'GET /register'])
          plan(page, anonymous, 2 * PUPILS, start, 2 * MINUTE);
        plan('POST /login', login, PUPILS, start + MINUTE, 2 * MINUTE);
        plan('POST /login', login, PUPILS / 3, start + 2 * MINUTE, 3 * MINUTE);
        if (lesson < 5) {
          plan('POST /register', register, 300, start, 2 * MINUTE);
          plan('POST /register', register, 600, start + MINUTE, 10 * MINUTE);
        }
      }
      await send();
      expect(refused).toEqual([]);
    });

    it('never refuses a class of 30 registering and signing in within five minutes, three attempts each', async () => {
      plan('GET /register', anonymous, 90, T0, 5 * MINUTE);
      plan('POST /register', register, 90, T0, 5 * MINUTE);
      plan('POST /login', login, 90, T0, 5 * MINUTE);
      await send();
      expect(refused).toEqual([]);
    });

    it('refuses one address sending without pause for a day, most of the time', async () => {
      const attacker = 'ip:198.51.100.66';
      const day = 24 * 60 * MINUTE;
      // However the windows fall, a day holds at most this many of each limit's windows' worth.
      const dayBound = (items: LimitItem[]) =>
        Math.min(...items.map((i) => i.amount * (Math.floor(day / (i.windowSeconds * 1000)) + 1)));
      for (const [scope, items] of [
        ['GET /', anonymous],
        ['POST /login', login],
        ['POST /register', register],
      ] as const) {
        let admitted = 0;
        // One request a second for a day.
        for (let t = 0; t < day; t += 1000) {
          vi.setSystemTime(T0 + t);
          if ((await limiter.hit(scope, attacker, items)).allowed) admitted++;
        }
        expect(admitted).toBeGreaterThan(0);
        expect(admitted).toBeLessThanOrEqual(dayBound(items));
        expect(admitted).toBeLessThan(day / 1000 / 2);
      }
    });
  },
);
