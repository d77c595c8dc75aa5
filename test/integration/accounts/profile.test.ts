import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { addSchool, addSolvedChallenge, auditRows, controlAttributes, decode } from './helpers.js';

describe.each(await availableDialects())('profile on %s', (dialect) => {
  let t: TestApp;
  let schoolId: number;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    schoolId = await addSchool(t, 'school.example.org', 'Hilltop Academy');
  });
  afterAll(async () => {
    await t.close();
  });

  it('needs a login', async () => {
    const res = await t.client().get('/profile');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/login?next=%2Fprofile');
  });

  it('shows details, points on the pupil’s own board with its rank, challenges completed and recent submissions', async () => {
    const user = await t.createUser({
      firstName: 'Emmy',
      lastName: 'Noether',
      yearGroup: 10,
      keyStage: 'KS4',
      mathsClass: '10Y2',
      schoolId,
    });
    await addSolvedChallenge(t, user.id, { title: 'Triangle angles', keyStage: 'KS4', points: 3 });
    await addSolvedChallenge(t, user.id, { title: 'Prime gaps', keyStage: 'KS4', points: 1 });
    await addSolvedChallenge(t, user.id, { title: 'Sixth-form surds', keyStage: 'KS5', points: 1 });
    const c = t.client();
    await c.loginAs(user);
    const res = await c.get('/profile');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const html = decode(res.body);
    for (const text of ['Emmy Noether', user.email, 'Year 10', '10Y2', 'Hilltop Academy']) expect(html).toContain(text);
    // A Year 10 pupil: every challenge's points, the KS5 one's too, count on the KS4 board.
    expect(html).toMatch(/<th scope="row">KS4<\/th><td>5<\/td><td>3<\/td>/);
    expect(html).not.toMatch(/<th scope="row">KS[35]<\/th>/);
    expect(html).toMatch(/Rank <strong>#1<\/strong> on the <a href="\/leaderboard\?ks=KS4">KS4 leaderboard<\/a>/);
    expect(html).toContain('<strong data-testid="challenges-completed">3</strong> challenges completed');
    expect(html).toContain('Sixth-form surds');
    // Answers are typeset as maths (MathML), not shown as their source.
    expect(html).toMatch(/<span class="answer-math"><span class="katex"><math [^>]*><semantics><mrow><mn>180<\/mn>/);
    expect(html).toContain('✗ Not right');
  });

  it('shows only the signed-in user’s own data', async () => {
    const other = await t.createUser({ firstName: 'Other', lastName: 'Person' });
    await addSolvedChallenge(t, other.id, { title: 'Somebody else’s challenge' });
    const me = await t.createUser();
    const c = t.client();
    await c.loginAs(me);
    const html = decode((await c.get('/profile')).body);
    expect(html).not.toContain('Somebody else’s challenge');
    expect(html).toContain('<strong data-testid="challenges-completed">0</strong>');
    expect(html).toContain('No answers yet');
  });
});

