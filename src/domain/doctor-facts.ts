// Gathers what `mathsoc doctor` and the production start-up check look at:
// the environment, the database (reachable? migrated? admins on a default
// password?), the backup folder, whether we run in a container, the cores and
// whether a session Redis keeps its data across a restart. The checks
// themselves are pure and live in src/security/doctor.ts; the facts live here
// because the admin check needs the account passwords' hashing.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Migrator } from 'kysely';
import type { Config } from '../config/index.js';
import { pingDatabase, type DatabaseHandle } from '../db/index.js';
import { migrations } from '../db/migrations/index.js';
import {
  DEFAULT_ADMIN_PASSWORDS,
  type AdminFact,
  type DoctorFacts,
  type SessionRedisFact,
  type SsoProviderFact,
} from '../security/doctor.js';
import { verifyPassword } from './accounts/passwords.js';
import { outboxSummary } from './mail/outbox.js';
import { openSecret } from './sso/secret-box.js';

type Env = Record<string, string | undefined>;

/** Docker, Podman and Kubernetes each leave one of these marks. */
export function detectContainer(
  env: Env,
  fileExists = existsSync,
  readFile = (p: string) => readFileSync(p, 'utf8'),
): boolean {
  if (env.KUBERNETES_SERVICE_HOST || env.container) return true;
  if (fileExists('/.dockerenv') || fileExists('/run/.containerenv')) return true;
  try {
    return /docker|kubepods|containerd|libpod/.test(readFile('/proc/1/cgroup'));
  } catch {
    return false;
  }
}

/** The newest file `mathsoc db:backup` wrote into BACKUP_DIR. */
export function newestBackup(dir: string): DoctorFacts['newestBackup'] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  let newest: DoctorFacts['newestBackup'] = null;
  for (const name of names) {
    if (!/\.(sqlite3?|db|pgdump|dump|sql(\.gz)?)$/i.test(name)) continue;
    const file = join(dir, name);
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile() || st.size === 0) continue;
    if (!newest || st.mtime > newest.modifiedAt) newest = { file, modifiedAt: st.mtime };
  }
  return newest;
}

/** The value of one Redis setting, or null when CONFIG is refused (managed services often rename it). */
async function configValue(redis: Redis, name: string): Promise<string | null> {
  try {
    const reply = await redis.config('GET', name);
    return reply.length >= 2 ? (reply[1] ?? null) : null;
  } catch {
    return null;
  }
}

/**
 * Asks the session Redis whether it persists its data: CONFIG GET appendonly
 * and save, or, where CONFIG is refused, INFO persistence (aof_enabled).
 */
export async function sessionRedisPersistence(uri: string): Promise<SessionRedisFact> {
  const redis = new Redis(uri, {
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 2000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The connection's own error (ECONNREFUSED, ENOTFOUND…) says more than the rejected command.
  let connectionError: Error | null = null;
  redis.on('error', (err: Error) => {
    connectionError ??= err;
  });
  try {
    await redis.connect();
    const appendonly = await configValue(redis, 'appendonly');
    const save = await configValue(redis, 'save');
    let aof = appendonly === null ? null : appendonly === 'yes';
    if (aof === null) {
      const info = await redis.info('persistence').catch(() => '');
      const m = /^aof_enabled:(\d)/m.exec(info);
      if (m) aof = m[1] === '1';
    }
    return aof === null && save === null
      ? { aof, save, error: 'the server refused CONFIG GET and INFO persistence' }
      : { aof, save };
  } catch (err) {
    const cause = connectionError ?? err;
    return {
      aof: null,
      save: null,
      error: `cannot reach Redis: ${cause instanceof Error ? cause.message : String(cause)}`,
    };
  } finally {
    redis.disconnect();
  }
}

async function adminFacts(handle: DatabaseHandle): Promise<AdminFact[]> {
  const admins = await handle.db
    .selectFrom('users')
    .select(['email', 'password_hash', 'must_change_password'])
    .where('is_admin', '=', 1)
    .orderBy('id')
    .limit(200)
    .execute();
  return Promise.all(
    admins.map(async (a) => {
      let defaultPassword = false;
      for (const candidate of DEFAULT_ADMIN_PASSWORDS) {
        if (await verifyPassword(a.password_hash, candidate)) {
          defaultPassword = true;
          break;
        }
      }
      return { email: a.email, defaultPassword, mustChangePassword: a.must_change_password === 1 };
    }),
  );
}

/** Every school's sign-in providers: whether this SECRET_KEY opens each secret (never the secret itself). */
async function ssoProviderFacts(handle: DatabaseHandle, secretKey: string): Promise<SsoProviderFact[]> {
  const rows = await handle.db
    .selectFrom('sso_providers')
    .innerJoin('schools', 'schools.id', 'sso_providers.school_id')
    .select([
      'schools.name as school',
      'sso_providers.label',
      'sso_providers.issuer',
      'sso_providers.enabled',
      'sso_providers.client_secret_enc',
    ])
    .orderBy('schools.name')
    .orderBy('sso_providers.id')
    .execute();
  return rows.map((r) => ({
    school: r.school,
    label: r.label,
    issuer: r.issuer,
    enabled: r.enabled === 1,
    secretReadable: openSecret(secretKey, r.client_secret_enc) !== null,
  }));
}

export async function gatherFacts(
  config: Config,
  handle: DatabaseHandle,
  env: Env = process.env,
): Promise<DoctorFacts> {
  const database: DoctorFacts['database'] = { reachable: false, pendingMigrations: [] };
  let admins: AdminFact[] | null = null;
  let outbox: DoctorFacts['outbox'] = null;
  let ssoProviders: SsoProviderFact[] | null = null;
  if (await pingDatabase(handle.db, 3000)) {
    database.reachable = true;
    try {
      const known = await new Migrator({
        db: handle.db,
        provider: { getMigrations: async () => migrations },
      }).getMigrations();
      database.pendingMigrations = known.filter((m) => !m.executedAt).map((m) => m.name);
      // An empty database (nothing migrated yet) has no admin accounts to worry about.
      admins = database.pendingMigrations.includes('001_initial') ? [] : await adminFacts(handle);
      // Before its migration there is no outbox, and so nothing waiting in it.
      outbox = database.pendingMigrations.includes('008_email')
        ? { waiting: 0, failing: 0, gaveUp: 0, lastError: null }
        : await outboxSummary(handle.db);
      // Before migration 013 no school has a sign-in provider.
      ssoProviders = database.pendingMigrations.includes('013_school_accounts')
        ? []
        : await ssoProviderFacts(handle, config.secretKey);
    } catch (err) {
      database.error = err instanceof Error ? err.message : String(err);
    }
  } else {
    database.error = `no answer from ${config.database.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'} within 3 seconds`;
  }
  return {
    config,
    env,
    inContainer: detectContainer(env),
    database,
    admins,
    newestBackup: newestBackup(config.ops.backupDir),
    outbox,
    ssoProviders,
    cores: availableParallelism(),
    sessionRedis: config.session.storeUri?.startsWith('redis')
      ? await sessionRedisPersistence(config.session.storeUri)
      : null,
    now: new Date(),
  };
}
