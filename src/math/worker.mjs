// Piscina's entry file for each worker thread. Worker threads do not inherit a test
// runner's TypeScript transform, so register tsx here (scoped to this import) and load
// the engine from source; this works under `tsx src/server.ts` and under vitest alike.
import { register } from 'tsx/esm/api';

const api = register({ namespace: 'mathsoc-math-worker' });
const mod = await api.import('./worker.ts', import.meta.url);

export default mod.default;
