// Page links for admin tables: first, previous, a window around the current
// page, next, last. `href(n)` builds the link for page n (keeping filters).
export function Pagination({ page, pages, href }: { page: number; pages: number; href: (page: number) => string }) {
  if (pages <= 1) return null;
  const from = Math.max(1, page - 2);
  const to = Math.min(pages, page + 2);
  const numbers: number[] = [];
  for (let n = from; n <= to; n++) numbers.push(n);
  return (
    <nav aria-label="Pages">
      <ul class="pagination">
        {page > 1 && <li><a href={href(page - 1)} rel="prev">‹ Previous</a></li>}
        {from > 1 && <li><a href={href(1)}>1</a></li>}
        {from > 2 && <li><span>…</span></li>}
        {numbers.map((n) => (
          <li>{n === page ? <span aria-current="page">{n}</span> : <a href={href(n)}>{n}</a>}</li>
        ))}
        {to < pages - 1 && <li><span>…</span></li>}
        {to < pages && <li><a href={href(pages)}>{pages}</a></li>}
        {page < pages && <li><a href={href(page + 1)} rel="next">Next ›</a></li>}
      </ul>
    </nav>
  );
}

/** `/path?…` with `changes` applied to `params` (empty values dropped). */
export function withQuery(path: string, params: Record<string, string | number | null | undefined>, changes: Record<string, string | number | null> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...changes })) {
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
