import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/setup/guard.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: keep parallelism modest so timing-sensitive suites stay calm.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    env: { APP_ENV: 'testing' },
  },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
});
