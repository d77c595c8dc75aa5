// Who sees which challenge, where: release times, the list (newest first, six
// per page, key-stage filter, badges, excerpts, images) and the rule that an
// unreleased challenge is a 404 for non-admins at every address.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { availableDialects } from '../../helpers/db.js';
import { createTestApp, type TestApp, type TestClient } from '../../helpers/app.js';
import { hoursFromNow, seedChallenge } from './fixtures.js';
import { storeImage } from './images.js';

describe.each(await availableDialects())('challenge visibility on %s', (dialect) => {
  let t: TestApp;
  let student: TestClient;
  let admin: TestClient;
  let anon: TestClient;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    student = t.client();
    await student.loginAs(await t.createUser());
    admin = t.client();
    await admin.loginAs(await t.createUser({ isAdmin: true }));
    anon = t.client();
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.db.deleteFrom('submissions').execute();
    await t.db.deleteFrom('challenges').execute();
  });

  const titles = (body: string) =>
    [...body.matchAll(/<h2><a href="\/challenges\/\d+">([^<]+)<\/a><\/h2>/g)].map((m) => m[1]);

  it('sends anonymous visitors to the login page', async () => {
    const res = await anon.get('/challenges');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/login?next=%2Fchallenges');
  });

  it('lists only released challenges, newest first', async () => {
    await seedChallenge(t, { title: 'Old one', releaseAt: hoursFromNow(-48) });
    await seedChallenge(t, { title: 'New one', releaseAt: hoursFromNow(-1) });
    await seedChallenge(t, { title: 'Next week', releaseAt: hoursFromNow(24 * 7) });
    const res = await student.get('/challenges');
    expect(res.statusCode).toBe(200);
    expect(titles(res.body)).toEqual(['New one', 'Old one']);
    expect(res.body).not.toContain('Next week');
  });

  it('shows six per page and pages through the rest', async () => {
    for (let i = 1; i <= 8; i++) await seedChallenge(t, { title: `Week ${i}`, releaseAt: hoursFromNow(-100 + i) });
    const first = await student.get('/challenges');
    expect(titles(first.body)).toEqual(['Week 8', 'Week 7', 'Week 6', 'Week 5', 'Week 4', 'Week 3']);
    expect(first.body).toContain('href="/challenges?page=2"');
    const second = await student.get('/challenges?page=2');
    expect(titles(second.body)).toEqual(['Week 2', 'Week 1']);
    // A page past the end shows the last page rather than an empty list.
    expect(titles((await student.get('/challenges?page=99')).body)).toEqual(['Week 2', 'Week 1']);
  });

  it('filters by key stage and keeps the filter while paging', async () => {
    await seedChallenge(t, { title: 'Lower school', keyStage: 'KS3' });
    await seedChallenge(t, { title: 'GCSE', keyStage: 'KS4' });
    await seedChallenge(t, { title: 'Sixth form', keyStage: 'KS5' });
    expect(titles((await student.get('/challenges?ks=KS3')).body)).toEqual(['Lower school']);
    expect(titles((await student.get('/challenges?ks=KS5')).body)).toEqual(['Sixth form']);
    // Anything else is no filter at all.
    expect(titles((await student.get('/challenges?ks=ks9')).body)).toHaveLength(3);
    for (let i = 0; i < 7; i++)
      await seedChallenge(t, { title: `KS3 #${i}`, keyStage: 'KS3', releaseAt: hoursFromNow(-2 - i) });
    expect((await student.get('/challenges?ks=KS3')).body).toContain('href="/challenges?ks=KS3&amp;page=2"');
  });

  it('shows a locked badge, a plain-text excerpt and the image on the cards', async () => {
    const png = await storeImage(t);
    const locked = await seedChallenge(t, {
      title: 'Locked puzzle',
      content: '<p>Find <strong>x</strong> &amp; <em>y</em> <script>alert(1)</script></p>',
    });
    await t.db
      .updateTable('challenges')
      .set({ is_locked: 1, image_upload_id: png })
      .where('id', '=', locked.id)
      .execute();
    await seedChallenge(t, { title: 'Open puzzle', releaseAt: hoursFromNow(-5) });
    const body = (await student.get('/challenges')).body;
    const card = body.slice(body.indexOf('Locked puzzle') - 200, body.indexOf('Open puzzle'));
    expect(card).toContain('badge-locked');
    expect(card).toContain('<p class="challenge-excerpt">Find x &amp; y</p>');
    expect(card).not.toContain('<strong>');
    expect(card).toContain(`src="/challenges/${locked.id}/image"`);
  });

  it('opens a released challenge with its content and math rendered by KaTeX', async () => {
    const { id } = await seedChallenge(t, { title: 'Halves' });
    const res = await student.get(`/challenges/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Halves</h1>');
    expect(res.body).toContain('class="katex"');
    expect(res.body).toMatch(/<link rel="stylesheet" href="\/assets\/katex-[^"]+\.css"/);
    expect(res.body).toMatch(/<script type="module" src="\/assets\/mathfield-[^"]+\.js" nonce=/);
    expect(res.body).toMatch(/<input type="text" id="answer-\d+" name="answer"[^>]* data-mathfield\/>/);
    expect(res.body).toContain('3 attempts left');
  });

  it('answers 404 for an unreleased challenge, its image and its answer form — for students', async () => {
    const png = await storeImage(t);
    const { id, boxIds } = await seedChallenge(t, { title: 'Secret', releaseAt: hoursFromNow(2) });
    await t.db.updateTable('challenges').set({ image_upload_id: png }).where('id', '=', id).execute();
    const missing = await student.get('/challenges/999999');
    for (const res of [
      await student.get(`/challenges/${id}`),
      await student.get(`/challenges/${id}/image`),
      await anon.get(`/challenges/${id}/image`),
      await student.post(`/challenges/${id}/boxes/${boxIds[0]}/answer`, { answer: '3/4' }),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('Secret');
    }
    // Indistinguishable from a challenge that does not exist.
    const hidden = await student.get(`/challenges/${id}`);
    const message = (body: string) => /<section class="card narrow">([\s\S]*?)<\/section>/.exec(body)?.[1];
    expect(message(hidden.body)).toBe(message(missing.body));
    expect(await t.db.selectFrom('submissions').selectAll().execute()).toEqual([]);
  });

  it('keeps an unreleased challenge image behind 404 at its generic upload address too', async () => {
    const png = await storeImage(t);
    const { stored_name: name } = await t.db
      .selectFrom('uploads')
      .select('stored_name')
      .where('id', '=', png)
      .executeTakeFirstOrThrow();
    const { id } = await seedChallenge(t, { title: 'Secret', releaseAt: hoursFromNow(2) });
    await t.db.updateTable('challenges').set({ image_upload_id: png }).where('id', '=', id).execute();
    expect((await student.get(`/uploads/${name}`)).statusCode).toBe(404);
    expect((await anon.get(`/uploads/${name}`)).statusCode).toBe(404);
    expect((await admin.get(`/uploads/${name}`)).statusCode).toBe(200);
    await t.db
      .updateTable('challenges')
      .set({ release_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', id)
      .execute();
    expect((await student.get(`/uploads/${name}`)).statusCode).toBe(200);
  });

  it('lets admins see, preview and try an unreleased challenge', async () => {
    const png = await storeImage(t);
    const { id } = await seedChallenge(t, { title: 'Secret', releaseAt: hoursFromNow(2) });
    await t.db.updateTable('challenges').set({ image_upload_id: png }).where('id', '=', id).execute();
    const page = await admin.get(`/challenges/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('This challenge is scheduled');
    const image = await admin.get(`/challenges/${id}/image`);
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.headers['cache-control']).toBe('private, no-store');
    // Admins see the challenge in no student list until it is released.
    expect(titles((await admin.get('/challenges')).body)).toEqual([]);
  });

  it('releases a challenge at its release time', async () => {
    const { id } = await seedChallenge(t, { title: 'Soon', releaseAt: hoursFromNow(1) });
    expect((await student.get(`/challenges/${id}`)).statusCode).toBe(404);
    await t.db
      .updateTable('challenges')
      .set({ release_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', id)
      .execute();
    expect((await student.get(`/challenges/${id}`)).statusCode).toBe(200);
    expect(titles((await student.get('/challenges')).body)).toEqual(['Soon']);
  });

  it('serves a released challenge image with its type, to anyone', async () => {
    const png = await storeImage(t);
    const { id } = await seedChallenge(t);
    await t.db.updateTable('challenges').set({ image_upload_id: png }).where('id', '=', id).execute();
    const res = await anon.get(`/challenges/${id}/image`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-disposition']).toMatch(/^inline; filename="diagram.png"/);
    expect(res.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    const none = await seedChallenge(t, { title: 'No picture' });
    expect((await anon.get(`/challenges/${none.id}/image`)).statusCode).toBe(404);
  });

  it('refuses malformed ids with a 404', async () => {
    for (const url of ['/challenges/abc', '/challenges/0', '/challenges/99999999999', '/challenges/1e3']) {
      expect((await student.get(url)).statusCode).toBe(404);
    }
  });
});
