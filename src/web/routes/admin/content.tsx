// Admin: create, edit and delete articles/newsletters and announcements, and
// edit the stored pages. Every change is a POST with a CSRF token, validated,
// sanitised, written in one transaction and audit-logged (in the domain).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  createArticle,
  deleteArticle,
  getArticle,
  listArticles,
  updateArticle,
  validateArticle,
  type ArticleType,
} from '../../../domain/content/articles.js';
import {
  createAnnouncement,
  deleteAnnouncement,
  getAnnouncement,
  listAnnouncements,
  updateAnnouncement,
  validateAnnouncement,
} from '../../../domain/content/announcements.js';
import { requestActor } from '../../../domain/audit.js';
import { getPage, PAGES, pageBySlug, updatePage, validatePage } from '../../../domain/content/pages.js';
import { UploadError } from '../../../domain/content/uploads.js';
import type { FieldErrors } from '../../../lib/forms.js';
import { HttpError } from '../../../security/access.js';
import { formFields, formFile, type FormFile } from '../../multipart.js';
import { idParam, pageParam, paramValue } from '../../params.js';
import { viewContext } from '../../views/context.js';
import {
  AdminAnnouncementForm,
  AdminAnnouncementList,
  AdminArticleForm,
  AdminArticleList,
  AdminPageForm,
  AdminPageList,
  ConfirmDeletePage,
  type ArticleFormValues,
} from '../../views/content/admin.js';
import { articleUrl, SECTION } from '../../views/content/articles.js';

const ADMIN = { access: 'admin' } as const;
const ADMIN_UPLOAD = { access: 'admin', multipart: true } as const;

const routeId = (request: FastifyRequest): number => idParam(request, 'There is nothing at this address.');

function articleValues(fields: Record<string, string>): ArticleFormValues {
  return {
    type: fields.type ?? 'article',
    title: fields.title ?? '',
    author_name: fields.author_name ?? '',
    content_html: fields.content_html ?? '',
  };
}

/** The PDF the form sent, or an error message for the pdf field. */
function pdfFromForm(request: FastifyRequest): { file: FormFile | null; error: UploadError | null } {
  try {
    return { file: formFile(request, 'pdf'), error: null };
  } catch (err) {
    if (err instanceof UploadError) return { file: null, error: err };
    throw err;
  }
}