describe.each(await availableDialects())('change password on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  const NEW = 'seven blue lanterns glow';

  it('shows three password fields', async () => {
    const user = await t.createUser();
    const c = t.client();
    await c.loginAs(user);
    const res = await c.get('/profile/password');
    for (const name of ['current_password', 'new_password', 'new_password_confirm']) {
      expect(controlAttributes(res.body, name)?.type).toBe('password');
    }
  });

  it.each([
    [
      'a wrong current password',
      { current_password: 'not my password', new_password: NEW, new_password_confirm: NEW },
      'current_password',
      /not your current password/,
    ],
    [
      'no current password',
      { current_password: '', new_password: NEW, new_password_confirm: NEW },
      'current_password',
      /Enter your current password/,
    ],
    [
      'a short new password',
      { current_password: TEST_PASSWORD, new_password: 'short', new_password_confirm: 'short' },
      'new_password',
      /at least 8 characters/,
    ],
    [
      'a common new password',
      { current_password: TEST_PASSWORD, new_password: 'iloveyou123', new_password_confirm: 'iloveyou123' },
      'new_password',
      /commonly used/,
    ],
    [
      'the same password again',
      { current_password: TEST_PASSWORD, new_password: TEST_PASSWORD, new_password_confirm: TEST_PASSWORD },
      'new_password',
      /different from your current/,
    ],
    [
      'a mismatched confirmation',
      { current_password: TEST_PASSWORD, new_password: NEW, new_password_confirm: `${NEW}x` },
      'new_password_confirm',
      /do not match/,
    ],
  ])('refuses %s and changes nothing', async (_label, body, name, message) => {
    const user = await t.createUser();
    const c = t.client();
    await c.loginAs(user);
    const before = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    const res = await c.post('/profile/password', body);
    expect(res.statusCode).toBe(400);
    const m = new RegExp(`id="${name}-error">([^<]*)<`).exec(res.body);
    expect(decode(m?.[1] ?? '')).toMatch(message);
    const after = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(after.password_hash).toBe(before.password_hash);
  });

  it('needs 12 characters for an admin', async () => {
    const admin = await t.createUser({ isAdmin: true });
    const c = t.client();
    await c.loginAs(admin);
    const res = await c.post('/profile/password', {
      current_password: TEST_PASSWORD,
      new_password: 'elevenchars',
      new_password_confirm: 'elevenchars',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Use at least 12 characters');
  });

  it('changes the password, ends every other session, rotates this one, and audits it', async () => {
    const user = await t.createUser();
    const laptop = t.client();
    const phone = t.client();
    await laptop.post('/login', { email: user.email, password: TEST_PASSWORD });
    await phone.post('/login', { email: user.email, password: TEST_PASSWORD });
    const before = laptop.cookies.get('mathsoc_session');
    const res = await laptop.post('/profile/password', {
      current_password: TEST_PASSWORD,
      new_password: NEW,
      new_password_confirm: NEW,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/profile');
    expect(laptop.cookies.get('mathsoc_session')).not.toBe(before);
    expect((await laptop.get('/profile')).statusCode).toBe(200);
    expect((await phone.get('/profile')).statusCode).toBe(302);
    expect(await t.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toHaveLength(1);
    // The new password works, the old one does not.
    expect((await t.client().post('/login', { email: user.email, password: TEST_PASSWORD })).statusCode).toBe(401);
    expect((await t.client().post('/login', { email: user.email, password: NEW })).statusCode).toBe(303);
    expect((await auditRows(t, 'account.password_change')).some((r) => r.actor_id === user.id)).toBe(true);
  });
});

describe.each(await availableDialects())('must change password on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends a flagged user to the change-password page and nowhere else until they change it', async () => {
    const user = await t.createUser({ mustChangePassword: true });
    const c = t.client();
    const login = await c.post('/login', { email: user.email, password: TEST_PASSWORD, next: '/profile' });
    expect(login.headers.location).toBe('/profile/password');
    for (const url of ['/profile', '/profile/sessions', '/profile/data.json', '/profile/delete']) {
      const res = await c.get(url);
      expect(res.statusCode, url).toBe(302);
      expect(res.headers.location).toBe('/profile/password');
    }
    const page = await c.get('/profile/password');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You must choose a new password');
    // Only the form and a way out: no menu whose links would bounce back here.
    const header = /<header class="site-header">([\s\S]*?)<\/header>/.exec(page.body)![1]!;
    expect(header).toContain('Maths Society');
    expect(header).toMatch(/<form method="post" action="\/logout"[^>]*>[\s\S]*Log out<\/button>/);
    expect(header).not.toContain('<nav');
    expect(header).not.toContain('href="/profile"');
    expect(header).not.toContain('href="/challenges"');
    expect(header).not.toContain('Menu');
    expect((await c.post('/profile/sessions/revoke-others')).headers.location).toBe('/profile/password');
    const changed = await c.post('/profile/password', {
      current_password: TEST_PASSWORD,
      new_password: 'a brand new passphrase',
      new_password_confirm: 'a brand new passphrase',
    });
    expect(changed.statusCode).toBe(303);
    const after = await c.get('/profile');
    expect(after.statusCode).toBe(200);
    // With the new password chosen, the full menu is back.
    expect(after.body).toContain('<nav aria-label="Main">');
    expect(after.body).toContain('href="/challenges"');
    const row = await t.db
      .selectFrom('users')
      .select('must_change_password')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.must_change_password).toBe(0);
  });

  it('still lets a flagged user log out', async () => {
    const user = await t.createUser({ mustChangePassword: true });
    const c = t.client();
    await c.loginAs(user);
    expect((await c.post('/logout')).statusCode).toBe(303);
    expect(await t.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toHaveLength(0);
  });

  it('flags an admin whose password is shorter than the admin minimum at login', async () => {
    const admin = await t.createUser({ isAdmin: true, password: 'tenletters' });
    const c = t.client();
    const res = await c.post('/login', { email: admin.email, password: 'tenletters' });
    expect(res.headers.location).toBe('/profile/password');
    expect((await c.get('/profile')).headers.location).toBe('/profile/password');
    const page = await c.get('/profile/password');
    expect(decode(page.body)).toContain('Your password no longer meets the rules for your account');
  });
});

describe.each(await availableDialects())('sessions page on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists the sessions with device and marks this one; sign out everywhere else ends the others', async () => {
    const user = await t.createUser();
    const here = t.client({ ip: '192.0.2.10' });
    const there = t.client({ ip: '192.0.2.20' });
    const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
    await here.post('/login', { email: user.email, password: TEST_PASSWORD }, { headers: { 'user-agent': ua } });
    await there.post(
      '/login',
      { email: user.email, password: TEST_PASSWORD },
      {
        headers: {
          'user-agent':
            'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1',
        },
      },
    );
    const page = await here.get('/profile/sessions');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Firefox on Windows');
    expect(page.body).toContain('Safari on iPhone');
    expect(page.body).toContain('192.0.2.20');
    expect(page.body).toContain('This device');
    expect(page.body).toContain('You are logged in on 1 other device.');

    const res = await here.post('/profile/sessions/revoke-others');
    expect(res.statusCode).toBe(303);
    expect((await there.get('/profile')).statusCode).toBe(302);
    expect((await here.get('/profile')).statusCode).toBe(200);
    const after = await here.get('/profile/sessions');
    expect(after.body).toContain('You are not logged in anywhere else.');
    const entries = await auditRows(t, 'account.sessions_revoke');
    expect(
      entries.some((e) => e.actor_id === user.id && (JSON.parse(e.details!) as { ended?: number }).ended === 1),
    ).toBe(true);
  });
});

