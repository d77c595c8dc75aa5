// REPORT_PROBLEM_URL: an https page or a mailto: address; unset, the MAIL_FROM
// address when someone reads it, else the About page. Anything else stops the start.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';

const url = (env: Record<string, string>) => loadConfig({ APP_ENV: 'development', ...env }).reportProblemUrl;

describe('REPORT_PROBLEM_URL', () => {
  it('takes an https page or a mailto: address', () => {
    expect(url({ REPORT_PROBLEM_URL: 'https://school.example.org/contact?about=maths' })).toBe(
      'https://school.example.org/contact?about=maths',
    );
    expect(url({ REPORT_PROBLEM_URL: 'mailto:maths@school.org' })).toBe('mailto:maths@school.org');
    expect(url({ REPORT_PROBLEM_URL: ' MAILTO:maths@school.org ' })).toBe('mailto:maths@school.org');
  });

  it.each([
    'http://school.example.org/contact',
    'javascript:alert(1)',
    'mailto:not-an-address',
    'mailto:a@b.org?bcc=everyone@b.org',
    'https://user:pass@school.example.org/',
    '/contact',
    'school.example.org',
  ])('refuses %s with a message naming the setting', (bad) => {
    expect(() => url({ REPORT_PROBLEM_URL: bad })).toThrow(ConfigError);
    expect(() => url({ REPORT_PROBLEM_URL: bad })).toThrow(/REPORT_PROBLEM_URL/);
  });

  it('defaults to the MAIL_FROM address, or the About page when that is a no-reply address', () => {
    expect(url({ MAIL_FROM: 'Maths Society <maths@school.org>' })).toBe('mailto:maths@school.org');
    expect(url({ MAIL_FROM: 'maths@school.org' })).toBe('mailto:maths@school.org');
    expect(url({ MAIL_FROM: 'Maths Society <no-reply@school.org>' })).toBe('/about');
    expect(url({ MAIL_FROM: 'noreply@school.org' })).toBe('/about');
    expect(url({})).toBe('/about'); // the built-in MAIL_FROM is no-reply@localhost
  });
});
