import { describe, expect, it } from 'vitest';
import { composeMail, escapeHtml, greeting } from '../../../src/domain/mail/render.js';

describe('composing a message', () => {
  const evil = `<img src=x onerror="alert(1)">&'`;
  const mail = composeMail({
    to: 'ann@school.example.org',
    kind: 'test',
    subject: `About ${evil}\r\nBcc: someone@evil.example`,
    blocks: [
      greeting(evil),
      `Your name is ${evil}.`,
      { link: 'https://maths.example.org/x?token=a&b=c', label: `Go ${evil}` },
      { note: evil },
    ],
  });

  it('escapes every value in the HTML part', () => {
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('onerror="');
    expect(mail.html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;');
    expect(mail.html).toContain('href="https://maths.example.org/x?token=a&amp;b=c"');
  });

  it('keeps the text part as typed, with the link on a line of its own', () => {
    expect(mail.text).toContain(`Hello ${evil},`);
    expect(mail.text).toContain(`Go ${evil}:\nhttps://maths.example.org/x?token=a&b=c\n`);
    expect(mail.text).toMatch(/--\n\nMaths Society\./);
  });

  it('a subject stays one line', () => {
    expect(mail.subject).toBe(`About ${evil} Bcc: someone@evil.example`);
  });

  it('refuses a link that is not an absolute web address', () => {
    for (const link of ['javascript:alert(1)', '/relative', 'https://x.example/a b', 'data:text/html,hi'])
      expect(() => composeMail({ to: 'a@b.org', kind: 'k', subject: 's', blocks: [{ link, label: 'x' }] })).toThrow(
        /absolute http/,
      );
  });

  it('greets by first name, or without one', () => {
    expect(greeting('Ann')).toBe('Hello Ann,');
    expect(greeting('  ')).toBe('Hello,');
    expect(greeting(null)).toBe('Hello,');
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});
