// The class rows an import and the class pages share: one class per name in a
// school, whatever the spacing or case an MIS export uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClassMember, findOrCreateClass } from '../../../src/domain/classes/class-records.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { availableDialects } from '../../helpers/db.js';

describe.each(await availableDialects())('class records on %s', (dialect) => {
  let t: TestApp;
  let schoolA: number;
  let schoolB: number;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    const now = new Date().toISOString();
    const add = (name: string, domain: string) =>
      t.db
        .insertInto('schools')
        .values({ name, email_domain: domain, address: null, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
    schoolA = (await add('Records A', 'records-a.example.org')).id;
    schoolB = (await add('Records B', 'records-b.example.org')).id;
  });
  afterAll(() => t.close());

  it('finds "10A" when an export says " 10a " and makes one class per school', async () => {
    const made = await findOrCreateClass(t.db, schoolA, '10A');
    expect(await findOrCreateClass(t.db, schoolA, ' 10a ')).toBe(made);
    expect(await findOrCreateClass(t.db, schoolA, 'Year  9 set 1')).toBe(
      await findOrCreateClass(t.db, schoolA, 'year 9 SET 1'),
    );
    const other = await findOrCreateClass(t.db, schoolB, '10A');
    expect(other).not.toBe(made);
    const names = await t.db
      .selectFrom('classes')
      .select('name')
      .where('school_id', '=', schoolA)
      .orderBy('name')
      .execute();
    expect(names.map((n) => n.name)).toEqual(['10A', 'Year 9 set 1']);
  });

  it('adds a pupil to a class once, however often the import names them', async () => {
    const pupil = await t.createUser({ schoolId: schoolA });
    const cls = await findOrCreateClass(t.db, schoolA, '11B');
    await addClassMember(t.db, cls, pupil.id);
    await addClassMember(t.db, cls, pupil.id);
    const rows = await t.db.selectFrom('class_members').selectAll().where('class_id', '=', cls).execute();
    expect(rows).toEqual([{ class_id: cls, user_id: pupil.id }]);
  });
});
