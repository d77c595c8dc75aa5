// The CSRF token as pages carry it: masked afresh every time it is written
// (base64url of mask ‖ mask XOR token), so no two responses and no two forms
// hold the same bytes, and compressing a page cannot reveal it (BREACH).
// Any masking of the right token is accepted; the bare token, another
// visitor's or session's token (masked or not) and anything malformed are
// refused with the clear 403 page, and nothing changes.
import { createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskToken, unmaskToken } from '../../src/security/csrf.js';
import { createTestApp, TEST_PASSWORD, type TestApp, type TestClient, type TestUser } from '../helpers/app.js';
import { STRONG_SECRET } from './helpers.js';
import { snapshot } from './routes.js';

/** Every token a page carries: the meta tag first, then each form's hidden field. */
function tokensIn(html: string): string[] {
  const meta = [...html.matchAll(/<meta name="csrf-token" content="([^"]+)"/g)].map((m) => m[1]!);
  const fields = [...html.matchAll(/<input type="hidden" name="_csrf" value="([^"]+)"/g)].map((m) => m[1]!);
  return [...meta, ...fields];
}

function refusedForToken(res: LightMyRequestResponse): void {
  expect(res.statusCode).toBe(403);
  expect(res.headers['content-type']).toContain('text/html');
  expect(res.body).toMatch(/security token (has expired or is wrong|\. Reload)|missing its security token/);
}

/** Tokens that must never pass, made from a good one. */
function badTokens(good: string, bare: string): Record<string, string> {
  const middle = Math.floor(good.length / 2);
  const flip = (c: string) => (c === 'A' ? 'B' : 'A');
  return {
    'the bare token': bare,
    'one character changed': good.slice(0, middle) + flip(good[middle]!) + good.slice(middle + 1),
    'the last character changed': good.slice(0, -1) + flip(good.at(-1)!),
    'cut short by one character': good.slice(0, -1),
    'cut short by four characters': good.slice(0, -4),
    'only the mask': good.slice(0, Math.floor(good.length / 2)),
    'the token twice': good + good,
    'with padding': `${good}=`,
    'not base64url': good.replace(/[A-Za-z]/, '+'),
    garbage: 'forged',
    'a single character': 'A',
    spaces: '     ',
    'very long': 'A'.repeat(20_000),
    'non-ASCII': 'tökén',
  };
}

