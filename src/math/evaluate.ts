// Evaluation of parsed trees: exact (BigInt rationals) where the value is provably
// rational, floating point otherwise. No symbolic simplification is ever attempted.
import type { Node } from './ast.js';
import { fail } from './errors.js';
import { LIMITS } from './limits.js';
import * as Q from './rational.js';
import type { Rational } from './rational.js';

export type Env = ReadonlyMap<string, number>;

const EMPTY_ENV: Env = new Map();

// Work budget for one check: every numeric node visit counts, so no combination of
// list sizes, sample points and tree sizes can run for long.
let steps = 0;

export function resetBudget(): void {
  steps = 0;
}

/** Counts one node visit against the check's budget (shared with complex evaluation). */
export function countStep(): void {
  if (++steps > LIMITS.maxEvalSteps) fail('too-complex', 'the answer needs too much work to check');
}

/** Where a real value is needed, i has none: complex numbers have no order and carry no unit. */
export function imaginaryHere(): never {
  return fail('kind-mismatch', 'a complex number (with i) cannot be used here: it has no order and no unit');
}
const HUNDRED = Q.fromInt(100);

/** Value of a constant answer: exact when known, and always an approximation. */
export interface Value {
  exact: Rational | null;
  approx: number;
}

function notANumber(node: Node): never {
  const what = node.type === 'unit' || node.type === 'text' ? 'a unit or word' : 'a list, point or relation';
  return fail('kind-mismatch', `${what} cannot be used as a number here`);
}

function checkExponent(e: number): void {
  if (Math.abs(e) > LIMITS.maxExponent) fail('out-of-bounds', `exponents are limited to ±${LIMITS.maxExponent}`);
}

function checkFactorial(n: number): void {
  if (n > LIMITS.maxFactorial) fail('out-of-bounds', `factorials are limited to ${LIMITS.maxFactorial}!`);
}

/**
 * Exact rational value, or null when the value is not known to be rational
 * (π, most roots, trig…) or when it would be too large to hold exactly.
 * Throws 'undefined' for division by zero and 'out-of-bounds' past the limits.
 */
export function exactValue(node: Node): Rational | null {
  try {
    return exact(node);
  } catch (e) {
    if (e instanceof Q.TooBigError) return null;
    throw e;
  }
}

function exact(node: Node): Rational | null {
  switch (node.type) {
    case 'num':
      return node.value;
    case 'mixed':
      return Q.add(node.whole, Q.div(node.num, node.den));
    case 'sym':
    case 'const':
      return null;
    case 'neg': {
      const a = exact(node.arg);
      return a && Q.neg(a);
    }
    case 'add': {
      let sum: Rational | null = Q.ZERO;
      for (const t of node.terms) {
        const v = exact(t);
        sum = sum && v ? Q.add(sum, v) : null;
      }
      return sum;
    }
    case 'mul': {
      let prod: Rational | null = Q.ONE;
      for (const f of node.factors) {
        const v = exact(f);
        prod = prod && v ? Q.mul(prod, v) : null;
      }
      return prod;
    }
    case 'div': {
      const den = exact(node.den);
      const num = exact(node.num);
      if (den && Q.isZero(den)) fail('undefined', 'division by zero');
      return num && den ? Q.div(num, den) : null;
    }
    case 'pow':
      return exactPow(node.base, node.exp);
    case 'root': {
      const a = exact(node.arg);
      const k = node.index ? exact(node.index) : Q.fromInt(2);
      if (!a || !k) return null;
      if (!Q.isInteger(k) || k.n < 2n || k.n > BigInt(LIMITS.maxExponent)) return null;
      if (a.n < 0n && k.n % 2n === 0n) fail('undefined', 'even root of a negative number');
      return Q.rootExact(a, Number(k.n));
    }
    case 'pct': {
      const a = exact(node.arg);
      return a && Q.div(a, HUNDRED);
    }
    case 'fact': {
      const a = exact(node.arg);
      if (!a) return null;
      if (!Q.isInteger(a) || a.n < 0n) fail('undefined', 'factorial of a non-natural number');
      checkFactorial(Number(a.n));
      let r = 1n;
      for (let i = 2n; i <= a.n; i++) r *= i;
      return Q.fromInt(r);
    }
    case 'binom': {
      const n = exact(node.n);
      const k = exact(node.k);
      if (!n || !k) return null;
      return binomial(n, k);
    }
    case 'fn': {
      if (node.name !== 'abs') return null;
      const a = exact(node.arg);
      return a && Q.abs(a);
    }
    case 'deg':
      return null;
    case 'pm':
      return fail('internal-error', '± must be expanded before evaluation');
    default:
      return notANumber(node);
  }
}

