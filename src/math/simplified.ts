// "Must be fully simplified": structural checks on the submitted tree. These are the
// conventions of school maths (lowest terms, simplest surds, like terms collected,
// denominators rationalised, no arithmetic left to do), not a CAS normal form.
import { children, freeVariables, someNode, type Node } from './ast.js';
import { MathInputError } from './errors.js';
import { exactValue, numericValue } from './evaluate.js';
import { hasPowerFactor } from './irreducible.js';
import { print } from './print.js';
import * as Q from './rational.js';

/** The first simplification still possible, or null when the answer is in simplest form. */
export function simplificationIssue(node: Node): string | null {
  return check(node, false);
}

function isConst(node: Node): boolean {
  return freeVariables(node).size === 0 && !someNode(node, (n) => n.type === 'unit' || n.type === 'text');
}

/** Rational value of a constant subtree, or null (irrational, undefined or not a number). */
function rationalOf(node: Node): Q.Rational | null {
  if (!isConst(node)) return null;
  try {
    return exactValue(node);
  } catch (e) {
    if (e instanceof MathInputError) return null;
    throw e;
  }
}

const isIntLiteral = (n: Node): n is Extract<Node, { type: 'num' }> =>
  n.type === 'num' && !n.decimal && Q.isInteger(n.value);
const isLiteral = (n: Node, v: bigint): boolean => n.type === 'num' && n.value.d === 1n && n.value.n === v;

/** A single number written as such: literal, signed literal, fraction of literals, mixed, percentage. */
function isPlainNumber(n: Node): boolean {
  if (n.type === 'num' || n.type === 'mixed') return true;
  if (n.type === 'neg') return isPlainNumber(n.arg);
  // \frac{-3}{4} is −3/4 written plainly (a negative denominator has its own message).
  if (n.type === 'div')
    return (isIntLiteral(n.num) || (n.num.type === 'neg' && isIntLiteral(n.num.arg))) && isIntLiteral(n.den);
  return false;
}

/** 5.2 × 10^4: a coefficient in [1, 10) times a power of ten. */
function isStandardForm(n: Node): boolean {
  if (n.type !== 'mul' || n.factors.length !== 2) return false;
  const [c, p] = n.factors as [Node, Node];
  if (c.type !== 'num' || p.type !== 'pow' || !isLiteral(p.base, 10n)) return false;
  const e = rationalOf(p.exp);
  const one = Q.cmp(c.value, Q.ONE) >= 0 && Q.cmp(c.value, Q.fromInt(10)) < 0;
  return e !== null && Q.isInteger(e) && one;
}

/** Greatest common integer factor of all terms' coefficients (1 when unknown). */
function content(n: Node): bigint {
  if (isIntLiteral(n)) return n.value.n < 0n ? -n.value.n : n.value.n;
  if (n.type === 'neg') return content(n.arg);
  if (n.type === 'mul') {
    const lit = n.factors.find(isIntLiteral);
    return lit ? content(lit) : 1n;
  }
  if (n.type === 'add') {
    let g = 0n;
    for (const t of n.terms) g = Q.gcd(g, content(t));
    return g === 0n ? 1n : g;
  }
  return 1n;
}

/** A term without its numeric coefficient, for spotting like terms. */
function termSignature(t: Node): string {
  if (t.type === 'neg') return termSignature(t.arg);
  if (t.type === 'div' && rationalOf(t.den)) return termSignature(t.num);
  if (rationalOf(t)) return '1';
  if (t.type === 'mul') {
    const rest = t.factors
      .filter((f) => !rationalOf(f))
      .map(print)
      .sort();
    return rest.length === 0 ? '1' : rest.join('*');
  }
  return print(t);
}

function baseSignature(f: Node): string {
  return print(f.type === 'pow' ? f.base : f);
}

/** Does a constant subtree have a rational value that the student could have written? */
function hasRationalValue(n: Node): boolean {
  return rationalOf(n) !== null;
}

const TRIG = new Set(['sin', 'cos', 'tan', 'sec', 'csc', 'cot']);

/** sin 30°, cos(π/4): multiples of 30° or 45°, whose trig values have exact forms. */
function isSpecialAngle(arg: Node): boolean {
  const x = safeNumeric(arg);
  if (x === null) return false;
  const m = x / (Math.PI / 12);
  const r = Math.round(m);
  return Math.abs(m - r) < 1e-9 && (r % 2 === 0 || r % 3 === 0);
}

