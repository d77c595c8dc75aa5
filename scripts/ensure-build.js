// Runs before `npm start`: builds (scripts/build.ts) only when there is no
// build or a source is newer than it, so starting a second process from the
// same checkout neither waits for a build nor disturbs the first one.
import { spawnSync } from 'node:child_process';
import { ROOT, staleReason } from './build-state.js';

const reason = staleReason();
if (reason) {
  console.log(`mathsoc: building first: ${reason}`);
  const build = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--if-stale'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  process.exitCode = build.status ?? 1;
}
