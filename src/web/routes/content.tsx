// Public content: articles, newsletters, announcements and the editable pages.
import type { FastifyInstance } from 'fastify';
import { ARTICLES_PER_PAGE, getArticle, listArticles, type ArticleType } from '../../domain/content/articles.js';
import { getAnnouncement, listAnnouncements } from '../../domain/content/announcements.js';
import { getPage, PAGES } from '../../domain/content/pages.js';
import { HttpError } from '../../security/access.js';
import { idParam, pageParam } from '../params.js';
import { viewContext } from '../views/context.js';
import { AnnouncementListPage, AnnouncementPage } from '../views/content/announcements.js';
import { ArticleDetailPage, ArticleListPage, articleUrl, SECTION } from '../views/content/articles.js';
import { StoredPageView } from '../views/content/page.js';

const PUBLIC = { access: 'public' } as const;

export async function contentRoutes(app: FastifyInstance): Promise<void> {
  for (const type of ['article', 'newsletter'] satisfies ArticleType[]) {
    const base = SECTION[type].path;
    const notFound = `There is no ${SECTION[type].singular.toLowerCase()} at this address.`;

    app.get(base, { config: PUBLIC }, async (request, reply) => {
      const list = await listArticles(app.db, type, pageParam(request), ARTICLES_PER_PAGE);
      return reply.render(
        <ArticleListPage ctx={viewContext(request)} type={type} list={list} />,
        list.items.length === 0 && list.total > 0 ? 404 : 200,
      );
    });

    app.get(`${base}/:id`, { config: PUBLIC }, async (request, reply) => {
      const article = await getArticle(app.db, idParam(request, notFound));
      if (!article) throw new HttpError(404, notFound);
      // One model, two sections: keep each item at its own section's address.
      if (article.type !== type) return reply.redirect(articleUrl(article), 301);
      return reply.render(<ArticleDetailPage ctx={viewContext(request)} article={article} />);
    });
  }

  app.get('/announcements', { config: PUBLIC }, async (request, reply) => {
    const list = await listAnnouncements(app.db, pageParam(request));
    return reply.render(
      <AnnouncementListPage ctx={viewContext(request)} list={list} />,
      list.items.length === 0 && list.total > 0 ? 404 : 200,
    );
  });

  app.get('/announcements/:id', { config: PUBLIC }, async (request, reply) => {
    const notFound = 'There is no announcement at this address.';
    const announcement = await getAnnouncement(app.db, idParam(request, notFound));
    if (!announcement) throw new HttpError(404, notFound);
    return reply.render(<AnnouncementPage ctx={viewContext(request)} announcement={announcement} />);
  });

  for (const def of PAGES) {
    app.get(def.path, { config: PUBLIC }, async (request, reply) => {
      const page = await getPage(app.db, def.slug);
      return reply.render(<StoredPageView ctx={viewContext(request)} page={page!} />);
    });
  }
}
