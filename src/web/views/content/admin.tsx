// Admin pages for content: lists with edit/delete, the create/edit forms with
// the rich-text editor, and delete confirmations. Every form posts with its
// CSRF token; the editor enhances the plain textarea, so the forms work
// without JavaScript too.
import type { ComponentChildren } from 'preact';
import { ARTICLE_TYPES, type ArticlePdf, type ArticleType } from '../../../domain/content/articles.js';
import type { PageOf } from '../../../domain/content/content-forms.js';
import type { StoredPage } from '../../../domain/content/pages.js';
import { sanitizeRichHtml } from '../../../domain/content/sanitize.js';
import type { Announcement, Article } from '../../../db/schema.js';
import type { FieldErrors } from '../../../lib/forms.js';
import { AdminLayout } from '../admin/admin-layout.js';
import type { ViewContext } from '../context.js';
import { ErrorSummary, FieldError, fieldAria } from '../form.js';
import { CsrfField } from '../layout.js';
import { articleUrl, SECTION } from './articles.js';
import { pageHref, Pagination } from '../pagination.js';
import { Day, formatSize } from './parts.js';

function TitleInput({ value, errors, max }: { value: string; errors: FieldErrors; max: number }) {
  return (
    <div class="field">
      <label for="title">Title</label>
      <input
        id="title"
        name="title"
        type="text"
        value={value}
        required
        maxLength={max}
        {...fieldAria('title', errors)}
      />
      <FieldError name="title" errors={errors} />
    </div>
  );
}

/**
 * The rich-text field: a textarea the editor script turns into a WYSIWYG editor.
 * Its value goes through the allowlist first, so the editor (which parses it in
 * the admin's browser) never sees markup the platform would not show anyway.
 */
export function RichTextField({
  name = 'content_html',
  label,
  value,
  errors,
  hint,
}: {
  name?: string;
  label: string;
  value: string;
  errors: FieldErrors;
  hint?: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={name}>{label}</label>
      {hint && (
        <p class="hint" id={`${name}-hint`}>
          {hint}
        </p>
      )}
      <textarea
        id={name}
        name={name}
        rows={16}
        data-rich-editor=""
        data-upload-url="/admin/uploads/image"
        {...fieldAria(name, errors)}
      >
        {sanitizeRichHtml(value)}
      </textarea>
      <FieldError name={name} errors={errors} />
    </div>
  );
}

const EDITOR_HINT =
  'Headings, bold, italic, lists, links, images and maths (LaTeX). Without JavaScript you can type HTML here; it is cleaned to the same safe set of tags when saved.';

function DeleteButton({ ctx, action, label = 'Delete' }: { ctx: ViewContext; action: string; label?: string }) {
  return (
    <form method="post" action={action} class="inline">
      <CsrfField ctx={ctx} />
      <button type="submit" class="small danger">
        {label}
      </button>
    </form>
  );
}

// ---------------------------------------------------------------- articles

