// Piscina's entry file for each worker thread. In the build (dist/math/, made by
// `npm run build`) the compiled engine sits beside this file and is imported
// directly. From source, worker threads do not inherit a test runner's
// TypeScript transform, so register tsx here (scoped to this import) and load
// the engine from source; this works under `tsx src/server.ts` and under vitest alike.
import { existsSync } from 'node:fs';

const compiled = new URL('./worker.js', import.meta.url);
let mod;
if (existsSync(compiled)) {
  mod = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  const api = register({ namespace: 'mathsoc-math-worker' });
  mod = await api.import('./worker.ts', import.meta.url);
}

export default mod.default;
