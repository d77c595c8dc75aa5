// A class's leaderboard (ADR 033): the class's pupils ranked by their weekly
// points, read from the maintained `scores` table like the key-stage boards.
// A pupil's points are summed over the boards they have a row on (in practice
// their own key stage's), so a class that mixes school years ranks everyone by
// the same number their key-stage board shows. Leavers, and accounts the board
// visibility rules keep off public boards, are left out. Pupils see their own
// classes' boards; a class's teachers and admins see any they manage.
import type { DbOrTrx } from '../../db/index.js';
import type { BoardVisibility } from '../accounts/board-visibility.js';
import { publicName, rankRows } from '../challenges/leaderboards.js';
import { canManageClass, findClass, type ClassDetail, type ClassViewer } from './classes.js';

export interface ClassBoardEntry {
  /** Shared rank for equal points; null with no points yet (listed last). */
  rank: number | null;
  userId: number;
  /** "Ada L.", as on every board pupils see. */
  name: string;
  /** The full name, for the class's teachers. */
  fullName: string;
  points: number;
  completed: number;
}

export interface ClassBoard {
  cls: ClassDetail;
  entries: ClassBoardEntry[];
}

/** The class's pupils, best first; ties share a rank, pupils without points come last, unranked. */
export async function classBoardEntries(
  db: DbOrTrx,
  classId: number,
  visibility: BoardVisibility,
): Promise<ClassBoardEntry[]> {
  const rows = await db
    .selectFrom('class_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .leftJoin('scores as s', 's.user_id', 'u.id')
    .select((eb) => [
      'u.id',
      'u.first_name',
      'u.last_name',
      eb.fn.coalesce(eb.fn.sum<number>('s.points'), eb.lit(0)).as('points'),
      eb.fn.coalesce(eb.fn.sum<number>('s.challenges_completed'), eb.lit(0)).as('completed'),
    ])
    .where('m.class_id', '=', classId)
    .where('u.archived_at', 'is', null)
    .$if(visibility.confirmedOnly, (qb) => qb.where('u.email_verified_at', 'is not', null))
    .groupBy(['u.id', 'u.first_name', 'u.last_name'])
    .execute();
  const all = rows
    .map((r) => ({
      userId: r.id,
      name: publicName(r.first_name, r.last_name),
      fullName: `${r.first_name} ${r.last_name}`,
      lastName: r.last_name,
      points: Number(r.points),
      completed: Number(r.completed),
    }))
    .sort(
      (a, b) =>
        b.points - a.points ||
        b.completed - a.completed ||
        a.name.localeCompare(b.name) ||
        a.lastName.localeCompare(b.lastName) ||
        a.userId - b.userId,
    );
  const strip = ({ lastName: _l, ...rest }: (typeof all)[number]) => rest;
  const ranked = rankRows(all.filter((r) => r.points > 0)).map((r) => ({ ...strip(r), rank: r.rank }));
  const unranked = all.filter((r) => r.points <= 0).map((r) => ({ ...strip(r), rank: null }));
  return [...ranked, ...unranked];
}

/** The classes a pupil is in, by school and name: only those of the school they belong to now. */
export function classesOfPupil(db: DbOrTrx, userId: number): Promise<ClassDetail[]> {
  return db
    .selectFrom('class_members as m')
    .innerJoin('classes as c', 'c.id', 'm.class_id')
    .innerJoin('schools as s', 's.id', 'c.school_id')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['c.id', 'c.school_id as schoolId', 's.name as schoolName', 'c.name', 'c.created_at as createdAt'])
    .where('m.user_id', '=', userId)
    .whereRef('u.school_id', '=', 'c.school_id')
    .orderBy('s.name')
    .orderBy('c.name')
    .orderBy('c.id')
    .execute();
}

/** The boards of every class the pupil is in. */
export async function boardsOfPupil(db: DbOrTrx, userId: number, visibility: BoardVisibility): Promise<ClassBoard[]> {
  const classes = await classesOfPupil(db, userId);
  const out: ClassBoard[] = [];
  for (const cls of classes) out.push({ cls, entries: await classBoardEntries(db, cls.id, visibility) });
  return out;
}

/**
 * One class's board as the viewer may see it: a pupil of the class, one of its
 * teachers, or an admin. Missing and not-theirs are told apart (404 / 403).
 */
export async function boardForViewer(
  db: DbOrTrx,
  viewer: ClassViewer,
  classId: number,
  visibility: BoardVisibility,
): Promise<{ kind: 'missing' } | { kind: 'forbidden' } | { kind: 'ok'; board: ClassBoard }> {
  const cls = await findClass(db, classId);
  if (!cls) return { kind: 'missing' };
  let allowed = await canManageClass(db, viewer, classId);
  if (!allowed) {
    const member = await db
      .selectFrom('class_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select('m.user_id')
      .where('m.class_id', '=', classId)
      .where('m.user_id', '=', viewer.id)
      .where('u.archived_at', 'is', null)
      // A pupil who moved school no longer sees the old school's class.
      .where('u.school_id', '=', cls.schoolId)
      .executeTakeFirst();
    allowed = member !== undefined;
  }
  if (!allowed) return { kind: 'forbidden' };
  return { kind: 'ok', board: { cls, entries: await classBoardEntries(db, classId, visibility) } };
}
