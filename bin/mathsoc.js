#!/usr/bin/env node
// The command line. Runs the compiled build (dist/, from `npm run build`) when
// it is current, and the TypeScript sources through tsx otherwise, so that a
// checkout being edited never runs stale code (see scripts/build-state.js).
import { staleReason } from '../scripts/build-state.js';

let runCli;
if (staleReason() === null) {
  ({ runCli } = await import('../dist/cli/index.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src/cli/index.ts'));
}
process.exitCode = await runCli(process.argv);