function binomial(n: Rational, k: Rational): Rational {
  if (!Q.isInteger(n) || !Q.isInteger(k) || n.n < 0n) fail('undefined', 'binomial of a non-natural number');
  if (n.n > BigInt(LIMITS.maxBinomial)) fail('out-of-bounds', `binomials are limited to n ≤ ${LIMITS.maxBinomial}`);
  if (k.n < 0n || k.n > n.n) return Q.ZERO;
  let r = 1n;
  const kk = k.n < n.n - k.n ? k.n : n.n - k.n;
  for (let i = 1n; i <= kk; i++) r = (r * (n.n - kk + i)) / i;
  return Q.fromInt(r);
}

function exactPow(baseNode: Node, expNode: Node): Rational | null {
  const e = exact(expNode);
  if (e) checkExponent(Q.toNumber(e));
  const b = exact(baseNode);
  if (!b || !e) return null;
  if (Q.isZero(b)) {
    if (Q.sign(e) <= 0) fail('undefined', '0 to a non-positive power');
    return Q.ZERO;
  }
  if (Q.isInteger(e)) return Q.powInt(b, e.n);
  if (e.d > BigInt(LIMITS.maxExponent)) return null;
  if (b.n < 0n && e.d % 2n === 0n) fail('undefined', 'even root of a negative number');
  const r = Q.rootExact(b, Number(e.d));
  return r && Q.powInt(r, e.n);
}

/** Floating-point value at a point; NaN where the expression is undefined. */
export function numericValue(node: Node, env: Env = EMPTY_ENV): number {
  countStep();
  switch (node.type) {
    case 'num':
      return Q.toNumber(node.value);
    case 'mixed':
      return Q.toNumber(Q.add(node.whole, Q.div(node.num, node.den)));
    case 'sym': {
      const v = env.get(node.name);
      return v === undefined ? fail('kind-mismatch', `expected a number, found the variable ${node.name}`) : v;
    }
    case 'const':
      if (node.name === 'i') return imaginaryHere();
      return node.name === 'pi' ? Math.PI : Math.E;
    case 'neg':
      return -numericValue(node.arg, env);
    case 'add': {
      let s = 0;
      for (const t of node.terms) s += numericValue(t, env);
      return s;
    }
    case 'mul': {
      let p = 1;
      for (const f of node.factors) p *= numericValue(f, env);
      return p;
    }
    case 'div': {
      const d = numericValue(node.den, env);
      const n = numericValue(node.num, env);
      return d === 0 ? NaN : n / d;
    }
    case 'pow': {
      // No exponent bound here: constant exponents are bounded by the tree guard, and a
      // float power costs the same whatever its size (overflow gives ±Infinity).
      const e = numericValue(node.exp, env);
      return realPower(node.exp, numericValue(node.base, env), e);
    }
    case 'root':
      return realRoot(numericValue(node.arg, env), node.index ? numericValue(node.index, env) : 2);
    case 'pct':
      return numericValue(node.arg, env) / 100;
    case 'deg':
      return (numericValue(node.arg, env) * Math.PI) / 180;
    case 'fact':
      return realFactorial(numericValue(node.arg, env));
    case 'binom':
      return realBinomial(numericValue(node.n, env), numericValue(node.k, env));
    case 'fn':
      return applyFn(node.name, numericValue(node.arg, env), node.base ? numericValue(node.base, env) : null);
    case 'pm':
      return fail('internal-error', '± must be expanded before evaluation');
    default:
      return notANumber(node);
  }
}

