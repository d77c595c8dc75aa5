// Exact rational arithmetic on BigInt. Values are always reduced with a positive denominator.
import { LIMITS } from './limits.js';

export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

/** Raised when an exact result would exceed LIMITS.maxBigIntBits; callers fall back to floats. */
export class TooBigError extends Error {
  constructor() {
    super('exact value too large');
    this.name = 'TooBigError';
  }
}

/** 2^53: below this a BigInt converts to a double exactly. */
const SAFE = 9007199254740992n;

function absBig(a: bigint): bigint {
  return a < 0n ? -a : a;
}

export function gcd(a: bigint, b: bigint): bigint {
  a = absBig(a);
  b = absBig(b);
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Bit length, rounded up to a multiple of 4 (exact enough for size estimates). */
function bitLength(a: bigint): number {
  a = absBig(a);
  if (a === 0n) return 0;
  if (a < SAFE) return Math.floor(Math.log2(Number(a))) + 1;
  return a.toString(16).length * 4;
}

const SIZE_LIMIT = 1n << BigInt(LIMITS.maxBigIntBits);

function checkSize(n: bigint, d: bigint): void {
  // Comparisons, not bitLength: this runs for every rational created.
  if (n >= SIZE_LIMIT || n <= -SIZE_LIMIT || d >= SIZE_LIMIT) throw new TooBigError();
}

export function rat(n: bigint, d: bigint = 1n): Rational {
  if (d === 0n) throw new RangeError('zero denominator');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  if (g > 1n) {
    n /= g;
    d /= g;
  }
  checkSize(n, d);
  return { n, d };
}

export const ZERO = rat(0n);
export const ONE = rat(1n);

export function fromInt(i: number | bigint): Rational {
  return rat(BigInt(i));
}

export const add = (a: Rational, b: Rational): Rational => rat(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Rational, b: Rational): Rational => rat(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Rational, b: Rational): Rational => rat(a.n * b.n, a.d * b.d);
export const neg = (a: Rational): Rational => ({ n: -a.n, d: a.d });
export const abs = (a: Rational): Rational => ({ n: absBig(a.n), d: a.d });
export const isZero = (a: Rational): boolean => a.n === 0n;
export const isInteger = (a: Rational): boolean => a.d === 1n;
export const sign = (a: Rational): number => (a.n > 0n ? 1 : a.n < 0n ? -1 : 0);

/** Division; the caller must rule out a zero divisor (it means "undefined"). */
export function div(a: Rational, b: Rational): Rational {
  if (b.n === 0n) throw new RangeError('division by zero');
  return rat(a.n * b.d, a.d * b.n);
}

export function cmp(a: Rational, b: Rational): number {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

export const eq = (a: Rational, b: Rational): boolean => a.n === b.n && a.d === b.d;

/** Integer power with a size check made before the (possibly huge) multiplication. */
export function powInt(a: Rational, e: bigint): Rational {
  if (e === 0n) return ONE;
  if (e < 0n) {
    if (a.n === 0n) throw new RangeError('division by zero');
    return powInt(rat(a.d, a.n), -e);
  }
  if (a.d === 1n && absBig(a.n) <= 1n) return a.n === -1n && e % 2n === 0n ? ONE : a;
  if (Math.max(bitLength(a.n), bitLength(a.d)) * Number(e) > LIMITS.maxBigIntBits + 64) {
    throw new TooBigError();
  }
  return rat(a.n ** e, a.d ** e);
}

/** Exact integer k-th root of a non-negative BigInt, or null. */
export function intRoot(a: bigint, k: number): bigint | null {
  if (a < 0n || k < 1 || k > LIMITS.maxExponent) return null;
  if (a < 2n || k === 1) return a;
  const kb = BigInt(k);
  let x: bigint;
  if (bitLength(a) <= 48) {
    x = BigInt(Math.round(Math.pow(Number(a), 1 / k)));
  } else {
    // Newton's method from above converges to floor(a^(1/k)).
    x = 1n << BigInt(Math.ceil(bitLength(a) / k) + 1);
    for (;;) {
      const next = ((kb - 1n) * x + a / x ** (kb - 1n)) / kb;
      if (next >= x) break;
      x = next;
    }
  }
  for (const c of [x - 1n, x, x + 1n]) {
    if (c >= 0n && c ** kb === a) return c;
  }
  return null;
}

/** Exact k-th root of a rational, or null when irrational (or not real). */
export function rootExact(a: Rational, k: number): Rational | null {
  if (a.n < 0n) {
    if (k % 2 === 0) return null;
    const r = rootExact(neg(a), k);
    return r ? neg(r) : null;
  }
  const n = intRoot(a.n, k);
  const d = intRoot(a.d, k);
  return n !== null && d !== null ? rat(n, d) : null;
}

/** Nearest double; safe for values far outside the double range (gives ±Infinity or 0). */
export function toNumber(a: Rational): number {
  if (a.n < SAFE && a.n > -SAFE && a.d < SAFE) return Number(a.n) / Number(a.d);
  const nb = bitLength(a.n);
  const db = bitLength(a.d);
  if (nb < 1000 && db < 1000) return Number(a.n) / Number(a.d);
  const sn = Math.max(nb - 64, 0);
  const sd = Math.max(db - 64, 0);
  const mant = Number(a.n >> BigInt(sn)) / Number(a.d >> BigInt(sd));
  return mant * Math.pow(2, sn - sd);
}

/** The exact rational value of a finite double. */
export function fromNumber(x: number): Rational | null {
  if (!Number.isFinite(x)) return null;
  if (Number.isInteger(x)) return rat(BigInt(x));
  let d = 1n;
  let v = x;
  // Doubling is exact for binary floating point; at most ~1074 steps.
  let guard = 0;
  while (!Number.isInteger(v) && guard < 1100) {
    v *= 2;
    d *= 2n;
    guard++;
  }
  return rat(BigInt(v), d);
}

/** Parse a plain decimal literal such as "12", "0.30", ".5". */
export function fromDecimal(text: string): Rational {
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new RangeError(`not a decimal: ${text}`);
  const intPart = m[1] ?? '';
  const frac = m[2] ?? '';
  const digits = (intPart + frac).replace(/^0+(?=\d)/, '') || '0';
  return rat(BigInt(digits), 10n ** BigInt(frac.length));
}

/** Recurring decimal: integer part, non-repeating decimals, repeating block. */
export function fromRecurring(intPart: string, nonRepeating: string, repeating: string): Rational {
  const base = fromDecimal(`${intPart || '0'}.${nonRepeating}`);
  const r = BigInt(repeating);
  const denom = (10n ** BigInt(repeating.length) - 1n) * 10n ** BigInt(nonRepeating.length);
  return add(base, rat(r, denom));
}

/** Round half away from zero to `places` decimal places (negative places round to tens, hundreds…). */
export function roundToPlaces(a: Rational, places: number): Rational {
  const scale = 10n ** BigInt(Math.abs(places));
  const scaled = places >= 0 ? mul(a, rat(scale)) : div(a, rat(scale));
  const m = abs(scaled);
  const floor = (2n * m.n + m.d) / (2n * m.d); // floor(m + 1/2)
  const rounded = rat(a.n < 0n ? -floor : floor);
  return places >= 0 ? div(rounded, rat(scale)) : mul(rounded, rat(scale));
}

/** floor(log10(|a|)) for a non-zero rational. */
function floorLog10(a: Rational): number {
  const m = abs(a);
  let k = m.n.toString().length - m.d.toString().length;
  // Adjust so that 10^k <= m < 10^(k+1).
  const pow10 = (e: number): Rational => (e >= 0 ? rat(10n ** BigInt(e)) : rat(1n, 10n ** BigInt(-e)));
  while (cmp(pow10(k), m) > 0) k--;
  while (cmp(pow10(k + 1), m) <= 0) k++;
  return k;
}

export function roundToSignificant(a: Rational, figures: number): Rational {
  if (a.n === 0n) return a;
  return roundToPlaces(a, figures - 1 - floorLog10(a));
}

/** Terminating decimal text when the denominator is 2^a·5^b, else "n/d". */
export function toText(a: Rational): string {
  if (a.d === 1n) return a.n.toString();
  let d = a.d;
  let twos = 0;
  let fives = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    twos++;
  }
  while (d % 5n === 0n) {
    d /= 5n;
    fives++;
  }
  if (d === 1n && Math.max(twos, fives) <= 30) {
    const places = Math.max(twos, fives);
    const scaled = (absBig(a.n) * 10n ** BigInt(places)) / a.d;
    const s = scaled.toString().padStart(places + 1, '0');
    const text = `${s.slice(0, s.length - places)}.${s.slice(s.length - places)}`;
    return a.n < 0n ? `-${text}` : text;
  }
  return `${a.n}/${a.d}`;
}