export async function adminContentRoutes(app: FastifyInstance): Promise<void> {
  const settings = app.config.uploads;

  // ------------------------------------------------------------ articles and newsletters
  app.get('/articles', { config: ADMIN }, async (request, reply) => {
    const list = await listArticles(app.db, null, pageParam(request), 25);
    return reply.render(<AdminArticleList ctx={viewContext(request)} list={list} />);
  });

  app.get('/articles/new', { config: ADMIN }, async (request, reply) => {
    const u = request.user!;
    const values = { type: 'article', title: '', author_name: `${u.firstName} ${u.lastName}`.trim(), content_html: '' };
    return reply.render(
      <AdminArticleForm ctx={viewContext(request)} id={null} values={values} pdf={null} maxMb={settings.maxMb} />,
    );
  });

  async function saveArticle(request: FastifyRequest, reply: FastifyReply, id: number | null) {
    const existing = id === null ? null : await getArticle(app.db, id);
    if (id !== null && !existing) throw new HttpError(404, 'There is no article at this address.');
    const fields = formFields(request.body);
    const values = articleValues(fields);
    const pdf = pdfFromForm(request);
    const checked = validateArticle(fields);
    const errors: FieldErrors = checked.ok ? {} : { ...checked.errors };
    if (pdf.error) errors.pdf = pdf.error.message;
    const removePdf = fields.remove_pdf === '1' && !pdf.file;
    const hasPdf = pdf.file !== null || (existing?.pdf != null && !removePdf);
    if (checked.ok && !hasPdf && checked.data.contentHtml === '') {
      errors.content_html = 'Write some content or attach a PDF.';
    }
    const form = (status: number, errs: FieldErrors) =>
      reply.render(
        <AdminArticleForm
          ctx={viewContext(request)}
          id={id}
          values={values}
          pdf={existing?.pdf ?? null}
          maxMb={settings.maxMb}
          errors={errs}
        />,
        status,
      );
    if (!checked.ok || Object.keys(errors).length > 0) return form(pdf.error?.statusCode === 413 ? 413 : 400, errors);

    const actor = requestActor(request);
    try {
      if (id === null) {
        const newId = await createArticle(app.db, settings, actor, checked.data, pdf.file);
        reply.flash('success', `${SECTION[checked.data.type].singular} “${checked.data.title}” published.`);
        return reply.redirect(articleUrl({ id: newId, type: checked.data.type }), 303);
      }
      const found = await updateArticle(app.db, settings, actor, id, checked.data, {
        replace: pdf.file,
        remove: removePdf,
      });
      if (!found) throw new HttpError(404, 'There is no article at this address.');
      reply.flash('success', `“${checked.data.title}” saved.`);
      return reply.redirect(articleUrl({ id, type: checked.data.type }), 303);
    } catch (err) {
      if (err instanceof UploadError) return form(err.statusCode, { pdf: err.message });
      throw err;
    }
  }

  app.post('/articles', { config: ADMIN_UPLOAD }, (request, reply) => saveArticle(request, reply, null));

  app.get('/articles/:id/edit', { config: ADMIN }, async (request, reply) => {
    const article = await getArticle(app.db, routeId(request));
    if (!article) throw new HttpError(404, 'There is no article at this address.');
    const values = {
      type: article.type,
      title: article.title,
      author_name: article.author_name,
      content_html: article.content_html,
    };
    return reply.render(
      <AdminArticleForm
        ctx={viewContext(request)}
        id={article.id}
        values={values}
        pdf={article.pdf}
        maxMb={settings.maxMb}
      />,
    );
  });

  app.post('/articles/:id', { config: ADMIN_UPLOAD }, (request, reply) =>
    saveArticle(request, reply, routeId(request)),
  );

  app.get('/articles/:id/delete', { config: ADMIN }, async (request, reply) => {
    const article = await getArticle(app.db, routeId(request));
    if (!article) throw new HttpError(404, 'There is no article at this address.');
    const what = SECTION[article.type as ArticleType]?.singular.toLowerCase() ?? 'article';
    return reply.render(
      <ConfirmDeletePage
        ctx={viewContext(request)}
        what={what}
        name={article.title}
        action={`/admin/articles/${article.id}/delete`}
        back="/admin/articles"
      />,
    );
  });

  app.post('/articles/:id/delete', { config: ADMIN }, async (request, reply) => {
    const id = routeId(request);
    if (!(await deleteArticle(app.db, settings, requestActor(request), id)))
      throw new HttpError(404, 'There is no article at this address.');
    reply.flash('success', 'Deleted.');
    return reply.redirect('/admin/articles', 303);
  });

  // ------------------------------------------------------------ announcements
  app.get('/announcements', { config: ADMIN }, async (request, reply) => {
    const list = await listAnnouncements(app.db, pageParam(request), 25);
    return reply.render(<AdminAnnouncementList ctx={viewContext(request)} list={list} />);
  });

  app.get('/announcements/new', { config: ADMIN }, async (request, reply) =>
    reply.render(
      <AdminAnnouncementForm ctx={viewContext(request)} id={null} values={{ title: '', content_html: '' }} />,
    ),
  );

  async function saveAnnouncement(request: FastifyRequest, reply: FastifyReply, id: number | null) {
    if (id !== null && !(await getAnnouncement(app.db, id)))
      throw new HttpError(404, 'There is no announcement at this address.');
    const fields = formFields(request.body);
    const values = { title: fields.title ?? '', content_html: fields.content_html ?? '' };
    const checked = validateAnnouncement(fields);
    if (!checked.ok) {
      return reply.render(
        <AdminAnnouncementForm ctx={viewContext(request)} id={id} values={values} errors={checked.errors} />,
        400,
      );
    }
    const actor = requestActor(request);
    if (id === null) {
      const newId = await createAnnouncement(app.db, actor, checked.data);
      reply.flash('success', `Announcement “${checked.data.title}” posted.`);
      return reply.redirect(`/announcements/${newId}`, 303);
    }
    if (!(await updateAnnouncement(app.db, actor, id, checked.data)))
      throw new HttpError(404, 'There is no announcement at this address.');
    reply.flash('success', `“${checked.data.title}” saved.`);
    return reply.redirect(`/announcements/${id}`, 303);
  }

  app.post('/announcements', { config: ADMIN }, (request, reply) => saveAnnouncement(request, reply, null));

  app.get('/announcements/:id/edit', { config: ADMIN }, async (request, reply) => {
    const a = await getAnnouncement(app.db, routeId(request));
    if (!a) throw new HttpError(404, 'There is no announcement at this address.');
    return reply.render(
      <AdminAnnouncementForm
        ctx={viewContext(request)}
        id={a.id}
        values={{ title: a.title, content_html: a.content_html }}
      />,
    );
  });

  app.post('/announcements/:id', { config: ADMIN }, (request, reply) =>
    saveAnnouncement(request, reply, routeId(request)),
  );

  app.get('/announcements/:id/delete', { config: ADMIN }, async (request, reply) => {
    const a = await getAnnouncement(app.db, routeId(request));
    if (!a) throw new HttpError(404, 'There is no announcement at this address.');
    return reply.render(
      <ConfirmDeletePage
        ctx={viewContext(request)}
        what="announcement"
        name={a.title}
        action={`/admin/announcements/${a.id}/delete`}
        back="/admin/announcements"
      />,
    );
  });

  app.post('/announcements/:id/delete', { config: ADMIN }, async (request, reply) => {
    if (!(await deleteAnnouncement(app.db, requestActor(request), routeId(request)))) {
      throw new HttpError(404, 'There is no announcement at this address.');
    }
    reply.flash('success', 'Announcement deleted.');
    return reply.redirect('/admin/announcements', 303);
  });

  // ------------------------------------------------------------ pages
  app.get('/pages', { config: ADMIN }, async (request, reply) => {
    const pages = [];
    for (const def of PAGES) pages.push((await getPage(app.db, def.slug))!);
    return reply.render(<AdminPageList ctx={viewContext(request)} pages={pages} />);
  });

  app.get('/pages/:slug', { config: ADMIN }, async (request, reply) => {
    const page = await getPage(app.db, paramValue(request, 'slug'));
    if (!page) throw new HttpError(404, 'There is no such page.');
    return reply.render(
      <AdminPageForm
        ctx={viewContext(request)}
        page={page}
        values={{ title: page.title, content_html: page.contentHtml }}
      />,
    );
  });

  app.post('/pages/:slug', { config: ADMIN }, async (request, reply) => {
    const slug = paramValue(request, 'slug');
    const def = pageBySlug(slug);
    const page = def ? await getPage(app.db, slug) : null;
    if (!def || !page) throw new HttpError(404, 'There is no such page.');
    const fields = formFields(request.body);
    const checked = validatePage(fields);
    if (!checked.ok) {
      const values = { title: fields.title ?? '', content_html: fields.content_html ?? '' };
      return reply.render(
        <AdminPageForm ctx={viewContext(request)} page={page} values={values} errors={checked.errors} />,
        400,
      );
    }
    await updatePage(app.db, requestActor(request), slug, checked.data);
    reply.flash('success', `“${checked.data.title}” saved.`);
    return reply.redirect(def.path, 303);
  });
}
