// Does a polynomial with integer coefficients split into smaller factors over the
// rationals? Exact integer algebra only, within a fixed work budget: a factor is
// reported only when one is actually found, so a refusal is always backed by a real
// factorisation. Also a bounded primality test, for "a product of prime factors".
import type { Term } from './monomials.js';
import * as Q from './rational.js';

/** true: a proper factor exists; false: proven irreducible; null: beyond what is checked. */
export type Split = boolean | null;

/** Work units per answer (one unit ≈ one small integer or BigInt operation), shared by all its brackets. */
const WORK_BUDGET = 200_000;
/** Full search (every factor degree) up to this degree; above it, linear factors only. */
const MAX_FULL_DEGREE = 10;
/** Highest degree read into a dense coefficient array at all. */
const MAX_DEGREE = 1000;
/** Evaluation points used by the factor search are integers in [-POINT_RANGE, POINT_RANGE]. */
const POINT_RANGE = 12;
/** Values whose divisors are listed by trial division (√ of this many steps at most). */
const MAX_DIVISOR_TARGET = 10_000_000_000n;

class OutOfBudget extends Error {}

/** The factor searches of one answer share one budget, however many brackets it has. */
export class Budget {
  private left = WORK_BUDGET;
  spend(units: number): void {
    this.left -= units;
    if (this.left < 0) throw new OutOfBudget('work budget spent');
  }
}

const abs = (a: bigint): bigint => (a < 0n ? -a : a);

// ---- dense univariate polynomials: coefficient of x^i at index i ---------------------

type IntPoly = bigint[];

function trim(p: IntPoly): IntPoly {
  let n = p.length;
  while (n > 0 && p[n - 1] === 0n) n--;
  return p.slice(0, n);
}

function evaluate(p: IntPoly, x: bigint, budget: Budget): bigint {
  budget.spend(p.length);
  let v = 0n;
  for (let i = p.length - 1; i >= 0; i--) v = v * x + (p[i] as bigint);
  return v;
}

/** Exact division in Z[x]: does g divide f? */
function divides(f: IntPoly, g: IntPoly, budget: Budget): boolean {
  const r = [...f];
  const dg = g.length - 1;
  const lc = g[dg] as bigint;
  budget.spend(f.length * g.length);
  for (let i = r.length - 1; i >= dg; i--) {
    const top = r[i] as bigint;
    if (top === 0n) continue;
    if (top % lc !== 0n) return false;
    const q = top / lc;
    for (let j = 0; j <= dg; j++) r[i - dg + j] = (r[i - dg + j] as bigint) - q * (g[j] as bigint);
  }
  return r.every((c) => c === 0n);
}

/** Positive divisors of n (0 < n ≤ MAX_DIVISOR_TARGET), by trial division. */
function divisors(n: bigint, budget: Budget): bigint[] {
  const v = Number(n);
  const small: number[] = [];
  const large: number[] = [];
  const root = Math.floor(Math.sqrt(v));
  budget.spend(Math.ceil(root / 4) + 1);
  for (let d = 1; d <= root; d++) {
    if (v % d === 0) {
      small.push(d);
      if (d !== v / d) large.push(v / d);
    }
  }
  return [...small, ...large.reverse()].map((d) => BigInt(d));
}

/**
 * The polynomial of degree < k through (xs[i], ys[i]), when its coefficients are integers.
 * Divided differences of an integer polynomial at integer points are integers, so a
 * fraction anywhere rules the choice out early, in BigInt arithmetic only.
 */
function interpolate(xs: bigint[], ys: bigint[], budget: Budget): IntPoly | null {
  const k = xs.length;
  budget.spend(k * k);
  const dd = [...ys];
  for (let level = 1; level < k; level++) {
    for (let i = k - 1; i >= level; i--) {
      const num = (dd[i] as bigint) - (dd[i - 1] as bigint);
      const den = (xs[i] as bigint) - (xs[i - level] as bigint);
      if (num % den !== 0n) return null;
      dd[i] = num / den;
    }
  }
  // Horner in the Newton basis: p = dd[k-1]; p = p·(x − xs[i]) + dd[i].
  let p: IntPoly = [dd[k - 1] as bigint];
  for (let i = k - 2; i >= 0; i--) {
    const next: IntPoly = new Array<bigint>(p.length + 1).fill(0n);
    const xi = xs[i] as bigint;
    for (let j = 0; j < p.length; j++) {
      next[j + 1] = (next[j + 1] as bigint) + (p[j] as bigint);
      next[j] = (next[j] as bigint) - (p[j] as bigint) * xi;
    }
    next[0] = (next[0] as bigint) + (dd[i] as bigint);
    p = next;
  }
  return trim(p);
}

