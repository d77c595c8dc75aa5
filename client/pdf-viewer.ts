// The PDF viewer's "Print" link prints the document shown in the page's
// viewer frame. Without JavaScript (or if the browser refuses) the link just
// opens the PDF in a new tab, where the browser's own viewer can print it.
for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-print-pdf]')) {
  link.addEventListener('click', (event) => {
    const frame = link.closest('.pdf-viewer')?.querySelector<HTMLIFrameElement>('iframe.pdf-frame');
    const win = frame?.contentWindow;
    if (!win) return;
    try {
      win.focus();
      win.print();
      event.preventDefault();
    } catch {
      // Fall through to the link's own behaviour.
    }
  });
}
