// Complex numbers, for answers that use the imaginary unit i (i² = −1): exact Gaussian
// rationals (a + bi with a, b rational) where the value is one, floating point otherwise.
// Only comparisons in which an answer contains i come here, so real answers keep the
// real rules of evaluate.ts. Where a real root, power or logarithm has no value, the
// principal complex value is taken (√−4 = 2i, ln(−1) = iπ).
import { someNode, type Node } from './ast.js';
import { fail } from './errors.js';
import {
  applyFn,
  countStep,
  exactValue,
  numericValue,
  realBinomial,
  realFactorial,
  realPower,
  realRoot,
  type Env,
  type Value,
} from './evaluate.js';
import { LIMITS } from './limits.js';
import * as Q from './rational.js';

export interface Complex {
  re: number;
  im: number;
}

interface Gaussian {
  re: Q.Rational;
  im: Q.Rational;
}

/** A constant complex value: each part exact when known, and always approximated. */
export interface ComplexValue {
  re: Value;
  im: Value;
}

const EMPTY_ENV: Env = new Map();
const NAN: Complex = { re: NaN, im: NaN };
const HUNDRED = Q.fromInt(100);

const imaginaryCache = new WeakMap<Node, boolean>();

/** Does the tree use i? Trees are never mutated, so the answer is cached per node. */
export function hasImaginaryUnit(node: Node): boolean {
  let has = imaginaryCache.get(node);
  if (has === undefined) {
    has = someNode(node, (n) => n.type === 'const' && n.name === 'i');
    imaginaryCache.set(node, has);
  }
  return has;
}

// ---- exact values: Gaussian rationals -------------------------------------------

const real = (r: Q.Rational): Gaussian => ({ re: r, im: Q.ZERO });
const gIsZero = (a: Gaussian): boolean => Q.isZero(a.re) && Q.isZero(a.im);
const gAdd = (a: Gaussian, b: Gaussian): Gaussian => ({ re: Q.add(a.re, b.re), im: Q.add(a.im, b.im) });
const gMul = (a: Gaussian, b: Gaussian): Gaussian => ({
  re: Q.sub(Q.mul(a.re, b.re), Q.mul(a.im, b.im)),
  im: Q.add(Q.mul(a.re, b.im), Q.mul(a.im, b.re)),
});

/** a / b for b ≠ 0: multiply by the conjugate of b over |b|². */
function gDiv(a: Gaussian, b: Gaussian): Gaussian {
  const m = Q.add(Q.mul(b.re, b.re), Q.mul(b.im, b.im));
  const conj = gMul(a, { re: b.re, im: Q.neg(b.im) });
  return { re: Q.div(conj.re, m), im: Q.div(conj.im, m) };
}

/** Bits of a BigInt (rounded up to a multiple of 4 past 2^53): enough for a size estimate. */
function bitsOf(x: bigint): number {
  const a = x < 0n ? -x : x;
  if (a < 9007199254740992n) return a === 0n ? 0 : Math.floor(Math.log2(Number(a))) + 1;
  return a.toString(16).length * 4;
}

/** a^n by repeated squaring; |n| is bounded by the caller, the result's size here. */
function gPowInt(a: Gaussian, n: bigint): Gaussian {
  if (n < 0n) return gPowInt(gDiv(real(Q.ONE), a), -n);
  // Refuse before multiplying (as rational.ts does for real powers): the parts of a^n have
  // at most about n·(b + 1) bits when those of a have b.
  const b = Math.max(bitsOf(a.re.n), bitsOf(a.re.d), bitsOf(a.im.n), bitsOf(a.im.d));
  if ((b + 1) * Number(n) > LIMITS.maxBigIntBits + 64) throw new Q.TooBigError();
  let result = real(Q.ONE);
  let base = a;
  for (let e = n; e > 0n; e >>= 1n) {
    if (e & 1n) result = gMul(result, base);
    if (e > 1n) base = gMul(base, base);
  }
  return result;
}

function checkExponent(e: Q.Rational): void {
  if (Math.abs(Q.toNumber(e)) > LIMITS.maxExponent) {
    fail('out-of-bounds', `exponents are limited to ±${LIMITS.maxExponent}`);
  }
}

/** A real rational, or null for a value with an imaginary part. */
const realPart = (a: Gaussian | null): Q.Rational | null => (a && Q.isZero(a.im) ? a.re : null);

/** √r for a rational r of either sign: i√|r| below zero; null when irrational. */
function exactSqrt(r: Q.Rational): Gaussian | null {
  const s = Q.rootExact(Q.abs(r), 2);
  if (!s) return null;
  return r.n < 0n ? { re: Q.ZERO, im: s } : real(s);
}

