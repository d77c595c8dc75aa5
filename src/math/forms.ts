// Answer forms: "give your answer as a single fraction / in standard form / expanded…".
// Checked only after the value is found right, in the order the box lists them, each an
// exact check of how the answer is written (its parsed tree), never a numeric sample.
import { children, someNode, variablesIn, type Node } from './ast.js';
import { MathInputError } from './errors.js';
import { exactValue } from './evaluate.js';
import { Budget, hasPowerFactor, isPrime, splits } from './irreducible.js';
import { rationalConstant, readSum } from './monomials.js';
import type { Tolerance } from './options.js';
import { print } from './print.js';
import * as Q from './rational.js';
import { simplificationIssue } from './simplified.js';
import type { AnswerKind } from './types.js';

export const ANSWER_FORMS = [
  'simplified',
  'fraction',
  'mixed-number',
  'decimal',
  'standard-form',
  'factorised',
  'expanded',
  'power',
  'surd',
  'exact',
] as const;
export type AnswerForm = (typeof ANSWER_FORMS)[number];

/** What each form asks for, in words an admin chooses from (shown by the challenge editor). */
export const FORM_DESCRIPTIONS: Readonly<Record<AnswerForm, { label: string; example: string }>> = {
  simplified: { label: 'Fully simplified', example: '3/4, not 6/8; 2√3, not √12' },
  fraction: { label: 'A single fraction', example: '3/4, not 0.75; (2x+1)/(x(x+1)), not 1/x + 1/(x+1)' },
  'mixed-number': { label: 'Mixed number', example: '2 1/2, not 5/2 or 2.5' },
  decimal: { label: 'Decimal', example: '0.75, not 3/4 (to the decimal places or significant figures set)' },
  'standard-form': { label: 'Standard form', example: '3.2 × 10⁴, not 32000 or 32 × 10³' },
  factorised: { label: 'Fully factorised', example: '2(x+3)(x−1), not (2x+6)(x−1) or 2x² + 4x − 6' },
  expanded: { label: 'Expanded', example: 'x² + 2x + 3, not (x+1)² + 2' },
  power: { label: 'A single power', example: '3⁴, not 81 or 3·3·3·3' },
  surd: { label: 'Simplest surd form', example: '2√2, not √8; √2/2, not 1/√2' },
  exact: { label: 'Exact', example: '√2 or π/4, not 1.414 or 0.785' },
};

/**
 * The forms a box requires, in order and without repeats; the older `requireSimplified`
 * switch adds 'simplified' after the listed forms. Tolerates options without `form`.
 */
export function requiredForms(opts: { form?: readonly AnswerForm[]; requireSimplified?: boolean }): AnswerForm[] {
  const out = [...new Set(opts.form ?? [])];
  if (opts.requireSimplified === true && !out.includes('simplified')) out.push('simplified');
  return out;
}

export interface FormContext {
  /** The expected answer, for the forms that look at it ('power', 'exact'). */
  expected: Node;
  submitted: Node;
  kind: AnswerKind;
  tolerance: Tolerance;
}

export interface FormFailure {
  form: AnswerForm;
  detail: string;
}

/** The first required form the submitted answer is not written in, or null. */
export function formFailure(forms: readonly AnswerForm[], ctx: FormContext): FormFailure | null {
  for (const form of forms) {
    const issue = formIssue(form, ctx);
    if (issue) return { form, detail: `${form}: ${issue}` };
  }
  return null;
}

function formIssue(form: AnswerForm, ctx: FormContext): string | null {
  switch (form) {
    case 'simplified':
      return simplificationIssue(ctx.submitted);
    case 'exact':
      return exactIssue(ctx);
    case 'power': {
      const expectedParts = valueParts(ctx.expected, ctx.kind);
      const bases = expectedParts.flatMap((p) => {
        const u = unsigned(p);
        return u.type === 'pow' ? [u.base] : [];
      });
      // −x⁵ is "a single power" when the correct answer is itself written as minus a power.
      const minusOutside = expectedParts.some((p) => p.type === 'neg' && unsigned(p).type === 'pow');
      return firstIssue(ctx, (p) => powerIssue(p, bases, minusOutside));
    }
    case 'fraction':
      return firstIssue(ctx, fractionIssue);
    case 'mixed-number':
      return firstIssue(ctx, mixedNumberIssue);
    case 'decimal':
      return firstIssue(ctx, (p) => decimalIssue(p, ctx.tolerance));
    case 'standard-form':
      return firstIssue(ctx, standardFormIssue);
    case 'factorised': {
      const budget = new Budget();
      return firstIssue(ctx, (p) => factorisedIssue(p, budget));
    }
    case 'expanded':
      return firstIssue(ctx, expandedIssue);
    case 'surd':
      return firstIssue(ctx, surdIssue);
  }
}

