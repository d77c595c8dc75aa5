// Building blocks of the content pages: sanitised rich content, dates and
// the PDF viewer.
import { renderRichHtml } from '../../../domain/content/sanitize.js';
import { formatSchoolDay } from '../../../lib/school-time.js';
import { schoolZone } from '../school-zone.js';

/**
 * Stored rich HTML, sanitised again with the one allowlist and with its math
 * rendered by KaTeX. The only way content HTML reaches a page. Pages that use
 * it load the KaTeX stylesheet (`styles={['katex.css']}`).
 */
export function RichContent({ html, class: cls }: { html: string; class?: string }) {
  return <div class={cls ? `content ${cls}` : 'content'} dangerouslySetInnerHTML={{ __html: renderRichHtml(html) }} />;
}

/** "29 March 2026" (the day in the school's time zone) inside a <time> element. */
export function Day({ iso }: { iso: string }) {
  if (Number.isNaN(Date.parse(iso))) return null;
  return <time dateTime={iso}>{formatSchoolDay(iso, schoolZone())}</time>;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The embedded PDF viewer with download and print links. */
export function PdfViewer({
  storedName,
  originalName,
  size,
  title,
}: {
  storedName: string;
  originalName: string;
  size: number;
  title: string;
}) {
  const url = `/uploads/${storedName}`;
  return (
    <section class="pdf-viewer" aria-label="PDF document">
      <p class="pdf-actions">
        <a class="button small" href={`${url}?download=1`} download={originalName}>
          Download PDF ({formatSize(size)})
        </a>{' '}
        <a class="button small secondary" href={url} target="_blank" rel="noopener" data-print-pdf={url}>
          Print
        </a>{' '}
        <a href={url} target="_blank" rel="noopener">
          Open in a new tab
        </a>
      </p>
      <iframe class="pdf-frame" src={url} title={`${title} (PDF)`} loading="lazy" />
      <p class="hint">If the document does not show above, use the download link.</p>
    </section>
  );
}