function gaussian(node: Node): Gaussian | null {
  switch (node.type) {
    case 'num':
      return real(node.value);
    case 'const':
      return node.name === 'i' ? { re: Q.ZERO, im: Q.ONE } : null;
    case 'sym':
    case 'deg':
      return null;
    case 'neg': {
      const a = gaussian(node.arg);
      return a && { re: Q.neg(a.re), im: Q.neg(a.im) };
    }
    case 'add': {
      let sum: Gaussian | null = real(Q.ZERO);
      for (const t of node.terms) {
        const v = gaussian(t);
        sum = sum && v ? gAdd(sum, v) : null;
      }
      return sum;
    }
    case 'mul': {
      let prod: Gaussian | null = real(Q.ONE);
      for (const f of node.factors) {
        const v = gaussian(f);
        prod = prod && v ? gMul(prod, v) : null;
      }
      return prod;
    }
    case 'div': {
      const den = gaussian(node.den);
      const num = gaussian(node.num);
      if (den && gIsZero(den)) fail('undefined', 'division by zero');
      return num && den ? gDiv(num, den) : null;
    }
    case 'pow':
      return gaussianPower(node.base, node.exp);
    case 'root': {
      const k = node.index ? realPart(gaussian(node.index)) : Q.fromInt(2);
      const a = realPart(gaussian(node.arg));
      if (!k || !a || !Q.isInteger(k) || k.n < 2n || k.n > BigInt(LIMITS.maxExponent)) return null;
      if (k.n === 2n) return exactSqrt(a);
      if (a.n < 0n && k.n % 2n === 0n) return null; // a complex root: left to floating point
      const r = Q.rootExact(a, Number(k.n));
      return r && real(r);
    }
    case 'pct': {
      const a = gaussian(node.arg);
      return a && { re: Q.div(a.re, HUNDRED), im: Q.div(a.im, HUNDRED) };
    }
    case 'fn': {
      if (node.name !== 'abs') return null; // trig, logs, exp: not rational (as in evaluate.ts)
      const a = gaussian(node.arg);
      if (!a) return null;
      const r = Q.rootExact(Q.add(Q.mul(a.re, a.re), Q.mul(a.im, a.im)), 2); // the modulus
      return r && real(r);
    }
    default:
      // Mixed numbers, factorials, binomials, and the shapes that are no number at all
      // (which exactValue reports).
      return hasImaginaryUnit(node) ? null : realOrNull(node);
  }
}

function realOrNull(node: Node): Gaussian | null {
  const r = exactValue(node);
  return r && real(r);
}

function gaussianPower(baseNode: Node, expNode: Node): Gaussian | null {
  const eg = gaussian(expNode);
  const e = realPart(eg);
  if (e) checkExponent(e);
  const b = gaussian(baseNode);
  if (!b || !e) return null;
  if (gIsZero(b)) {
    if (Q.sign(e) <= 0) fail('undefined', '0 to a non-positive power');
    return real(Q.ZERO);
  }
  if (Q.isInteger(e)) return gPowInt(b, e.n);
  const r = realPart(b);
  if (!r || e.d > BigInt(LIMITS.maxExponent)) return null;
  if (r.n < 0n && e.d === 2n) {
    const s = exactSqrt(r); // (−a)^(n/2) = (i√a)^n
    return s && gPowInt(s, e.n);
  }
  if (r.n < 0n && e.d % 2n === 0n) return null;
  const root = Q.rootExact(r, Number(e.d));
  return root && real(Q.powInt(root, e.n));
}

// A check asks for the same constant's value several times (guard, display, comparison).
const gaussianCache = new WeakMap<Node, Gaussian | null>();

/** The exact Gaussian value, or null when it is not one or too large to hold exactly. */
function exactGaussian(node: Node): Gaussian | null {
  const cached = gaussianCache.get(node);
  if (cached !== undefined) return cached;
  let g: Gaussian | null;
  try {
    g = gaussian(node);
  } catch (e) {
    if (!(e instanceof Q.TooBigError)) throw e;
    g = null;
  }
  gaussianCache.set(node, g);
  return g;
}

// ---- floating point ---------------------------------------------------------------

const c = (re: number, im = 0): Complex => ({ re, im });
const cAdd = (a: Complex, b: Complex): Complex => c(a.re + b.re, a.im + b.im);
const cMul = (a: Complex, b: Complex): Complex => c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
export const modulus = (a: Complex): number => Math.hypot(a.re, a.im);

function cDiv(a: Complex, b: Complex): Complex {
  const m = b.re * b.re + b.im * b.im;
  if (m === 0) return NAN;
  return c((a.re * b.re + a.im * b.im) / m, (a.im * b.re - a.re * b.im) / m);
}

