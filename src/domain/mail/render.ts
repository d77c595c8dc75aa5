// Building a message's text and HTML parts from the same blocks. Every value is
// HTML-escaped in the HTML part (a name like "<b>Ann</b>" arrives as text), and
// the text part carries each link on a line of its own, so mail programs that
// show only text still offer it. One shared layout for every message.

/** A message as the outbox stores it. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** What the message is (password-reset, password-changed, …): for logs and the outbox overview. */
  kind: string;
}

/**
 * One block of a message:
 * - a string: a paragraph;
 * - `{ link, label }`: a button in HTML, the address on its own line in text;
 * - `{ note }`: a paragraph in smaller print (why the message came, what to do if unexpected).
 */
export type MailBlock = string | { link: string; label: string } | { note: string };

const SOCIETY = 'Maths Society';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** "Hello Ann," or, without a name, "Hello,". */
export function greeting(firstName: string | null | undefined): string {
  const name = firstName?.trim();
  return name ? `Hello ${name},` : 'Hello,';
}

/** A link in a message must be an absolute web address: nothing a mail program could run. */
function checkedLink(link: string): string {
  if (!/^https?:\/\/[^\s<>"']+$/.test(link)) throw new Error('a link in an email must be an absolute http(s) address');
  return link;
}

/** Line breaks in a subject would start a header of their own: they become spaces. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ').trim();
}

function htmlBlock(block: MailBlock): string {
  if (typeof block === 'string') return `<p style="margin:0 0 16px">${escapeHtml(block)}</p>`;
  if ('link' in block) {
    const href = escapeHtml(checkedLink(block.link));
    return (
      `<p style="margin:24px 0"><a href="${href}" style="background:#1d4ed8;color:#ffffff;padding:10px 18px;` +
      `border-radius:4px;text-decoration:none;display:inline-block">${escapeHtml(block.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#4b5563">If the button does not work, copy this address ` +
      `into your browser:<br><span style="word-break:break-all">${href}</span></p>`
    );
  }
  return `<p style="margin:0 0 16px;font-size:13px;color:#4b5563">${escapeHtml(block.note)}</p>`;
}

function textBlock(block: MailBlock): string {
  if (typeof block === 'string') return block;
  if ('link' in block) return `${block.label}:\n${checkedLink(block.link)}`;
  return block.note;
}

/** The message in both parts, inside the shared layout. */
export function composeMail(opts: { to: string; kind: string; subject: string; blocks: MailBlock[] }): OutgoingMail {
  const subject = oneLine(opts.subject);
  const footer = `${SOCIETY}. This email was sent by the society's website; replies are not read.`;
  const text = [...opts.blocks.map(textBlock), '--', footer].join('\n\n') + '\n';
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    `<meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>` +
    '<body style="margin:0;padding:24px;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif;color:#111827">' +
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:6px">' +
    `<p style="margin:0 0 24px;font-weight:bold;font-size:18px">${SOCIETY}</p>` +
    opts.blocks.map(htmlBlock).join('') +
    `<hr style="border:none;border-top:1px solid #e5e7eb;margin:24px 0">` +
    `<p style="margin:0;font-size:12px;color:#6b7280">${escapeHtml(footer)}</p>` +
    '</div></body></html>';
  return { to: opts.to, kind: opts.kind, subject, text, html };
}
