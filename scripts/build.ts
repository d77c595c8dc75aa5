// `npm run build`: the browser bundles (build-client.ts), then the compiled
// server (build-server.ts), one build at a time, and dist/build-info.json last
// with the time the build started, which `npm start` and bin/mathsoc.js compare
// with the sources (build-state.js).
//   --client    only the browser bundles (what the tests need; `npm run build:client`)
//   --if-stale  build only if the build is still out of date once the lock is held
//               (another process may have built it meanwhile; used by `npm start`)
import { writeAtomic, withBuildLock } from './build-files.js';
import { buildClient } from './build-client.js';
import { BUILD_INFO, staleReason } from './build-state.js';
import { buildServer } from './build-server.js';

const clientOnly = process.argv.includes('--client');
const ifStale = process.argv.includes('--if-stale');

await withBuildLock(async () => {
  if (ifStale && !clientOnly && staleReason() === null) {
    console.log('build: already current (built by another process meanwhile)');
    return;
  }
  const startedAt = Date.now();
  const client = await buildClient();
  console.log(
    `client assets: ${Object.keys(client.manifest).length} entries in public/assets ` +
      `(${client.written} files written, ${client.removed.length} from older builds removed)`,
  );
  if (clientOnly) return;
  const server = await buildServer();
  console.log(`server: ${server.files} files in dist (${server.written} written, ${server.removed.length} removed)`);
  writeAtomic(BUILD_INFO, `${JSON.stringify({ startedAt, finishedAt: Date.now(), node: process.version }, null, 2)}\n`);
  console.log(`build done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
});