describe.each(await availableDialects())('download my data on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('is a JSON attachment of the user’s own records, without secrets', async () => {
    const me = await t.createUser({ firstName: 'Sophie', lastName: 'Germain' });
    const other = await t.createUser();
    await addSolvedChallenge(t, me.id, { title: 'My challenge' });
    await addSolvedChallenge(t, other.id, { title: 'Their challenge' });
    const c = t.client();
    await c.post('/login', { email: me.email, password: TEST_PASSWORD });
    const res = await c.get('/profile/data.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="mathsoc-my-data-${me.id}.json"`);
    expect(res.headers['cache-control']).toBe('no-store');
    const data = res.json<{
      account: Record<string, unknown>;
      submissions: Array<{ title: string }>;
      completions: unknown[];
      scores: unknown[];
      sessions: unknown[];
      activity: Array<{ action: string }>;
    }>();
    expect(data.account).toMatchObject({ id: me.id, email: me.email, first_name: 'Sophie', last_name: 'Germain' });
    expect(data.account.password_hash).toBeUndefined();
    expect(res.body).not.toContain('$argon2');
    expect(data.submissions).toHaveLength(2);
    expect(data.submissions.map((s) => s.title)).toEqual(['My challenge', 'My challenge']);
    expect(data.completions).toHaveLength(1);
    expect(data.scores[0]).toMatchObject({ key_stage: 'KS4', points: 3 });
    expect(data.sessions).toHaveLength(1);
    expect(JSON.stringify(data.sessions)).not.toMatch(/csrf|"id"/i);
    expect(data.activity.some((a) => a.action === 'login.success')).toBe(true);
    expect(res.body).not.toContain('Their challenge');
  });
});
