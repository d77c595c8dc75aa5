// `mathsoc` — operations from the command line (also as npm scripts):
// db:migrate, db:init, create-admin, reset-password, db:backup, db:restore, doctor, mail:send,
// uploads:migrate, year:rollover, leavers:purge.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { ConfigError, loadConfig, loadDotEnv, type Config } from '../config/index.js';
import { migrateToLatest, openDatabase, looksLikeTestDatabase, type DatabaseHandle } from '../db/index.js';
import { audit, CLI_ACTOR } from '../domain/audit.js';
import { passwordError, passwordRules } from '../domain/accounts/password-policy.js';
import { generatePassword } from '../domain/accounts/passwords.js';
import { hashNewPassword, setPassword } from '../domain/accounts/users.js';
import { gatherFacts } from '../domain/doctor-facts.js';
import { queueMail } from '../domain/mail/outbox.js';
import { mailDelivery, MailSender, type MailLog } from '../domain/mail/sender.js';
import { passwordChangedMail } from '../domain/mail/templates/password-changed.js';
import { hasAdmin, initialiseData } from '../domain/setup.js';
import { doctorReport } from '../security/doctor.js';
import { RedisSessionStore } from '../security/session-redis.js';
import { DatabaseSessionStore, type SessionStore } from '../security/session-store.js';
import { backupDatabase, restoreDatabase } from './backup.js';
import { readSecret } from './prompt.js';
import { migrateUploads, storageLabel, type StorageKind } from './uploads-migrate.js';
import { registerUsersImport } from './users-import.js';
import { registerYearRolloverCommands } from './year-rollover.js';

export class CliError extends Error {}

async function withDatabase<T>(fn: (config: Config, handle: DatabaseHandle) => Promise<T>): Promise<T> {
  await loadDotEnv();
  const config = loadConfig();
  const handle = openDatabase(config.database);
  try {
    return await fn(config, handle);
  } finally {
    await handle.close();
  }
}

/** The admin password for production: MATHSOC_ADMIN_PASSWORD or stdin, held to the admin password rules. */
async function suppliedPassword(config: Config, label: string, email: string): Promise<string> {
  const password = process.env.MATHSOC_ADMIN_PASSWORD ?? (await readSecret(`${label}: `));
  const problem = passwordError(password, passwordRules(config, { isAdmin: true }), { email });
  if (problem) throw new CliError(problem);
  return password;
}

/** The same session store the server uses, so ending sessions reaches Redis too. */
async function sessionStore(config: Config, handle: DatabaseHandle): Promise<SessionStore> {
  if (!config.session.storeUri) return new DatabaseSessionStore(handle.db);
  const store = new RedisSessionStore(config.session.storeUri);
  await store.connect();
  return store;
}

const say = (line = '') => process.stdout.write(`${line}\n`);

function printOneTimePassword(email: string, password: string): void {
  say('');
  say(`  Account: ${email}`);
  say(`  One-time password (shown only now): ${password}`);
  say('  It must be changed at the first login.');
  say('');
}