function check(n: Node, inStandardForm: boolean): string | null {
  const here = checkNode(n, inStandardForm);
  if (here) return here;
  const std = isStandardForm(n);
  for (const c of children(n)) {
    const issue = check(c, std);
    if (issue) return issue;
  }
  return null;
}

function checkNode(n: Node, inStandardForm: boolean): string | null {
  switch (n.type) {
    case 'div': {
      if (isLiteral(n.den, 1n)) return 'dividing by 1';
      if (n.den.type === 'neg' || (n.den.type === 'num' && n.den.value.n < 0n)) return 'negative denominator';
      if (n.num.type === 'div' || n.den.type === 'div') return 'fraction within a fraction';
      if ((n.num.type === 'num' && n.num.decimal) || (n.den.type === 'num' && n.den.decimal))
        return 'decimal inside a fraction';
      if (Q.gcd(content(n.num), content(n.den)) > 1n) return 'fraction not in lowest terms';
      if (isConst(n.den) && someNode(n.den, (x) => x.type === 'root') && !hasRationalValue(n.den)) {
        return 'surd in the denominator';
      }
      if (isConst(n) && hasRationalValue(n) && !isPlainNumber(n)) return 'arithmetic left to do';
      return null;
    }
    case 'mixed':
      return Q.gcd(n.num.n, n.den.n) > 1n ? 'fraction not in lowest terms' : null;
    case 'add': {
      if (n.terms.filter((t) => rationalOf(t) !== null).length >= 2) return 'numbers not combined';
      if (n.terms.some((t) => isLiteral(t, 0n))) return 'adding 0';
      const sigs = n.terms.filter((t) => !rationalOf(t)).map(termSignature);
      if (new Set(sigs).size !== sigs.length) return 'like terms not collected';
      return null;
    }
    case 'mul': {
      if (isStandardForm(n)) return null;
      if (n.factors.some((f) => isLiteral(f, 1n) || isLiteral(f, 0n))) return 'multiplying by 1 or 0';
      if (n.factors.filter((f) => rationalOf(f) !== null).length >= 2) return 'numbers not multiplied';
      if (n.factors.filter((f) => f.type === 'root' && isConst(f)).length >= 2) return 'surds not combined';
      const bases = n.factors.filter((f) => !rationalOf(f)).map(baseSignature);
      if (new Set(bases).size !== bases.length) return 'same base multiplied twice';
      return null;
    }
    case 'pow': {
      if (isLiteral(n.exp, 1n) || isLiteral(n.exp, 0n)) return 'power of 0 or 1';
      if (n.base.type === 'pow') return 'power of a power';
      if (n.base.type === 'mul' && n.base.factors.some((f) => rationalOf(f) !== null))
        return 'number inside a bracketed power';
      if (inStandardForm && isLiteral(n.base, 10n)) return null;
      if (isConst(n) && hasRationalValue(n)) return 'power not evaluated';
      return null;
    }
    case 'root': {
      if (!isConst(n.arg)) return null;
      if (hasRationalValue(n)) return 'root not evaluated';
      const a = rationalOf(n.arg);
      const k = n.index ? rationalOf(n.index) : Q.fromInt(2);
      if (a && !Q.isInteger(a)) return 'root of a fraction';
      if (a && k && Q.isInteger(k) && k.n <= 12n && hasPowerFactor(a.n, Number(k.n))) return 'surd can be simplified';
      return null;
    }
    case 'neg':
      if (n.arg.type === 'neg' || (n.arg.type === 'num' && n.arg.value.n < 0n)) return 'double negative';
      return null;
    case 'fn':
      if (!isConst(n.arg)) return null;
      if (hasRationalValue(n)) return 'value not worked out';
      if (TRIG.has(n.name) && isSpecialAngle(n.arg)) return 'exact value not worked out';
      if (n.name !== 'abs') {
        const v = safeNumeric(n);
        if (v !== null && isSimpleRational(v)) return 'value not worked out';
      }
      return null;
    case 'fact':
    case 'binom':
      return isConst(n) ? 'value not worked out' : null;
    default:
      return null;
  }
}

function safeNumeric(n: Node): number | null {
  try {
    const v = numericValue(n);
    return Number.isFinite(v) ? v : null;
  } catch (e) {
    if (e instanceof MathInputError) return null;
    throw e;
  }
}

/** log₂16, ln e, sin(π/6): floats that are plainly a small fraction. */
function isSimpleRational(v: number): boolean {
  for (let d = 1; d <= 12; d++) {
    const n = v * d;
    if (Math.abs(n - Math.round(n)) < 1e-9 * Math.max(1, Math.abs(n))) return true;
  }
  return false;
}
