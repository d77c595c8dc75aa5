// Member schools and competition guests: a guest school's pupils take part in
// competitions only. They cannot open or answer the weekly challenges (a page
// says who those are for and points to their competition), cannot register
// through the general form, and are never on the weekly boards; their profile
// and the home page show their competition instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { GOOD_PASSWORD } from '../accounts/helpers.js';
import { decode, flashes, seedChallenge } from '../challenges/fixtures.js';
import { seedCompetition, seedCompetitionChallenge, seedParticipant, seedSchool } from './fixtures.js';

describe.each(await availableDialects())('member schools and competition guests on %s', (dialect) => {
  let t: TestApp;
  let hill: number;
  let dale: number;
  let cid: number;
  let weekly: { id: number; boxIds: number[] };
  let cup: { id: number; boxIds: number[] };
  let guest: TestUser;
  let guestClient: TestClient;
  let member: TestUser;
  let memberClient: TestClient;
  let admin: TestClient;

  /** What a page says, without its tags. */
  const text = (body: string) => decode(body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));
  const count = async (table: 'submissions' | 'users' | 'scores') =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await createTestApp(dialect);
    hill = await seedSchool(t, 'Hill School', 'hill.example.org', 'member');
    dale = await seedSchool(t, 'Dale Academy', 'dale.example.org');
    cid = await seedCompetition(t, [hill, dale], { name: 'Spring Cup' });
    cup = await seedCompetitionChallenge(t, cid, { title: 'Cup fractions', keyStage: 'KS4' });
    weekly = await seedChallenge(t, { title: 'Weekly fractions', keyStage: 'KS4' });
    guest = await seedParticipant(t, cid, dale, 'KS4', 'gwen@dale.example.org', { first: 'Gwen', last: 'Guest' });
    member = await seedParticipant(t, cid, hill, 'KS4', 'mo@hill.example.org', { first: 'Mo', last: 'Member' });
    guestClient = t.client();
    await guestClient.loginAs(guest);
    memberClient = t.client();
    await memberClient.loginAs(member);
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows a guest pupil who the weekly challenges are for, and the way to their competition', async () => {
    for (const url of ['/challenges', `/challenges/${weekly.id}`, '/challenges?ks=KS4']) {
      const res = await guestClient.get(url);
      expect(res.statusCode).toBe(403);
      const page = text(res.body);
      expect(page).toContain('The weekly challenges are for members');
      expect(page).toContain('The weekly challenges and their leaderboards are for pupils of Hill School.');
      expect(page).toContain('You joined through Dale Academy, which takes part in our competitions.');
      expect(page).toContain('Your competition is Spring Cup');
      expect(res.body).toContain(`href="/competitions/${cid}/challenges"`);
      expect(page).not.toContain('Weekly fractions');
    }
    // A member pupil still has them.
    expect((await memberClient.get('/challenges')).statusCode).toBe(200);
    expect((await memberClient.get(`/challenges/${weekly.id}`)).statusCode).toBe(200);
  });

  it('leaves the weekly challenges out of a guest pupil’s menu, not a member’s', async () => {
    const menu = '<li><a href="/challenges">Challenges</a></li>';
    expect((await guestClient.get('/')).body).not.toContain(menu);
    expect((await guestClient.get('/profile')).body).not.toContain(menu);
    expect((await memberClient.get('/')).body).toContain(menu);
  });

  it('refuses a guest pupil’s weekly answer and stores nothing', async () => {
    const before = await count('submissions');
    const res = await guestClient.post(`/challenges/${weekly.id}/boxes/${weekly.boxIds[0]}/answer`, {
      answer: '3/4',
    });
    expect(res.statusCode).toBe(403);
    expect(text(res.body)).toContain(
      'The weekly challenges are for pupils of Hill School: answer your competition’s challenges instead.',
    );
    expect(await count('submissions')).toBe(before);
    expect(await t.db.selectFrom('scores').selectAll().where('user_id', '=', guest.id).execute()).toEqual([]);
  });

  it('refuses general registration with a guest school’s address, and does not offer its domain', async () => {
    const users = await count('users');
    const form = text((await t.client().get('/register')).body);
    expect(form).toContain('@hill.example.org');
    expect(form).not.toContain('@dale.example.org');
    const res = await t.client().post('/register', {
      first_name: 'Dan',
      last_name: 'Dale',
      email: 'dan@dale.example.org',
      year_group: '9',
      maths_class: '',
      password: GOOD_PASSWORD,
      password_confirm: GOOD_PASSWORD,
    });
    expect(res.statusCode).toBe(400);
    expect(text(res.body)).toContain(
      'Dale Academy takes part in our competitions only, so this form is not for its pupils: register on the competition’s page',
    );
    expect(await count('users')).toBe(users);
  });

  it('shows a competition pupil their competition points, rank and school rank, and points the home page to it', async () => {
    const answer = (c: TestClient) =>
      c.post(`/competitions/${cid}/challenges/${cup.id}/boxes/${cup.boxIds[0]}/answer`, { answer: '3/4' });
    expect((await answer(guestClient)).statusCode).toBe(303);
    expect((await answer(memberClient)).statusCode).toBe(303);

    const profile = await guestClient.get('/profile');
    const standings = profile.body.slice(profile.body.indexOf('data-testid="competition-standings"'));
    expect(text(standings)).toMatch(/Spring Cup \(running\) KS4 3 #1 Dale Academy #1 of 2/);
    expect(text(profile.body)).toContain('The weekly challenges and their leaderboards are for member schools.');
    expect(text(profile.body)).not.toContain('Total 0');
    const memberProfile = text((await memberClient.get('/profile')).body);
    expect(memberProfile).toMatch(/Spring Cup \(running\) KS4 1 #2 Hill School #2 of 2/);

    const home = await guestClient.get('/');
    expect(text(home.body)).toContain('Your competition Spring Cup is running: 3 points so far, rank #1 in KS4.');
    expect(home.body).toContain(`href="/competitions/${cid}/challenges"`);
    expect(home.body).not.toContain('See this week’s challenges');
    // The society's members are the accounts not of a guest school.
    const everyone = await count('users');
    const members = /<span class="stat-number">(\d+)<\/span> members?/.exec(home.body)?.[1];
    expect(Number(members)).toBe(everyone - 1);
    // A member taking part sees both.
    const memberHome = await memberClient.get('/');
    expect(memberHome.body).toContain('See this week’s challenges');
    expect(text(memberHome.body)).toContain('Spring Cup is running: 1 point so far');
  });

  it('keeps guest pupils off the weekly boards, also when an admin makes their school a guest', async () => {
    const vale = await seedSchool(t, 'Vale College', 'vale.example.org', 'member');
    const valePupil = await t.createUser({
      firstName: 'Val',
      lastName: 'Vale',
      email: 'val@vale.example.org',
      schoolId: vale,
    });
    const c = t.client();
    await c.loginAs(valePupil);
    await c.post(`/challenges/${weekly.id}/boxes/${weekly.boxIds[0]}/answer`, { answer: '3/4' });
    const board = async () => text((await t.client().get('/leaderboard?ks=KS4')).body);
    expect(await board()).toContain('Val V.');

    // The school form needs an explicit kind.
    const noKind = await admin.post(`/admin/schools/${vale}/edit`, {
      name: 'Vale College',
      email_domain: 'vale.example.org',
    });
    expect(noKind.statusCode).toBe(400);
    expect(text(noKind.body)).toContain('Choose whether the school is a member school or a competition guest.');
    expect(
      (await t.db.selectFrom('schools').select('kind').where('id', '=', vale).executeTakeFirstOrThrow()).kind,
    ).toBe('member');

    const toGuest = await admin.post(`/admin/schools/${vale}/edit`, {
      name: 'Vale College',
      email_domain: 'vale.example.org',
      kind: 'guest',
    });
    expect(toGuest.statusCode).toBe(303);
    expect(await board()).not.toContain('Val V.');
    expect(await t.db.selectFrom('scores').selectAll().where('user_id', '=', valePupil.id).execute()).toEqual([]);
    expect(text((await admin.get('/admin/schools')).body)).toContain(
      'Vale College @vale.example.org Competition guest',
    );
    // Recalculation keeps them off.
    await admin.post('/admin/leaderboard/recalculate');
    expect(await board()).not.toContain('Val V.');

    const back = await admin.post(`/admin/schools/${vale}/edit`, {
      name: 'Vale College',
      email_domain: 'vale.example.org',
      kind: 'member',
    });
    expect(back.statusCode).toBe(303);
    expect(flashes((await admin.get('/admin/schools')).body)).toEqual(['success: School «Vale College» saved.']);
    expect(await board()).toContain('Val V.');
    const audit = await t.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'school.update')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => (JSON.parse(a.details!) as { after: { kind: string } }).after.kind)).toEqual([
      'guest',
      'member',
    ]);
  });
});
