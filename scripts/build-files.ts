// File operations the build needs so that running processes never see a
// missing or half-written file: each file is written beside its target and
// renamed over it (a rename is atomic on one file system), and one build at a
// time holds the lock.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './build-state.js';

/** Writes `data` to `path` through a temporary file and a rename; leaves an identical file untouched. */
export function writeAtomic(path: string, data: string | Uint8Array): 'written' | 'unchanged' {
  const bytes =
    typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  try {
    if (readFileSync(path).equals(bytes)) return 'unchanged';
  } catch {
    // absent: written below
  }
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, bytes);
  renameSync(temp, path);
  return 'written';
}

/** Every file under `dir`, as paths relative to it with forward slashes. */
export function listFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return names
    .filter((rel) => statSync(join(dir, rel), { throwIfNoEntry: false })?.isFile())
    .map((rel) => rel.split('\\').join('/'));
}

/** Removes the files under `dir` that `keep` does not name, then any folders left empty. */
export function pruneFiles(dir: string, keep: Set<string>): string[] {
  const removed = listFiles(dir).filter((rel) => !keep.has(rel));
  for (const rel of removed) rmSync(join(dir, rel), { force: true });
  const folders = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((rel) => statSync(join(dir, rel), { throwIfNoEntry: false })?.isDirectory())
    .sort((a, b) => b.length - a.length);
  for (const rel of folders) {
    if (readdirSync(join(dir, rel)).length === 0) rmSync(join(dir, rel), { recursive: true, force: true });
  }
  return removed;
}

const LOCK = join(ROOT, '.build-lock');
const LOCK_WAIT_MS = 5 * 60_000;

function holder(): number | null {
  try {
    const pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `work` while holding .build-lock (a folder: creating one is atomic), so
 * two builds started together (two `npm start` on a fresh checkout) take turns
 * instead of pruning each other's files. A lock left by a dead process is taken over.
 */
export async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = holder();
    const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    // No pid after a few seconds, or a pid that is gone: a build that died.
    if ((pid !== null && !alive(pid)) || (pid === null && age > 5000)) {
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `another build (pid ${pid ?? 'unknown'}) has held ${LOCK} for too long; remove it if no build runs`,
      );
    }
    if (!announced) console.log(`waiting for the build running in process ${pid ?? '(starting)'}`);
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
