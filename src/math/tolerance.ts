// Numeric comparison under the admin's tolerance option.
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