function firstIssue(ctx: FormContext, check: (part: Node) => string | null): string | null {
  for (const part of valueParts(ctx.submitted, ctx.kind)) {
    const issue = check(part);
    if (issue) return issue;
  }
  return null;
}

// ---- the values an answer gives ---------------------------------------------------------

/** Units, and the letters read as units when a quantity is expected, carry no form. */
function isUnitPart(n: Node, kind: AnswerKind): boolean {
  switch (n.type) {
    case 'unit':
    case 'text':
      return true;
    case 'sym':
      return kind === 'quantity';
    case 'pow':
      return isUnitPart(n.base, kind);
    case 'mul':
      return n.factors.every((f) => isUnitPart(f, kind));
    case 'div':
      return isUnitPart(n.num, kind) && isUnitPart(n.den, kind);
    default:
      return false;
  }
}

/** The number in "5.2 cm", "£2.40", "45°", "3 km/h". */
function withoutUnit(n: Node, kind: AnswerKind): Node | null {
  switch (n.type) {
    case 'neg': {
      const arg = withoutUnit(n.arg, kind);
      return arg && { type: 'neg', arg };
    }
    case 'deg':
      return n.arg;
    case 'mul': {
      const rest = n.factors.filter((f) => !isUnitPart(f, kind));
      if (rest.length === n.factors.length) return n;
      return rest.length === 0 ? null : rest.length === 1 ? (rest[0] as Node) : { type: 'mul', factors: rest };
    }
    case 'div':
      return isUnitPart(n.den, kind) ? withoutUnit(n.num, kind) : n;
    default:
      return isUnitPart(n, kind) ? null : n;
  }
}

/**
 * Each value the answer gives: list, set and point items; both sides of a relation
 * except a lone variable (the "x" of x = 3); a quantity without its unit.
 */
function valueParts(node: Node, kind: AnswerKind): Node[] {
  switch (node.type) {
    case 'list':
    case 'set':
    case 'tuple':
      return node.items.flatMap((i) => valueParts(i, kind));
    case 'rel':
      return node.sides.filter((s) => s.type !== 'sym').flatMap((s) => valueParts(s, kind));
    case 'text':
      return [];
    default: {
      const value = withoutUnit(node, kind);
      return value ? [value] : [];
    }
  }
}

// ---- shared readings ----------------------------------------------------------------------

/** The node without leading signs (−, ±): forms are about how the value is written. */
function unsigned(n: Node): Node {
  while (n.type === 'neg' || n.type === 'pm') n = n.arg;
  return n;
}

const isConstant = (n: Node): boolean => variablesIn(n).size === 0;

// Trees are never changed after parsing; the surd checks ask the same node many times.
const rationalValues = new WeakMap<Node, Q.Rational | null>();

/** The exact rational value of a constant, even one written as a sum; null otherwise. */
function rationalValue(n: Node): Q.Rational | null {
  let v = rationalValues.get(n);
  if (v === undefined) rationalValues.set(n, (v = computeRational(n)));
  return v;
}

function computeRational(n: Node): Q.Rational | null {
  if (!isConstant(n) || someNode(n, (x) => x.type === 'pm' || x.type === 'unit' || x.type === 'text')) return null;
  try {
    return exactValue(n);
  } catch (e) {
    if (e instanceof MathInputError) return null;
    throw e;
  }
}

/** A whole number written as one: 3, −3 (not 3.0, not 6/2). */
function isWholeLiteral(n: Node): boolean {
  const u = unsigned(n);
  return u.type === 'num' && !u.decimal && Q.isInteger(u.value);
}

/** A number written plainly: 4, −3, 0.5, 1/2, −2/3. */
function isPlainNumber(n: Node): boolean {
  const u = unsigned(n);
  if (u.type === 'num') return true;
  return u.type === 'div' && isWholeLiteral(u.num) && isWholeLiteral(u.den);
}

/** A decimal as it was rounded, not a recurring one (0.\overline{3} is exact). */
const isRoundedDecimal = (n: Node): boolean => n.type === 'num' && n.decimal && !n.text.includes('(');

