// Numeric comparison under the admin's tolerance option.
import { complexValuesEqual, isReal, modulus, type ComplexValue } from './complex.js';
import { valuesEqual, type Value } from './evaluate.js';
import type { Tolerance } from './options.js';
import * as Q from './rational.js';

/** Exact rational of a tolerance such as 0.01 or 1e-7, read from its decimal spelling. */
function decimalOf(x: number): Q.Rational {
  const m = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(String(x));
  if (!m) return Q.fromNumber(x) ?? Q.ZERO;
  const base = Q.fromDecimal(`${m[1] || '0'}.${m[2] ?? ''}`);
  const exp = Number(m[3] ?? '0');
  const scale = Q.rat(10n ** BigInt(Math.abs(exp)));
  return exp >= 0 ? Q.mul(base, scale) : Q.div(base, scale);
}

function asRational(v: Value): Q.Rational | null {
  return v.exact ?? Q.fromNumber(v.approx);
}

export function withinTolerance(expected: Value, submitted: Value, tol: Tolerance): boolean {
  switch (tol.type) {
    case 'none':
      return valuesEqual(expected, submitted);
    case 'absolute':
    case 'relative': {
      const bound = tol.type === 'absolute' ? tol.value : tol.value * Math.abs(expected.approx);
      if (expected.exact && submitted.exact) {
        const diff = Q.abs(Q.sub(expected.exact, submitted.exact));
        const limit =
          tol.type === 'absolute' ? decimalOf(tol.value) : Q.mul(decimalOf(tol.value), Q.abs(expected.exact));
        return Q.cmp(diff, limit) <= 0;
      }
      // Float slack so that a bound met exactly on paper is not lost to rounding.
      return Math.abs(expected.approx - submitted.approx) <= bound * (1 + 1e-12) + 1e-15;
    }
    case 'sigfigs':
    case 'decimalPlaces': {
      const e = asRational(expected);
      const s = asRational(submitted);
      if (!e || !s) return false;
      const round = (r: Q.Rational): Q.Rational =>
        tol.type === 'sigfigs' ? Q.roundToSignificant(r, tol.value) : Q.roundToPlaces(r, tol.value);
      return Q.eq(round(e), round(s));
    }
  }
}

/** |a − b|² exactly, when every part is exact. */
function exactDistanceSquared(a: ComplexValue, b: ComplexValue): Q.Rational | null {
  if (!a.re.exact || !a.im.exact || !b.re.exact || !b.im.exact) return null;
  const dr = Q.sub(a.re.exact, b.re.exact);
  const di = Q.sub(a.im.exact, b.im.exact);
  return Q.add(Q.mul(dr, dr), Q.mul(di, di));
}

/**
 * Complex values: real ones exactly as above; otherwise an absolute or relative tolerance
 * bounds the distance |expected − submitted|, and rounding applies to each part.
 */
export function withinToleranceComplex(expected: ComplexValue, submitted: ComplexValue, tol: Tolerance): boolean {
  if (isReal(expected) && isReal(submitted)) return withinTolerance(expected.re, submitted.re, tol);
  switch (tol.type) {
    case 'none':
      return complexValuesEqual(expected, submitted);
    case 'absolute':
    case 'relative': {
      const size = (v: ComplexValue): number => modulus({ re: v.re.approx, im: v.im.approx });
      const bound = tol.type === 'absolute' ? tol.value : tol.value * size(expected);
      const d2 = exactDistanceSquared(expected, submitted);
      if (d2 && tol.type === 'absolute') {
        const limit = decimalOf(tol.value);
        return Q.cmp(d2, Q.mul(limit, limit)) <= 0;
      }
      const d = size({
        re: { exact: null, approx: expected.re.approx - submitted.re.approx },
        im: { exact: null, approx: expected.im.approx - submitted.im.approx },
      });
      return d <= bound * (1 + 1e-12) + 1e-15;
    }
    case 'sigfigs':
    case 'decimalPlaces':
      return withinTolerance(expected.re, submitted.re, tol) && withinTolerance(expected.im, submitted.im, tol);
  }
}
