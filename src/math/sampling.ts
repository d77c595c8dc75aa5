// Deterministic sample points for comparing expressions in variables.
import type { Node } from './ast.js';
import { someNode, freeVariables } from './ast.js';
import { numericValue, type Env } from './evaluate.js';

/** 32-bit FNV-1a: a stable seed from the expected answer, the same in every process. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0 || 1;
}

/** xorshift32: tiny, fast and fully deterministic. */
function generator(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Variables that only make sense as whole numbers (inside n! or a binomial). */
function integerVariables(nodes: Node[]): Set<string> {
  const out = new Set<string>();
  for (const node of nodes) {
    someNode(node, (n) => {
      if (n.type === 'fact') freeVariables(n.arg, out);
      if (n.type === 'binom') {
        freeVariables(n.n, out);
        freeVariables(n.k, out);
      }
      return false;
    });
  }
  return out;
}

// Round 0: mostly small positive values (logs, roots) plus both signs; round 1 widens
// the range for answers defined only far from the origin (e.g. ln(x-5)).
const ROUNDS: ReadonlyArray<ReadonlyArray<[number, number, number]>> = [
  [
    [8, 0.35, 3.4],
    [8, -3.4, 3.4],
  ],
  [[16, -24, 24]],
];

export interface SamplePair {
  a: number;
  b: number;
}

/**
 * Evaluates f and g at the same deterministic points. A second, wider round runs
 * only when too few points are defined for both.
 */
export function samplePairs(f: Node, g: Node, vars: string[], seed: number, minValid: number): SamplePair[] {
  if (vars.length === 0) return [evaluatePair(f, g, new Map())];
  const ints = integerVariables([f, g]);
  const rnd = generator(seed);
  const pairs: SamplePair[] = [];
  for (const round of ROUNDS) {
    for (const [count, lo, hi] of round) {
      for (let i = 0; i < count; i++) {
        const env = new Map<string, number>();
        for (const v of vars) {
          const r = rnd();
          env.set(v, ints.has(v) ? 1 + Math.floor(r * 9) : lo + (hi - lo) * r);
        }
        pairs.push(evaluatePair(f, g, env));
      }
    }
    if (pairs.filter((p) => Number.isFinite(p.a) && Number.isFinite(p.b)).length >= minValid) break;
  }
  return pairs;
}

function evaluatePair(f: Node, g: Node, env: Env): SamplePair {
  return { a: numericValue(f, env), b: numericValue(g, env) };
}
