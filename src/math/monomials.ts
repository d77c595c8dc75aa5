// Reading an answer as a sum of monomials, exactly and as written, for the answer-form
// checks ("expanded", "factorised"). A monomial is a rational coefficient times integer
// powers of atoms: variables, or a function, root or irrational constant taken whole
// (sin x, √2, π). Nothing is multiplied out: a bracket around a sum inside a term is
// reported as the reason the answer is not a plain sum, never expanded.
import { someNode, variablesIn, type Node } from './ast.js';
import { MathInputError } from './errors.js';
import { exactValue } from './evaluate.js';
import { print } from './print.js';
import * as Q from './rational.js';

export interface Monomial {
  coef: Q.Rational;
  /** Atom → exponent; never holds a zero exponent. */
  exps: ReadonlyMap<string, number>;
}

export interface Term extends Monomial {
  /** The monomial without its coefficient, e.g. "x^2*y^1": equal keys are like terms. */
  key: string;
}

export type Reading<T> = { ok: true; value: T } | { ok: false; issue: string };

const ok = <T>(value: T): Reading<T> => ({ ok: true, value });
const bad = <T>(issue: string): Reading<T> => ({ ok: false, issue });

// Trees are never changed after parsing, so each node's value is worked out once.
const constants = new WeakMap<Node, Q.Rational | null>();

/** Rational value of a constant subtree written without any sum, or null. */
export function rationalConstant(node: Node): Q.Rational | null {
  let v = constants.get(node);
  if (v === undefined) constants.set(node, (v = computeConstant(node)));
  return v;
}

function computeConstant(node: Node): Q.Rational | null {
  if (variablesIn(node).size > 0) return null;
  if (someNode(node, (n) => n.type === 'add' || n.type === 'unit' || n.type === 'text' || n.type === 'pm')) {
    return null;
  }
  try {
    return exactValue(node);
  } catch (e) {
    if (e instanceof MathInputError) return null;
    throw e;
  }
}

/** "x^2*y": the part of a monomial that like terms share. */
export function monomialKey(exps: ReadonlyMap<string, number>): string {
  return [...exps]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, e]) => `${name}^${e}`)
    .join('*');
}

function atom(node: Node): Monomial {
  const name = node.type === 'sym' ? node.name : `⟨${print(node)}⟩`;
  return { coef: Q.ONE, exps: new Map([[name, 1]]) };
}

function times(a: Monomial, b: Monomial): Monomial {
  const exps = new Map(a.exps);
  for (const [name, e] of b.exps) {
    const sum = (exps.get(name) ?? 0) + e;
    if (sum === 0) exps.delete(name);
    else exps.set(name, sum);
  }
  return { coef: Q.mul(a.coef, b.coef), exps };
}

function power(m: Monomial, k: bigint): Monomial {
  const exps = new Map<string, number>();
  for (const [name, e] of m.exps) exps.set(name, e * Number(k));
  return { coef: Q.powInt(m.coef, k), exps };
}

const isSum = (n: Node): boolean => n.type === 'add';

/** One term of a sum, as written; an issue when it hides a bracketed sum. */
function monomial(node: Node): Reading<Monomial> {
  const c = rationalConstant(node);
  if (c) return ok({ coef: c, exps: new Map() });
  switch (node.type) {
    case 'sym':
      return ok(atom(node));
    case 'neg':
    case 'pm': {
      if (isSum(node.arg)) return bad('a bracket is left after a minus sign');
      const r = monomial(node.arg);
      return r.ok ? ok({ coef: Q.neg(r.value.coef), exps: r.value.exps }) : r;
    }
    case 'mul': {
      let acc: Monomial = { coef: Q.ONE, exps: new Map() };
      for (const f of node.factors) {
        if (isSum(f)) return bad('a bracket around a sum is multiplied');
        const r = monomial(f);
        if (!r.ok) return r;
        acc = times(acc, r.value);
      }
      return ok(acc);
    }
    case 'div': {
      if (isSum(node.num)) return bad('a sum is divided as one fraction');
      const num = monomial(node.num);
      if (!num.ok) return num;
      const d = rationalConstant(node.den);
      if (d && !Q.isZero(d)) return ok({ coef: Q.div(num.value.coef, d), exps: num.value.exps });
      // A sum below the line is one atom: 1/(x+1) is not "brackets multiplying".
      const den = isSum(node.den) ? ok(atom(node.den)) : monomial(node.den);
      if (!den.ok) return den;
      if (Q.isZero(den.value.coef)) return ok(atom(node));
      return ok(times(num.value, power(den.value, -1n)));
    }
    case 'pow': {
      const k = rationalConstant(node.exp);
      if (!k || !Q.isInteger(k)) return ok(atom(node));
      if (isSum(node.base)) return bad('a bracket is raised to a power');
      const base = monomial(node.base);
      if (!base.ok) return base;
      if (Q.isZero(base.value.coef) && k.n < 0n) return ok(atom(node));
      return ok(power(base.value, k.n));
    }
    case 'add':
      return bad('a bracket around a sum is left');
    default:
      // Functions, roots, π and e, factorials…: one atom each, whatever is inside.
      return ok(atom(node));
  }
}

function flattenSum(node: Node, out: Node[]): void {
  if (node.type === 'add') for (const t of node.terms) flattenSum(t, out);
  else out.push(node);
}

/**
 * The answer as a sum of monomials exactly as written: every term a monomial, like
 * terms collected. Otherwise the first reason it is not (a bracket multiplying a sum,
 * a bracket raised to a power, like terms left apart).
 */
export function readSum(node: Node): Reading<Term[]> {
  const parts: Node[] = [];
  flattenSum(node, parts);
  const terms: Term[] = [];
  const seen = new Set<string>();
  try {
    for (const part of parts) {
      if ((part.type === 'neg' || part.type === 'pm') && isSum(part.arg)) {
        return bad('a bracket is left after a minus sign');
      }
      const r = monomial(part);
      if (!r.ok) return r;
      if (Q.isZero(r.value.coef)) continue;
      const key = monomialKey(r.value.exps);
      if (seen.has(key)) return bad(key === '' ? 'numbers are not combined' : 'like terms are not collected');
      seen.add(key);
      terms.push({ ...r.value, key });
    }
  } catch (e) {
    if (e instanceof Q.TooBigError) return bad('the numbers are too large to check');
    throw e;
  }
  return ok(terms);
}
