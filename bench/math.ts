// npm run bench:math — accuracy of the answer engine on the dev corpus, and latency of
// checkAnswer (in process) and of pool.check (worker round trip) over the same pairs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkAnswer } from '../src/math/index.js';
import { createMathPool } from '../src/math/pool.js';

interface Pair {
  id: string;
  expected: string;
  submitted: string;
  equivalent: boolean;
  category: string;
}

const corpusPath = fileURLToPath(new URL('../test/fixtures/math/dev-corpus.json', import.meta.url));
const corpus = JSON.parse(readFileSync(corpusPath, 'utf8')) as Pair[];
const ROUNDS = Number(process.env.MATH_BENCH_ROUNDS ?? 50);

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

// Accuracy, by category.
const byCategory = new Map<string, { right: number; total: number }>();
const wrong: string[] = [];
for (const pair of corpus) {
  const verdict = checkAnswer(pair.expected, pair.submitted).equivalent;
  const entry = byCategory.get(pair.category) ?? { right: 0, total: 0 };
  entry.total++;
  if (verdict === pair.equivalent) entry.right++;
  else wrong.push(pair.id);
  byCategory.set(pair.category, entry);
}

// In-process latency: warm up, then time every pair in every round.
for (let i = 0; i < 5; i++) for (const p of corpus) checkAnswer(p.expected, p.submitted);
const local: number[] = [];
const perPair = new Map<string, number[]>();
for (let r = 0; r < ROUNDS; r++) {
  for (const p of corpus) {
    const t = performance.now();
    checkAnswer(p.expected, p.submitted);
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
for (const p of corpus) await pool.check(p.expected, p.submitted);
const pooled: number[] = [];
for (let r = 0; r < Math.max(1, Math.floor(ROUNDS / 5)); r++) {
  for (const p of corpus) {
    const t = performance.now();
    await pool.check(p.expected, p.submitted);
    pooled.push(performance.now() - t);
  }
}
await pool.close();

const right = corpus.length - wrong.length;
console.log(`\nMath engine — dev corpus (${corpus.length} pairs), Node ${process.version}\n`);
console.log('category'.padEnd(22) + 'right'.padStart(8));
for (const [cat, { right: r, total }] of [...byCategory].sort())
  console.log(cat.padEnd(22) + `${r}/${total}`.padStart(8));
console.log(
  `${'accuracy'.padEnd(22)}${`${right}/${corpus.length}`.padStart(8)}  (${((100 * right) / corpus.length).toFixed(1)}%)`,
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