const hasFraction = (n: Node): boolean =>
  someNode(n, (x) => x.type === 'div' || x.type === 'mixed' || x.type === 'pct');

const hasDecimal = (n: Node): boolean => someNode(n, (x) => x.type === 'num' && x.decimal);

// ---- fraction, mixed number, decimal, standard form -------------------------------------

function fractionIssue(part: Node): string | null {
  const n = unsigned(part);
  if (n.type === 'num') return n.decimal ? 'written as a decimal' : null;
  if (n.type === 'mixed') return 'written as a mixed number';
  if (n.type === 'pct') return 'written as a percentage';
  const rational = rationalValue(n) !== null;
  if (n.type === 'div') {
    if (rational) {
      return isWholeLiteral(n.num) && isWholeLiteral(n.den) ? null : 'the top and bottom are not whole numbers';
    }
    if (hasFraction(n.num) || hasFraction(n.den)) return 'a fraction inside the fraction';
    return hasDecimal(n) ? 'a decimal inside the fraction' : null;
  }
  if (rational) return 'not written as one fraction';
  if (hasFraction(n)) return 'not written as one fraction';
  return hasDecimal(n) ? 'a decimal' : null;
}

function mixedNumberIssue(part: Node): string | null {
  const n = unsigned(part);
  if (!isConstant(n)) return 'not a number';
  if (n.type === 'mixed') return null;
  if (n.type === 'num') return n.decimal ? 'written as a decimal' : null;
  if (n.type === 'div' && isWholeLiteral(n.num) && isWholeLiteral(n.den)) {
    const p = unsigned(n.num) as Extract<Node, { type: 'num' }>;
    const q = unsigned(n.den) as Extract<Node, { type: 'num' }>;
    return Q.cmp(Q.abs(p.value), Q.abs(q.value)) < 0 ? null : 'an improper fraction';
  }
  return 'not written as a mixed number';
}

/** Digits of a literal as written: "0.0450" → int "0", frac "0450". */
function literalDigits(n: Extract<Node, { type: 'num' }>): { int: string; frac: string } {
  const [int = '', frac = ''] = n.text.replace(/[^\d.]/g, '').split('.');
  return { int, frac };
}

/** How many significant figures a literal shows; a range when trailing zeros of a whole number are ambiguous. */
function significantFigures(n: Extract<Node, { type: 'num' }>): { min: number; max: number } | null {
  const { int, frac } = literalDigits(n);
  if (n.decimal) {
    const digits = (int + frac).replace(/^0+/, '');
    return digits === '' ? null : { min: digits.length, max: digits.length };
  }
  const digits = int.replace(/^0+/, '');
  if (digits === '') return null;
  return { min: digits.replace(/0+$/, '').length, max: digits.length };
}

function decimalIssue(part: Node, tolerance: Tolerance): string | null {
  const n = unsigned(part);
  if (!isConstant(n)) {
    // In an expression every number is a decimal or a whole number: 0.5x, not x/2.
    if (someNode(n, (x) => x.type === 'mixed' || (x.type === 'div' && isConstant(x.den)))) {
      return 'a fraction is left';
    }
    return null;
  }
  if (n.type !== 'num') return 'not written as a decimal';
  const recurring = n.text.includes('(');
  if (tolerance.type === 'decimalPlaces') {
    if (recurring) return `a recurring decimal is not given to ${tolerance.value} decimal places`;
    const places = n.decimal ? literalDigits(n).frac.length : 0;
    if (places !== tolerance.value) return `written to ${places} decimal places instead of ${tolerance.value}`;
  }
  if (tolerance.type === 'sigfigs') {
    if (recurring) return `a recurring decimal is not given to ${tolerance.value} significant figures`;
    const sf = significantFigures(n);
    if (sf && (tolerance.value < sf.min || tolerance.value > sf.max)) {
      return `not written to ${tolerance.value} significant figures`;
    }
  }
  return null;
}

function standardFormIssue(part: Node): string | null {
  const n = unsigned(part);
  if (!isConstant(n)) return 'not a number';
  if (n.type !== 'mul' || n.factors.length !== 2) return 'not written as a × 10ⁿ';
  const [front, p] = n.factors as [Node, Node];
  const a = unsigned(front);
  if (p.type !== 'pow' || p.base.type !== 'num' || p.base.decimal || !Q.eq(p.base.value, Q.fromInt(10))) {
    return 'not written as a × 10ⁿ';
  }
  if (a.type !== 'num' || Q.cmp(a.value, Q.ONE) < 0 || Q.cmp(a.value, Q.fromInt(10)) >= 0) {
    return 'the number in front is not at least 1 and less than 10';
  }
  return isWholeLiteral(p.exp) ? null : 'the power of 10 is not a whole number';
}