export function AdminArticleList({ ctx, list }: { ctx: ViewContext; list: PageOf<Article> }) {
  return (
    <AdminLayout ctx={ctx} title="Articles and newsletters">
      <h1>Articles and newsletters</h1>
      <p>
        <a class="button" href="/admin/articles/new">
          New article or newsletter
        </a>
      </p>
      {list.items.length === 0 ? (
        <p class="muted">Nothing published yet.</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Articles and newsletters">
          <table>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Type</th>
                <th scope="col">Author</th>
                <th scope="col">Published</th>
                <th scope="col">PDF</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((a) => (
                <tr>
                  <td>
                    <a href={articleUrl(a)}>{a.title}</a>
                  </td>
                  <td>{SECTION[a.type as ArticleType]?.singular ?? a.type}</td>
                  <td>{a.author_name}</td>
                  <td>
                    <Day iso={a.published_at} />
                  </td>
                  <td>{a.pdf_upload_id !== null ? 'Yes' : '—'}</td>
                  <td class="actions">
                    <a class="button small secondary" href={`/admin/articles/${a.id}/edit`}>
                      Edit
                    </a>{' '}
                    <a class="button small danger" href={`/admin/articles/${a.id}/delete`}>
                      Delete
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={list.page} pages={list.pages} href={pageHref('/admin/articles')} />
    </AdminLayout>
  );
}

export interface ArticleFormValues {
  type: string;
  title: string;
  author_name: string;
  content_html: string;
}

export function AdminArticleForm({
  ctx,
  id,
  values,
  pdf,
  maxMb,
  errors = {},
}: {
  ctx: ViewContext;
  id: number | null;
  values: ArticleFormValues;
  pdf: ArticlePdf | null;
  maxMb: number;
  errors?: FieldErrors;
}) {
  const editing = id !== null;
  return (
    <AdminLayout
      ctx={ctx}
      title={editing ? 'Edit article' : 'New article'}
      scripts={['editor.js']}
      styles={['katex.css']}
    >
      <h1>{editing ? `Edit “${values.title}”` : 'New article or newsletter'}</h1>
      <ErrorSummary errors={errors} message={errors._form} />
      <form
        method="post"
        action={editing ? `/admin/articles/${id}` : '/admin/articles'}
        enctype="multipart/form-data"
        class="card content-form"
      >
        <CsrfField ctx={ctx} />
        <div class="field">
          <label for="type">Type</label>
          <select id="type" name="type" required {...fieldAria('type', errors)}>
            {ARTICLE_TYPES.map((t) => (
              <option value={t} selected={values.type === t}>
                {SECTION[t].singular}
              </option>
            ))}
          </select>
          <FieldError name="type" errors={errors} />
        </div>
        <TitleInput value={values.title} errors={errors} max={200} />
        <div class="field">
          <label for="author_name">Author name shown</label>
          <input
            id="author_name"
            name="author_name"
            type="text"
            value={values.author_name}
            required
            maxLength={100}
            {...fieldAria('author_name', errors)}
          />
          <FieldError name="author_name" errors={errors} />
        </div>
        <RichTextField label="Content" value={values.content_html} errors={errors} hint={EDITOR_HINT} />
        <fieldset>
          <legend>PDF (optional)</legend>
          {pdf && (
            <p>
              Current PDF: <a href={`/uploads/${pdf.storedName}`}>{pdf.originalName}</a> ({formatSize(pdf.size)})
            </p>
          )}
          <div class="field">
            <label for="pdf">{pdf ? 'Replace with another PDF' : 'Attach a PDF'}</label>
            <input id="pdf" name="pdf" type="file" accept="application/pdf,.pdf" {...fieldAria('pdf', errors)} />
            <p class="hint">
              At most {maxMb} MB. Newsletters are usually a PDF; readers see it in a viewer with download and print
              links.
            </p>
            <FieldError name="pdf" errors={errors} />
          </div>
          {pdf && (
            <label class="check">
              <input type="checkbox" name="remove_pdf" value="1" /> Remove the current PDF
            </label>
          )}
        </fieldset>
        <p>
          <button type="submit">{editing ? 'Save changes' : 'Publish'}</button> <a href="/admin/articles">Cancel</a>
        </p>
      </form>
    </AdminLayout>
  );
}

export function ConfirmDeletePage({
  ctx,
  what,
  name,
  action,
  back,
}: {
  ctx: ViewContext;
  what: string;
  name: string;
  action: string;
  back: string;
}) {
  return (
    <AdminLayout ctx={ctx} title={`Delete ${what}`}>
      <section class="card narrow">
        <h1>Delete this {what}?</h1>
        <p>“{name}” will be deleted for good. This cannot be undone.</p>
        <p>
          <DeleteButton ctx={ctx} action={action} label={`Delete ${what}`} /> <a href={back}>Keep it</a>
        </p>
      </section>
    </AdminLayout>
  );
}

// ---------------------------------------------------------------- announcements

export function AdminAnnouncementList({ ctx, list }: { ctx: ViewContext; list: PageOf<Announcement> }) {
  return (
    <AdminLayout ctx={ctx} title="Announcements">
      <h1>Announcements</h1>
      <p>
        <a class="button" href="/admin/announcements/new">
          New announcement
        </a>
      </p>
      {list.items.length === 0 ? (
        <p class="muted">No announcements yet.</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Announcements">
          <table>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Posted</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((a) => (
                <tr>
                  <td>
                    <a href={`/announcements/${a.id}`}>{a.title}</a>
                  </td>
                  <td>
                    <Day iso={a.created_at} />
                  </td>
                  <td class="actions">
                    <a class="button small secondary" href={`/admin/announcements/${a.id}/edit`}>
                      Edit
                    </a>{' '}
                    <a class="button small danger" href={`/admin/announcements/${a.id}/delete`}>
                      Delete
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pagination page={list.page} pages={list.pages} href={pageHref('/admin/announcements')} />
    </AdminLayout>
  );
}

export function AdminAnnouncementForm({
  ctx,
  id,
  values,
  errors = {},
}: {
  ctx: ViewContext;
  id: number | null;
  values: { title: string; content_html: string };
  errors?: FieldErrors;
}) {
  const editing = id !== null;
  return (
    <AdminLayout
      ctx={ctx}
      title={editing ? 'Edit announcement' : 'New announcement'}
      scripts={['editor.js']}
      styles={['katex.css']}
    >
      <h1>{editing ? `Edit “${values.title}”` : 'New announcement'}</h1>
      <ErrorSummary errors={errors} message={errors._form} />
      <form
        method="post"
        action={editing ? `/admin/announcements/${id}` : '/admin/announcements'}
        class="card content-form"
      >
        <CsrfField ctx={ctx} />
        <TitleInput value={values.title} errors={errors} max={200} />
        <RichTextField label="Content" value={values.content_html} errors={errors} hint={EDITOR_HINT} />
        <p>
          <button type="submit">{editing ? 'Save changes' : 'Post announcement'}</button>{' '}
          <a href="/admin/announcements">Cancel</a>
        </p>
      </form>
    </AdminLayout>
  );
}

// ---------------------------------------------------------------- pages

export function AdminPageList({ ctx, pages }: { ctx: ViewContext; pages: StoredPage[] }) {
  return (
    <AdminLayout ctx={ctx} title="Pages">
      <h1>Pages</h1>
      <p class="muted">These pages are shown to everyone. Their text is stored here, not in the site’s templates.</p>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Pages">
        <table>
          <thead>
            <tr>
              <th scope="col">Page</th>
              <th scope="col">Address</th>
              <th scope="col">Last updated</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {pages.map((p) => (
              <tr>
                <td>{p.title}</td>
                <td>
                  <a href={p.path}>{p.path}</a>
                </td>
                <td>
                  {p.updatedAt ? <Day iso={p.updatedAt} /> : <span class="muted">Default text, not yet edited</span>}
                </td>
                <td>
                  <a class="button small secondary" href={`/admin/pages/${p.slug}`}>
                    Edit
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AdminLayout>
  );
}

export function AdminPageForm({
  ctx,
  page,
  values,
  errors = {},
}: {
  ctx: ViewContext;
  page: StoredPage;
  values: { title: string; content_html: string };
  errors?: FieldErrors;
}) {
  return (
    <AdminLayout ctx={ctx} title={`Edit ${page.title}`} scripts={['editor.js']} styles={['katex.css']}>
      <h1>Edit “{page.title}”</h1>
      <p class="muted">
        Shown at <a href={page.path}>{page.path}</a>.
      </p>
      <ErrorSummary errors={errors} message={errors._form} />
      <form method="post" action={`/admin/pages/${page.slug}`} class="card content-form">
        <CsrfField ctx={ctx} />
        <TitleInput value={values.title} errors={errors} max={150} />
        <RichTextField label="Content" value={values.content_html} errors={errors} hint={EDITOR_HINT} />
        <p>
          <button type="submit">Save page</button> <a href="/admin/pages">Cancel</a>
        </p>
      </form>
    </AdminLayout>
  );
}
