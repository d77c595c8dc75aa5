// Importing pupils from the MIS through the admin pages, on SQLite and
// PostgreSQL: the dry run writes nothing and shows created, updated and
// refused rows with their reasons; the confirm step imports in one go (the
// refused rows skipped), with one audit entry and a set-password email per new
// pupil whose link sets a password that signs in; a school that signs in with
// its own provider gets a welcome without a link; an altered or replayed
// confirmation writes nothing; only admins may use any of it.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestClient, type TestUser } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';
import { startSmtpServer, type TestSmtp } from '../../helpers/smtp.js';
import { postMultipart } from '../content/multipart.js';
import { addSchool, auditRows, decode } from './helpers.js';

const DOMAIN = 'import.example.org';
const SSO_DOMAIN = 'sso-import.example.org';
const SET_SUBJECT = 'Your Maths Society account: set your password';
const NEW_PASSWORD = 'amber walrus climbs ladders';

/** The text of a page without its tags, entities decoded, white space collapsed. */
const textOf = (html: string) =>
  decode(html.replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();

/** The hidden fields of the dry run's confirm form (without the CSRF token, which the helper adds). */
function confirmFields(html: string): Record<string, string> {
  const form = /<form method="post" action="\/admin\/users\/import\/confirm"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error('no confirm form on the page');
  const fields: Record<string, string> = {};
  for (const m of form[1]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    if (m[1] !== '_csrf') fields[m[1]!] = decode(m[2]!);
  return fields;
}

describe.each(await availableDialects())('pupil import on %s', (dialect) => {
  let t: TestApp;
  let smtp: TestSmtp;
  let schoolId: number;
  let ssoSchoolId: number;
  let admin: TestUser;
  let adminClient: TestClient;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp(dialect, { SMTP_URL: smtp.url });
    schoolId = await addSchool(t, DOMAIN, 'Import Academy');
    ssoSchoolId = await addSchool(t, SSO_DOMAIN, 'Provider School');
    await t.db.updateTable('schools').set({ password_sign_in: 0 }).where('id', '=', ssoSchoolId).execute();
    admin = await t.createUser({ isAdmin: true, email: `head@${DOMAIN}`, schoolId });
    adminClient = t.client();
    await adminClient.loginAs(admin);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const upload = (
    csv: string | Buffer,
    fields: Record<string, string> = {},
    client: TestClient = adminClient,
    name = 'pupils.csv',
  ) =>
    postMultipart(t, client, '/admin/users/import', { school_id: String(schoolId), ...fields }, [
      { field: 'file', name, data: typeof csv === 'string' ? Buffer.from(csv, 'utf8') : csv, type: 'text/csv' },
    ]);
  /** The client, keeping the cookies (the flash) a multipart post's answer set. */
  const withCookies = (client: TestClient, res: LightMyRequestResponse) => {
    for (const c of res.cookies as Array<{ name: string; value: string }>)
      client.cookies.set(c.name, encodeURIComponent(c.value));
    return client;
  };
  const confirm = (fields: Record<string, string>, client: TestClient = adminClient) =>
    postMultipart(t, client, '/admin/users/import/confirm', fields);

  /** Row counts of every table an import writes to. */
  const counts = async () => {
    const n = async (table: 'users' | 'mail_outbox' | 'audit_log' | 'classes' | 'class_members' | 'email_tokens') =>
      Number(
        (
          await t.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      users: await n('users'),
      mail: await n('mail_outbox'),
      audit: await n('audit_log'),
      classes: await n('classes'),
      members: await n('class_members'),
      tokens: await n('email_tokens'),
    };
  };
  const userByEmail = (email: string) =>
    t.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const classesOf = async (userId: number) =>
    (
      await t.db
        .selectFrom('class_members as m')
        .innerJoin('classes as c', 'c.id', 'm.class_id')
        .select(['c.name', 'c.school_id'])
        .where('m.user_id', '=', userId)
        .orderBy('c.name')
        .execute()
    ).map((r) => `${r.name}@${r.school_id}`);

  it('the dry run shows what would be created, updated and refused, with row and reason, and writes nothing', async () => {
    const existing = await t.createUser({
      email: `pat@${DOMAIN}`,
      firstName: 'Pat',
      lastName: 'Old',
      yearGroup: 8,
      keyStage: 'KS3',
      schoolId,
    });
    const teacher = await t.createUser({ email: `miss.t@${DOMAIN}`, teacher: true, schoolId });
    const leaver = await t.createUser({ email: `gone@${DOMAIN}`, schoolId });
    await t.db
      .updateTable('users')
      .set({ archived_at: new Date().toISOString() })
      .where('id', '=', leaver.id)
      .execute();
    const csv = [
      'First name,Surname,Email,Year,Class',
      `Ann,Lee,Ann.Lee@${DOMAIN},9,9X1`, // 2 created
      `Pat,New,pat@${DOMAIN},Year 9,9X1`, // 3 updated
      `Bob,Ray,bob@elsewhere.org,9,`, // 4 wrong domain
      `Cat,Sim,not-an-address,9,`, // 5 bad email
      `Dan,Poe,dan@${DOMAIN},14,`, // 6 unknown year
      `,Noname,nofirst@${DOMAIN},9,`, // 7 missing first name
      `Eve,Twin,twin@${DOMAIN},10,`, // 8 duplicate
      `Eva,Twin,TWIN@${DOMAIN},10,`, // 9 duplicate
      `Ada,Admin,head@${DOMAIN},9,`, // 10 an admin's address
      `Tess,Teacher,miss.t@${DOMAIN},9,`, // 11 a teacher's address
      `Lee,Ver,gone@${DOMAIN},11,`, // 12 archived
      `Fay,Ng,fay@${DOMAIN},Y12,`, // 13 created, no class
    ].join('\n');
    const before = await counts();
    const res = await upload(csv);
    expect(res.statusCode).toBe(200);
    expect(await counts()).toEqual(before);
    const text = textOf(res.body);
    expect(text).toContain('2 accounts to create');
    expect(text).toContain('1 account to update');
    expect(text).toContain('9 rows refused');
    expect(text).toContain('To create (2)');
    expect(text).toContain(`2 Ann Lee ann.lee@${DOMAIN} 9 KS4 9X1`);
    expect(text).toContain(`13 Fay Ng fay@${DOMAIN} 12 KS5`);
    expect(text).toContain(`3 Pat New pat@${DOMAIN} last name Old → New; year 8 → 9; key stage KS3 → KS4`);
    expect(text).toContain(
      "4 Bob Ray bob@elsewhere.org The address is not at the school's domain (@import.example.org).",
    );
    expect(text).toContain('5 Cat Sim not-an-address The email address is not valid');
    expect(text).toContain('6 Dan Poe dan@import.example.org Unknown year “14” (expected 7 to 13).');
    expect(text).toContain('7 Noname nofirst@import.example.org No first name.');
    expect(text).toContain(
      '8 Eve Twin twin@import.example.org The address appears more than once in the file (rows 8, 9).',
    );
    expect(text).toContain(
      '9 Eva Twin TWIN@import.example.org The address appears more than once in the file (rows 8, 9).',
    );
    expect(text).toContain("10 Ada Admin head@import.example.org The address belongs to an administrator's account");
    expect(text).toContain("11 Tess Teacher miss.t@import.example.org The address belongs to a teacher's account");
    expect(text).toContain('12 Lee Ver gone@import.example.org The account of this address is archived');
    expect(text).toContain('Each new pupil is emailed a link to set their password (2 emails).');
    expect(existing.id).toBeGreaterThan(0);
    expect(teacher.id).toBeGreaterThan(0);
  });

  it('the confirm step imports the good rows in one go, skips the refused ones, and emails each new pupil', async () => {
    const csv = [
      'First name,Surname,Email,Year,Class',
      `Gil,Marsh,gil@${DOMAIN},7,7A`,
      `Hana,Ito,hana@${DOMAIN},Year 13,13B`,
      `Pat,Newer,pat@${DOMAIN},10,10C`,
      `Ada,Admin,head@${DOMAIN},9,`,
      `Bad,Year,badyear@${DOMAIN},Reception,`,
    ].join('\n');
    const preview = await upload(csv);
    expect(preview.statusCode).toBe(200);
    const pat = (await userByEmail(`pat@${DOMAIN}`))!;
    const adminBefore = (await userByEmail(admin.email))!;
    const before = await counts();

    const res = await confirm(confirmFields(preview.body));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/users');
    const flash = textOf((await withCookies(adminClient, res).get('/admin/users')).body);
    expect(flash).toContain('Import done: 2 accounts created, 1 updated; 2 rows refused and skipped.');

    const after = await counts();
    expect(after.users).toBe(before.users + 2);
    expect(after.audit).toBe(before.audit + 1);
    const [entry] = (await auditRows(t, 'user.import')).slice(-1);
    expect(entry).toMatchObject({ actor_id: admin.id, target_type: 'school', target_id: String(schoolId) });
    expect(JSON.parse(entry!.details!)).toMatchObject({
      created: 2,
      updated: 1,
      unchanged: 0,
      refused: 2,
      emails: 'set-password',
      source: 'web',
      file: 'pupils.csv',
    });

    const gil = (await userByEmail(`gil@${DOMAIN}`))!;
    expect(gil).toMatchObject({
      first_name: 'Gil',
      last_name: 'Marsh',
      year_group: 7,
      key_stage: 'KS3',
      maths_class: '7A',
      school_id: schoolId,
      user_type: 'student',
      is_admin: 0,
      must_change_password: 0,
      archived_at: null,
    });
    expect(gil.email_verified_at).not.toBeNull();
    expect(await classesOf(gil.id)).toEqual([`7A@${schoolId}`]);
    const hana = (await userByEmail(`hana@${DOMAIN}`))!;
    expect(hana).toMatchObject({ year_group: 13, key_stage: 'KS5' });
    // One unusable password per import: the new accounts share a hash nobody can sign in with.
    expect(hana.password_hash).toBe(gil.password_hash);
    expect(
      (await t.client().post('/login', { email: gil.email, password: 'any guess at all 123' })).statusCode,
    ).not.toBe(303);

    const patAfter = (await userByEmail(pat.email))!;
    expect(patAfter).toMatchObject({ last_name: 'Newer', year_group: 10, key_stage: 'KS4', maths_class: '10C' });
    // Never the role, the password or the admin flag.
    expect(patAfter.password_hash).toBe(pat.password_hash);
    expect(patAfter.user_type).toBe(pat.user_type);
    expect(patAfter.is_admin).toBe(0);
    expect(await classesOf(pat.id)).toEqual([`10C@${schoolId}`]);
    expect(await userByEmail(admin.email)).toEqual(adminBefore);

    const mails = await t.db
      .selectFrom('mail_outbox')
      .select(['to_address', 'kind'])
      .where('kind', '=', 'set-password')
      .execute();
    expect(mails.map((m) => m.to_address).sort()).toEqual([gil.email, hana.email]);
    expect(await t.db.selectFrom('mail_outbox').select('id').where('to_address', '=', pat.email).execute()).toEqual([]);
  });

  it("a new pupil's emailed link sets their password, and they sign in with it", async () => {
    const res = await upload(`Forename,Surname,Email,Year\nIvy,Chen,ivy@${DOMAIN},8\n`);
    expect((await confirm(confirmFields(res.body))).statusCode).toBe(303);
    const mail = await smtp.waitForMail({ to: `ivy@${DOMAIN}`, subject: SET_SUBJECT });
    expect(mail.text).toContain('Import Academy has given you an account');
    const link = smtp.linksIn(mail).find((l) => new URL(l).pathname === '/reset-password');
    expect(link).toBeDefined();
    const url = new URL(link!);

    const pupil = t.client();
    expect((await pupil.get(url.pathname + url.search)).statusCode).toBe(303);
    const page = await pupil.get('/reset-password');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`ivy@${DOMAIN}`);
    const done = await pupil.post('/reset-password', {
      token: url.searchParams.get('token')!,
      new_password: NEW_PASSWORD,
      new_password_confirm: NEW_PASSWORD,
    });
    expect(done.statusCode).toBe(303);

    const login = await t.client().post('/login', { email: `ivy@${DOMAIN}`, password: NEW_PASSWORD });
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).not.toContain('/login');
    const c = t.client();
    await c.post('/login', { email: `ivy@${DOMAIN}`, password: NEW_PASSWORD });
    const profile = await c.get('/profile');
    expect(profile.statusCode).toBe(200);
    expect(profile.body).toContain('Ivy');
  });

  it('a confirmation used twice, altered or out of date writes nothing', async () => {
    const preview = await upload(`First name,Last name,Email,Year\nJo,King,jo@${DOMAIN},9\n`);
    const fields = confirmFields(preview.body);
    const before = await counts();
    for (const altered of [
      {
        ...fields,
        payload: Buffer.from(`First name,Last name,Email,Year\nJo,King,jo@${DOMAIN},10\n`).toString('base64'),
      },
      { ...fields, school_id: String(ssoSchoolId) },
      { ...fields, send_email: fields.send_email === '1' ? '0' : '1' },
      { ...fields, mac: fields.mac!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
      { ...fields, issued: new Date(Date.now() - 2 * 3600_000).toISOString() },
    ]) {
      const res = await confirm(altered);
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain('This confirmation is out of date or was altered');
    }
    // Another admin cannot replay this admin's confirmation.
    const other = t.client();
    await other.loginAs(await t.createUser({ isAdmin: true }));
    expect((await confirm(fields, other)).statusCode).toBe(400);
    expect(await counts()).toEqual({ ...before, users: before.users + 1 });

    expect((await confirm(fields)).statusCode).toBe(303);
    const once = await counts();
    // The same confirmation again: the plan it signed (one account to create) is no longer the plan.
    const again = await confirm(fields);
    expect(again.statusCode).toBe(409);
    expect(textOf(again.body)).toContain('The accounts changed since the dry run');
    expect(textOf(again.body)).toContain('1 row already up to date');
    expect(await counts()).toEqual(once);
  });

  it('two confirms of the same file at once: one imports, the other is told the plan changed, never a server error', async () => {
    // Surnames are letters only ("Aa", "Ab", …), as names must be.
    const surname = (i: number) => String.fromCharCode(65 + Math.floor(i / 26)) + String.fromCharCode(97 + (i % 26));
    const rows = Array.from({ length: 300 }, (_, i) => `Twin,${surname(i)},twin${i}@${DOMAIN},9,9T`).join('\n');
    // No emails: 300 messages would only slow the mail tests that follow.
    const preview = await upload(`First name,Last name,Email,Year,Class\n${rows}\n`, { no_email: 'on' });
    const fields = confirmFields(preview.body);
    const before = await counts();
    const answers = await Promise.all([confirm(fields), confirm(fields), confirm(fields)]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([303, 409, 409]);
    for (const r of answers.filter((x) => x.statusCode === 409))
      expect(textOf(r.body)).toContain('The accounts changed since the dry run');
    const after = await counts();
    expect(after.users).toBe(before.users + 300);
    expect(after.members).toBe(before.members + 300);
    expect(after.mail).toBe(before.mail);
  });

  it('reads a UTF-8 file with a byte-order mark, separated by semicolons, under MIS header names', async () => {
    const csv = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        `Legal Forename;Legal Surname;Email Address;NC Year;Reg Group\r\nZoë;Ångström;zoe@${DOMAIN};Year 11;11/Ma2\r\n"O'Brien, Jr";Smith;kit@${DOMAIN};Yr 12;12R\r\n`,
        'utf8',
      ),
    ]);
    const preview = await upload(csv);
    expect(preview.statusCode).toBe(200);
    const text = textOf(preview.body);
    expect(text).toContain('1 account to create');
    expect(text).toContain(`2 Zoë Ångström zoe@${DOMAIN} 11 KS4 11/Ma2`);
    // The quoted cell is read whole, comma and all (and a comma has no place in a name).
    expect(text).toContain(
      `3 O'Brien, Jr Smith kit@${DOMAIN} The first name may contain only letters, spaces, hyphens and apostrophes.`,
    );
  });

  it('header names given in the form are used; a name the file lacks is a clear message', async () => {
    const csv = `Given;Family;Mail;Yr;Set\nLou;Reed;lou@${DOMAIN};9;9S\n`;
    const without = await upload(csv);
    expect(without.statusCode).toBe(400);
    expect(textOf(without.body)).toContain('No first name column');
    expect(textOf(without.body)).toContain('“Given”, “Family”, “Mail”, “Yr”, “Set”');

    const overrides = {
      first_name_column: 'Given',
      last_name_column: 'family',
      email_column: 'Mail',
      year_column: 'Yr',
      class_column: 'Set',
    };
    const res = await upload(csv, overrides);
    expect(res.statusCode).toBe(200);
    expect(textOf(res.body)).toContain(`2 Lou Reed lou@${DOMAIN} 9 KS4 9S`);
    const before = await counts();
    expect((await confirm(confirmFields(res.body))).statusCode).toBe(303);
    expect((await counts()).users).toBe(before.users + 1);
    expect(await classesOf((await userByEmail(`lou@${DOMAIN}`))!.id)).toEqual([`9S@${schoolId}`]);

    const missing = await upload(csv, { ...overrides, year_column: 'NC Year' });
    expect(missing.statusCode).toBe(400);
    expect(textOf(missing.body)).toContain('There is no column called “NC Year” for the year.');
  });

  it('a file that cannot be read is refused with a clear message', async () => {
    const cases: Array<[Buffer | string, string]> = [
      ['', 'The file is empty.'],
      [Buffer.from('First name,Surname,Email,Year\nJosé,Ruiz,jose@x.org,9\n', 'latin1'), 'The file is not UTF-8 text.'],
      ['First name,Surname,Email,Year\n"Ann,Lee,ann@x.org,9\n', 'The file is not valid CSV'],
      [
        'First name,Surname,Email,Year\n' + 'A,B,c@d.org,9\n'.repeat(20_001),
        'The file has more than 20,000 pupil rows',
      ],
      [Buffer.alloc(5 * 1024 * 1024 + 10, 'a'), 'The file is too large; the limit is 5 MB.'],
    ];
    const before = await counts();
    for (const [csv, message] of cases) {
      const res = await upload(csv);
      expect(res.statusCode).toBe(400);
      expect(textOf(res.body)).toContain(message);
    }
    const noFile = await postMultipart(t, adminClient, '/admin/users/import', { school_id: String(schoolId) });
    expect(noFile.statusCode).toBe(400);
    expect(textOf(noFile.body)).toContain('Choose the CSV file to import.');
    const noSchool = await upload('First name,Surname,Email,Year\n', { school_id: '' });
    expect(noSchool.statusCode).toBe(400);
    expect(textOf(noSchool.body)).toContain('Choose the school the pupils belong to.');
    expect(await counts()).toEqual(before);
  });

  it('a school that signs in with its own provider: new pupils get a welcome with no password link', async () => {
    const res = await upload(`First name,Surname,Email,Year\nMo,Farah,mo@${SSO_DOMAIN},10\n`, {
      school_id: String(ssoSchoolId),
    });
    expect(textOf(res.body)).toContain('Provider School signs in with its own accounts');
    const tokens = (await counts()).tokens;
    expect((await confirm(confirmFields(res.body))).statusCode).toBe(303);
    const mail = await smtp.waitForMail({ to: `mo@${SSO_DOMAIN}`, subject: 'Your Maths Society account' });
    expect(mail.text).toContain('You sign in with your school account');
    expect(smtp.linksIn(mail).map((l) => new URL(l).pathname)).toEqual(['/login']);
    expect((await counts()).tokens).toBe(tokens);
    expect(
      await t.db.selectFrom('mail_outbox').select('kind').where('to_address', '=', `mo@${SSO_DOMAIN}`).execute(),
    ).toEqual([{ kind: 'imported-school-sign-in' }]);
  });

  it('"Send no emails" sends nothing', async () => {
    const res = await upload(`First name,Surname,Email,Year\nNed,Kelly,ned@${DOMAIN},9\n`, { no_email: 'on' });
    expect(textOf(res.body)).toContain('No emails will be sent.');
    const before = await counts();
    expect((await confirm(confirmFields(res.body))).statusCode).toBe(303);
    const after = await counts();
    expect(after.users).toBe(before.users + 1);
    expect(after.mail).toBe(before.mail);
    expect(after.tokens).toBe(before.tokens);
  });

  it('only admins: pupils and teachers get 403, visitors are sent to log in', async () => {
    const preview = await upload(`First name,Surname,Email,Year\nOla,Nordmann,ola@${DOMAIN},9\n`);
    const fields = confirmFields(preview.body);
    const before = await counts();
    for (const who of [await t.createUser({ schoolId }), await t.createUser({ teacher: true, schoolId })]) {
      const c = t.client();
      await c.loginAs(who);
      expect((await c.get('/admin/users/import')).statusCode).toBe(403);
      expect((await upload('First name,Surname,Email,Year\n', {}, c)).statusCode).toBe(403);
      expect((await confirm(fields, c)).statusCode).toBe(403);
    }
    const visitor = t.client();
    const anonymous = await visitor.get('/admin/users/import');
    expect(anonymous.statusCode).toBe(302);
    expect(anonymous.headers.location).toMatch(/^\/login/);
    expect((await confirm(fields, visitor)).statusCode).toBe(401);
    const form = await adminClient.get('/admin/users/import');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('enctype="multipart/form-data"');
    expect(await counts()).toEqual({ ...before, users: before.users + 2 });
  });
  describe('with CSRF protection on', () => {
    let c: TestApp;
    let client: TestClient;
    beforeAll(async () => {
      c = await createTestApp(dialect, { CSRF_ENABLED: 'true' });
      const id = await addSchool(c, DOMAIN, 'Import Academy');
      client = c.client();
      await client.loginAs(await c.createUser({ isAdmin: true, schoolId: id }));
    });
    afterAll(async () => {
      await c.close();
    });

    it('the upload and the confirm need the token; without it nothing is imported', async () => {
      const csv = Buffer.from(`First name,Surname,Email,Year\nRay,Ban,ray@${DOMAIN},9\n`);
      const schoolField = {
        school_id: String((await c.db.selectFrom('schools').select('id').executeTakeFirstOrThrow()).id),
      };
      const file = [{ field: 'file', name: 'p.csv', data: csv, type: 'text/csv' }];
      expect(
        (await postMultipart(c, client, '/admin/users/import', schoolField, file, { csrf: false })).statusCode,
      ).toBe(403);
      const preview = await postMultipart(c, client, '/admin/users/import', schoolField, file);
      expect(preview.statusCode).toBe(200);
      const fields = confirmFields(preview.body);
      const forged = await postMultipart(c, client, '/admin/users/import/confirm', fields, [], {
        csrf: false,
        headers: { 'x-csrf-token': 'forged' },
      });
      expect(forged.statusCode).toBe(403);
      expect(await c.db.selectFrom('users').select('id').where('email', '=', `ray@${DOMAIN}`).execute()).toEqual([]);
      expect((await postMultipart(c, client, '/admin/users/import/confirm', fields)).statusCode).toBe(303);
      expect(await c.db.selectFrom('users').select('id').where('email', '=', `ray@${DOMAIN}`).execute()).toHaveLength(
        1,
      );
    });
  });
});