function cExp(a: Complex): Complex {
  const r = Math.exp(a.re);
  return a.im === 0 ? c(r) : c(r * Math.cos(a.im), r * Math.sin(a.im));
}

/** Principal logarithm (argument in (−π, π]); none at 0. */
function cLog(a: Complex): Complex {
  if (a.re === 0 && a.im === 0) return NAN;
  // `|| 0` turns −0 (from −1 written as a negation) into 0, so ln(−1) is iπ and not −iπ.
  return c(Math.log(modulus(a)), Math.atan2(a.im || 0, a.re));
}

const cSin = (a: Complex): Complex => c(Math.sin(a.re) * Math.cosh(a.im), Math.cos(a.re) * Math.sinh(a.im));
const cCos = (a: Complex): Complex => c(Math.cos(a.re) * Math.cosh(a.im), -Math.sin(a.re) * Math.sinh(a.im));
const cSinh = (a: Complex): Complex => c(Math.sinh(a.re) * Math.cos(a.im), Math.cosh(a.re) * Math.sin(a.im));
const cCosh = (a: Complex): Complex => c(Math.cosh(a.re) * Math.cos(a.im), Math.sinh(a.re) * Math.sin(a.im));

/** a^n for an integer n by repeated squaring: i² is exactly −1, not a rounded e^{iπ}. */
function cPowInt(a: Complex, n: number): Complex {
  if (n < 0) return cDiv(c(1), cPowInt(a, -n));
  let result = c(1);
  let base = a;
  for (let e = n; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = cMul(result, base);
    if (e > 1) base = cMul(base, base);
  }
  return result;
}

/** Rounding leaves tiny imaginary parts on real values; functions read those as real. */
function snapReal(a: Complex): Complex {
  return a.im !== 0 && Math.abs(a.im) <= 1e-13 * Math.max(1, Math.abs(a.re)) ? c(a.re) : a;
}

function cPow(expNode: Node, b: Complex, e: Complex): Complex {
  if (b.im === 0 && e.im === 0) {
    const r = realPower(expNode, b.re, e.re);
    if (!Number.isNaN(r) || b.re === 0) return c(r);
  }
  if (b.re === 0 && b.im === 0) return e.re > 0 ? c(0) : NAN;
  const r =
    e.im === 0 && Number.isInteger(e.re) && Math.abs(e.re) <= 2 ** 31 ? cPowInt(b, e.re) : cExp(cMul(e, cLog(b)));
  if (Number.isFinite(r.re) && Number.isFinite(r.im)) return r;
  // Overflow turns into ∞ − ∞ = NaN inside the arithmetic: report a size too large instead.
  const log = cLog(b);
  const magnitude = Math.exp(e.re * log.re - e.im * log.im);
  return magnitude === Infinity ? c(Infinity, Infinity) : r;
}

function cRoot(a: Complex, k: number): Complex {
  if (!Number.isInteger(k) || k < 2 || k > LIMITS.maxExponent) return NAN;
  if (a.im === 0) {
    const r = realRoot(a.re, k);
    if (!Number.isNaN(r)) return c(r);
  }
  if (a.re === 0 && a.im === 0) return c(0);
  return cExp(cDiv(cLog(a), c(k)));
}

function cFn(name: string, arg: Complex, base: Complex | null): Complex {
  const a = snapReal(arg);
  const b = base && snapReal(base);
  if (a.im === 0 && (!b || b.im === 0)) {
    const r = applyFn(name, a.re, b ? b.re : null);
    if (!Number.isNaN(r) || (name !== 'ln' && name !== 'log')) return c(r);
  }
  switch (name) {
    case 'exp':
      return cExp(a);
    case 'ln':
      return cLog(a);
    case 'log':
      return cDiv(cLog(a), cLog(b ?? c(10)));
    case 'sin':
      return cSin(a);
    case 'cos':
      return cCos(a);
    case 'tan':
      return cDiv(cSin(a), cCos(a));
    case 'sec':
      return cDiv(c(1), cCos(a));
    case 'csc':
      return cDiv(c(1), cSin(a));
    case 'cot':
      return cDiv(cCos(a), cSin(a));
    case 'sinh':
      return cSinh(a);
    case 'cosh':
      return cCosh(a);
    case 'tanh':
      return cDiv(cSinh(a), cCosh(a));
    case 'abs':
      return c(modulus(a));
    default:
      return NAN; // inverse trig of a complex number: not school maths
  }
}

