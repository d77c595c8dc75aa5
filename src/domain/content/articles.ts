// Articles and newsletters: one model with a type. Content is sanitised rich
// HTML; a newsletter usually carries a PDF. Every change is one transaction
// with its audit entry. Files are written before the transaction and removed
// again if it fails; a replaced or deleted PDF's file is removed only after
// the transaction that stopped using it has committed.
import { z } from 'zod';
import type { Db } from '../../db/index.js';
import type { Article } from '../../db/schema.js';
import { audit, type AuditActor } from '../audit.js';
import { validateForm, type FormOutcome } from '../../lib/forms.js';
import { richContentField, titleField, type PageOf } from './content-forms.js';
import { recordUpload, removeUploadFile, storeUploadFile, type StoredFile, type UploadSettings } from './uploads.js';

export const ARTICLE_TYPES = ['article', 'newsletter'] as const;
export type ArticleType = (typeof ARTICLE_TYPES)[number];
export const ARTICLES_PER_PAGE = 10;

export interface ArticleInput {
  type: ArticleType;
  title: string;
  authorName: string;
  contentHtml: string;
}

export interface ArticlePdf {
  id: number;
  storedName: string;
  originalName: string;
  size: number;
}

export interface ArticleView extends Article {
  pdf: ArticlePdf | null;
}

export interface NewPdf {
  buffer: Buffer;
  filename: string;
}

const schema = z
  .object({
    type: z.enum(ARTICLE_TYPES, { error: 'Choose article or newsletter.' }),
    title: titleField(200),
    author_name: z
      .string()
      .trim()
      .min(1, 'Enter the author’s name as it should be shown.')
      .max(100, 'The author name is too long (at most 100 characters).'),
    content_html: richContentField({ required: false }),
  })
  .transform((v): ArticleInput => ({
    type: v.type,
    title: v.title,
    authorName: v.author_name,
    contentHtml: v.content_html,
  }));

export function validateArticle(fields: Record<string, string>): FormOutcome<ArticleInput> {
  return validateForm(schema, {
    type: fields.type ?? '',
    title: fields.title ?? '',
    author_name: fields.author_name ?? '',
    content_html: fields.content_html ?? '',
  });
}

export async function listArticles(
  db: Db,
  type: ArticleType | null,
  page: number,
  perPage = ARTICLES_PER_PAGE,
): Promise<PageOf<Article>> {
  let count = db.selectFrom('articles').select((eb) => eb.fn.countAll<number>().as('n'));
  let rows = db.selectFrom('articles').selectAll();
  if (type) {
    count = count.where('type', '=', type);
    rows = rows.where('type', '=', type);
  }
  const total = Number((await count.executeTakeFirstOrThrow()).n);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const items = await rows
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { items, total, page, pages, perPage };
}