// ---- power ------------------------------------------------------------------------------

function sameBase(a: Node, b: Node): boolean {
  const x = rationalValue(a);
  const y = rationalValue(b);
  if (x && y) return Q.eq(x, y);
  return print(a) === print(b);
}

function powerIssue(part: Node, expectedBases: Node[], minusOutside: boolean): string | null {
  if (part.type === 'neg' && part.arg.type === 'pow') {
    if (minusOutside) return powerIssue(part.arg, expectedBases, false);
    return 'a minus sign outside the power';
  }
  if (part.type !== 'pow') {
    return unsigned(part).type === 'pow' ? 'a minus sign outside the power' : 'not written as a single power';
  }
  if (part.base.type === 'pow') return 'a power of a power';
  if (isConstant(part.exp)) {
    if (!isPlainNumber(part.exp) || rationalValue(part.exp) === null) {
      return 'the power is not a whole number or a fraction';
    }
  }
  if (expectedBases.length > 0 && !expectedBases.some((b) => sameBase(b, part.base))) {
    return 'not a power of the same base as the correct answer';
  }
  return null;
}

// ---- expanded and factorised --------------------------------------------------------------

function expandedIssue(part: Node): string | null {
  const r = readSum(part);
  return r.ok ? null : r.issue;
}

/** Most prime factors checked in one answer (each a Miller–Rabin test). */
const MAX_PRIME_FACTORS = 64;

/** A whole number "as a product of its prime factors": 2³ × 3² × 5. */
function primeFactorsIssue(n: Node): string | null {
  const v = rationalValue(n);
  if (!v || !Q.isInteger(v) || Q.cmp(Q.abs(v), Q.fromInt(2)) < 0) return null;
  const factors = n.type === 'mul' ? n.factors : [n];
  if (factors.length > MAX_PRIME_FACTORS) return 'too many factors';
  for (const f of factors) {
    const base = f.type === 'pow' ? f.base : f;
    if (f.type === 'pow' && !(isWholeLiteral(f.exp) && f.exp.type === 'num' && f.exp.value.n > 0n)) {
      return 'a power of a prime must be a positive whole number';
    }
    if (base.type !== 'num' || base.decimal || !Q.isInteger(base.value) || !isPrime(base.value.n)) {
      return 'a factor is not a prime number';
    }
  }
  return null;
}

/** One bracket of a product: a plain sum, whole-number coefficients, nothing common, irreducible. */
function bracketIssue(sum: Node, budget: Budget, whole: boolean): string | null {
  const r = readSum(sum);
  if (!r.ok) return whole ? `not written as a product (${r.issue})` : `a bracket is not a plain sum (${r.issue})`;
  const terms = r.value;
  if (terms.some((t) => !Q.isInteger(t.coef))) return 'a fraction is left inside a bracket';
  // x + 1/x and the like are no polynomials: there is nothing further to take out.
  if (terms.some((t) => [...t.exps.values()].some((e) => e < 0))) return null;
  let g = 0n;
  for (const t of terms) g = Q.gcd(g, t.coef.n);
  if (g > 1n) return `a common factor ${g} is left ${whole ? 'in the sum' : 'inside a bracket'}`;
  const first = terms[0];
  if (!first) return null;
  for (const v of first.exps.keys()) {
    if (terms.every((t) => (t.exps.get(v) ?? 0) > 0))
      return `a common factor is left ${whole ? 'in the sum' : 'inside a bracket'}`;
  }
  if (splits(terms, budget) !== true) return null;
  return whole ? 'the sum can be factorised' : 'a bracket can be factorised further';
}

function factorIssue(f: Node, budget: Budget): string | null {
  const n = unsigned(f);
  if (isConstant(n)) return null; // a number in front: 2(x + 3), ½(x + 4), π(r + 1)
  switch (n.type) {
    case 'mul':
    case 'div':
      return productIssue(n, budget);
    case 'pow': {
      const k = rationalConstant(n.exp);
      return k && Q.isInteger(k) && k.n > 0n ? factorIssue(n.base, budget) : null;
    }
    case 'add':
      return bracketIssue(n, budget, false);
    default:
      return null; // a variable, or a function or root taken whole
  }
}

