// Bundles the browser islands in client/*.ts with esbuild into content-hashed
// files under public/assets, copies the self-hosted stylesheets and fonts, and
// writes public/assets/manifest.json (name → hashed file) for the views.
//
// Running servers keep the names they read from the manifest, so a build never
// empties the folder: each file is renamed into place (build-files.ts), the
// manifest is replaced last, and the files of the previous build stay until the
// build after next. public/.asset-builds.json records which files each of the
// two kept builds consists of.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { build } from 'esbuild';
import { listFiles, pruneFiles, writeAtomic } from './build-files.js';
import { ROOT } from './build-state.js';

const OUT = join(ROOT, 'public', 'assets');
const RECORD = join(ROOT, 'public', '.asset-builds.json');
/** How many builds' files stay: this one and the one before, which running processes may still name. */
const KEPT_BUILDS = 2;

export interface ClientBuild {
  manifest: Record<string, string>;
  written: number;
  removed: string[];
}

/** The file sets of the kept builds, newest first; before the first recorded build, whatever the folder holds. */
function previousBuilds(): string[][] {
  try {
    const builds = JSON.parse(readFileSync(RECORD, 'utf8')) as unknown;
    if (Array.isArray(builds) && builds.every((b) => Array.isArray(b))) return builds as string[][];
  } catch {
    // no record yet
  }
  const existing = listFiles(OUT).filter((f) => f !== 'manifest.json' && !f.includes('.tmp-'));
  return existing.length ? [existing] : [];
}

export async function buildClient(): Promise<ClientBuild> {
  const files = new Map<string, Uint8Array>();
  const manifest: Record<string, string> = {};

  function addHashed(src: string, name: string): void {
    const body = readFileSync(src);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
    const file = `${basename(name, extname(name))}-${hash}${extname(name)}`;
    files.set(file, body);
    manifest[name] = file;
  }

  const clientDir = join(ROOT, 'client');
  const entries = existsSync(clientDir)
    ? readdirSync(clientDir)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
        .map((f) => join(clientDir, f))
    : [];

  if (entries.length) {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: entries,
      bundle: true,
      format: 'esm',
      splitting: true,
      minify: true,
      sourcemap: false,
      target: ['es2022'],
      outdir: OUT,
      entryNames: '[name]-[hash]',
      chunkNames: 'chunks/[name]-[hash]',
      metafile: true,
      write: false,
      logLevel: 'warning',
      legalComments: 'linked',
    });
    for (const out of result.outputFiles) files.set(relative(OUT, out.path).split('\\').join('/'), out.contents);
    for (const [file, meta] of Object.entries(result.metafile.outputs)) {
      if (!meta.entryPoint || !file.endsWith('.js')) continue;
      manifest[`${basename(meta.entryPoint, '.ts')}.js`] = relative(OUT, join(ROOT, file)).split('\\').join('/');
    }
  }

  addHashed(join(ROOT, 'public', 'css', 'site.css'), 'site.css');
  addHashed(join(ROOT, 'public', 'css', 'print.css'), 'print.css');
  addHashed(join(ROOT, 'node_modules', 'katex', 'dist', 'katex.min.css'), 'katex.css');
  // KaTeX's stylesheet and MathLive both look for their fonts in ./fonts next to them.
  for (const fontDir of [
    join(ROOT, 'node_modules', 'katex', 'dist', 'fonts'),
    join(ROOT, 'node_modules', 'mathlive', 'fonts'),
  ]) {
    for (const rel of listFiles(fontDir)) files.set(`fonts/${rel}`, readFileSync(join(fontDir, rel)));
  }

  // Every file in place before the manifest names it.
  let written = 0;
  for (const [rel, body] of files) if (writeAtomic(join(OUT, rel), body) === 'written') written++;
  if (writeAtomic(join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`) === 'written') written++;

  const current = [...files.keys()].sort();
  const earlier = previousBuilds().filter((b) => b.join('\n') !== current.join('\n'));
  const kept = [current, ...earlier].slice(0, KEPT_BUILDS);
  writeAtomic(RECORD, `${JSON.stringify(kept)}\n`);
  const removed = pruneFiles(OUT, new Set(['manifest.json', ...kept.flat()]));
  return { manifest, written, removed };
}
