// Entry point: configuration → database ready → buildApp → listen, and a
// graceful shutdown on SIGTERM/SIGINT (stop accepting, finish in-flight
// requests, close the database pool).
import { buildApp } from './app.js';
import { ConfigError, loadConfig, loadDotEnv } from './config/index.js';
import { openDatabase } from './db/index.js';
import { gatherFacts } from './domain/doctor-facts.js';
import { prepareDatabase } from './domain/setup.js';
import { startupCheck } from './security/doctor.js';

async function main(): Promise<void> {
  await loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`mathsoc: configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  const database = openDatabase(config.database);
  // First start on the embedded default: create the tables, the default school
  // and the first admin (whose one-time password is printed once, below).
  const firstRun = await prepareDatabase(config, database, { print: (line) => console.log(line) });

  if (config.profile === 'production') {
    // The blocking items of the production checklist (`mathsoc doctor`): refuse to serve on a failure.
    const check = startupCheck(await gatherFacts(config, database));
    for (const line of check.lines) console.error(`mathsoc: ${line}`);
    if (!check.ok) {
      await database.close();
      process.exit(1);
    }
  }

  const app = await buildApp(config, { database });
  app.addHook('onClose', async () => database.close());

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ host: config.server.host, port: config.server.port });
  const shown = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  console.log(
    `Maths Society is running at http://${shown}:${config.server.port} (${config.profile}, ${config.database.dialect})`,
  );
  if (firstRun) console.log('Log in as the admin shown above and change the password when asked.');
}

main().catch((err: unknown) => {
  console.error('mathsoc: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
