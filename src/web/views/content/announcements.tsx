// Public announcements: the list (newest first) and one announcement.
import type { PageOf } from '../../../domain/content/content-forms.js';
import type { Announcement } from '../../../db/schema.js';
import type { ViewContext } from '../context.js';
import { Layout } from '../layout.js';
import { pageHref, Pagination } from '../pagination.js';
import { Day, RichContent } from './parts.js';

export function AnnouncementBody({
  announcement,
  heading = 'h2',
  link = true,
}: {
  announcement: Announcement;
  heading?: 'h1' | 'h2' | 'h3';
  link?: boolean;
}) {
  const H = heading;
  return (
    <>
      <H class="card-title">
        {link ? <a href={`/announcements/${announcement.id}`}>{announcement.title}</a> : announcement.title}
      </H>
      <p class="muted byline">
        <Day iso={announcement.created_at} />
      </p>
      <RichContent html={announcement.content_html} />
    </>
  );
}

export function AnnouncementListPage({ ctx, list }: { ctx: ViewContext; list: PageOf<Announcement> }) {
  return (
    <Layout ctx={ctx} title="Announcements" styles={['katex.css']}>
      <h1>Announcements</h1>
      {list.items.length === 0 ? (
        <p class="muted">
          {list.total === 0 ? (
            'No announcements yet.'
          ) : (
            <>
              There is nothing on this page. <a href="/announcements">Back to the first page</a>.
            </>
          )}
        </p>
      ) : (
        list.items.map((a) => (
          <article class="card announcement">
            <AnnouncementBody announcement={a} />
          </article>
        ))
      )}
      <Pagination page={list.page} pages={list.pages} href={pageHref('/announcements')} />
    </Layout>
  );
}

export function AnnouncementPage({ ctx, announcement }: { ctx: ViewContext; announcement: Announcement }) {
  return (
    <Layout ctx={ctx} title={announcement.title} styles={['katex.css']}>
      <p>
        <a href="/announcements">← All announcements</a>
      </p>
      <article class="card announcement">
        <AnnouncementBody announcement={announcement} heading="h1" link={false} />
        {ctx.user?.isAdmin && (
          <p>
            <a class="button small secondary" href={`/admin/announcements/${announcement.id}/edit`}>
              Edit
            </a>
          </p>
        )}
      </article>
    </Layout>
  );
}
