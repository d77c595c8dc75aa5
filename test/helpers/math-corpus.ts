// The math corpora: the shared dev corpus (dev-corpus.json) and every
// test/fixtures/math/corpus-*.json beside it, read and checked for shape.
// Used by the corpus test and by `npm run bench:math`.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const entrySchema = z.object({
  id: z.string().min(1),
  expected: z.string(),
  submitted: z.string(),
  equivalent: z.boolean(),
  category: z.string().min(1),
  note: z.string().optional(),
  /** Answer options for the box, as an admin writes them (validated by the engine). */
  options: z.record(z.string(), z.unknown()).optional(),
  /** The reason the engine must give, when the case is about it ('wrong-form', 'not-solved'…). */
  reason: z.string().optional(),
  /** The form the engine must name ('wrong-form' cases). */
  form: z.string().nullable().optional(),
  /** Key presses for the browser's typing cases, and reading notes: not used by the engine tests. */
  keys: z.unknown().optional(),
  reading: z.unknown().optional(),
});

export type CorpusEntry = z.infer<typeof entrySchema>;

export interface Corpus {
  /** The file name, e.g. "corpus-forms.json". */
  name: string;
  entries: CorpusEntry[];
}

export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/math/', import.meta.url));
export const DEV_CORPUS = 'dev-corpus.json';

function readCorpus(name: string): Corpus {
  const raw: unknown = JSON.parse(readFileSync(`${CORPUS_DIR}${name}`, 'utf8'));
  const parsed = z.array(entrySchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${name}: entry ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'malformed'}`);
  }
  return { name, entries: parsed.data };
}

/**
 * The dev corpus first, then every corpus-*.json in name order (whichever exist).
 * Throws on a malformed file or an id used twice across the files.
 */
export function loadMathCorpora(): Corpus[] {
  const extra = readdirSync(CORPUS_DIR)
    .filter((f) => /^corpus-[\w-]+\.json$/.test(f))
    .sort();
  const corpora = [DEV_CORPUS, ...extra].map(readCorpus);
  const seen = new Map<string, string>();
  for (const c of corpora) {
    for (const e of c.entries) {
      const other = seen.get(e.id);
      if (other) throw new Error(`corpus id ${e.id} is used in both ${other} and ${c.name}`);
      seen.set(e.id, c.name);
    }
  }
  return corpora;
}