/** Smallest integers first: 0, 1, -1, 2, -2, … */
function points(): bigint[] {
  const out: bigint[] = [0n];
  for (let i = 1; i <= POINT_RANGE; i++) out.push(BigInt(i), BigInt(-i));
  return out;
}

/**
 * Kronecker's method: a factor g of degree d takes, at d + 1 integer points, values that
 * divide f's values there; every choice of such divisors is interpolated and tried.
 */
function factorOfDegree(f: IntPoly, d: number, budget: Budget): Split {
  const values: Array<{ x: bigint; v: bigint }> = [];
  for (const x of points()) {
    const v = evaluate(f, x, budget);
    if (v === 0n) return true; // (x − k) divides f, and f has degree ≥ 2
    values.push({ x, v });
  }
  const usable = values
    .filter((p) => abs(p.v) <= MAX_DIVISOR_TARGET)
    .sort((a, b) => (abs(a.v) < abs(b.v) ? -1 : abs(a.v) > abs(b.v) ? 1 : 0))
    .slice(0, d + 1);
  if (usable.length < d + 1) return null;
  const xs = usable.map((p) => p.x);
  // g and −g are the same factor: the first value is taken positive.
  const choices = usable.map((p, i) => {
    const ds = divisors(abs(p.v), budget);
    return i === 0 ? ds : ds.flatMap((x) => [x, -x]);
  });
  let combos = 1;
  for (const c of choices) combos *= c.length;
  budget.spend(combos * ((d + 1) * (d + 1) + 2));
  const lead = f[f.length - 1] as bigint;
  const constant = f[0] as bigint;
  const pick = new Array<number>(choices.length).fill(0);
  for (;;) {
    const ys = pick.map((j, i) => (choices[i] as bigint[])[j] as bigint);
    const g = interpolate(xs, ys, budget);
    if (
      g &&
      g.length === d + 1 &&
      lead % (g[d] as bigint) === 0n &&
      (constant === 0n || (g[0] !== 0n && constant % (g[0] as bigint) === 0n)) &&
      divides(f, g, budget)
    ) {
      return true;
    }
    // Next combination (odometer).
    let i = 0;
    while (i < pick.length) {
      pick[i] = (pick[i] as number) + 1;
      if ((pick[i] as number) < (choices[i] as bigint[]).length) break;
      pick[i] = 0;
      i++;
    }
    if (i === pick.length) return false;
  }
}

function isSquare(n: bigint): boolean {
  return n >= 0n && Q.intRoot(n, 2) !== null;
}

/** A primitive polynomial in one variable with f(0) ≠ 0. */
function splitUnivariate(f: IntPoly, budget: Budget): Split {
  const n = f.length - 1;
  if (n <= 1) return false;
  if (f[0] === 0n) return true;
  if (n === 2) {
    const [c, b, a] = f as [bigint, bigint, bigint];
    return isSquare(b * b - 4n * a * c);
  }
  const full = n <= MAX_FULL_DEGREE;
  const top = full ? Math.floor(n / 2) : 1;
  for (let d = 1; d <= top; d++) {
    const r = factorOfDegree(f, d, budget);
    if (r !== false) return r;
  }
  return full ? false : null;
}

// ---- gcd in Q[x], for polynomials linear in one of two variables -----------------------

function contentOf(p: IntPoly): bigint {
  let g = 0n;
  for (const c of p) g = Q.gcd(g, c);
  return g;
}

function primitive(p: IntPoly): IntPoly {
  const g = contentOf(p);
  return g > 1n ? p.map((c) => c / g) : p;
}

/** Degree of gcd(a, b) over Q (primitive pseudo-remainder sequence). */
function gcdDegree(a: IntPoly, b: IntPoly, budget: Budget): number {
  let u = primitive(trim(a));
  let v = primitive(trim(b));
  if (u.length < v.length) [u, v] = [v, u];
  while (v.length > 0) {
    // Pseudo-remainder of u by v.
    const r = [...u];
    const dv = v.length - 1;
    const lv = v[dv] as bigint;
    budget.spend(u.length * v.length * 2);
    for (let i = r.length - 1; i >= dv; i--) {
      const top = r[i] as bigint;
      for (let j = 0; j < r.length; j++) r[j] = (r[j] as bigint) * lv;
      for (let j = 0; j <= dv; j++) r[i - dv + j] = (r[i - dv + j] as bigint) - top * (v[j] as bigint);
    }
    u = v;
    v = primitive(trim(r.slice(0, dv)));
  }
  return u.length - 1;
}

// ---- several variables --------------------------------------------------------------

function variablesOf(terms: readonly Term[]): string[] {
  const vs = new Set<string>();
  for (const t of terms) for (const v of t.exps.keys()) vs.add(v);
  return [...vs].sort();
}

