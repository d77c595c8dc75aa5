// Compiles the server (src/) into dist/ with esbuild, file by file: the same
// folders and the same `import './x.js'` paths, so dist/server.js runs under
// plain `node`. Files that are not TypeScript (the math worker's entry, the
// common-password list) are copied as they are. Type checking stays with
// `tsc --noEmit` (npm test); this step only strips types and JSX.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { listFiles, pruneFiles, writeAtomic } from './build-files.js';
import { ROOT } from './build-state.js';

const SRC = join(ROOT, 'src');
const OUT = join(ROOT, 'dist');

export interface ServerBuild {
  files: number;
  written: number;
  removed: string[];
}

export async function buildServer(): Promise<ServerBuild> {
  const sources = listFiles(SRC);
  const isTs = (f: string) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: sources.filter(isTs).map((f) => join(SRC, f)),
    outbase: SRC,
    outdir: OUT,
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    sourcemap: 'linked',
    sourcesContent: false,
    write: false,
    logLevel: 'warning',
  });
  const files = new Map<string, Uint8Array>();
  for (const out of result.outputFiles) files.set(relative(OUT, out.path).split('\\').join('/'), out.contents);
  for (const rel of sources.filter((f) => !isTs(f) && !f.endsWith('.d.ts')))
    files.set(rel, readFileSync(join(SRC, rel)));

  let written = 0;
  for (const [rel, body] of files) if (writeAtomic(join(OUT, rel), body) === 'written') written++;
  // Modules deleted from src/ go; build-info.json is rewritten by scripts/build.ts.
  const removed = pruneFiles(OUT, new Set([...files.keys(), 'build-info.json']));
  return { files: files.size, written, removed };
}
