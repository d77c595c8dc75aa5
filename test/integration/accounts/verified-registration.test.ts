// Registration when addresses must be confirmed (REQUIRE_EMAIL_VERIFICATION),
// against the real app and a real SMTP server: the same answer for new and
// taken addresses, the email to an existing owner, the link (GET shows, POST
// confirms), refused links, what an unconfirmed account can and cannot do,
// the boards, and "send the link again" with its limit.
import { createHash, randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtp.js';
import { seedCompetition, seedParticipant } from '../competitions/fixtures.js';
import {
  addChallenge,
  addSchool,
  addSolvedChallenge,
  auditRows,
  decode,
  GOOD_PASSWORD,
  registration,
  SCHOOL_DOMAIN,
} from './helpers.js';

const CONFIRM_SUBJECT = 'Confirm your email address';
const ATTEMPT_SUBJECT = 'Someone tried to use your email address';

describe.each(await availableDialects())('registration with confirmed addresses on %s', (dialect) => {
  let t: TestApp;
  let smtp: TestSmtp;
  let schoolId: number;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp(dialect, {
      REQUIRE_EMAIL_VERIFICATION: 'true',
      SMTP_URL: smtp.url,
      // Limits on, as in production, with room for everything but the per-address limit under test.
      RATELIMIT_ENABLED: 'true',
      RATELIMIT_DEFAULT: '100000 per hour',
      RATELIMIT_DEFAULT_AUTHENTICATED: '100000 per hour',
      RATELIMIT_REGISTER: '100000 per hour',
      RATELIMIT_LOGIN: '100000 per hour',
      RATELIMIT_EMAIL_ADDRESS: '3 per hour',
    });
    schoolId = await addSchool(t);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const userByEmail = (email: string) =>
    t.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const tokensOf = (userId: number) =>
    t.db.selectFrom('email_tokens').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  const sessionCookie = () => t.config.session.cookieName;
  /** The path and query of the first link in a message that goes to `path`. */
  const linkTo = (mail: { text: string }, path: string): string => {
    const link = smtp.linksIn(mail).find((l) => new URL(l).pathname === path);
    expect(link, `a link to ${path} in ${mail.text}`).toBeDefined();
    const u = new URL(link!);
    return u.pathname + u.search;
  };
  const tokenOf = (pathAndQuery: string) => new URL(pathAndQuery, 'http://x').searchParams.get('token')!;
  const logInForm = async (c: TestClient, email: string, password = GOOD_PASSWORD) =>
    c.post('/login', { email, password });
  const table = async (name: 'users' | 'email_tokens') =>
    JSON.stringify(
      await t.db
        .selectFrom(name)
        .selectAll()
        .orderBy('id' as never)
        .execute(),
    );

  /** Registers `form` from a fresh client: its answer and the page it is sent to. */
  async function register(form: Record<string, string>) {
    const c = t.client();
    const res = await c.post('/register', form);
    const page = await c.get(String(res.headers.location));
    return { c, res, page };
  }

  it('a new address: an unconfirmed account, nobody signed in, a single-use link by email, hashed at rest', async () => {
    const form = registration({ first_name: 'Grace' });
    const { c, res, page } = await register(form);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/check-your-inbox');
    expect(c.cookies.has(sessionCookie())).toBe(false);
    expect(page.statusCode).toBe(200);
    expect(decode(page.body)).toContain(`We have sent an email to ${form.email}`);

    const user = await userByEmail(form.email!);
    expect(user).toMatchObject({ first_name: 'Grace', school_id: schoolId, email_verified_at: null });
    const entries = await auditRows(t, 'account.register');
    expect(entries.some((e) => e.target_id === String(user!.id))).toBe(true);

    const mail = await smtp.waitForMail({ to: form.email!, subject: CONFIRM_SUBJECT });
    expect(mail.text).toContain('Hello Grace,');
    const token = tokenOf(linkTo(mail, '/verify-email'));
    const [stored] = await tokensOf(user!.id);
    expect(stored).toMatchObject({ purpose: 'verify-email', new_email: form.email, used_at: null });
    expect(stored!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(token);
    const hours = (Date.parse(stored!.expires_at) - Date.parse(stored!.created_at)) / 3_600_000;
    expect(hours).toBe(24);
  });

  it('an address that has an account gets exactly the same answer; its owner gets an email and nothing changes', async () => {
    const owner = await t.createUser({ email: `owner-${Date.now()}@${SCHOOL_DOMAIN}`, firstName: 'Owen' });
    const before = await userByEmail(owner.email);
    const fresh = registration();
    const taken = registration({ email: owner.email.toUpperCase() });

    const a = await register(fresh);
    const b = await register(taken);
    expect(b.res.statusCode).toBe(a.res.statusCode);
    expect(b.res.headers.location).toBe(a.res.headers.location);
    const cookieNames = (r: LightMyRequestResponse) => (r.cookies as Array<{ name: string }>).map((x) => x.name).sort();
    expect(cookieNames(b.res)).toEqual(cookieNames(a.res));
    expect(b.c.cookies.has(sessionCookie())).toBe(false);
    const withoutAddress = (body: string, email: string) =>
      decode(body)
        .replaceAll(email, 'ADDRESS')
        .replace(/content="[^"]+"/g, 'content=""')
        .replace(/value="[^"]{20,}"/g, 'value=""')
        .replace(/nonce="[^"]+"/g, 'nonce=""');
    expect(withoutAddress(b.page.body, owner.email)).toBe(withoutAddress(a.page.body, fresh.email!));

    const notice = await smtp.waitForMail({ to: owner.email, subject: ATTEMPT_SUBJECT });
    expect(notice.text).toContain('Hello Owen,');
    expect(notice.text).toContain('nothing about your account has changed');
    expect(await userByEmail(owner.email)).toEqual(before);
    expect(await tokensOf(owner.id)).toEqual([]);
    const attempts = await auditRows(t, 'account.register_existing');
    expect(attempts.some((e) => e.target_id === String(owner.id))).toBe(true);
    // The new address got its link; the taken one nothing but the notice.
    await smtp.waitForMail({ to: fresh.email!, subject: CONFIRM_SUBJECT });
    expect(smtp.messages.filter((m) => m.to.includes(owner.email))).toHaveLength(1);
  });

  it('the link shows a page with a button (GET changes nothing); the POST confirms; then log in and answer', async () => {
    const { challengeId, boxId } = await addChallenge(t, { title: 'After confirming' });
    const form = registration({ first_name: 'Katherine' });
    await register(form);
    const link = linkTo(await smtp.waitForMail({ to: form.email!, subject: CONFIRM_SUBJECT }), '/verify-email');
    const token = tokenOf(link);

    const c = t.client();
    const usersBefore = await table('users');
    const tokensBefore = await table('email_tokens');
    const shown = await c.get(link);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Confirm my email');
    expect(shown.body).toContain('action="/verify-email"');
    expect(decode(shown.body)).toContain(form.email);
    expect(await table('users')).toBe(usersBefore);
    expect(await table('email_tokens')).toBe(tokensBefore);

    const done = await c.post('/verify-email', { token });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/login?next=${encodeURIComponent('/challenges')}`);
    const user = await userByEmail(form.email!);
    expect(user!.email_verified_at).not.toBeNull();
    expect((await auditRows(t, 'account.email_verify')).some((e) => e.target_id === String(user!.id))).toBe(true);

    const login = await logInForm(c, form.email!);
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/');
    expect((await c.get(`/challenges/${challengeId}`)).statusCode).toBe(200);
    const answer = await c.post(`/challenges/${challengeId}/boxes/${boxId}/answer`, { answer: '180' });
    expect(answer.statusCode).toBe(303);
    const tries = await t.db.selectFrom('submissions').selectAll().where('user_id', '=', user!.id).execute();
    expect(tries).toHaveLength(1);
    expect(tries[0]!.is_correct).toBe(1);
  });

  it('forged, cut-short, reused and expired links get a clear page and change nothing', async () => {
    const form = registration();
    await register(form);
    const token = tokenOf(
      linkTo(await smtp.waitForMail({ to: form.email!, subject: CONFIRM_SUBJECT }), '/verify-email'),
    );
    const user = (await userByEmail(form.email!))!;
    const c = t.client();

    const cases: Array<[string, string, number, string]> = [
      ['forged', randomBytes(32).toString('base64url'), 400, 'This link does not work'],
      ['cut short', token.slice(0, 30), 400, 'This link does not work'],
      ['with junk', `${token}"><script>`, 400, 'This link does not work'],
      ['empty', '', 400, 'This link does not work'],
    ];
    for (const [what, bad, status, title] of cases) {
      const before = [await table('users'), await table('email_tokens')];
      const shown = await c.get(`/verify-email?token=${encodeURIComponent(bad)}`);
      expect(shown.statusCode, `GET ${what}`).toBe(status);
      expect(decode(shown.body), what).toContain(title);
      const posted = await c.post('/verify-email', { token: bad });
      expect(posted.statusCode, `POST ${what}`).toBe(status);
      expect(decode(posted.body), what).toContain(title);
      expect([await table('users'), await table('email_tokens')], what).toEqual(before);
    }
    // A link with no token at all.
    expect((await c.get('/verify-email')).statusCode).toBe(400);

    // Expired: the same token, its time up.
    await t.db
      .updateTable('email_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('user_id', '=', user.id)
      .execute();
    const beforeExpired = [await table('users'), await table('email_tokens')];
    const expired = await c.post('/verify-email', { token });
    expect(expired.statusCode).toBe(410);
    expect(decode(expired.body)).toContain('This link has expired');
    expect((await c.get(`/verify-email?token=${token}`)).statusCode).toBe(410);
    expect([await table('users'), await table('email_tokens')]).toEqual(beforeExpired);
    expect((await userByEmail(form.email!))!.email_verified_at).toBeNull();

    // Used: a fresh link, used once, then again.
    await t.db
      .updateTable('email_tokens')
      .set({ expires_at: new Date(Date.now() + 3_600_000).toISOString() })
      .where('user_id', '=', user.id)
      .execute();
    expect((await c.post('/verify-email', { token })).statusCode).toBe(303);
    const beforeReuse = [await table('users'), await table('email_tokens')];
    const reused = await c.post('/verify-email', { token });
    expect(reused.statusCode).toBe(410);
    expect(decode(reused.body)).toContain('This link has already been used');
    expect([await table('users'), await table('email_tokens')]).toEqual(beforeReuse);
  });

  it('a link for an address the account no longer has is refused', async () => {
    const form = registration();
    await register(form);
    const token = tokenOf(
      linkTo(await smtp.waitForMail({ to: form.email!, subject: CONFIRM_SUBJECT }), '/verify-email'),
    );
    const user = (await userByEmail(form.email!))!;
    await t.db
      .updateTable('users')
      .set({ email: `moved-${user.id}@${SCHOOL_DOMAIN}` })
      .where('id', '=', user.id)
      .execute();
    const before = [await table('users'), await table('email_tokens')];
    const res = await t.client().post('/verify-email', { token });
    expect(res.statusCode).toBe(400);
    expect([await table('users'), await table('email_tokens')]).toEqual(before);
  });

  it('an unconfirmed account signs in only to "check your inbox": no answers, no competitions, no profile', async () => {
    const { challengeId, boxId } = await addChallenge(t, { title: 'Not for the unconfirmed' });
    const competitionId = await seedCompetition(t, [schoolId], { name: 'Gate test' });
    const u = await t.createUser({ email: `waiting-${Date.now()}@${SCHOOL_DOMAIN}`, emailVerified: false, schoolId });
    const c = t.client();
    const login = await logInForm(c, u.email, TEST_PASSWORD);
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/check-your-inbox');
    expect(c.cookies.has(sessionCookie())).toBe(true);

    const inbox = await c.get('/check-your-inbox');
    expect(inbox.statusCode).toBe(200);
    expect(decode(inbox.body)).toContain(u.email);
    expect(inbox.body).toContain('Send the link again');

    for (const path of [
      '/challenges',
      `/challenges/${challengeId}`,
      '/profile',
      `/competitions/${competitionId}/challenges`,
    ]) {
      const res = await c.get(path);
      expect(res.statusCode, path).toBe(302);
      expect(res.headers.location, path).toBe('/check-your-inbox');
    }
    const answer = await c.post(`/challenges/${challengeId}/boxes/${boxId}/answer`, { answer: '180' });
    expect(answer.headers.location).toBe('/check-your-inbox');
    const join = await c.post('/competition/join', { competition_id: String(competitionId) });
    expect(join.headers.location).toBe('/check-your-inbox');
    const json = await c.get('/profile/data.json', { accept: 'application/json' });
    expect(json.statusCode).toBe(403);
    expect(await t.db.selectFrom('submissions').select('id').where('user_id', '=', u.id).execute()).toEqual([]);
    expect(
      await t.db.selectFrom('competition_participants').select('id').where('user_id', '=', u.id).execute(),
    ).toEqual([]);
    // Public pages stay public.
    expect((await c.get('/leaderboard')).statusCode).toBe(200);
  });

  it('unconfirmed accounts are on no board: leaderboard, school rankings, home page numbers', async () => {
    const ks = 'KS5';
    const shown = await t.createUser({ firstName: 'Shown', lastName: 'Board', keyStage: ks, yearGroup: 12 });
    const hidden = await t.createUser({
      firstName: 'Hidden',
      lastName: 'Board',
      keyStage: ks,
      yearGroup: 12,
      emailVerified: false,
    });
    await addSolvedChallenge(t, shown.id, { keyStage: ks, points: 1, title: 'Shown solves' });
    await addSolvedChallenge(t, hidden.id, { keyStage: ks, points: 3, title: 'Hidden solves' });
    const board = decode((await t.client().get(`/leaderboard?ks=${ks}`)).body);
    expect(board).toContain('Shown B.');
    expect(board).not.toContain('Hidden B.');
    expect(board).not.toContain('Hidden solves');

    // Competition school rankings count confirmed participants only.
    const school = await addSchool(t, 'rankings.example.org', 'Rankings School');
    const cid = await seedCompetition(t, [school], { name: 'Rankings' });
    await seedParticipant(t, cid, school, 'KS3', `one@rankings.example.org`);
    const pending = await seedParticipant(t, cid, school, 'KS3', `two@rankings.example.org`);
    await t.db.updateTable('users').set({ email_verified_at: null }).where('id', '=', pending.id).execute();
    const page = decode((await t.client().get(`/competitions/${cid}`)).body);
    const row = /Rankings School<\/td>([\s\S]*?)<\/tr>/.exec(page);
    expect(row, 'the school appears in the KS3 rankings').not.toBeNull();
    // Total points 0, pupils with points 0, registered 1 (the confirmed one), average 0.0.
    expect(row![1]).toMatch(/^<td>0<\/td><td>0<\/td><td>1<\/td><td>0\.0<\/td>/);

    const members = Number(
      (
        await t.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('email_verified_at', 'is not', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
    const home = decode((await t.client().get('/')).body);
    expect(home).toContain(`<span class="stat-number">${members}</span> ${members === 1 ? 'member' : 'members'}<`);
  });

  it('"send the link again" sends a new link that replaces the old one, and is limited per address', async () => {
    const form = registration({ first_name: 'Rosalind' });
    await register(form);
    const first = tokenOf(
      linkTo(await smtp.waitForMail({ to: form.email!, subject: CONFIRM_SUBJECT }), '/verify-email'),
    );
    const c = t.client();
    await logInForm(c, form.email!);

    const again = await c.post('/check-your-inbox/resend');
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/check-your-inbox');
    const second = tokenOf(
      linkTo(await smtp.waitForMail({ to: form.email!, subject: CONFIRM_SUBJECT }), '/verify-email'),
    );
    expect(second).not.toBe(first);
    expect((await c.get(`/verify-email?token=${first}`)).statusCode).toBe(410);
    expect((await c.get(`/verify-email?token=${second}`)).statusCode).toBe(200);

    // Registration, and two resends: the third email this hour is the last (RATELIMIT_EMAIL_ADDRESS 3 per hour).
    expect((await c.post('/check-your-inbox/resend')).statusCode).toBe(303);
    await smtp.waitForMail({ to: form.email!, subject: CONFIRM_SUBJECT });
    const tokensBefore = await table('email_tokens');
    const refused = await c.post('/check-your-inbox/resend');
    expect(refused.statusCode).toBe(429);
    expect(decode(refused.body)).toContain('Wait a while before asking again');
    expect(await table('email_tokens')).toBe(tokensBefore);

    // Without a token, or from another site, nothing is sent (CSRF).
    const forged = await c.post(
      '/check-your-inbox/resend',
      {},
      { csrf: false, headers: { origin: 'https://evil.example' } },
    );
    expect(forged.statusCode).toBe(403);
  });

  it('once confirmed, the signed-in account goes straight on', async () => {
    const form = registration({ first_name: 'Emmy' });
    await register(form);
    const token = tokenOf(
      linkTo(await smtp.waitForMail({ to: form.email!, subject: CONFIRM_SUBJECT }), '/verify-email'),
    );
    const c = t.client();
    await logInForm(c, form.email!);
    const done = await c.post('/verify-email', { token });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/challenges');
    expect((await c.get('/challenges')).statusCode).toBe(200);
    const inbox = await c.get('/check-your-inbox');
    expect(inbox.statusCode).toBe(303);
  });
});

describe('registration without confirmed addresses (REQUIRE_EMAIL_VERIFICATION=false)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { REQUIRE_EMAIL_VERIFICATION: 'false' });
    await addSchool(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs the new account in at once, confirmed, and queues no email', async () => {
    const form = registration();
    const c = t.client();
    const res = await c.post('/register', form);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/challenges');
    expect((await c.get('/challenges')).statusCode).toBe(200);
    const user = await t.db.selectFrom('users').selectAll().where('email', '=', form.email!).executeTakeFirstOrThrow();
    expect(user.email_verified_at).not.toBeNull();
    expect(await t.db.selectFrom('mail_outbox').selectAll().execute()).toEqual([]);
  });
});