/** Dense coefficients of one variable; null past MAX_DEGREE. */
function univariate(terms: readonly Term[], v: string): IntPoly | null {
  let deg = 0;
  for (const t of terms) deg = Math.max(deg, t.exps.get(v) ?? 0);
  if (deg > MAX_DEGREE) return null;
  const p: IntPoly = new Array<bigint>(deg + 1).fill(0n);
  for (const t of terms) p[t.exps.get(v) ?? 0] = (p[t.exps.get(v) ?? 0] as bigint) + t.coef.n;
  return trim(p);
}

const degreeOf = (t: Term): number => [...t.exps.values()].reduce((a, b) => a + b, 0);

function gcdInt(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return Math.abs(a);
}

/**
 * c₁M₁ + c₂M₂ with monomials sharing no variable: with g the gcd of all exponents it is
 * c₁t^g + c₂ in t = (M₁/M₂)^(1/g), homogenised; x²y² − 1 and x³ + y³ split, x² − y³ does not.
 */
function splitBinomial(terms: readonly Term[], budget: Budget): Split {
  const [a, b] = terms as [Term, Term];
  let g = 0;
  for (const e of [...a.exps.values(), ...b.exps.values()]) g = gcdInt(g, e);
  if (g <= 1) return false;
  if (g > MAX_DEGREE) return null;
  const f: IntPoly = new Array<bigint>(g + 1).fill(0n);
  f[g] = a.coef.n;
  f[0] = b.coef.n;
  return splitUnivariate(f, budget);
}

/** Homogeneous in x and y: f(x, y) splits exactly when f(x, 1) does. */
function splitHomogeneous(terms: readonly Term[], x: string, budget: Budget): Split {
  const f = univariate(terms, x);
  return f ? splitUnivariate(f, budget) : null;
}

/** a(u)·v + b(u): splits exactly when a and b share a factor. */
function splitLinear(terms: readonly Term[], v: string, u: string, budget: Budget): Split {
  const withV = terms.filter((t) => t.exps.has(v));
  const rest = terms.filter((t) => !t.exps.has(v));
  const a = univariate(withV, u);
  const b = univariate(rest, u);
  if (!a || !b) return null;
  if (a.length === 0 || b.length === 0) return null;
  return gcdDegree(a, b, budget) > 0;
}

/**
 * Whether a sum of monomials with integer coefficients, no common number and no common
 * variable factor, splits into smaller factors over the rationals. Exponents must be
 * non-negative.
 */
export function splits(terms: readonly Term[], budget: Budget): Split {
  if (terms.length < 2) return false;
  try {
    const vars = variablesOf(terms);
    if (vars.length === 1) {
      const f = univariate(terms, vars[0] as string);
      return f ? splitUnivariate(f, budget) : null;
    }
    if (terms.length === 2) return splitBinomial(terms, budget);
    if (vars.length === 2) {
      const [x, y] = vars as [string, string];
      const degrees = new Set(terms.map(degreeOf));
      if (degrees.size === 1) return splitHomogeneous(terms, x, budget);
      const maxIn = (v: string) => Math.max(...terms.map((t) => t.exps.get(v) ?? 0));
      if (maxIn(x) === 1) return splitLinear(terms, x, y, budget);
      if (maxIn(y) === 1) return splitLinear(terms, y, x, budget);
    }
    return null;
  } catch (e) {
    if (e instanceof OutOfBudget || e instanceof Q.TooBigError) return null;
    throw e;
  }
}

// ---- primes and powers ------------------------------------------------------------------

/** Trial divisors tried for k-th power factors (√8 = 2√2): enough for any school surd. */
const MAX_POWER_FACTOR_TRIAL = 10_000;

/**
 * Is n divisible by p^k for some p ≥ 2 below MAX_POWER_FACTOR_TRIAL? (0 and 1 count as
 * such: √0 and √1 are no surds.) Plain doubles while n is below 2^53, BigInt beyond.
 */
export function hasPowerFactor(n: bigint, k: number): boolean {
  if (n < 0n) n = -n;
  if (n < 2n) return true;
  if (n <= 9007199254740991n) {
    const v = Number(n);
    for (let p = 2; p < MAX_POWER_FACTOR_TRIAL; p++) {
      const pk = p ** k;
      if (pk > v) break;
      if (v % pk === 0) return true;
    }
    return false;
  }
  const kb = BigInt(k);
  for (let p = 2n; p < BigInt(MAX_POWER_FACTOR_TRIAL); p++) {
    const pk = p ** kb;
    if (pk > n) break;
    if (n % pk === 0n) return true;
  }
  return false;
}

const SMALL_PRIMES = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n];

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

/**
 * Miller–Rabin with the first twelve primes as bases: exact below 3.3·10²⁴, far beyond any
 * school question; larger numbers pass when they are strong probable primes to those bases.
 */
export function isPrime(n: bigint): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  for (const a of SMALL_PRIMES) {
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let composite = true;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}
