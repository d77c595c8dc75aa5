// The test suite refuses to run anywhere it could destroy real data: the old
// platform lost everything when its tests ran against production.
import { databaseFromEnv, resolveProfile } from '../../src/config/index.js';
import { looksLikeTestDatabase } from '../../src/db/index.js';

export function assertSafeToTest(env: Record<string, string | undefined>): void {
  if (resolveProfile(env) === 'production') {
    throw new Error('Refusing to run tests: the environment says production (APP_ENV/FLASK_ENV/ENV/NODE_ENV).');
  }
  for (const key of ['DATABASE_URL', 'TEST_DATABASE_URL']) {
    const url = env[key];
    if (!url) continue;
    const db = databaseFromEnv({ DATABASE_URL: url }, 'testing');
    if (!looksLikeTestDatabase(db)) {
      throw new Error(
        `Refusing to run tests: ${key} points at database "${db.name}", whose name does not look like a test database.`,
      );
    }
  }
}

export default function setup(): void {
  assertSafeToTest(process.env);
}