describe('masked CSRF tokens (production profile)', () => {
  let t: TestApp;
  let student: TestUser;
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      APP_ENV: 'production',
      SECRET_KEY: STRONG_SECRET,
      RATELIMIT_ENABLED: 'false',
      SERVER_NAME: 'localhost',
    });
    student = await t.createUser({ keyStage: 'KS4', yearGroup: 10 });
  });
  afterAll(async () => {
    await t.close();
  });

  /** A signed-in client and the bare token of its session, as the session store holds it. */
  async function signedIn(): Promise<{ client: TestClient; bare: string }> {
    const before = new Set((await t.app.sessions.listForUser(student.id)).map((s) => s.id));
    const client = t.client({ https: true });
    await client.loginAs(student);
    const session = (await t.app.sessions.listForUser(student.id)).find((s) => !before.has(s.id))!;
    return { client, bare: session.csrfToken };
  }

  /** The bare token of an anonymous visitor: the HMAC of the seed in its signed cookie. */
  function visitorToken(client: TestClient): string {
    const seed = t.app.unsignCookie(client.cookies.get('__Host-mathsoc_csrf')!).value!;
    return createHmac('sha256', STRONG_SECRET).update(`csrf:${seed}`).digest('base64url');
  }

  it('two responses, and the forms within one, never carry the same token bytes', async () => {
    const { client, bare } = await signedIn();
    const first = tokensIn((await client.get('/profile/sessions')).body);
    const second = tokensIn((await client.get('/profile/sessions')).body);
    // The meta tag, the "sign out everywhere else" form and the header's log-out buttons.
    expect(first.length).toBeGreaterThanOrEqual(3);
    const all = [...first, ...second];
    expect(new Set(all).size).toBe(all.length);
    for (const token of all) {
      expect(token).not.toContain(bare);
      expect(unmaskToken(token)?.toString()).toBe(bare);
    }

    const visitor = t.client({ https: true });
    const a = tokensIn((await visitor.get('/login')).body);
    const b = tokensIn((await visitor.get('/login')).body);
    expect(a.length).toBeGreaterThanOrEqual(2);
    const anon = [...a, ...b];
    expect(new Set(anon).size).toBe(anon.length);
    for (const token of anon) expect(unmaskToken(token)?.toString()).toBe(visitorToken(visitor));
  });

  it("a signed-in user's masked token is accepted, from any of their pages", async () => {
    const { client } = await signedIn();
    const other = await signedIn();
    const older = tokensIn((await client.get('/')).body)[0]!;
    tokensIn((await client.get('/profile/sessions')).body);
    const res = await client.post('/profile/sessions/revoke-others', {}, { csrf: older });
    expect(res.statusCode).toBe(303);
    // The other session really ended: the form did its work.
    expect((await other.client.get('/profile')).statusCode).not.toBe(200);
  });

  it('a visitor’s masked token is accepted: the login form signs in', async () => {
    const visitor = t.client({ https: true });
    const token = tokensIn((await visitor.get('/login')).body)[1]!;
    const res = await visitor.post('/login', { email: student.email, password: TEST_PASSWORD }, { csrf: token });
    expect(res.statusCode).toBe(303);
    expect([...visitor.cookies.keys()]).toContain('__Host-mathsoc_session');
  });

  it("another session's token is refused, masked by its page or masked afresh, and nothing changes", async () => {
    const mine = await signedIn();
    const theirs = await signedIn();
    const third = await signedIn();
    const theirPageToken = tokensIn((await theirs.client.get('/profile/sessions')).body)[0]!;
    const before = await snapshot(t);
    for (const token of [theirPageToken, maskToken(theirs.bare)]) {
      refusedForToken(await mine.client.post('/profile/sessions/revoke-others', {}, { csrf: token }));
    }
    expect(await snapshot(t)).toEqual(before);
    expect((await third.client.get('/profile')).statusCode).toBe(200);
    // Masked by the server's own function, the right token passes: the refusals were about whose it is.
    expect(
      (await mine.client.post('/profile/sessions/revoke-others', {}, { csrf: maskToken(mine.bare) })).statusCode,
    ).toBe(303);
  });

  it("another visitor's token is refused even when masked, and nobody is signed in", async () => {
    const me = t.client({ https: true });
    const them = t.client({ https: true });
    await me.get('/login');
    const theirToken = tokensIn((await them.get('/login')).body)[0]!;
    const before = await snapshot(t);
    for (const token of [theirToken, maskToken(visitorToken(them))]) {
      const res = await me.post('/login', { email: student.email, password: TEST_PASSWORD }, { csrf: token });
      refusedForToken(res);
      expect(res.headers['set-cookie']?.toString() ?? '').not.toContain('mathsoc_session=');
    }
    expect(await snapshot(t)).toEqual(before);
  });

  it('a tampered, truncated, bare or garbage token gets the clear 403 page and changes nothing', async () => {
    const { client, bare } = await signedIn();
    const other = await signedIn();
    const good = tokensIn((await client.get('/profile/sessions')).body)[0]!;
    const before = await snapshot(t);
    for (const [name, token] of Object.entries(badTokens(good, bare))) {
      const form = await client.post('/profile/sessions/revoke-others', {}, { csrf: token });
      expect.soft(form.statusCode, `${name} (form field)`).toBe(403);
      refusedForToken(form);
      const header = await client.post(
        '/profile/sessions/revoke-others',
        {},
        { csrf: false, headers: { 'x-csrf-token': token.trim() ? token : 'x' } },
      );
      expect.soft(header.statusCode, `${name} (X-CSRF-Token)`).toBe(403);
    }
    expect(await snapshot(t)).toEqual(before);
    expect((await other.client.get('/profile')).statusCode).toBe(200);

    const visitor = t.client({ https: true });
    const anon = tokensIn((await visitor.get('/login')).body)[0]!;
    for (const [name, token] of Object.entries(badTokens(anon, visitorToken(visitor)))) {
      const res = await visitor.post('/login', { email: student.email, password: TEST_PASSWORD }, { csrf: token });
      expect.soft(res.statusCode, `${name} (visitor)`).toBe(403);
    }
    expect(await snapshot(t)).toEqual(before);
  });
});
