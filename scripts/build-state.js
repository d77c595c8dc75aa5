// Whether the build (the compiled server in dist/ and the browser bundles in
// public/assets, made by `npm run build`) is at least as new as everything it
// is made from. `npm start` builds first when it is not (scripts/ensure-build.js);
// bin/mathsoc.js runs the compiled command line only when it is current.
// Plain JavaScript, so that answering costs one `node` start and no compiler.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
/** Written last by a full build: when it started, so edits made during a build count as newer. */
export const BUILD_INFO = join(ROOT, 'dist', 'build-info.json');
export const MANIFEST = join(ROOT, 'public', 'assets', 'manifest.json');
/** What the build is made from, relative to the root. Missing ones (a runtime image without sources) are skipped. */
export const BUILD_INPUTS = ['src', 'client', 'public/css', 'scripts', 'package-lock.json', 'tsconfig.json'];

/** The newest modification time under a path (files and folders, so a deleted file counts), or 0 when absent. */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let time = st.mtimeMs;
  for (const rel of readdirSync(path, { recursive: true })) {
    const t = statSync(join(path, rel), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (t > time) time = t;
  }
  return time;
}

/** When the last full build started (ms since the epoch), or null when there is none. */
export function builtAt() {
  try {
    const info = JSON.parse(readFileSync(BUILD_INFO, 'utf8'));
    return typeof info.startedAt === 'number' ? info.startedAt : null;
  } catch {
    return null;
  }
}

/** Why a build is needed, in words, or null when the build is current. */
export function staleReason() {
  const started = builtAt();
  if (started === null) return 'there is no build yet (dist/build-info.json is missing)';
  if (newest(MANIFEST) === 0) return 'public/assets/manifest.json is missing';
  for (const input of BUILD_INPUTS) {
    if (newest(join(ROOT, input)) > started) return `${input} changed since the last build`;
  }
  return null;
}
