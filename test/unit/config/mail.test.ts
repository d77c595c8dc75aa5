import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactSmtpUrl } from '../../../src/config/index.js';

const PROD = { APP_ENV: 'production', SECRET_KEY: 'p'.repeat(40) };

describe('mail settings', () => {
  it('defaults: no mail server, files in ./data/mail, a From of the society', () => {
    const dev = loadConfig({ APP_ENV: 'development' });
    expect(dev.mail).toEqual({
      smtpUrl: null,
      from: 'Maths Society <no-reply@localhost>',
      requireVerification: false,
      directory: './data/mail',
    });
    expect(loadConfig({ APP_ENV: 'testing' }).mail.directory).toBe('./data/test-mail');
  });

  it('REQUIRE_EMAIL_VERIFICATION: false, false, true; and can be set either way', () => {
    const per = ['development', 'testing', 'production'].map(
      (p) => loadConfig({ ...PROD, APP_ENV: p }).mail.requireVerification,
    );
    expect(per).toEqual([false, false, true]);
    expect(loadConfig({ ...PROD, REQUIRE_EMAIL_VERIFICATION: 'false' }).mail.requireVerification).toBe(false);
    expect(loadConfig({ APP_ENV: 'development', REQUIRE_EMAIL_VERIFICATION: 'true' }).mail.requireVerification).toBe(
      true,
    );
    expect(() => loadConfig({ REQUIRE_EMAIL_VERIFICATION: 'maybe' })).toThrow(ConfigError);
  });

  it('takes smtp:// and smtps:// URLs with or without credentials', () => {
    for (const url of [
      'smtp://127.0.0.1:2525',
      'smtp://user:pa%40ss@mail.example.org:587',
      'smtps://u:p@mail.example.org',
    ])
      expect(loadConfig({ SMTP_URL: url }).mail.smtpUrl).toBe(url);
    expect(loadConfig({ SMTP_URL: '  ' }).mail.smtpUrl).toBeNull();
    expect(loadConfig({ MAIL_DIRECTORY: '/var/mail/mathsoc' }).mail.directory).toBe('/var/mail/mathsoc');
  });

  it('refuses other schemes and malformed URLs without repeating the password', () => {
    for (const url of ['http://user:hunter2@mail.example.org', 'smtp://', 'not a url with hunter2']) {
      let message = '';
      try {
        loadConfig({ SMTP_URL: url });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      expect(message).toMatch(/^SMTP_URL/);
      expect(message).not.toContain('hunter2');
    }
  });

  it('redacts the password wherever the URL is printed', () => {
    expect(redactSmtpUrl('smtps://mathsoc:hunter2@mail.example.org:465')).toBe(
      'smtps://mathsoc:redacted@mail.example.org:465',
    );
    expect(redactSmtpUrl('smtp://127.0.0.1:25')).toBe('smtp://127.0.0.1:25');
    expect(redactSmtpUrl(null)).toBeNull();
  });

  it('MAIL_FROM: an address or "Name <address>", never a second header line', () => {
    expect(loadConfig({ MAIL_FROM: 'maths@school.org' }).mail.from).toBe('maths@school.org');
    expect(loadConfig({ MAIL_FROM: '"Maths, Society" <maths@school.org>' }).mail.from).toBe(
      '"Maths, Society" <maths@school.org>',
    );
    for (const bad of ['nobody', 'A <b>', 'Maths <maths@school.org>\r\nBcc: x@evil.example', 'a@b, c@d'])
      expect(() => loadConfig({ MAIL_FROM: bad })).toThrow(/MAIL_FROM/);
  });

  it('a misspelt mail or SMTP setting stops the start', () => {
    expect(() => loadConfig({ SMTP_HOST: 'mail.example.org' })).toThrow(/SMTP_HOST is not a known setting/);
    expect(() => loadConfig({ MAIL_SENDER: 'x@y.org' })).toThrow(/MAIL_SENDER is not a known setting/);
  });

  it('email-link rate limits: per client address and per email address', () => {
    const c = loadConfig(PROD);
    expect(c.rateLimit.emailLinks).toBe('30 per minute;200 per hour;1000 per day');
    expect(c.rateLimit.emailAddress).toBe('3 per 15 minutes;10 per day');
    expect(loadConfig({ ...PROD, RATELIMIT_EMAIL_ADDRESS: '1 per hour' }).rateLimit.emailAddress).toBe('1 per hour');
  });
});
