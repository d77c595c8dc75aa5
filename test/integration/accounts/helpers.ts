// Shared bits of the account tests: a school to register with, a valid
// registration form, and readers for what a page shows.
import type { TestApp } from '../../helpers/app.js';

export const SCHOOL_DOMAIN = 'school.example.org';
export const GOOD_PASSWORD = 'purple giraffe tea kettle';

export async function addSchool(t: TestApp, domain = SCHOOL_DOMAIN, name = `School ${domain}`): Promise<number> {
  const row = await t.db
    .insertInto('schools')
    .values({
      name,
      email_domain: domain,
      address: null,
      created_at: new Date().toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

let n = 0;
export function registration(overrides: Record<string, string> = {}): Record<string, string> {
  n += 1;
  return {
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: `ada${n}-${Date.now()}@${SCHOOL_DOMAIN}`,
    year_group: '9',
    maths_class: '9X1',
    password: GOOD_PASSWORD,
    password_confirm: GOOD_PASSWORD,
    ...overrides,
  };
}

/** The text of the error shown next to field `name`, or null. */
export function fieldError(html: string, name: string): string | null {
  const m = new RegExp(`<p class="field-error" id="${name}-error">([^<]*)</p>`).exec(html);
  return m ? decode(m[1]!) : null;
}

/** The attributes of the form control named `name` (attribute values may contain ">"). */
export function controlAttributes(html: string, name: string): Record<string, string> | null {
  const tags = html.matchAll(/<(?:input|select|textarea)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g);
  for (const tag of tags) {
    const attrs: Record<string, string> = {};
    for (const a of tag[1]!.matchAll(/([^\s=>/]+)(?:="([^"]*)")?/g)) attrs[a[1]!] = decode(a[2] ?? '');
    if (attrs.name === name) return attrs;
  }
  return null;
}

/** The value a text input was re-rendered with. */
export function inputValue(html: string, name: string): string | null {
  const attrs = controlAttributes(html, name);
  return attrs ? (attrs.value ?? '') : null;
}

export function decode(text: string): string {
  return text
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export async function auditRows(t: TestApp, action: string) {
  return t.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
}

/** A released challenge with one answer box, as the challenges area stores it. */
export async function addChallenge(t: TestApp, fields: { title?: string; keyStage?: string } = {}) {
  const now = new Date().toISOString();
  const challenge = await t.db
    .insertInto('challenges')
    .values({
      title: fields.title ?? 'Sum of angles',
      content_html: '<p>?</p>',
      image_upload_id: null,
      key_stage: fields.keyStage ?? 'KS4',
      release_at: now,
      lock_after_hours: null,
      is_locked: 0,
      attempts_per_box: 3,
      competition_id: null,
      duration_hours: null,
      first_completed_at: null,
      first_completed_by: null,
      created_by: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const box = await t.db
    .insertInto('answer_boxes')
    .values({
      challenge_id: challenge.id,
      position: 1,
      label: 'Angle',
      correct_answer: '180',
      options_json: '{}',
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { challengeId: challenge.id, boxId: box.id };
}

/** A user's solved challenge: a wrong then a right submission, the completion and the score row. */
export async function addSolvedChallenge(
  t: TestApp,
  userId: number,
  opts: { title?: string; keyStage?: string; points?: number } = {},
) {
  const { challengeId, boxId } = await addChallenge(t, opts);
  const ks = opts.keyStage ?? 'KS4';
  const points = opts.points ?? 3;
  const earlier = new Date(Date.now() - 60_000).toISOString();
  const now = new Date().toISOString();
  await t.db
    .insertInto('submissions')
    .values([
      {
        user_id: userId,
        challenge_id: challengeId,
        box_id: boxId,
        answer: '90',
        is_correct: 0,
        is_admin_try: 0,
        created_at: earlier,
      },
      {
        user_id: userId,
        challenge_id: challengeId,
        box_id: boxId,
        answer: '180',
        is_correct: 1,
        is_admin_try: 0,
        created_at: now,
      },
    ])
    .execute();
  await t.db
    .insertInto('completions')
    .values({
      user_id: userId,
      challenge_id: challengeId,
      key_stage: ks,
      points,
      competition_id: null,
      school_id: null,
      completed_at: now,
    })
    .execute();
  await t.db
    .updateTable('challenges')
    .set({ first_completed_at: now, first_completed_by: userId })
    .where('id', '=', challengeId)
    .execute();
  // The points go on the pupil's own key stage's board (ADR 015), whatever the challenge's.
  const owner = await t.db.selectFrom('users').select('key_stage').where('id', '=', userId).executeTakeFirstOrThrow();
  const board = owner.key_stage ?? ks;
  const existing = await t.db
    .selectFrom('scores')
    .select(['id', 'points', 'challenges_completed'])
    .where('user_id', '=', userId)
    .where('key_stage', '=', board)
    .executeTakeFirst();
  if (existing) {
    await t.db
      .updateTable('scores')
      .set({ points: existing.points + points, challenges_completed: existing.challenges_completed + 1 })
      .where('id', '=', existing.id)
      .execute();
  } else {
    await t.db
      .insertInto('scores')
      .values({ user_id: userId, key_stage: board, points, challenges_completed: 1, updated_at: now })
      .execute();
  }
  return { challengeId, boxId };
}

export async function count(
  t: TestApp,
  table: 'users' | 'submissions' | 'completions' | 'scores' | 'sessions' | 'score_adjustments' | 'audit_log',
  where?: [string, number],
) {
  let q = t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  if (where) q = q.where(where[0] as never, '=', where[1] as never);
  return Number((await q.executeTakeFirstOrThrow()).n);
}
