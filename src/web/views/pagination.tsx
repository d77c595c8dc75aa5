// Page links for every paged list. `href(n)` builds the link for page n, so
// each list keeps its own filters in the address.

/**
 * Newest-first lists page to "Newer" and "Older" with a wide window; other
 * tables to "Previous" and "Next", with links to the first and last page.
 */
const KINDS = {
  newest: { prev: '← Newer', next: 'Older →', around: 3, ends: false },
  table: { prev: '‹ Previous', next: 'Next ›', around: 2, ends: true },
} as const;

export function Pagination({
  page,
  pages,
  href,
  kind = 'newest',
}: {
  page: number;
  pages: number;
  href: (page: number) => string;
  kind?: keyof typeof KINDS;
}) {
  if (pages <= 1) return null;
  const { prev, next, around, ends } = KINDS[kind];
  const from = Math.max(1, page - around);
  const to = Math.min(pages, page + around);
  const numbers: number[] = [];
  for (let n = from; n <= to; n++) numbers.push(n);
  return (
    <nav aria-label="Pages">
      <ul class="pagination">
        {page > 1 && (
          <li>
            <a href={href(page - 1)} rel="prev">
              {prev}
            </a>
          </li>
        )}
        {ends && from > 1 && (
          <li>
            <a href={href(1)}>1</a>
          </li>
        )}
        {ends && from > 2 && (
          <li>
            <span>…</span>
          </li>
        )}
        {numbers.map((n) => (
          <li>{n === page ? <span aria-current="page">{n}</span> : <a href={href(n)}>{n}</a>}</li>
        ))}
        {ends && to < pages - 1 && (
          <li>
            <span>…</span>
          </li>
        )}
        {ends && to < pages && (
          <li>
            <a href={href(pages)}>{pages}</a>
          </li>
        )}
        {page < pages && (
          <li>
            <a href={href(page + 1)} rel="next">
              {next}
            </a>
          </li>
        )}
      </ul>
    </nav>
  );
}

/** `/path?…` with `changes` applied to `params` (empty values dropped). */
export function withQuery(
  path: string,
  params: Record<string, string | number | null | undefined>,
  changes: Record<string, string | number | null> = {},
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...changes })) {
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Links to the pages of `path` that keep `params`; page 1 is the bare address. */
export function pageHref(
  path: string,
  params: Record<string, string | number | null | undefined> = {},
): (page: number) => string {
  return (page) => withQuery(path, params, { page: page === 1 ? null : page });
}
