// What the route matrices share: a data set that gives every `:id` something to
// find, concrete URLs for the route table's patterns, one request per route,
// and a snapshot of every table to prove that nothing changed.
import type { LightMyRequestResponse } from 'fastify';
import type { RouteEntry } from '../../src/security/access.js';
import type { TestApp, TestClient } from '../helpers/app.js';
import { ownTables } from '../helpers/db.js';

/** Values for path parameters; anything not listed becomes "1" (the first row of every table). */
const PARAMS: Record<string, string> = { slug: 'about', name: 'missing-file.pdf', '*': 'missing.js' };

/** A concrete URL for a route pattern such as /admin/users/:id/edit or /assets/*. */
export function concreteUrl(pattern: string): string {
  return pattern
    .replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, (_m, name: string) => PARAMS[name] ?? '1')
    .replace(/\*/g, PARAMS['*']!);
}

export const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The route table, one entry per method and URL. */
export function routes(app: TestApp['app']): RouteEntry[] {
  const seen = new Set<string>();
  return app.routeTable.filter((r) => {
    const key = `${r.method} ${r.url}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export const label = (r: RouteEntry) => `${r.method} ${r.url}`;

/** Sends the route's method to its concrete URL with an empty form (or `{}` for JSON routes). */
export async function hit(
  t: TestApp,
  client: TestClient | null,
  r: RouteEntry,
  opts: { csrf?: string | false; headers?: Record<string, string>; https?: boolean } = {},
): Promise<LightMyRequestResponse> {
  const url = concreteUrl(r.url);
  if (!UNSAFE.has(r.method)) {
    const headers: Record<string, string> = {
      ...(opts.https ? { 'x-forwarded-proto': 'https' } : {}),
      ...opts.headers,
    };
    if (client?.cookies.size) headers.cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return t.app.inject({ method: r.method as 'GET' | 'HEAD', url, headers });
  }
  const method = r.method as 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  const c = client ?? t.client({ https: opts.https });
  return c.send(method, url, {}, { csrf: opts.csrf ?? false, json: r.json, headers: opts.headers });
}

/** Rows of every table of the app's database (this test's schema only), in a stable order. */
export async function snapshot(t: TestApp): Promise<Record<string, string[]>> {
  const tables = await ownTables(t.database);
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const rows = (await t.db
      .selectFrom(table as never)
      .selectAll()
      .execute()) as Array<Record<string, unknown>>;
    out[table] = rows
      .map((row) => {
        if (table === 'sessions') {
          // Last-seen bookkeeping (at most once a minute) is not a change of data.
          const { last_seen_at: _a, idle_expires_at: _b, ...rest } = row;
          return JSON.stringify(rest);
        }
        return JSON.stringify(row);
      })
      .sort();
  }
  return out;
}

/** One row in every content table, so that "/…/1" finds something. */
export async function seedData(t: TestApp): Promise<void> {
  const db = t.db;
  const now = new Date().toISOString();
  const past = new Date(Date.now() - 48 * 3600_000).toISOString();
  const later = new Date(Date.now() + 30 * 24 * 3600_000).toISOString();
  const school = await db
    .insertInto('schools')
    .values({ name: 'Fixture School', email_domain: 'school.example.org', address: '1 High St', created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const student = await t.createUser({
    firstName: 'Fixture',
    lastName: 'Student',
    schoolId: school.id,
    yearGroup: 10,
    keyStage: 'KS4',
  });
  const author = await t.createUser({ firstName: 'Fixture', lastName: 'Admin', isAdmin: true, schoolId: school.id });
  const competition = await db
    .insertInto('competitions')
    .values({
      name: 'Autumn Competition',
      about_html: '<p>About</p>',
      starts_at: past,
      ends_at: later,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('competition_schools').values({ competition_id: competition.id, school_id: school.id }).execute();
  await db
    .insertInto('competition_participants')
    .values({
      competition_id: competition.id,
      user_id: student.id,
      school_id: school.id,
      key_stage: 'KS4',
      created_at: now,
    })
    .execute();
  const challenge = await db
    .insertInto('challenges')
    .values({
      title: 'Fixture challenge',
      content_html: '<p>Solve <span class="math-inline" data-latex="x+1=2">x+1=2</span>.</p>',
      image_upload_id: null,
      key_stage: 'KS4',
      release_at: past,
      lock_after_hours: null,
      is_locked: 0,
      attempts_per_box: 3,
      competition_id: null,
      duration_hours: null,
      first_completed_at: past,
      first_completed_by: student.id,
      created_by: author.id,
      created_at: past,
      updated_at: past,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const box = await db
    .insertInto('answer_boxes')
    .values({
      challenge_id: challenge.id,
      position: 1,
      label: 'x =',
      correct_answer: '1',
      options_json: '{}',
      created_at: past,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('submissions')
    .values({
      user_id: student.id,
      challenge_id: challenge.id,
      box_id: box.id,
      answer: '1',
      is_correct: 1,
      is_admin_try: 0,
      created_at: past,
    })
    .execute();
  await db
    .insertInto('completions')
    .values({
      user_id: student.id,
      challenge_id: challenge.id,
      key_stage: 'KS4',
      points: 3,
      competition_id: null,
      school_id: school.id,
      completed_at: past,
    })
    .execute();
  await db
    .insertInto('scores')
    .values({ user_id: student.id, key_stage: 'KS4', points: 3, challenges_completed: 1, updated_at: past })
    .execute();
  await db
    .insertInto('score_adjustments')
    .values({
      user_id: student.id,
      key_stage: 'KS4',
      competition_id: null,
      points: 2,
      reason: 'Fixture bonus',
      created_by: author.id,
      created_at: past,
    })
    .execute();
  await db
    .insertInto('competition_scores')
    .values({
      competition_id: competition.id,
      user_id: student.id,
      school_id: school.id,
      key_stage: 'KS4',
      points: 3,
      challenges_completed: 1,
      updated_at: past,
    })
    .execute();
  const cls = await db
    .insertInto('classes')
    .values({ school_id: school.id, name: 'Fixture class', created_at: past, updated_at: past })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('class_members').values({ class_id: cls.id, user_id: student.id }).execute();
  for (const type of ['article', 'newsletter']) {
    await db
      .insertInto('articles')
      .values({
        type,
        title: `Fixture ${type}`,
        author_name: 'A. Author',
        author_id: author.id,
        content_html: '<p>Text</p>',
        pdf_upload_id: null,
        published_at: past,
        created_at: past,
        updated_at: past,
      })
      .execute();
  }
  await db
    .insertInto('announcements')
    .values({
      title: 'Fixture announcement',
      content_html: '<p>News</p>',
      author_id: author.id,
      created_at: past,
      updated_at: past,
    })
    .execute();
  for (const slug of ['about', 'privacy', 'competition-about']) {
    await db
      .insertInto('pages')
      .values({ slug, title: slug, content_html: '<p>Page</p>', updated_by: author.id, updated_at: past })
      .onConflict((oc) => oc.column('slug').doNothing())
      .execute();
  }
  await db
    .insertInto('audit_log')
    .values({
      actor_id: author.id,
      actor_email: author.email,
      action: 'fixture.create',
      target_type: 'challenge',
      target_id: String(challenge.id),
      details: '{}',
      ip: '127.0.0.1',
      user_agent: 'fixture',
      created_at: past,
    })
    .execute();
}
