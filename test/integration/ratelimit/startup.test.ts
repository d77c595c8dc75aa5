// Rate-limit settings that cannot work stop the start with a message naming
// the setting and the offending text, in every profile, enabled or not.
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { createTestDatabase } from '../../helpers/db.js';

async function start(env: Record<string, string>, addRoutes?: (app: Awaited<ReturnType<typeof buildApp>>) => void) {
  const config = loadConfig({
    APP_ENV: 'testing',
    SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const database = await createTestDatabase('sqlite');
  try {
    const app = await buildApp(config, { database, logger: false });
    try {
      addRoutes?.(app);
      await app.ready();
    } finally {
      await app.close();
    }
  } finally {
    await database.dispose();
  }
}

describe('rate-limit start-up checks', () => {
  it.each([
    ['RATELIMIT_DEFAULT', '200 per day;50 per hr', '"50 per hr" is not a limit'],
    ['RATELIMIT_DEFAULT_AUTHENTICATED', '2000 a day', '"2000 a day" is not a limit'],
    ['RATELIMIT_LOGIN', '5 per minute;', 'empty part'],
    ['RATELIMIT_PASSWORD_CONFIRM', '5 per minute|', 'empty part'],
    ['RATELIMIT_LOGIN_ACCOUNT', '0 per hour', 'must allow from 1'],
    ['RATELIMIT_REGISTER', 'three per minute', '"three per minute" is not a limit'],
    ['RATELIMIT_WRONG_ANSWERS', '10 per fortnight', '"10 per fortnight" is not a limit'],
    ['RATELIMIT_CSP_REPORT', '100/minit', '"100/minit" is not a limit'],
    ['RATELIMIT_MATH_API', '60 per 0 minutes', 'window from 1 second'],
  ])('refuses %s=%j', async (key, value, problem) => {
    for (const enabled of ['true', 'false']) {
      const failure = start({ [key]: value, RATELIMIT_ENABLED: enabled });
      await expect(failure).rejects.toThrow(ConfigError);
      await expect(start({ [key]: value, RATELIMIT_ENABLED: enabled })).rejects.toThrow(
        `${key}: rate limit "${value}"`,
      );
      await expect(start({ [key]: value, RATELIMIT_ENABLED: enabled })).rejects.toThrow(problem);
    }
  });

  it('refuses the moving window on Memcached, as Flask-Limiter does', async () => {
    await expect(
      start({ RATELIMIT_STRATEGY: 'moving-window', RATELIMIT_STORAGE_URI: 'memcached://127.0.0.1:11211' }),
    ).rejects.toThrow('RATELIMIT_STRATEGY=moving-window is not supported with Memcached storage');
  });

  it.each([
    ['mongodb://127.0.0.1/limits', 'must start with memory://, redis://, rediss:// or memcached://'],
    ['redis://', 'not a valid Redis URL'],
    ['memcached://', 'names no Memcached server'],
    ['memcached://127.0.0.1:99999', '"127.0.0.1:99999" is not a Memcached server'],
    ['memcached://a b', 'is not a Memcached server'],
  ])('refuses RATELIMIT_STORAGE_URI=%j', async (uri, message) => {
    await expect(start({ RATELIMIT_STORAGE_URI: uri })).rejects.toThrow(message);
  });

  it('keeps a password in the storage URI out of the message', async () => {
    const failure = start({ RATELIMIT_STORAGE_URI: 'mongo://admin:hunter2@db.example/' });
    await expect(failure).rejects.toThrow('mongo://…@db.example/');
    await expect(start({ RATELIMIT_STORAGE_URI: 'mongo://admin:hunter2@db.example/' })).rejects.not.toThrow('hunter2');
  });

  it('refuses a key prefix that the stores cannot hold', async () => {
    await expect(start({ RATELIMIT_KEY_PREFIX: 'my site' })).rejects.toThrow('RATELIMIT_KEY_PREFIX="my site"');
  });

  it('refuses a route that declares a malformed limit, naming the route', async () => {
    const failure = start({}, (app) => {
      app.get('/broken', { config: { access: 'public', rateLimit: '5 per fortnight' } }, async () => 'x');
    });
    await expect(failure).rejects.toThrow(
      'route GET /broken: rate limit "5 per fortnight": "5 per fortnight" is not a limit',
    );
  });

  it('starts with every documented value', async () => {
    await expect(start({ RATELIMIT_ENABLED: 'true' })).resolves.toBeUndefined();
  });

  it('is on in development and production and off in testing by default', () => {
    const secret = { SECRET_KEY: 'x'.repeat(40) };
    expect(loadConfig({ APP_ENV: 'development', ...secret }).rateLimit.enabled).toBe(true);
    expect(loadConfig({ APP_ENV: 'testing', ...secret }).rateLimit.enabled).toBe(false);
    expect(loadConfig({ APP_ENV: 'production', ...secret }).rateLimit.enabled).toBe(true);
    expect(loadConfig({ APP_ENV: 'testing', ...secret, RATELIMIT_ENABLED: 'true' }).rateLimit.enabled).toBe(true);
  });
});
