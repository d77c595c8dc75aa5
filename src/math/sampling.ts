// Deterministic sample points for comparing expressions in variables. One Sampler serves
// a whole check, so each subtree is evaluated at most once per point however many
// list items or relations are matched against each other.
import type { Node } from './ast.js';
import { freeVariables, someNode } from './ast.js';
import { complexValue } from './complex.js';
import { fail } from './errors.js';
import { numericValue, type Env } from './evaluate.js';
import { LIMITS } from './limits.js';

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

// First round: small positive values (logs, roots) and both signs. The second, wider
// round is only evaluated when too few first-round points are defined (e.g. ln(x-5)).
const RANGES: ReadonlyArray<[count: number, lo: number, hi: number]> = [
  [8, 0.35, 3.4],
  [8, -3.4, 3.4],
  [16, -24, 24],
];
const FIRST_ROUND = 16;
const TOTAL_POINTS = 32;

interface Cached {
  values: Float64Array;
  computed: number;
}

/** Finite value pairs: a[i] and b[i] for i < n. */
export interface SamplePairs {
  a: Float64Array;
  b: Float64Array;
  n: number;
  /** At some point one side overflowed to ±Infinity while the other stayed finite. */
  conflict: boolean;
}

/** Finite complex value pairs (real and imaginary parts): a[i] and b[i] for i < n. */
export interface ComplexSamplePairs {
  aRe: Float64Array;
  aIm: Float64Array;
  bRe: Float64Array;
  bIm: Float64Array;
  n: number;
  conflict: boolean;
}

interface CachedComplex {
  re: Float64Array;
  im: Float64Array;
  computed: number;
}

const isInfinite = (v: number): boolean => v === Infinity || v === -Infinity;
const isFiniteComplex = (re: number, im: number): boolean => Number.isFinite(re) && Number.isFinite(im);
// An overflow: some part infinite and none undefined.
const isInfiniteComplex = (re: number, im: number): boolean =>
  !Number.isNaN(re) && !Number.isNaN(im) && (isInfinite(re) || isInfinite(im));

export class Sampler {
  private readonly envs: Env[] = [];
  private readonly cache = new Map<Node, Cached>();
  private readonly complexCache = new Map<Node, CachedComplex>();

  constructor(nodes: Node[], seed: number) {
    const vars = new Set<string>();
    for (const n of nodes) freeVariables(n, vars);
    if (vars.size > LIMITS.maxVariables) fail('too-complex', `more than ${LIMITS.maxVariables} variables`);
    const names = [...vars].sort();
    const ints = integerVariables(nodes);
    const rnd = generator(seed);
    for (const [count, lo, hi] of RANGES) {
      for (let i = 0; i < count; i++) {
        const env = new Map<string, number>();
        for (const v of names) {
          const r = rnd();
          env.set(v, ints.has(v) ? 1 + Math.floor(r * 9) : lo + (hi - lo) * r);
        }
        this.envs.push(env);
      }
    }
  }

  /** Values of `node` at the first `count` points (NaN where undefined). */
  private values(node: Node, count: number): Float64Array {
    let c = this.cache.get(node);
    if (!c) {
      c = { values: new Float64Array(TOTAL_POINTS), computed: 0 };
      this.cache.set(node, c);
    }
    for (; c.computed < count; c.computed++) c.values[c.computed] = numericValue(node, this.envs[c.computed]);
    return c.values;
  }

  /** Complex values of `node` at the first `count` points, for answers that use i. */
  private complexValues(node: Node, count: number): CachedComplex {
    let c = this.complexCache.get(node);
    if (!c) {
      c = { re: new Float64Array(TOTAL_POINTS), im: new Float64Array(TOTAL_POINTS), computed: 0 };
      this.complexCache.set(node, c);
    }
    for (; c.computed < count; c.computed++) {
      const v = complexValue(node, this.envs[c.computed]);
      c.re[c.computed] = v.re;
      c.im[c.computed] = v.im;
    }
    return c;
  }

  // Scratch buffers for finitePairs: reused, so matching long lists does not churn the GC.
  private readonly bufA = new Float64Array(TOTAL_POINTS);
  private readonly bufB = new Float64Array(TOTAL_POINTS);
  private readonly bufAIm = new Float64Array(TOTAL_POINTS);
  private readonly bufBIm = new Float64Array(TOTAL_POINTS);

  /** finitePairs in complex arithmetic (variables stay real); the same rounds and rules. */
  complexPairs(f: Node, g: Node, wanted: number): ComplexSamplePairs {
    let r = this.collectComplex(f, g, FIRST_ROUND);
    if (r.n < wanted && !r.conflict) r = this.collectComplex(f, g, TOTAL_POINTS);
    return { aRe: this.bufA, aIm: this.bufAIm, bRe: this.bufB, bIm: this.bufBIm, ...r };
  }

  private collectComplex(f: Node, g: Node, count: number): { n: number; conflict: boolean } {
    const fa = this.complexValues(f, count);
    const gb = this.complexValues(g, count);
    let n = 0;
    let conflict = false;
    for (let i = 0; i < count; i++) {
      const ar = fa.re[i] as number;
      const ai = fa.im[i] as number;
      const br = gb.re[i] as number;
      const bi = gb.im[i] as number;
      if (isFiniteComplex(ar, ai) && isFiniteComplex(br, bi)) {
        this.bufA[n] = ar;
        this.bufAIm[n] = ai;
        this.bufB[n] = br;
        this.bufBIm[n] = bi;
        n++;
      } else if (
        (isFiniteComplex(ar, ai) && isInfiniteComplex(br, bi)) ||
        (isInfiniteComplex(ar, ai) && isFiniteComplex(br, bi))
      ) {
        conflict = true;
      }
    }
    return { n, conflict };
  }

  /**
   * Values of f and g at the points where both are finite: the first round, or both
   * rounds when the first has fewer than `wanted`. The arrays are overwritten by the
   * next call, so read them before calling again.
   */
  finitePairs(f: Node, g: Node, wanted: number): SamplePairs {
    let r = this.collect(f, g, FIRST_ROUND);
    if (r.n < wanted && !r.conflict) r = this.collect(f, g, TOTAL_POINTS);
    return { a: this.bufA, b: this.bufB, ...r };
  }

  private collect(f: Node, g: Node, count: number): { n: number; conflict: boolean } {
    const fa = this.values(f, count);
    const gb = this.values(g, count);
    let n = 0;
    let conflict = false;
    for (let i = 0; i < count; i++) {
      const a = fa[i] as number;
      const b = gb[i] as number;
      if (Number.isFinite(a) && Number.isFinite(b)) {
        this.bufA[n] = a;
        this.bufB[n] = b;
        n++;
      } else if ((Number.isFinite(a) && isInfinite(b)) || (isInfinite(a) && Number.isFinite(b))) {
        // NaN means "undefined here" and is skipped; an overflow next to a finite value
        // is a real difference ((x+1)^1000 is not 0 just because it underflows near -1).
        conflict = true;
      }
    }
    return { n, conflict };
  }
}
