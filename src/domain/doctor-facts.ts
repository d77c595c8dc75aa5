// Gathers what `mathsoc doctor` and the production start-up check look at:
// the environment, the database (reachable? migrated? admins on a default
// password?), the backup folder and whether we run in a container. The checks
// themselves are pure and live in src/security/doctor.ts; the facts live here
// because the admin check needs the account passwords' hashing.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Migrator } from 'kysely';
import type { Config } from '../config/index.js';
import { pingDatabase, type DatabaseHandle } from '../db/index.js';
import { migrations } from '../db/migrations/index.js';
import { DEFAULT_ADMIN_PASSWORDS, type AdminFact, type DoctorFacts } from '../security/doctor.js';
import { verifyPassword } from './accounts/passwords.js';
import { outboxSummary } from './mail/outbox.js';

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

export async function gatherFacts(
  config: Config,
  handle: DatabaseHandle,
  env: Env = process.env,
): Promise<DoctorFacts> {
  const database: DoctorFacts['database'] = { reachable: false, pendingMigrations: [] };
  let admins: AdminFact[] | null = null;
  let outbox: DoctorFacts['outbox'] = null;
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
    now: new Date(),
  };
}
