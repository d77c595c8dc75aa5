// Announcements: a title and sanitised rich content; the newest one is shown
// on the home page. Each change is one transaction with its audit entry.
import { z } from 'zod';
import type { Db } from '../../db/index.js';
import type { Announcement } from '../../db/schema.js';
import { audit, type AuditActor } from '../audit.js';
import { validateForm, type FormOutcome } from '../../lib/forms.js';
import { richContentField, titleField, type PageOf } from './content-forms.js';

const ANNOUNCEMENTS_PER_PAGE = 10;

export interface AnnouncementInput {
  title: string;
  contentHtml: string;
}

const schema = z
  .object({
    title: titleField(200),
    content_html: richContentField({ required: true }),
  })
  .transform((v): AnnouncementInput => ({ title: v.title, contentHtml: v.content_html }));

export function validateAnnouncement(fields: Record<string, string>): FormOutcome<AnnouncementInput> {
  return validateForm(schema, { title: fields.title ?? '', content_html: fields.content_html ?? '' });
}

export async function listAnnouncements(
  db: Db,
  page: number,
  perPage = ANNOUNCEMENTS_PER_PAGE,
): Promise<PageOf<Announcement>> {
  const { n } = await db
    .selectFrom('announcements')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const total = Number(n);
  const items = await db
    .selectFrom('announcements')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { items, total, page, pages: Math.max(1, Math.ceil(total / perPage)), perPage };
}

export async function latestAnnouncement(db: Db): Promise<Announcement | null> {
  return (
    (await db
      .selectFrom('announcements')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst()) ?? null
  );
}

export async function getAnnouncement(db: Db, id: number): Promise<Announcement | null> {
  return (await db.selectFrom('announcements').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

export async function createAnnouncement(db: Db, actor: AuditActor, input: AnnouncementInput): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString();
    const row = await trx
      .insertInto('announcements')
      .values({
        title: input.title,
        content_html: input.contentHtml,
        author_id: actor.id,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, actor, {
      action: 'announcement.create',
      targetType: 'announcement',
      targetId: row.id,
      details: { title: input.title },
    });
    return row.id;
  });
}

export async function updateAnnouncement(
  db: Db,
  actor: AuditActor,
  id: number,
  input: AnnouncementInput,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('announcements')
      .set({ title: input.title, content_html: input.contentHtml, updated_at: new Date().toISOString() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await audit(trx, actor, {
      action: 'announcement.update',
      targetType: 'announcement',
      targetId: id,
      details: { title: input.title },
    });
    return true;
  });
}

export async function deleteAnnouncement(db: Db, actor: AuditActor, id: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.deleteFrom('announcements').where('id', '=', id).returning('title').executeTakeFirst();
    if (!row) return false;
    await audit(trx, actor, {
      action: 'announcement.delete',
      targetType: 'announcement',
      targetId: id,
      details: { title: row.title },
    });
    return true;
  });
}
