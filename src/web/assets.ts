// Hashed client bundles: scripts/build-client.ts writes public/assets/manifest.json
// mapping "mathfield.js" → "mathfield-3f2a9c1b.js". Names are looked up once per
// process: a later build replaces the manifest atomically and keeps this
// build's files until the build after next, so the names read here keep answering.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PUBLIC_DIR = join(import.meta.dirname, '..', '..', 'public');

let manifest: Record<string, string> | null = null;

function load(): Record<string, string> {
  if (manifest) return manifest;
  try {
    manifest = JSON.parse(readFileSync(join(PUBLIC_DIR, 'assets', 'manifest.json'), 'utf8')) as Record<string, string>;
  } catch {
    throw new Error('public/assets/manifest.json is missing: run `npm run build` first');
  }
  return manifest;
}

export function assetUrl(name: string): string {
  const hashed = load()[name];
  if (!hashed) throw new Error(`unknown client asset "${name}" (is it an entry in scripts/build-client.ts?)`);
  return `/assets/${hashed}`;
}

// The build's content-hashed names: esbuild's entries and chunks (8 base32
// characters) and the copied stylesheets (10 hex digits). Fonts and the
// manifest keep fixed names.
const HASHED_NAME = /^assets\/(?:chunks\/)?[\w-]+-(?:[A-Z2-7]{8}|[a-f0-9]{10})\.(?:js|css)$/;

/** True for a file under public/ whose name changes whenever its content does. */
export function isHashedAsset(pathInPublic: string): boolean {
  return HASHED_NAME.test(pathInPublic.split('\\').join('/'));
}