/** Value at a point (variables are real); NaN parts where the expression is undefined. */
export function complexValue(node: Node, env: Env = EMPTY_ENV): Complex {
  countStep();
  switch (node.type) {
    case 'const':
      return node.name === 'i' ? c(0, 1) : c(node.name === 'pi' ? Math.PI : Math.E);
    case 'num':
    case 'mixed':
    case 'sym':
      return c(numericValue(node, env));
    case 'neg': {
      const a = complexValue(node.arg, env);
      return c(-a.re, -a.im);
    }
    case 'add': {
      let s = c(0);
      for (const t of node.terms) s = cAdd(s, complexValue(t, env));
      return s;
    }
    case 'mul': {
      let p = c(1);
      for (const f of node.factors) p = cMul(p, complexValue(f, env));
      return p;
    }
    case 'div': {
      const d = complexValue(node.den, env);
      return cDiv(complexValue(node.num, env), d);
    }
    case 'pow': {
      const e = complexValue(node.exp, env);
      return cPow(node.exp, complexValue(node.base, env), e);
    }
    case 'root': {
      const k = node.index ? complexValue(node.index, env) : c(2);
      return k.im === 0 ? cRoot(complexValue(node.arg, env), k.re) : NAN;
    }
    case 'pct': {
      const a = complexValue(node.arg, env);
      return c(a.re / 100, a.im / 100);
    }
    case 'deg': {
      const a = complexValue(node.arg, env);
      return c((a.re * Math.PI) / 180, (a.im * Math.PI) / 180);
    }
    case 'fact': {
      const a = snapReal(complexValue(node.arg, env));
      return a.im === 0 ? c(realFactorial(a.re)) : NAN;
    }
    case 'binom': {
      const n = snapReal(complexValue(node.n, env));
      const k = snapReal(complexValue(node.k, env));
      return n.im === 0 && k.im === 0 ? c(realBinomial(n.re, k.re)) : NAN;
    }
    case 'fn':
      return cFn(node.name, complexValue(node.arg, env), node.base ? complexValue(node.base, env) : null);
    default:
      // ± (expanded before any evaluation) and shapes that are no number: numericValue
      // reports them with the same reasons as for real answers.
      return c(numericValue(node, env));
  }
}

// ---- constant values ----------------------------------------------------------------

const exactPart = (r: Q.Rational): Value => ({ exact: r, approx: Q.toNumber(r) });

/** The value of a constant tree in complex arithmetic; 'undefined' / 'out-of-bounds' when there is none. */
export function complexConstant(node: Node): ComplexValue {
  const g = exactGaussian(node);
  if (g) return { re: exactPart(g.re), im: exactPart(g.im) };
  const v = complexValue(node);
  if (Number.isNaN(v.re) || Number.isNaN(v.im)) fail('undefined', 'the value is undefined');
  if (!Number.isFinite(v.re) || !Number.isFinite(v.im)) fail('out-of-bounds', 'the value is too large');
  return { re: { exact: null, approx: v.re }, im: { exact: null, approx: v.im } };
}

/** A real value seen as a complex one with an exactly zero imaginary part. */
export function realAsComplex(v: Value): ComplexValue {
  return { re: v, im: { exact: Q.ZERO, approx: 0 } };
}

export function isReal(v: ComplexValue): boolean {
  return v.im.exact !== null && Q.isZero(v.im.exact);
}

const REL_TOL = 1e-10;
const ABS_TOL = 1e-12;

/** Exact equality for Gaussian rationals; otherwise distance within floating-point noise. */
export function complexValuesEqual(a: ComplexValue, b: ComplexValue): boolean {
  if (a.re.exact && a.im.exact && b.re.exact && b.im.exact) {
    return Q.eq(a.re.exact, b.re.exact) && Q.eq(a.im.exact, b.im.exact);
  }
  const x = c(a.re.approx, a.im.approx);
  const y = c(b.re.approx, b.im.approx);
  const d = modulus(c(x.re - y.re, x.im - y.im));
  if (!Number.isFinite(d)) return false;
  return d <= ABS_TOL || d <= REL_TOL * Math.max(modulus(x), modulus(y));
}

/** The exact Gaussian value of a constant tree as text ("3 + 4i", "-i"), or null. */
export function printExactComplex(node: Node, toText: (r: Q.Rational) => string): string | null {
  const g = exactGaussian(node);
  if (!g) return null;
  const imText = (r: Q.Rational): string => {
    const t = toText(Q.abs(r));
    const mag = t === '1' ? 'i' : t.includes('/') ? `(${t})i` : `${t}i`;
    return r.n < 0n ? `-${mag}` : mag;
  };
  if (Q.isZero(g.im)) return toText(g.re);
  if (Q.isZero(g.re)) return imText(g.im);
  const im = imText(g.im);
  return `${toText(g.re)} ${im.startsWith('-') ? `- ${im.slice(1)}` : `+ ${im}`}`;
}
