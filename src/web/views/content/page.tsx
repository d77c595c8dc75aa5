// An editable page (About, Privacy policy, Competition about).
import type { StoredPage } from '../../../domain/content/pages.js';
import type { ViewContext } from '../context.js';
import { Layout } from '../layout.js';
import { Day, RichContent } from './parts.js';

export function StoredPageView({ ctx, page }: { ctx: ViewContext; page: StoredPage }) {
  return (
    <Layout ctx={ctx} title={page.title} styles={['katex.css']}>
      <article class="card page">
        <h1>{page.title}</h1>
        <RichContent html={page.contentHtml} />
        {page.updatedAt && (
          <p class="muted small-print">
            Last updated <Day iso={page.updatedAt} />.
          </p>
        )}
        {ctx.user?.isAdmin && (
          <p>
            <a class="button small secondary" href={`/admin/pages/${page.slug}`}>
              Edit this page
            </a>
          </p>
        )}
      </article>
    </Layout>
  );
}