export async function latestArticles(db: Db, type: ArticleType, limit: number): Promise<Article[]> {
  return db
    .selectFrom('articles')
    .selectAll()
    .where('type', '=', type)
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function getArticle(db: Db, id: number): Promise<ArticleView | null> {
  const row = await db.selectFrom('articles').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  let pdf: ArticlePdf | null = null;
  if (row.pdf_upload_id !== null) {
    const u = await db
      .selectFrom('uploads')
      .select(['id', 'stored_name', 'original_name', 'size'])
      .where('id', '=', row.pdf_upload_id)
      .executeTakeFirst();
    if (u) pdf = { id: u.id, storedName: u.stored_name, originalName: u.original_name, size: u.size };
  }
  return { ...row, pdf };
}

async function storePdf(settings: UploadSettings, pdf: NewPdf | null): Promise<StoredFile | null> {
  if (!pdf) return null;
  return storeUploadFile(settings, { buffer: pdf.buffer, originalName: pdf.filename, allowed: ['pdf'] });
}

export async function createArticle(
  db: Db,
  settings: UploadSettings,
  actor: AuditActor,
  input: ArticleInput,
  pdf: NewPdf | null,
): Promise<number> {
  const file = await storePdf(settings, pdf);
  try {
    return await db.transaction().execute(async (trx) => {
      const upload = file ? await recordUpload(trx, file, actor.id) : null;
      const now = new Date().toISOString();
      const row = await trx
        .insertInto('articles')
        .values({
          type: input.type,
          title: input.title,
          author_name: input.authorName,
          author_id: actor.id,
          content_html: input.contentHtml,
          pdf_upload_id: upload?.id ?? null,
          published_at: now,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await audit(trx, actor, {
        action: `${input.type}.create`,
        targetType: 'article',
        targetId: row.id,
        details: { title: input.title, pdf: file?.originalName ?? null },
      });
      return row.id;
    });
  } catch (err) {
    if (file) await removeUploadFile(settings, file.storedName);
    throw err;
  }
}

export interface PdfChange {
  /** A new PDF replacing the current one (or added). */
  replace: NewPdf | null;
  /** Remove the current PDF without a replacement. */
  remove: boolean;
}

/** Updates an article; returns false when it does not exist. */
export async function updateArticle(
  db: Db,
  settings: UploadSettings,
  actor: AuditActor,
  id: number,
  input: ArticleInput,
  change: PdfChange,
): Promise<boolean> {
  const file = await storePdf(settings, change.replace);
  let oldFile: string | null = null;
  try {
    const found = await db.transaction().execute(async (trx) => {
      const current = await trx
        .selectFrom('articles')
        .select(['id', 'pdf_upload_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!current) return false;
      let pdfId = current.pdf_upload_id;
      const dropOld = pdfId !== null && (file !== null || change.remove);
      if (file) pdfId = (await recordUpload(trx, file, actor.id)).id;
      else if (change.remove) pdfId = null;
      await trx
        .updateTable('articles')
        .set({
          type: input.type,
          title: input.title,
          author_name: input.authorName,
          content_html: input.contentHtml,
          pdf_upload_id: pdfId,
          updated_at: new Date().toISOString(),
        })
        .where('id', '=', id)
        .execute();
      if (dropOld) {
        const old = await trx
          .deleteFrom('uploads')
          .where('id', '=', current.pdf_upload_id!)
          .returning('stored_name')
          .executeTakeFirst();
        oldFile = old?.stored_name ?? null;
      }
      await audit(trx, actor, {
        action: `${input.type}.update`,
        targetType: 'article',
        targetId: id,
        details: {
          title: input.title,
          pdf: file ? `replaced with ${file.originalName}` : dropOld ? 'removed' : 'unchanged',
        },
      });
      return true;
    });
    if (!found) {
      if (file) await removeUploadFile(settings, file.storedName);
      return false;
    }
  } catch (err) {
    if (file) await removeUploadFile(settings, file.storedName);
    throw err;
  }
  // The old file goes only now that nothing refers to it any more.
  if (oldFile) await removeUploadFile(settings, oldFile);
  return true;
}

/** Deletes an article and its PDF; returns false when it does not exist. */
export async function deleteArticle(db: Db, settings: UploadSettings, actor: AuditActor, id: number): Promise<boolean> {
  const removed = await db.transaction().execute(async (trx) => {
    const row = await trx
      .deleteFrom('articles')
      .where('id', '=', id)
      .returning(['id', 'type', 'title', 'pdf_upload_id'])
      .executeTakeFirst();
    if (!row) return null;
    let storedName: string | null = null;
    if (row.pdf_upload_id !== null) {
      const up = await trx
        .deleteFrom('uploads')
        .where('id', '=', row.pdf_upload_id)
        .returning('stored_name')
        .executeTakeFirst();
      storedName = up?.stored_name ?? null;
    }
    await audit(trx, actor, {
      action: `${row.type}.delete`,
      targetType: 'article',
      targetId: id,
      details: { title: row.title },
    });
    return { storedName };
  });
  if (!removed) return false;
  if (removed.storedName) await removeUploadFile(settings, removed.storedName);
  return true;
}
