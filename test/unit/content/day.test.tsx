// Dates on content pages (articles, newsletters, announcements, the home page)
// are the day in the school's time zone (SCHOOL_TIMEZONE), not in London's.
import { describe, expect, it } from 'vitest';
import { renderPage } from '../../../src/web/render.js';
import { Day } from '../../../src/web/views/content/parts.js';

// 23:30 UTC on 29 March 2026: already 30 March in London (BST) and Auckland, still 29 March in New York.
const LATE = '2026-03-29T23:30:00.000Z';

describe('<Day>', () => {
  it('shows the day in the time zone the page is rendered for', () => {
    expect(
      renderPage(
        <p>
          <Day iso={LATE} />
        </p>,
        'America/New_York',
      ),
    ).toContain(`<time datetime="${LATE}">29 March 2026</time>`);
    expect(
      renderPage(
        <p>
          <Day iso={LATE} />
        </p>,
        'Europe/London',
      ),
    ).toContain('>30 March 2026</time>');
    expect(
      renderPage(
        <p>
          <Day iso={LATE} />
        </p>,
        'Pacific/Auckland',
      ),
    ).toContain('>30 March 2026</time>');
  });

  it("uses the platform's default zone, Europe/London, when none is given, and shows nothing for a bad date", () => {
    expect(
      renderPage(
        <p>
          <Day iso={LATE} />
        </p>,
      ),
    ).toContain('>30 March 2026</time>');
    expect(
      renderPage(
        <p>
          <Day iso="not a date" />
        </p>,
      ),
    ).not.toContain('<time');
  });
});
