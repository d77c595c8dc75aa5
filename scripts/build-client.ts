// Bundles the browser islands in client/*.ts with esbuild into content-hashed
// files under public/assets, copies the self-hosted stylesheets and fonts, and
// writes public/assets/manifest.json (name → hashed file) for the views.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const out = join(root, 'public', 'assets');
const manifest: Record<string, string> = {};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

function copyHashed(src: string, name: string): void {
  const body = readFileSync(src);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  const file = `${basename(name, extname(name))}-${hash}${extname(name)}`;
  writeFileSync(join(out, file), body);
  manifest[name] = file;
}

const clientDir = join(root, 'client');
const entries = existsSync(clientDir)
  ? readdirSync(clientDir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => join(clientDir, f))
  : [];

if (entries.length) {
  const result = await build({
    entryPoints: entries,
    bundle: true,
    format: 'esm',
    splitting: true,
    minify: true,
    sourcemap: false,
    target: ['es2022'],
    outdir: out,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'linked',
  });
  for (const [file, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint || !file.endsWith('.js')) continue;
    manifest[`${basename(meta.entryPoint, '.ts')}.js`] = file.slice(
      file.indexOf('public/assets/') + 'public/assets/'.length,
    );
  }
}

copyHashed(join(root, 'public', 'css', 'site.css'), 'site.css');
copyHashed(join(root, 'public', 'css', 'print.css'), 'print.css');
copyHashed(join(root, 'node_modules', 'katex', 'dist', 'katex.min.css'), 'katex.css');
// KaTeX's stylesheet and MathLive both look for their fonts in ./fonts next to them.
cpSync(join(root, 'node_modules', 'katex', 'dist', 'fonts'), join(out, 'fonts'), { recursive: true });
cpSync(join(root, 'node_modules', 'mathlive', 'fonts'), join(out, 'fonts'), { recursive: true });

writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`client assets: ${Object.keys(manifest).length} entries in public/assets`);
