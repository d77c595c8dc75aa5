// npm run bench:math — accuracy of the answer engine on the dev corpus and every
// test/fixtures/math/corpus-*.json, per file and per category, and the latency of
// checkAnswer (in process, p50/p99 per file and category) and of pool.check (worker
// round trip) over the same pairs.
import { checkAnswer, type CheckResult } from '../src/math/index.js';
import { createMathPool } from '../src/math/pool.js';
import { loadMathCorpora, type CorpusEntry } from '../test/helpers/math-corpus.js';

interface Pair extends CorpusEntry {
  file: string;
}

const corpora = loadMathCorpora();
const pairs: Pair[] = corpora.flatMap((c) => c.entries.map((e) => ({ ...e, file: c.name })));
const ROUNDS = Number(process.env.MATH_BENCH_ROUNDS ?? 50);

const check = (p: Pair): CheckResult => checkAnswer(p.expected, p.submitted, p.options);

/** Right verdict, and the reason and form where the entry names them. */
function judgedRight(p: Pair, r: CheckResult): boolean {
  if (r.equivalent !== p.equivalent) return false;
  if (p.reason !== undefined && r.reason !== p.reason) return false;
  return p.form === undefined || r.form === p.form;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function stats(samples: number[]): { median: number; p99: number; max: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    n: sorted.length,
  };
}

const fmt = (ms: number): string => `${ms.toFixed(3)} ms`.padStart(11);

// Accuracy.
const wrong: string[] = [];
const verdictOf = new Map<string, boolean>();
for (const p of pairs) {
  const right = judgedRight(p, check(p));
  verdictOf.set(p.id, right);
  if (!right) wrong.push(`${p.id} (${p.file})`);
}

// In-process latency: warm up, then time every pair in every round.
for (let i = 0; i < 5; i++) for (const p of pairs) check(p);
const local: number[] = [];
const perPair = new Map<string, number[]>();
for (let r = 0; r < ROUNDS; r++) {
  for (const p of pairs) {
    const t = performance.now();
    check(p);
    const ms = performance.now() - t;
    local.push(ms);
    const list = perPair.get(p.id) ?? [];
    list.push(ms);
    perPair.set(p.id, list);
  }
}
// The slowest pair by its own median: unlike p99/max, robust to other load on the machine.
const [slowestId, slowestMedian] = [...perPair]
  .map(([id, ms]) => [id, stats(ms).median] as const)
  .reduce((a, b) => (b[1] > a[1] ? b : a));

// Pool latency (one check at a time, so this is the round trip, not throughput).
// Without the verdict cache: every call is a real round trip to a worker.
const pool = createMathPool({ timeoutMs: 250, verdictCacheEntries: 0 });
const pooledCheck = (p: Pair) => pool.check(p.expected, p.submitted, p.options);
for (const p of pairs) await pooledCheck(p);
const pooled: number[] = [];
for (let r = 0; r < Math.max(1, Math.floor(ROUNDS / 5)); r++) {
  for (const p of pairs) {
    const t = performance.now();
    await pooledCheck(p);
    pooled.push(performance.now() - t);
  }
}
await pool.close();

/** One table row per group: right/total and the in-process p50/p99 of its pairs. */
function table(title: string, groupOf: (p: Pair) => string): void {
  const groups = new Map<string, Pair[]>();
  for (const p of pairs) groups.set(groupOf(p), [...(groups.get(groupOf(p)) ?? []), p]);
  console.log(`\n${title.padEnd(30)}${'right'.padStart(9)}${'p50'.padStart(11)}${'p99'.padStart(11)}`);
  for (const [name, members] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const right = members.filter((p) => verdictOf.get(p.id)).length;
    const s = stats(members.flatMap((p) => perPair.get(p.id) ?? []));
    console.log(`${name.padEnd(30)}${`${right}/${members.length}`.padStart(9)}${fmt(s.median)}${fmt(s.p99)}`);
  }
}

const right = pairs.length - wrong.length;
console.log(
  `\nMath engine — ${corpora.length} corpus file(s), ${pairs.length} pairs, ${ROUNDS} rounds, Node ${process.version}`,
);
table('file', (p) => p.file);
table('category', (p) => `${p.category}`);
console.log(
  `\n${'accuracy'.padEnd(30)}${`${right}/${pairs.length}`.padStart(9)}  (${((100 * right) / pairs.length).toFixed(1)}%)`,
);
if (wrong.length) console.log(`wrong: ${wrong.join(', ')}`);

console.log(
  `\n${'latency'.padEnd(24)}${'median'.padStart(11)}${'p99'.padStart(11)}${'max'.padStart(11)}${'calls'.padStart(8)}`,
);
for (const [name, samples] of [
  ['checkAnswer (in process)', local],
  ['pool.check (round trip)', pooled],
] as const) {
  const s = stats(samples);
  console.log(`${name.padEnd(24)}${fmt(s.median)}${fmt(s.p99)}${fmt(s.max)}${String(s.n).padStart(8)}`);
}
console.log(`${'slowest pair (median)'.padEnd(24)}${fmt(slowestMedian)}  ${slowestId}`);
const median = stats(local).median;
console.log(`\ntarget: median < 1 ms in process — ${median < 1 ? 'met' : 'NOT MET'}`);
if (wrong.length > 0 || median >= 1) process.exitCode = 1;
