// Topic tags on weekly challenges and the question bank built on them: the
// admin types tags as a comma-separated list; each is normalised (lower case,
// single spaces) so "Fractions" and " fractions " are one tag.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isLocked } from './challenges.js';

type DbOrTrx = Kysely<Database> | Transaction<Database>;

export const MAX_TAGS = 8;
export const MAX_TAG_LENGTH = 30;
/** Longest tags field read: enough for MAX_TAGS long tags and their commas. */
export const MAX_TAGS_FIELD = MAX_TAGS * (MAX_TAG_LENGTH + 2) + 20;
const TAG = /^[\p{L}\p{N}](?:[\p{L}\p{N}' -]*[\p{L}\p{N}])?$/u;

/** One tag as stored: NFC, lower case, inner spaces collapsed, ends trimmed. */
export function normaliseTag(raw: string): string {
  return raw.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The tags in a comma-separated field, de-duplicated in typed order, or why they are refused. */
export function parseTags(raw: string): { ok: true; tags: string[] } | { ok: false; error: string } {
  if (raw.length > MAX_TAGS_FIELD) return { ok: false, error: `Use at most ${MAX_TAGS} tags.` };
  const tags: string[] = [];
  for (const part of raw.split(',')) {
    const tag = normaliseTag(part);
    if (tag === '' || tags.includes(tag)) continue;
    if ([...tag].length > MAX_TAG_LENGTH)
      return { ok: false, error: `Each tag must be at most ${MAX_TAG_LENGTH} characters: «${tag}» is too long.` };
    if (!TAG.test(tag))
      return {
        ok: false,
        error: `Tags may use letters, numbers, spaces, hyphens and apostrophes only: «${tag}» cannot be used.`,
      };
    tags.push(tag);
  }
  if (tags.length > MAX_TAGS) return { ok: false, error: `Use at most ${MAX_TAGS} tags (you gave ${tags.length}).` };
  return { ok: true, tags };
}

/** Replaces a challenge's tags; call inside the transaction that saves the challenge. */
export async function setChallengeTags(trx: Transaction<Database>, challengeId: number, tags: string[]): Promise<void> {
  await trx.deleteFrom('challenge_tags').where('challenge_id', '=', challengeId).execute();
  if (tags.length === 0) return;
  const now = new Date().toISOString();
  await trx
    .insertInto('tags')
    .values(tags.map((name) => ({ name, created_at: now })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const rows = await trx.selectFrom('tags').select('id').where('name', 'in', tags).execute();
  await trx
    .insertInto('challenge_tags')
    .values(rows.map((r) => ({ challenge_id: challengeId, tag_id: r.id })))
    .execute();
}

/** The tags of each challenge, alphabetical. */
export async function tagsOf(db: DbOrTrx, challengeIds: number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>(challengeIds.map((id) => [id, []]));
  if (challengeIds.length === 0) return out;
  const rows = await db
    .selectFrom('challenge_tags')
    .innerJoin('tags', 'tags.id', 'challenge_tags.tag_id')
    .select(['challenge_tags.challenge_id', 'tags.name'])
    .where('challenge_tags.challenge_id', 'in', challengeIds)
    .orderBy('tags.name')
    .execute();
  for (const r of rows) out.get(r.challenge_id)?.push(r.name);
  return out;
}

export interface BankFilter {
  keyStage: string | null;
  tag: string | null;
}

export interface BankRow {
  id: number;
  title: string;
  keyStage: string;
  releaseAt: string;
  locked: boolean;
  tags: string[];
}

export interface QuestionBank {
  rows: BankRow[];
  total: number;
  page: number;
  pages: number;
  /** Every tag on a released weekly challenge, with how many it is on. */
  tags: Array<{ name: string; count: number }>;
}

export const BANK_PER_PAGE = 30;

/** Released weekly challenges (newest first), filtered by key stage and tag, a page at a time. */
export async function questionBank(db: DbOrTrx, filter: BankFilter, now: string, page = 1): Promise<QuestionBank> {
  let q = db.selectFrom('challenges').where('competition_id', 'is', null).where('release_at', '<=', now);
  if (filter.keyStage) q = q.where('key_stage', '=', filter.keyStage);
  if (filter.tag) {
    const tag = filter.tag;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('challenge_tags')
          .innerJoin('tags', 'tags.id', 'challenge_tags.tag_id')
          .select('challenge_tags.tag_id')
          .whereRef('challenge_tags.challenge_id', '=', 'challenges.id')
          .where('tags.name', '=', tag),
      ),
    );
  }
  const { n } = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / BANK_PER_PAGE));
  const current = Math.min(Math.max(1, page), pages);
  const found = await q
    .select(['id', 'title', 'key_stage', 'release_at', 'lock_after_hours', 'is_locked'])
    .orderBy('release_at', 'desc')
    .orderBy('id', 'desc')
    .limit(BANK_PER_PAGE)
    .offset((current - 1) * BANK_PER_PAGE)
    .execute();
  const tags = await tagsOf(
    db,
    found.map((r) => r.id),
  );
  const counts = await db
    .selectFrom('tags')
    .innerJoin('challenge_tags', 'challenge_tags.tag_id', 'tags.id')
    .innerJoin('challenges', 'challenges.id', 'challenge_tags.challenge_id')
    .select(['tags.name', (eb) => eb.fn.countAll<number>().as('n')])
    .where('challenges.competition_id', 'is', null)
    .where('challenges.release_at', '<=', now)
    .groupBy('tags.name')
    .orderBy('tags.name')
    .execute();
  return {
    rows: found.map((r) => ({
      id: r.id,
      title: r.title,
      keyStage: r.key_stage,
      releaseAt: r.release_at,
      locked: isLocked(r, r.lock_after_hours, now),
      tags: tags.get(r.id) ?? [],
    })),
    total,
    page: current,
    pages,
    tags: counts.map((c) => ({ name: c.name, count: Number(c.n) })),
  };
}
