// answer_boxes.wrong_form_costs_attempt: whether a try with the right value in
// a form the box does not accept (not expanded, not simplified, …) uses one of
// the student's attempts. It is a rule of the platform's attempts, not a
// grading option of the math engine, so it is a column of its own rather than
// a key in options_json (whose keys the engine validates strictly). Default 0:
// such a try is answered with a hint and not counted.
import type { Kysely } from 'kysely';
import type { MigrationDb } from './helpers.js';

export async function up(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema
    .alterTable('answer_boxes')
    .addColumn('wrong_form_costs_attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<MigrationDb>): Promise<void> {
  await db.schema.alterTable('answer_boxes').dropColumn('wrong_form_costs_attempt').execute();
}