export function buildCli(): Command {
  const program = new Command('mathsoc').description('Maths Society platform operations').showHelpAfterError();

  program
    .command('db:migrate')
    .description('apply pending database migrations')
    .action(() =>
      withDatabase(async (config, handle) => {
        const result = await migrateToLatest(handle.db);
        const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
        say(applied.length ? `Applied: ${applied.join(', ')}` : `Database ${config.database.name} is up to date.`);
      }),
    );

  program
    .command('db:init')
    .description('migrate, create the default school and the first admin')
    .option('--email <email>', "the first admin's email (required in production)")
    .option('--first-name <name>', 'first name', 'Site')
    .option('--last-name <name>', 'last name', 'Admin')
    .action((opts: { email?: string; firstName: string; lastName: string }) =>
      withDatabase(async (config, handle) => {
        await migrateToLatest(handle.db);
        if (await hasAdmin(handle)) {
          say('The database already has an admin; nothing to do. Use create-admin to add another.');
          return;
        }
        if (config.profile === 'production') {
          if (!opts.email)
            throw new CliError(
              'In production db:init needs --email and a strong password (MATHSOC_ADMIN_PASSWORD or stdin).',
            );
          const password = await suppliedPassword(config, 'Admin password', opts.email);
          await initialiseData(config, handle, {
            email: opts.email,
            password,
            firstName: opts.firstName,
            lastName: opts.lastName,
            mustChangePassword: false,
          });
          say(`Initialised. Admin ${opts.email.toLowerCase()} created.`);
          return;
        }
        const email = opts.email ?? `admin@${config.school.defaultDomain}`;
        const password = generatePassword(20);
        await initialiseData(config, handle, {
          email,
          password,
          firstName: opts.firstName,
          lastName: opts.lastName,
          mustChangePassword: true,
        });
        say('Initialised.');
        printOneTimePassword(email.toLowerCase(), password);
      }),
    );

  program
    .command('create-admin')
    .description('create another admin account')
    .requiredOption('--email <email>', 'email address')
    .option('--first-name <name>', 'first name', 'Site')
    .option('--last-name <name>', 'last name', 'Admin')
    .action((opts: { email: string; firstName: string; lastName: string }) =>
      withDatabase(async (config, handle) => {
        await migrateToLatest(handle.db);
        const email = opts.email.trim().toLowerCase();
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new CliError(`"${opts.email}" is not an email address.`);
        const exists = await handle.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
        if (exists) throw new CliError(`An account with ${email} already exists.`);
        const production = config.profile === 'production';
        const password = production ? await suppliedPassword(config, 'Password', email) : generatePassword(20);
        await initialiseData(config, handle, {
          email,
          password,
          firstName: opts.firstName,
          lastName: opts.lastName,
          mustChangePassword: !production,
        });
        say(`Admin ${email} created.`);
        if (!production) printOneTimePassword(email, password);
      }),
    );

  program
    .command('reset-password')
    .description('give an account a one-time password that must be changed at the next login; ends its sessions')
    .requiredOption('--email <email>', 'email address')
    .action((opts: { email: string }) =>
      withDatabase(async (config, handle) => {
        const email = opts.email.trim().toLowerCase();
        const user = await handle.db
          .selectFrom('users')
          .select(['id', 'email', 'first_name'])
          .where('email', '=', email)
          .executeTakeFirst();
        if (!user) throw new CliError(`No account with ${email}.`);
        const password = generatePassword(20);
        const hash = await hashNewPassword(password);
        await handle.db.transaction().execute(async (trx) => {
          // setPassword also ends unused reset links, so an old email cannot undo this reset.
          await setPassword(trx, user.id, hash, { mustChange: true });
          await audit(trx, CLI_ACTOR, { action: 'user.reset_password', targetType: 'user', targetId: user.id });
          await queueMail(
            trx,
            passwordChangedMail({ to: user.email, firstName: user.first_name, way: 'admin', forgotLink: null }),
          );
        });
        const store = await sessionStore(config, handle);
        try {
          await store.destroyForUser(user.id);
        } finally {
          await store.close();
        }
        printOneTimePassword(email, password);
      }),
    );

  program
    .command('db:backup')
    .description('write a backup of the database (SQLite online backup; PostgreSQL pg_dump)')
    .option('--out <file>', 'backup file (default: BACKUP_DIR/mathsoc-<time>.<ext>)')
    .action((opts: { out?: string }) =>
      withDatabase(async (config, handle) => {
        const file = await backupDatabase(config, handle, opts.out);
        say(`Backup written to ${file}`);
      }),
    );

  program
    .command('db:restore')
    .description('replace the database with a backup (destructive)')
    .requiredOption('--from <file>', 'backup file written by db:backup')
    .option(
      '--force',
      'required in production, or when the database name does not look like a test or development database',
    )
    .action((opts: { from: string; force?: boolean }) =>
      withDatabase(async (config, handle) => {
        if (config.profile === 'production' && !opts.force) {
          throw new CliError('Refusing to restore over a production database without --force.');
        }
        if (config.database.dialect === 'postgres' && !looksLikeTestDatabase(config.database) && !opts.force) {
          throw new CliError(`Refusing to overwrite PostgreSQL database "${config.database.name}" without --force.`);
        }
        const notes = await restoreDatabase(config, handle, opts.from);
        say(`Database restored from ${opts.from}`);
        for (const note of notes) say(note);
      }),
    );

  program
    .command('uploads:migrate')
    .description('copy every uploaded file into the named storage (never deletes the source; safe to run again)')
    .requiredOption('--to <storage>', 'database or local (UPLOAD_DIR)')
    .action((opts: { to: string }) =>
      withDatabase(async (config, handle) => {
        if (opts.to !== 'database' && opts.to !== 'local')
          throw new CliError(`--to must be "database" or "local", not "${opts.to}".`);
        const to: StorageKind = opts.to;
        const from: StorageKind = to === 'database' ? 'local' : 'database';
        await migrateToLatest(handle.db);
        say(`Copying uploaded files from the ${storageLabel(from, config)} to the ${storageLabel(to, config)}…`);
        const c = await migrateUploads(config, handle.db, to, say);
        const mb = (c.copiedBytes / 1024 / 1024).toFixed(1);
        say(
          `Uploads: ${c.total} recorded, ${c.copied} copied (${mb} MB, sizes and SHA-256 checked), ` +
            `${c.skipped} already there, ${c.missing} missing from the source, ${c.failed} failed.`,
        );
        say(`Nothing was deleted from the ${storageLabel(from, config)}.`);
        if (config.uploads.storage !== to) {
          say(`Now set UPLOAD_STORAGE=${to} and restart the server, then run this command once more`);
          say('to copy files uploaded in between (it skips those already copied).');
        } else {
          say(`UPLOAD_STORAGE is already ${to}.`);
        }
        if (c.missing + c.failed > 0)
          throw new CliError(
            `${c.missing + c.failed} file(s) are not in the ${storageLabel(to, config)} (listed above); the others were copied.`,
          );
      }),
    );

  program
    .command('doctor')
    .description('check this deployment against the production security checklist (exit code 1 on a blocking failure)')
    .action(() =>
      withDatabase(async (config, handle) => {
        const report = doctorReport(await gatherFacts(config, handle));
        for (const line of report.lines) say(line);
        if (!report.ok) throw new CliError('blocking checks failed (marked [blocking] above).');
      }),
    );

  program
    .command('mail:send')
    .description('send the messages due in the outbox once (exit code 1 if any failed; they stay queued)')
    .action(() =>
      withDatabase(async (config, handle) => {
        // One line per message: its id, kind and outcome; never its text or links.
        const line = (obj: Record<string, unknown>, msg: string) =>
          say(
            `${msg}: ${Object.entries(obj)
              .map(([k, v]) => `${k}=${String(v)}`)
              .join(' ')}`,
          );
        const log: MailLog = { info: line, warn: line, error: line };
        const sender = new MailSender(handle.db, mailDelivery(config.mail), log);
        try {
          const result = await sender.flush();
          say(`Outbox: ${result.sent} sent, ${result.failed} failed (will be tried again), ${result.gaveUp} given up.`);
          if (result.failed + result.gaveUp > 0) throw new CliError('some messages could not be sent (see above).');
        } finally {
          await sender.stop();
        }
      }),
    );

  registerUsersImport(program, { withDatabase, say, fail: (message) => new CliError(message) });
  registerYearRolloverCommands(program, { withDatabase, sessionStore, say, fail: (m) => new CliError(m) });

  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CliError || err instanceof ConfigError) {
      process.stderr.write(`mathsoc: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`mathsoc: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await runCli(process.argv);
}
