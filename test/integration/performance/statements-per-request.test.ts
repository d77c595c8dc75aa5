// Statements per request: every statement is a round trip on PostgreSQL and a
// slice of CPU on SQLite, so a signed-in page or an answer that quietly starts
// running more of them gets slower for everyone. The bounds here are the
// counts of docs/performance.md ("Statements per request"); a change that
// needs more should say why there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableDialects } from '../../helpers/db.js';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { seedChallenge } from '../challenges/fixtures.js';

/** Upper bounds per request, counting BEGIN and COMMIT (PostgreSQL also locks the user's row: one more). */
const MOST = {
  challengeList: 4,
  challengePage: 5,
  leaderboard: 8,
  answer: 14,
  completingAnswer: 18,
};

describe.each(await availableDialects())('statements per signed-in request on %s', (dialect) => {
  let t: TestApp;
  let seen: string[] = [];
  let student: TestClient;
  let challenge: { id: number; boxIds: number[] };

  beforeAll(async () => {
    t = await createTestApp(dialect, {}, { onQuery: (sql) => seen.push(sql) });
    challenge = await seedChallenge(t, { boxes: [{ answer: '3/4' }, { answer: '7' }], attempts: 5 });
    student = t.client();
    await student.loginAs(await t.createUser());
  });
  afterAll(async () => {
    await t.close();
  });

  /** The statements one request runs (after a request that warms the caches the page may keep). */
  async function statementsOf(send: () => Promise<{ statusCode: number }>, status: number): Promise<string[]> {
    seen = [];
    const res = await send();
    expect(res.statusCode).toBe(status);
    console.log(
      dialect,
      seen.length,
      seen.map((s) => s.slice(0, 90)),
    );
    return seen;
  }

  it('reads the session and its user in one statement and writes nothing on a page view', async () => {
    await student.get('/challenges');
    const sql = await statementsOf(() => student.get('/challenges'), 200);
    const sessionReads = sql.filter((s) => /from "sessions"/i.test(s));
    expect(sessionReads).toHaveLength(1);
    expect(sessionReads[0]).toMatch(/join "users"/i);
    expect(sql.filter((s) => /^\s*(insert|update|delete)/i.test(s))).toEqual([]);
    expect(sql.length).toBeLessThanOrEqual(MOST.challengeList);
  });

  it('keeps the challenge page and the leaderboard within their bounds', async () => {
    await student.get(`/challenges/${challenge.id}`);
    const page = await statementsOf(() => student.get(`/challenges/${challenge.id}`), 200);
    expect(page.length).toBeLessThanOrEqual(MOST.challengePage);
    await student.get('/leaderboard');
    const board = await statementsOf(() => student.get('/leaderboard'), 200);
    expect(board.length).toBeLessThanOrEqual(MOST.leaderboard);
  });

  it('grades and records an answer within its bound', async () => {
    const token = await student.csrfToken();
    const wrong = await statementsOf(
      () =>
        student.post(
          `/challenges/${challenge.id}/boxes/${challenge.boxIds[0]}/answer`,
          { answer: '1/2' },
          { csrf: token },
        ),
      303,
    );
    expect(wrong.length).toBeLessThanOrEqual(MOST.answer);
    const right = await statementsOf(
      () =>
        student.post(
          `/challenges/${challenge.id}/boxes/${challenge.boxIds[0]}/answer`,
          { answer: '3/4' },
          { csrf: token },
        ),
      303,
    );
    expect(right.length).toBeLessThanOrEqual(MOST.answer);
    const completing = await statementsOf(
      () =>
        student.post(
          `/challenges/${challenge.id}/boxes/${challenge.boxIds[1]}/answer`,
          { answer: '7' },
          { csrf: token },
        ),
      303,
    );
    expect(completing.length).toBeLessThanOrEqual(MOST.completingAnswer);
    expect(completing.filter((s) => /^insert into "completions"/i.test(s))).toHaveLength(1);
    // Both tries are on record: counting statements must not have cost a write.
    const tries = await t.db.selectFrom('submissions').select('is_correct').execute();
    expect(tries.map((r) => Boolean(r.is_correct)).sort()).toEqual([false, true, true]);
  });
});