function productIssue(node: Node, budget: Budget): string | null {
  const n = unsigned(node);
  if (n.type === 'div') return productIssue(n.num, budget) ?? productIssue(n.den, budget);
  for (const f of n.type === 'mul' ? n.factors : [n]) {
    const issue = factorIssue(f, budget);
    if (issue) return issue;
  }
  return null;
}

function factorisedIssue(part: Node, budget: Budget): string | null {
  const n = unsigned(part);
  if (isConstant(n)) return primeFactorsIssue(n);
  // A whole answer that is one sum: "x² + 5x + 6" is not factorised, "x + 1" is.
  return n.type === 'add' ? bracketIssue(n, budget, true) : productIssue(n, budget);
}

// ---- surds and exact values --------------------------------------------------------------

/** An irrational constant root or fractional power: √2, ∛5, 2^{1/2}. */
function isSurd(n: Node): boolean {
  if (!isConstant(n)) return false;
  if (n.type === 'root') return rationalValue(n) === null;
  if (n.type === 'pow') {
    const e = rationalValue(n.exp);
    return e !== null && !Q.isInteger(e) && rationalValue(n) === null;
  }
  return false;
}

/** The surd factors of a term, as a key for spotting like surds (2√3 and √3). */
function surdKey(term: Node): string {
  const t = unsigned(term);
  const factors = t.type === 'mul' ? t.factors : t.type === 'div' ? [t.num] : [t];
  return factors.filter(isSurd).map(print).sort().join('*');
}

function surdNodeIssue(n: Node): string | null {
  switch (n.type) {
    case 'root': {
      if (!isConstant(n)) return null;
      if (rationalValue(n) !== null) return 'a root that can be worked out';
      const k = n.index ? rationalValue(n.index) : Q.fromInt(2);
      if (!k || !Q.isInteger(k) || k.n < 2n || k.n > 12n) return null;
      const a = n.arg;
      if (a.type !== 'num' || a.decimal || !Q.isInteger(a.value) || a.value.n <= 0n) {
        return 'the number under the root is not a single whole number';
      }
      return hasPowerFactor(a.value.n, Number(k.n))
        ? `the number under the root has a factor that is a perfect ${k.n === 2n ? 'square' : 'power'}`
        : null;
    }
    case 'pow':
      if (isSurd(n)) return 'a fractional power is left: write it as a root';
      // (√2)², (1 + √2)²: the power is left to work out.
      if (someNode(n.base, isSurd) && rationalValue(n.exp) !== null) return 'a power of a surd is left';
      return null;
    case 'div':
      return someNode(n.den, isSurd) ? 'a surd in the denominator' : null;
    case 'mul':
      // √2·√3, √2(1 + √2), (1 + √2)(3 − √2): surds left to multiply out.
      return n.factors.filter((f) => someNode(f, isSurd)).length >= 2 ? 'surds are not multiplied together' : null;
    case 'add': {
      const keys = n.terms.map(surdKey).filter((k) => k !== '');
      return new Set(keys).size !== keys.length ? 'like surds are not collected' : null;
    }
    default:
      return null;
  }
}

function surdIssue(part: Node): string | null {
  const here = surdNodeIssue(part);
  if (here) return here;
  if (part.type === 'root' || (part.type === 'pow' && isSurd(part))) return null; // nothing inside a surd to check
  for (const c of children(part)) {
    const issue = surdIssue(c);
    if (issue) return issue;
  }
  return null;
}

function exactIssue(ctx: FormContext): string | null {
  // Where the correct answer is itself a rounded decimal, decimals are the point.
  if (someNode(ctx.expected, isRoundedDecimal)) return null;
  // A decimal that is exactly the (rational) correct value is exact: 2.5 for 5/2, not 0.333 for 1/3.
  const exactValues = valueParts(ctx.expected, ctx.kind).flatMap((p) => {
    const v = rationalValue(p);
    return v ? [v] : [];
  });
  for (const part of valueParts(ctx.submitted, ctx.kind)) {
    if (!someNode(part, isRoundedDecimal)) continue;
    const v = rationalValue(part);
    if (v && exactValues.some((e) => Q.eq(e, v))) continue;
    return 'a decimal is given where an exact value is expected';
  }
  return null;
}
