import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import {
  addSchool,
  auditRows,
  controlAttributes,
  fieldError,
  GOOD_PASSWORD,
  inputValue,
  registration,
  SCHOOL_DOMAIN,
} from './helpers.js';

describe.each(await availableDialects())('registration on %s', (dialect) => {
  let t: TestApp;
  let schoolId: number;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    schoolId = await addSchool(t);
    await addSchool(t, 'other-school.org');
  });
  afterAll(async () => {
    await t.close();
  });

  const userByEmail = (email: string) =>
    t.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();

  it('shows the form with every field, passwords as type=password', async () => {
    const res = await t.client().get('/register');
    expect(res.statusCode).toBe(200);
    for (const name of ['first_name', 'last_name', 'email', 'maths_class']) expect(inputValue(res.body, name)).toBe('');
    expect(res.body).toMatch(/<input[^>]*name="password"[^>]*type="password"/);
    expect(res.body).toMatch(/<input[^>]*name="password_confirm"[^>]*type="password"/);
    expect(res.body).toContain('<select id="year_group" name="year_group"');
    expect(res.body).toContain(`@${SCHOOL_DOMAIN}`);
  });

  it('creates a student with the key stage from the year, logs them in, and audits it', async () => {
    const form = registration({
      email: `  Grace.Hopper@${SCHOOL_DOMAIN.toUpperCase()} `,
      first_name: '  Grace ',
      year_group: '12',
    });
    const c = t.client();
    const res = await c.post('/register', form);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/challenges');
    const user = await userByEmail(`grace.hopper@${SCHOOL_DOMAIN}`);
    expect(user).toMatchObject({
      first_name: 'Grace',
      last_name: 'Lovelace',
      year_group: 12,
      key_stage: 'KS5',
      maths_class: '9X1',
      school_id: schoolId,
      user_type: 'student',
      is_admin: 0,
      must_change_password: 0,
    });
    expect(user!.password_hash).toMatch(/^\$argon2id\$/);
    expect(user!.password_hash).not.toContain(GOOD_PASSWORD);
    const profile = await c.get('/profile');
    expect(profile.statusCode).toBe(200);
    const entries = await auditRows(t, 'account.register');
    expect(entries.some((e) => e.target_id === String(user!.id) && e.actor_email === user!.email)).toBe(true);
  });

  it.each([
    ['7', 'KS3'],
    ['8', 'KS3'],
    ['9', 'KS4'],
    ['10', 'KS4'],
    ['11', 'KS4'],
    ['12', 'KS5'],
    ['13', 'KS5'],
  ])('Year %s is %s', async (year, ks) => {
    const form = registration({ year_group: year });
    const res = await t.client().post('/register', form);
    expect(res.statusCode).toBe(303);
    expect((await userByEmail(form.email!))?.key_stage).toBe(ks);
  });

  it('uses the configured year map', async () => {
    const t2 = await createTestApp('sqlite', { KEY_STAGE_YEARS: '7-9:KS3,10-11:KS4,12-13:KS5' });
    try {
      await addSchool(t2);
      const form = registration({ year_group: '9' });
      expect((await t2.client().post('/register', form)).statusCode).toBe(303);
      const row = await t2.db
        .selectFrom('users')
        .select('key_stage')
        .where('email', '=', form.email!)
        .executeTakeFirst();
      expect(row?.key_stage).toBe('KS3');
    } finally {
      await t2.close();
    }
  });

  it.each([
    ["O'Brien"],
    ['Mary-Jane'],
    ['van der Berg'],
    ['D’Souza'],
    ['Zoë'],
    ['José'],
    ['Nguyễn'],
    ['Dickson'],
    ['Cumming'],
  ])('accepts the real name %s', async (name) => {
    const form = registration({ last_name: name });
    const res = await t.client().post('/register', form);
    expect(res.statusCode, fieldError(res.body, 'last_name') ?? '').toBe(303);
    expect((await userByEmail(form.email!))?.last_name).toBe(name.normalize('NFC'));
  });

  const refused: Array<[string, Record<string, string>, string, RegExp]> = [
    ['an empty first name', { first_name: '  ' }, 'first_name', /Enter your first name/],
    ['an empty last name', { last_name: '' }, 'last_name', /Enter your last name/],
    [
      'a name with markup',
      { first_name: "O'Brien</script><script>alert(1)</script>" },
      'first_name',
      /only letters, spaces, hyphens and apostrophes/,
    ],
    ['a name with digits', { last_name: 'Smith2' }, 'last_name', /only letters, spaces, hyphens and apostrophes/],
    ['a name of 51 characters', { last_name: 'a'.repeat(51) }, 'last_name', /at most 50 characters/],
    ['a profane first name', { first_name: 'Shithead' }, 'first_name', /not allowed/],
    ['a profane name in disguise', { last_name: 'Biiitch' }, 'last_name', /not allowed/],
    ['an empty email', { email: '' }, 'email', /Enter your email address/],
    ['a malformed email', { email: 'not-an-email' }, 'email', /valid email address/],
    ['an email of another domain', { email: 'ada@gmail.com' }, 'email', /school email address/],
    ['a look-alike domain', { email: 'ada@evil-school.example.org' }, 'email', /school email address/],
    ['a subdomain of the school', { email: `ada@mail.${SCHOOL_DOMAIN}` }, 'email', /school email address/],
    ['no year', { year_group: '' }, 'year_group', /Choose your school year/],
    ['Year 6', { year_group: '6' }, 'year_group', /Choose your school year/],
    ['Year 14', { year_group: '14' }, 'year_group', /Choose your school year/],
    ['a year that is not a number', { year_group: 'nine' }, 'year_group', /Choose your school year/],
    ['no class', { maths_class: '' }, 'maths_class', /Enter your maths class/],
    ['a class with markup', { maths_class: '<b>9X1</b>' }, 'maths_class', /may contain letters, digits/],
    ['a class of 31 characters', { maths_class: 'X'.repeat(31) }, 'maths_class', /at most 30 characters/],
    ['no password', { password: '', password_confirm: '' }, 'password', /Enter a password/],
    [
      'a 7-character password',
      { password: 'abcdefg', password_confirm: 'abcdefg' },
      'password',
      /at least 8 characters/,
    ],
    [
      'a common password',
      { password: 'password1', password_confirm: 'password1' },
      'password',
      /commonly used passwords/,
    ],
    [
      'a common password in capitals',
      { password: 'BASEBALL', password_confirm: 'BASEBALL' },
      'password',
      /commonly used passwords/,
    ],
    [
      'the name as password',
      { first_name: 'Ada', last_name: 'Lovelace', password: 'AdaLovelace2024', password_confirm: 'AdaLovelace2024' },
      'password',
      /your name, your email address/,
    ],
    [
      'one repeated character',
      { password: 'zzzzzzzzzz', password_confirm: 'zzzzzzzzzz' },
      'password',
      /one repeated character/,
    ],
    [
      'a password over the maximum',
      { password: 'x1'.repeat(129), password_confirm: 'x1'.repeat(129) },
      'password',
      /at most 256 characters/,
    ],
    ['no confirmation', { password_confirm: '' }, 'password_confirm', /Type your password again/],
    ['a different confirmation', { password_confirm: `${GOOD_PASSWORD}!` }, 'password_confirm', /do not match/],
  ];

  it.each(refused)(
    'refuses %s with a message next to the field and keeps the input',
    async (_label, overrides, name, message) => {
      const form = registration(overrides);
      const before = await t.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const res = await t.client().post('/register', form);
      expect(res.statusCode).toBe(400);
      expect(fieldError(res.body, name)).toMatch(message);
      expect(controlAttributes(res.body, name)?.['aria-invalid']).toBe('true');
      // The other fields keep what was typed; passwords are never sent back.
      if (name !== 'first_name') expect(inputValue(res.body, 'first_name')).toBe(form.first_name!.trim());
      if (name !== 'email') expect(inputValue(res.body, 'email')).toBe(form.email!.toLowerCase());
      if (name !== 'maths_class') expect(inputValue(res.body, 'maths_class')).toBe(form.maths_class);
      expect(inputValue(res.body, 'password')).toBe('');
      expect(inputValue(res.body, 'password_confirm')).toBe('');
      if (form.password) expect(res.body).not.toContain(form.password);
      const after = await t.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    },
  );

  it('escapes what it re-renders', async () => {
    const res = await t.client().post('/register', registration({ first_name: '"><script>alert(1)</script>' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).toContain('&quot;>&lt;script>');
  });

  it('accepts a 256-character password and does not truncate it', async () => {
    const long = 'correct horse '.repeat(19).slice(0, 256);
    const form = registration({ password: long, password_confirm: long });
    expect((await t.client().post('/register', form)).statusCode).toBe(303);
    const c = t.client();
    const bad = await c.post('/login', { email: form.email!, password: long.slice(0, 255) });
    expect(bad.statusCode).toBe(401);
    const good = await c.post('/login', { email: form.email!, password: long });
    expect(good.statusCode).toBe(303);
  });

  it('accepts exactly 8 characters with no composition rules', async () => {
    const form = registration({ password: 'qzmxnvbt', password_confirm: 'qzmxnvbt' });
    expect((await t.client().post('/register', form)).statusCode).toBe(303);
  });

  it('refuses a duplicate email whatever its case, with a clear message', async () => {
    const form = registration();
    expect((await t.client().post('/register', form)).statusCode).toBe(303);
    const again = await t.client().post('/register', registration({ email: `  ${form.email!.toUpperCase()}` }));
    expect(again.statusCode).toBe(400);
    expect(fieldError(again.body, 'email')).toMatch(/already exists/);
    const rows = await t.db.selectFrom('users').select('id').where('email', '=', form.email!).execute();
    expect(rows).toHaveLength(1);
  });

  it('accepts any school in the schools table', async () => {
    const form = registration({ email: 'kim@other-school.org' });
    expect((await t.client().post('/register', form)).statusCode).toBe(303);
    const user = await userByEmail('kim@other-school.org');
    expect(user?.school_id).not.toBe(schoolId);
  });

  it('never lets the form set admin rights or the account type', async () => {
    const form: Record<string, string> = {
      ...registration(),
      is_admin: '1',
      user_type: 'teacher',
      key_stage: 'KS5',
      must_change_password: '1',
    };
    expect((await t.client().post('/register', form)).statusCode).toBe(303);
    const user = await userByEmail(form['email']!);
    expect(user).toMatchObject({ is_admin: 0, user_type: 'student', key_stage: 'KS4', must_change_password: 0 });
  });

  it('answers a form with repeated fields with a message, not a crash', async () => {
    const c = t.client();
    const token = await c.csrfToken();
    const res = await t.app.inject({
      method: 'POST',
      url: '/register',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
      payload: `_csrf=${encodeURIComponent(token)}&first_name=A&first_name=B&email=x`,
    });
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'first_name')).toMatch(/Enter your first name/);
  });

  it('sends a signed-in user to their profile', async () => {
    const user = await t.createUser();
    const c = t.client();
    await c.loginAs(user);
    expect((await c.get('/register')).headers.location).toBe('/profile');
  });
});
