// `mathsoc uploads:migrate --to database|local`: copies the bytes of every
// recorded upload from the other storage into the one named, checking each
// copy's size and SHA-256 against the source. Files already in the target
// with their recorded size are skipped, so the command can be stopped and run
// again (and run once more after switching UPLOAD_STORAGE, for files uploaded
// in between). It never deletes anything from the source.
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { digest, type UploadStorage } from '../domain/content/upload-storage.js';
import { uploadStorage } from '../domain/content/uploads.js';

export type StorageKind = Config['uploads']['storage'];

export interface MigrationCounts {
  total: number;
  copied: number;
  skipped: number;
  /** Recorded uploads whose bytes the source does not have. */
  missing: number;
  /** Copies that failed or did not match their source (removed again from the target). */
  failed: number;
  copiedBytes: number;
}

const BATCH = 200;

/** Copies every recorded upload from the other storage into `to`; reports each problem through `say`. */
export async function migrateUploads(
  config: Config,
  db: Db,
  to: StorageKind,
  say: (line: string) => void,
): Promise<MigrationCounts> {
  const from: StorageKind = to === 'database' ? 'local' : 'database';
  const source = uploadStorage({ ...config.uploads, storage: from }, db);
  const target = uploadStorage({ ...config.uploads, storage: to }, db);
  const counts: MigrationCounts = { total: 0, copied: 0, skipped: 0, missing: 0, failed: 0, copiedBytes: 0 };
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('uploads')
      .select(['id', 'stored_name', 'size'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      after = row.id;
      counts.total += 1;
      let outcome: Outcome;
      try {
        outcome = await copyOne(source, target, row);
      } catch (err) {
        outcome = { problem: err instanceof Error ? err.message : String(err) };
      }
      if (outcome === 'copied') {
        counts.copied += 1;
        counts.copiedBytes += row.size;
      } else if (outcome === 'skipped') {
        counts.skipped += 1;
      } else if (outcome === 'missing') {
        counts.missing += 1;
        say(`  missing  ${row.stored_name} (upload ${row.id}): not in the ${storageLabel(from, config)}`);
      } else {
        counts.failed += 1;
        say(`  failed   ${row.stored_name} (upload ${row.id}): ${outcome.problem}`);
      }
    }
  }
  return counts;
}

type Outcome = 'copied' | 'skipped' | 'missing' | { problem: string };

async function copyOne(
  source: UploadStorage,
  target: UploadStorage,
  row: { stored_name: string; size: number },
): Promise<Outcome> {
  const name = row.stored_name;
  const present = await target.size(name);
  if (present === row.size) return 'skipped';
  const opened = await source.open(name);
  if (!opened) return 'missing';
  if (opened.size !== row.size) {
    opened.stream.destroy();
    return { problem: `the source has ${opened.size} bytes, the record says ${row.size}; not copied` };
  }
  // A copy of the wrong size (from an older, interrupted tool) is replaced; never the source.
  if (present !== null) await target.delete(name);
  const written = await target.put(name, opened.stream);
  const check = await target.open(name);
  const copy = check ? await digest(check.stream) : null;
  if (!copy || written.size !== row.size || copy.size !== written.size || copy.sha256 !== written.sha256) {
    await target.delete(name);
    return { problem: 'the copy does not match its source (size or SHA-256); removed from the target' };
  }
  return 'copied';
}

export function storageLabel(kind: StorageKind, config: Config): string {
  return kind === 'database' ? 'database' : `directory ${config.uploads.dir}`;
}
