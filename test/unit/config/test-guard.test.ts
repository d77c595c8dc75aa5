import { describe, expect, it } from 'vitest';
import { assertSafeToTest } from '../../setup/guard.js';

describe('the test runner refuses to touch real data', () => {
  it('refuses a production profile, whichever variable says it', () => {
    expect(() => assertSafeToTest({ APP_ENV: 'production' })).toThrow(/production/);
    expect(() => assertSafeToTest({ FLASK_ENV: 'production' })).toThrow(/production/);
  });
  it('refuses a database whose name does not look like a test database', () => {
    expect(() => assertSafeToTest({ DATABASE_URL: 'postgres://u@db/mathsoc' })).toThrow(/"mathsoc"/);
    expect(() => assertSafeToTest({ TEST_DATABASE_URL: 'postgres://u@db/school_live' })).toThrow(/"school_live"/);
    expect(() => assertSafeToTest({ DATABASE_URL: 'sqlite:./data/mathsoc.db' })).toThrow(
      /does not look like a test database/,
    );
  });
  it('accepts test databases', () => {
    expect(() => assertSafeToTest({ TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' })).not.toThrow();
    expect(() => assertSafeToTest({ DATABASE_URL: 'postgres://u@h/mathsoc_test' })).not.toThrow();
    expect(() => assertSafeToTest({ DATABASE_URL: 'sqlite::memory:' })).not.toThrow();
    expect(() => assertSafeToTest({ APP_ENV: 'testing' })).not.toThrow();
  });
});
