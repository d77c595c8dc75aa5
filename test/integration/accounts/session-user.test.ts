// The user every request sees: read by id in one query, as the session plugin
// is given it at start-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSessionUser } from '../../../src/domain/accounts/session-user.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';

describe.each(await availableDialects())('loadSessionUser on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('maps the row to the session user', async () => {
    const user = await t.createUser({
      firstName: 'Ada',
      lastName: 'Lovelace',
      yearGroup: 10,
      keyStage: 'KS4',
      mustChangePassword: true,
    });
    expect(await loadSessionUser(t.db, user.id)).toEqual({
      id: user.id,
      email: user.email.toLowerCase(),
      firstName: 'Ada',
      lastName: 'Lovelace',
      isAdmin: false,
      role: 'student',
      keyStage: 'KS4',
      yearGroup: 10,
      schoolId: null,
      mustChangePassword: true,
      emailVerified: true,
      guestPupil: false,
    });
    const admin = await t.createUser({ isAdmin: true });
    expect(await loadSessionUser(t.db, admin.id)).toMatchObject({
      isAdmin: true,
      role: 'admin',
      keyStage: null,
      yearGroup: null,
      mustChangePassword: false,
    });
    const waiting = await t.createUser({ emailVerified: false });
    expect(await loadSessionUser(t.db, waiting.id)).toMatchObject({ emailVerified: false });
  });

  it('is null for an account that no longer exists', async () => {
    expect(await loadSessionUser(t.db, 987_654)).toBeNull();
  });

  it('is how the app knows a signed-in visitor', async () => {
    const user = await t.createUser();
    const c = t.client();
    await c.loginAs(user);
    expect((await c.get('/profile')).statusCode).toBe(200);
  });
});
