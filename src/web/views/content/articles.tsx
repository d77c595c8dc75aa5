// Public pages for articles and newsletters: newest-first lists and detail pages.
import type { ArticleType, ArticleView } from '../../../domain/content/articles.js';
import type { PageOf } from '../../../domain/content/content-forms.js';
import { richExcerptHtml } from '../../../domain/content/sanitize.js';
import type { Article } from '../../../db/schema.js';
import type { ViewContext } from '../context.js';
import { Layout } from '../layout.js';
import { pageHref, Pagination } from '../pagination.js';
import { Day, PdfViewer, RichContent } from './parts.js';

export const SECTION: Record<ArticleType, { path: string; plural: string; singular: string }> = {
  article: { path: '/articles', plural: 'Articles', singular: 'Article' },
  newsletter: { path: '/newsletters', plural: 'Newsletters', singular: 'Newsletter' },
};

export function articleUrl(a: Pick<Article, 'id' | 'type'>): string {
  return `${SECTION[a.type as ArticleType]?.path ?? '/articles'}/${a.id}`;
}

export function ArticleCard({ article, heading = 'h2' }: { article: Article; heading?: 'h2' | 'h3' }) {
  // The first paragraph, inline formatting and rendered math only; clamped by CSS.
  const excerpt = richExcerptHtml(article.content_html);
  const H = heading;
  return (
    <article class="card article-card">
      <H class="card-title">
        <a href={articleUrl(article)}>{article.title}</a>
      </H>
      <p class="muted byline">
        {article.author_name} · <Day iso={article.published_at} />
        {article.pdf_upload_id !== null ? ' · PDF' : ''}
      </p>
      {excerpt && <p class="excerpt" dangerouslySetInnerHTML={{ __html: excerpt }} />}
    </article>
  );
}

export function ArticleListPage({ ctx, type, list }: { ctx: ViewContext; type: ArticleType; list: PageOf<Article> }) {
  const s = SECTION[type];
  return (
    <Layout ctx={ctx} title={list.page > 1 ? `${s.plural} (page ${list.page})` : s.plural} styles={['katex.css']}>
      <h1>{s.plural}</h1>
      {list.items.length === 0 ? (
        <p class="muted">
          {list.total === 0 ? (
            `No ${s.plural.toLowerCase()} yet.`
          ) : (
            <>
              There is nothing on this page. <a href={s.path}>Back to the first page</a>.
            </>
          )}
        </p>
      ) : (
        list.items.map((a) => <ArticleCard article={a} />)
      )}
      <Pagination page={list.page} pages={list.pages} href={pageHref(s.path)} />
    </Layout>
  );
}

export function ArticleDetailPage({ ctx, article }: { ctx: ViewContext; article: ArticleView }) {
  const s = SECTION[article.type as ArticleType] ?? SECTION.article;
  return (
    <Layout ctx={ctx} title={article.title} styles={['katex.css']} scripts={article.pdf ? ['pdf-viewer.js'] : []}>
      <p>
        <a href={s.path}>← All {s.plural.toLowerCase()}</a>
      </p>
      <article class="card article">
        <h1>{article.title}</h1>
        <p class="muted byline">
          By {article.author_name} · <Day iso={article.published_at} />
        </p>
        {article.content_html && <RichContent html={article.content_html} />}
        {article.pdf && (
          <PdfViewer
            storedName={article.pdf.storedName}
            originalName={article.pdf.originalName}
            size={article.pdf.size}
            title={article.title}
          />
        )}
        {ctx.user?.isAdmin && (
          <p>
            <a class="button small secondary" href={`/admin/articles/${article.id}/edit`}>
              Edit
            </a>
          </p>
        )}
      </article>
    </Layout>
  );
}