/** b^e over the reals; NaN where there is no real value. `expNode` is the exponent as written. */
export function realPower(expNode: Node, b: number, e: number): number {
  if (b === 0 && e <= 0) return NaN;
  if (b < 0 && !Number.isInteger(e)) return oddRootPower(expNode, b, e);
  return Math.pow(b, e);
}

/** The real k-th root of a; NaN for an even root of a negative number or a bad index. */
export function realRoot(a: number, k: number): number {
  if (!Number.isInteger(k) || k < 2 || k > LIMITS.maxExponent) return NaN;
  if (a < 0) return k % 2 === 1 ? -Math.pow(-a, 1 / k) : NaN;
  return k === 2 ? Math.sqrt(a) : k === 3 ? Math.cbrt(a) : Math.pow(a, 1 / k);
}

export function realFactorial(a: number): number {
  if (!Number.isInteger(a) || a < 0) return NaN;
  if (a > LIMITS.maxFactorial) return Infinity; // the double overflows anyway; no long loop
  let r = 1;
  for (let i = 2; i <= a; i++) r *= i;
  return r;
}

export function realBinomial(n: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(k) || n < 0) return NaN;
  if (n > LIMITS.maxBinomial) return Infinity;
  return Q.toNumber(binomial(Q.fromInt(n), Q.fromInt(k)));
}

/** (-8)^(1/3) = -2: a negative base with an exact odd-denominator exponent. */
function oddRootPower(expNode: Node, b: number, e: number): number {
  let q: Rational | null;
  try {
    q = exactValue(expNode);
  } catch {
    return NaN;
  }
  if (!q || q.d % 2n === 0n) return NaN;
  const mag = Math.pow(-b, e);
  return q.n % 2n === 0n ? mag : -mag;
}

export function applyFn(name: string, x: number, base: number | null): number {
  switch (name) {
    case 'sin':
      return Math.sin(x);
    case 'cos':
      return Math.cos(x);
    case 'tan':
      return Math.abs(Math.cos(x)) < 1e-15 ? NaN : Math.tan(x);
    case 'sec':
      return 1 / Math.cos(x);
    case 'csc':
      return Math.sin(x) === 0 ? NaN : 1 / Math.sin(x);
    case 'cot':
      return Math.sin(x) === 0 ? NaN : Math.cos(x) / Math.sin(x);
    case 'arcsin':
      return Math.asin(x);
    case 'arccos':
      return Math.acos(x);
    case 'arctan':
      return Math.atan(x);
    case 'sinh':
      return Math.sinh(x);
    case 'cosh':
      return Math.cosh(x);
    case 'tanh':
      return Math.tanh(x);
    case 'ln':
      return x > 0 ? Math.log(x) : NaN;
    case 'log': {
      if (!(x > 0)) return NaN;
      if (base === null) return Math.log10(x);
      if (!(base > 0) || base === 1) return NaN;
      return Math.log(x) / Math.log(base);
    }
    case 'exp':
      return Math.exp(x);
    case 'abs':
      return Math.abs(x);
    default:
      return NaN;
  }
}

/** The value of a constant tree; throws 'undefined' / 'out-of-bounds' when there is none. */
export function constantValue(node: Node): Value {
  const ex = exactValue(node);
  if (ex) return { exact: ex, approx: Q.toNumber(ex) };
  const approx = numericValue(node);
  if (Number.isNaN(approx)) fail('undefined', 'the value is undefined');
  if (!Number.isFinite(approx)) fail('out-of-bounds', 'the value is too large');
  return { exact: null, approx };
}

const REL_TOL = 1e-10;
const ABS_TOL = 1e-12;

/** Exact equality for rationals; otherwise equality within floating-point noise. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a.exact && b.exact) return Q.eq(a.exact, b.exact);
  return closeEnough(a.approx, b.approx, REL_TOL, ABS_TOL);
}

export function closeEnough(a: number, b: number, rel: number, absTol: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const diff = Math.abs(a - b);
  return diff <= absTol || diff <= rel * Math.max(Math.abs(a), Math.abs(b));
}
