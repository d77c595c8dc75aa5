// Kind detection and the comparison rules for each kind of answer.
import { someNode, variablesIn, type Node, type RelOp } from './ast.js';
import { complexConstant, hasImaginaryUnit, modulus, realAsComplex, type ComplexValue } from './complex.js';
import { MathInputError, fail } from './errors.js';
import { closeEnough, constantValue, type Value } from './evaluate.js';
import { LIMITS } from './limits.js';
import type { AnswerOptions } from './options.js';
import type { Sampler } from './sampling.js';
import { normalizeText } from './text.js';
import { withinTolerance, withinToleranceComplex } from './tolerance.js';
import type { AnswerKind, Reason } from './types.js';
import { hasUnit, quantityOf, sameDims } from './units.js';
import * as Q from './rational.js';

export interface Verdict {
  equivalent: boolean;
  reason: Reason;
  detail: string;
}

export interface Context {
  opts: AnswerOptions;
  /** Sample points shared by the whole check (created on first use). */
  sampler: () => Sampler;
}

const YES: Verdict = { equivalent: true, reason: 'equivalent', detail: 'equivalent' };
const no = (reason: Reason = 'not-equivalent', detail = 'not equivalent'): Verdict => ({
  equivalent: false,
  reason,
  detail,
});

// Numeric sampling thresholds.
const MIN_VALID_POINTS = 4;
const WANTED_VALID_POINTS = 8;
const SAMPLE_REL_TOL = 1e-9;
const SAMPLE_ABS_TOL = 1e-11; // relative to the largest value seen
const RATIO_REL_TOL = 1e-7;
// A relation between constants holds when its sides differ by less than this (sin π = 0).
const CONSTANT_ZERO = 1e-12;

// ---- shapes -----------------------------------------------------------------------

const pmCache = new WeakMap<Node, boolean>();

function containsPm(node: Node): boolean {
  let has = pmCache.get(node);
  if (has === undefined) pmCache.set(node, (has = someNode(node, (n) => n.type === 'pm')));
  return has;
}

/** `a ± b` → [a + b, a - b] (∓ takes the opposite sign); other trees → [tree]. */
function expandPm(node: Node): Node[] {
  if (!containsPm(node)) return [node];
  return [withSign(node, false), withSign(node, true)];
}

function withSign(node: Node, minus: boolean): Node {
  switch (node.type) {
    case 'pm': {
      const arg = withSign(node.arg, minus);
      return node.minus !== minus ? { type: 'neg', arg } : arg;
    }
    case 'add':
      return { type: 'add', terms: node.terms.map((t) => withSign(t, minus)) };
    case 'mul':
      return { type: 'mul', factors: node.factors.map((f) => withSign(f, minus)) };
    case 'neg':
    case 'pct':
    case 'deg':
    case 'fact':
      return { ...node, arg: withSign(node.arg, minus) };
    case 'div':
      return { type: 'div', num: withSign(node.num, minus), den: withSign(node.den, minus) };
    case 'pow':
      return { type: 'pow', base: withSign(node.base, minus), exp: withSign(node.exp, minus) };
    case 'fn':
      return { ...node, arg: withSign(node.arg, minus), base: node.base && withSign(node.base, minus) };
    case 'root':
      return { ...node, arg: withSign(node.arg, minus), index: node.index && withSign(node.index, minus) };
    case 'binom':
      return { type: 'binom', n: withSign(node.n, minus), k: withSign(node.k, minus) };
    case 'rel':
      return { ...node, sides: node.sides.map((s) => withSign(s, minus)) };
    case 'tuple':
    case 'set':
    case 'list':
      return { ...node, items: node.items.map((i) => withSign(i, minus)) };
    default:
      return node;
  }
}

const NON_SCALAR: ReadonlySet<Node['type']> = new Set(['rel', 'list', 'set', 'tuple', 'text']);

function isScalar(node: Node): boolean {
  return !NON_SCALAR.has(node.type) && !containsPm(node);
}

function isConstant(node: Node): boolean {
  return isScalar(node) && !hasUnit(node) && variablesIn(node).size === 0;
}

/** `x = 4` or `4 = x`: a variable set equal to a constant. */
function solvedEquality(node: Node): { v: string; value: Node } | null {
  if (node.type !== 'rel' || node.ops.length !== 1 || node.ops[0] !== '=') return null;
  const [a, b] = node.sides as [Node, Node];
  if (a.type === 'sym' && isConstant(b)) return { v: a.name, value: b };
  if (b.type === 'sym' && isConstant(a)) return { v: b.name, value: a };
  return null;
}

// ---- classification -------------------------------------------------------------

/** The kind an expected answer is graded as when the box says "auto". */
export function classify(node: Node): AnswerKind {
  switch (node.type) {
    case 'list':
    case 'set':
      return 'list';
    case 'tuple':
      return 'point';
    case 'text':
      return 'text';
    case 'rel':
      if (containsPm(node)) return 'list';
      if (node.ops.every((op) => op === '=')) return solvedEquality(node) ? 'list' : 'equation';
      return 'inequality';
    default:
      if (containsPm(node)) return 'list';
      if (hasUnit(node)) return 'quantity';
      return variablesIn(node).size === 0 ? 'number' : 'expression';
  }
}

/** Does the expected answer have the shape an explicitly chosen kind needs? */
export function fitsKind(kind: AnswerKind, node: Node): boolean {
  switch (kind) {
    case 'number':
    case 'expression':
    case 'quantity':
      return isScalar(node);
    case 'equation':
      return constraintsOf(node)?.every((c) => c.op === '=') ?? false;
    case 'inequality':
      return constraintsOf(node) !== null;
    case 'point':
      return node.type === 'tuple';
    case 'list':
    case 'text':
      return true;
  }
}

// ---- dispatch -------------------------------------------------------------------

export function compareByKind(kind: AnswerKind, e: Node, s: Node, ctx: Context): Verdict {
  if (kind !== 'list' && containsPm(s)) return no('kind-mismatch', 'the answer gives two values (±)');
  switch (kind) {
    case 'number':
    case 'expression':
      return compareScalar(e, s, ctx);
    case 'equation':
      return compareEquation(e, s, ctx);
    case 'inequality':
      return compareInequality(e, s, ctx);
    case 'point':
      return comparePoint(e, s, ctx);
    case 'list':
      return compareList(e, s, ctx);
    case 'quantity':
      return compareQuantity(e, s, ctx);
    case 'text':
      return compareTextNodes(e, s);
  }
}

function compareItem(e: Node, s: Node, ctx: Context): Verdict {
  const kind = classify(e);
  return compareByKind(kind === 'list' && e.type === 'rel' ? 'equation' : kind, e, s, ctx);
}

/** A word as written: \text{…}, or letters typed in a math field (read as a product). */
function wordOf(node: Node): string | null {
  if (node.type === 'text') return node.text;
  if (node.type === 'sym') return node.name;
  if (node.type === 'const') return node.name; // the letters e, or p-i read as π
  if (node.type === 'mul') {
    const parts = node.factors.map(wordOf);
    return parts.every((p) => p !== null) ? parts.join('') : null;
  }
  return null;
}

function compareTextNodes(e: Node, s: Node): Verdict {
  const a = wordOf(e);
  const b = wordOf(s);
  if (a === null || b === null) return no('kind-mismatch', 'expected a word');
  return normalizeText(a) === normalizeText(b) ? YES : no();
}

// ---- numbers and expressions ------------------------------------------------------

function hasVariables(...nodes: Node[]): boolean {
  return nodes.some((n) => variablesIn(n).size > 0);
}

/** Complex arithmetic is used when either answer uses i; real answers keep the real rules. */
function isComplex(...nodes: Node[]): boolean {
  return nodes.some(hasImaginaryUnit);
}

/** A constant's value, in complex arithmetic when `complex` (√−4 is 2i there, undefined otherwise). */
function scalarValue(node: Node, complex: boolean): ComplexValue {
  return complex ? complexConstant(node) : realAsComplex(constantValue(node));
}

function compareScalar(e: Node, s: Node, ctx: Context): Verdict {
  if (!isScalar(s))
    return no('kind-mismatch', s.type === 'rel' ? 'expected a value, not a relation' : 'expected a single value');
  if (!hasVariables(e, s)) {
    if (isComplex(e, s)) {
      return withinToleranceComplex(complexConstant(e), complexConstant(s), ctx.opts.tolerance) ? YES : no();
    }
    return withinTolerance(constantValue(e), constantValue(s), ctx.opts.tolerance) ? YES : no();
  }
  return isComplex(e, s) ? sameComplexFunction(e, s, ctx) : sameFunction(e, s, ctx);
}

/** sameFunction for answers with i: the distance between the values, relative to their size. */
function sameComplexFunction(f: Node, g: Node, ctx: Context): Verdict {
  const { aRe, aIm, bRe, bIm, n, conflict } = ctx.sampler().complexPairs(f, g, WANTED_VALID_POINTS);
  if (conflict) return no();
  if (n < MIN_VALID_POINTS) return no('undefined', 'the answers are not defined for enough values');
  const size = (re: Float64Array, im: Float64Array, i: number): number =>
    modulus({ re: re[i] as number, im: im[i] as number });
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, size(aRe, aIm, i), size(bRe, bIm, i));
  const absTol = SAMPLE_ABS_TOL * scale;
  for (let i = 0; i < n; i++) {
    const d = modulus({ re: (aRe[i] as number) - (bRe[i] as number), im: (aIm[i] as number) - (bIm[i] as number) });
    if (d > absTol && d > SAMPLE_REL_TOL * Math.max(size(aRe, aIm, i), size(bRe, bIm, i))) return no();
  }
  return YES;
}

/** Equal values at every sample point where both are defined. */
function sameFunction(f: Node, g: Node, ctx: Context): Verdict {
  const { a, b, n, conflict } = ctx.sampler().finitePairs(f, g, WANTED_VALID_POINTS);
  if (conflict) return no();
  if (n < MIN_VALID_POINTS) return no('undefined', 'the answers are not defined for enough values');
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(a[i] as number), Math.abs(b[i] as number));
  const absTol = SAMPLE_ABS_TOL * scale;
  for (let i = 0; i < n; i++) if (!closeEnough(a[i] as number, b[i] as number, SAMPLE_REL_TOL, absTol)) return no();
  return YES;
}

/** g = k·f for one constant k ≠ 0 (k > 0 when `positive`), tested at sample points. */
function proportional(f: Node, g: Node, positive: boolean, ctx: Context): boolean {
  if (isComplex(f, g)) {
    if (positive) fail('kind-mismatch', 'complex numbers (with i) have no order: < and > do not apply');
    return complexProportional(f, g, ctx);
  }
  const { a, b, n, conflict } = ctx.sampler().finitePairs(f, g, WANTED_VALID_POINTS);
  const variables = hasVariables(f, g);
  if (conflict || n < (variables ? MIN_VALID_POINTS : 1)) return false;
  let scaleA = 0;
  let scaleB = 0;
  for (let i = 0; i < n; i++) {
    scaleA = Math.max(scaleA, Math.abs(a[i] as number));
    scaleB = Math.max(scaleB, Math.abs(b[i] as number));
  }
  const floor = variables ? 0 : CONSTANT_ZERO;
  let k: number | null = null;
  for (let i = 0; i < n; i++) {
    const ai = a[i] as number;
    const bi = b[i] as number;
    const aTiny = Math.abs(ai) <= Math.max(1e-9 * scaleA, floor);
    const bTiny = Math.abs(bi) <= Math.max(1e-7 * scaleB, floor);
    if (aTiny || bTiny) {
      if (aTiny !== bTiny) return false;
      continue;
    }
    const r = bi / ai;
    if (k === null) k = r;
    else if (!closeEnough(r, k, RATIO_REL_TOL, 0)) return false;
  }
  if (k === null) return true; // both sides vanish everywhere (identities such as x = x)
  return positive ? k > 0 : k !== 0;
}

/** proportional for equations with i: one complex factor k ≠ 0 with g = k·f. */
function complexProportional(f: Node, g: Node, ctx: Context): boolean {
  const { aRe, aIm, bRe, bIm, n, conflict } = ctx.sampler().complexPairs(f, g, WANTED_VALID_POINTS);
  const variables = hasVariables(f, g);
  if (conflict || n < (variables ? MIN_VALID_POINTS : 1)) return false;
  const a = (i: number): { re: number; im: number } => ({ re: aRe[i] as number, im: aIm[i] as number });
  const b = (i: number): { re: number; im: number } => ({ re: bRe[i] as number, im: bIm[i] as number });
  let scaleA = 0;
  let scaleB = 0;
  for (let i = 0; i < n; i++) {
    scaleA = Math.max(scaleA, modulus(a(i)));
    scaleB = Math.max(scaleB, modulus(b(i)));
  }
  const floor = variables ? 0 : CONSTANT_ZERO;
  let k: { re: number; im: number } | null = null;
  for (let i = 0; i < n; i++) {
    const ai = a(i);
    const bi = b(i);
    const aTiny = modulus(ai) <= Math.max(1e-9 * scaleA, floor);
    const bTiny = modulus(bi) <= Math.max(1e-7 * scaleB, floor);
    if (aTiny || bTiny) {
      if (aTiny !== bTiny) return false;
      continue;
    }
    const m = ai.re * ai.re + ai.im * ai.im;
    const r = { re: (bi.re * ai.re + bi.im * ai.im) / m, im: (bi.im * ai.re - bi.re * ai.im) / m };
    if (k === null) k = r;
    else if (modulus({ re: r.re - k.re, im: r.im - k.im }) > RATIO_REL_TOL * modulus(k)) return false;
  }
  return k === null || modulus(k) !== 0;
}

// ---- equations and inequalities ----------------------------------------------------

type NormOp = '=' | '<' | '<=' | '!=';

interface Constraint {
  op: NormOp;
  /** The relation as `f op 0`. */
  f: Node;
  /** Set when one side is a lone variable and the other a constant: `v op value`. */
  solved: { v: string; op: RelOp; value: Node } | null;
}

const FLIP: Readonly<Record<RelOp, RelOp>> = { '=': '=', '!=': '!=', '<': '>', '>': '<', '<=': '>=', '>=': '<=' };

function constraint(a: Node, op: RelOp, b: Node): Constraint {
  const diff = (x: Node, y: Node): Node => ({ type: 'add', terms: [x, { type: 'neg', arg: y }] });
  let norm: Pick<Constraint, 'op' | 'f'>;
  if (op === '>') norm = { op: '<', f: diff(b, a) };
  else if (op === '>=') norm = { op: '<=', f: diff(b, a) };
  else norm = { op, f: diff(a, b) };
  let solved: Constraint['solved'] = null;
  if (a.type === 'sym' && isConstant(b)) solved = { v: a.name, op, value: b };
  else if (b.type === 'sym' && isConstant(a)) solved = { v: b.name, op: FLIP[op], value: a };
  return { ...norm, solved };
}

// Memoised per node, so the sampler's cache sees the same `f` trees on every comparison.
const constraintCache = new WeakMap<Node, Constraint[] | null>();

function constraintsOf(node: Node): Constraint[] | null {
  let cs = constraintCache.get(node);
  if (cs === undefined) constraintCache.set(node, (cs = buildConstraints(node)));
  return cs;
}

function buildConstraints(node: Node): Constraint[] | null {
  if (node.type === 'rel') {
    if (!node.sides.every(isScalar)) return null;
    return node.ops.map((op, i) => constraint(node.sides[i] as Node, op, node.sides[i + 1] as Node));
  }
  if (node.type === 'list' || node.type === 'set') {
    const out: Constraint[] = [];
    for (const item of node.items) {
      const cs = item.type === 'rel' ? constraintsOf(item) : null;
      if (!cs) return null;
      out.push(...cs);
    }
    return out;
  }
  return null;
}

function compareEquation(e: Node, s: Node, ctx: Context): Verdict {
  const ec = constraintsOf(e);
  const sc = constraintsOf(s);
  if (!ec) return no('invalid-expected', 'the expected answer is not an equation');
  if (!sc || sc.some((c) => c.op !== '=')) return no('kind-mismatch', 'expected an equation');
  return matchAll(ec, sc, false, (x, y) => proportional(x.f, y.f, false, ctx)) ? YES : no();
}

function compareInequality(e: Node, s: Node, ctx: Context): Verdict {
  const ec = constraintsOf(e);
  const sc = constraintsOf(s);
  if (!ec) return no('invalid-expected', 'the expected answer is not an inequality');
  if (!sc) return no('kind-mismatch', 'expected an inequality');
  // A solved answer (x < 3, 2 < x ≤ 9) must be matched by a solved answer.
  if (ec.every((c) => c.solved)) {
    if (sc.some((c) => !c.solved)) return no('not-solved', 'the inequality is not solved for the variable');
    const values = new Map<Node, Value>();
    const valueOf = (n: Node): Value => {
      let v = values.get(n);
      if (!v) values.set(n, (v = constantValue(n)));
      return v;
    };
    return matchAll(ec, sc, false, (x, y) => {
      const a = x.solved as NonNullable<Constraint['solved']>;
      const b = y.solved as NonNullable<Constraint['solved']>;
      return a.v === b.v && a.op === b.op && withinTolerance(valueOf(a.value), valueOf(b.value), ctx.opts.tolerance);
    })
      ? YES
      : no();
  }
  return matchAll(ec, sc, false, (x, y) => x.op === y.op && proportional(x.f, y.f, x.op === '<' || x.op === '<=', ctx))
    ? YES
    : no();
}

// ---- points -------------------------------------------------------------------

function comparePoint(e: Node, s: Node, ctx: Context): Verdict {
  if (e.type !== 'tuple') return no('invalid-expected', 'the expected answer is not a point');
  // A bare "5, -2" is read as the coordinates in order.
  const items = s.type === 'tuple' || s.type === 'list' ? s.items : null;
  if (!items) return no('kind-mismatch', 'expected a point such as (1, 2)');
  if (items.length !== e.items.length) return no('not-equivalent', 'wrong number of coordinates');
  for (let i = 0; i < items.length; i++) {
    const v = safeCompare(e.items[i] as Node, items[i] as Node, ctx);
    if (!v.equivalent) return v.reason === 'kind-mismatch' ? no() : v;
  }
  return YES;
}

// ---- lists, sets and roots --------------------------------------------------------

interface Root {
  v: string | null;
  value: ComplexValue;
}

function listItems(node: Node): { items: Node[]; isSet: boolean } {
  const raw = node.type === 'list' || node.type === 'set' ? node.items : [node];
  const items = raw.flatMap(expandPm);
  if (items.length > LIMITS.maxListItems * 2) fail('too-complex', 'too many items');
  return { items, isSet: node.type === 'set' };
}

function rootOf(item: Node): { v: string | null; value: Node } | null {
  const solved = solvedEquality(item);
  if (solved) return solved;
  return isConstant(item) ? { v: null, value: item } : null;
}

function compareList(e: Node, s: Node, ctx: Context): Verdict {
  const el = listItems(e);
  const sl = listItems(s);
  const ordered = ctx.opts.listOrder === 'ordered' && !el.isSet && !sl.isSet;
  const eRootNodes = el.items.map(rootOf);

  if (eRootNodes.every((r) => r !== null)) {
    const sRootNodes = sl.items.map(rootOf);
    if (sRootNodes.some((r) => r === null)) {
      const unsolved = sl.items.some((i) => i.type === 'rel' && i.ops.every((op) => op === '='));
      return unsolved ? no('not-solved', 'give each value, e.g. x = 3') : no();
    }
    const complex = isComplex(...el.items, ...sl.items);
    const toRoot = (r: { v: string | null; value: Node } | null): Root => ({
      v: (r as NonNullable<typeof r>).v,
      value: scalarValue((r as NonNullable<typeof r>).value, complex),
    });
    const eRoots = eRootNodes.map(toRoot);
    const sRoots = sRootNodes.map(toRoot);
    const named = new Set(eRoots.map((r) => r.v).filter((v) => v !== null));
    if (named.size > 1 && sRoots.some((r) => r.v === null))
      return no('not-equivalent', 'name the variable for each value');
    const same = (a: Root, b: Root): boolean =>
      (a.v === null || b.v === null || a.v === b.v) && withinToleranceComplex(a.value, b.value, ctx.opts.tolerance);
    // A root given twice is still one root; a plain list of numbers keeps its repeats.
    const distinct = (named.size > 0 && !ordered) || el.isSet || sl.isSet;
    const eu = distinct ? dedupe(eRoots, same) : eRoots;
    const su = distinct ? dedupe(sRoots, same) : sRoots;
    return matchAll(eu, su, ordered, same) ? YES : no();
  }

  const same = (a: Node, b: Node): boolean => safeCompare(a, b, ctx).equivalent;
  const eu = el.isSet ? dedupe(el.items, same) : el.items;
  const su = sl.isSet || el.isSet ? dedupe(sl.items, same) : sl.items;
  return matchAll(eu, su, ordered, same) ? YES : no();
}

/** A pairwise comparison in which a shape mismatch simply means "not this one". */
function safeCompare(e: Node, s: Node, ctx: Context): Verdict {
  try {
    return compareItem(e, s, ctx);
  } catch (err) {
    if (err instanceof MathInputError && (err.reason === 'kind-mismatch' || err.reason === 'unit-mismatch')) {
      return no(err.reason, err.message);
    }
    throw err;
  }
}

function dedupe<T>(items: T[], same: (a: T, b: T) => boolean): T[] {
  const out: T[] = [];
  for (const item of items) if (!out.some((o) => same(o, item))) out.push(item);
  return out;
}

/** Ordered: pairwise. Unordered: a perfect matching (Kuhn's augmenting paths). */
function matchAll<A, B>(es: A[], ss: B[], ordered: boolean, same: (a: A, b: B) => boolean): boolean {
  if (es.length !== ss.length) return false;
  if (ordered) return es.every((e, i) => same(e, ss[i] as B));
  const n = es.length;
  const memo = new Int8Array(n * n); // 0 unknown, 1 same, 2 different
  const ok = (i: number, j: number): boolean => {
    const key = i * n + j;
    if (memo[key] === 0) memo[key] = same(es[i] as A, ss[j] as B) ? 1 : 2;
    return memo[key] === 1;
  };
  const owner: number[] = new Array<number>(n).fill(-1);
  // Answers usually come in the expected order: pair i with i first, so the augmenting
  // search below only runs for the items that are out of place.
  const placed: boolean[] = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) {
    if (ok(i, i)) {
      owner[i] = i;
      placed[i] = true;
    }
  }
  const tryAssign = (i: number, seen: boolean[]): boolean => {
    for (let j = 0; j < n; j++) {
      if (seen[j] || !ok(i, j)) continue;
      seen[j] = true;
      if (owner[j] === -1 || tryAssign(owner[j] as number, seen)) {
        owner[j] = i;
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < n; i++) {
    if (!placed[i] && !tryAssign(i, new Array<boolean>(n).fill(false))) return false;
  }
  return true;
}

// ---- quantities ---------------------------------------------------------------------

function compareQuantity(e: Node, s: Node, ctx: Context): Verdict {
  if (!isScalar(s)) return no('kind-mismatch', 'expected a quantity such as 5 cm');
  const qe = quantityOf(e);
  const qs = quantityOf(s);
  if (!sameDims(qe.dims, qs.dims)) {
    return no(
      'unit-mismatch',
      Object.keys(qs.dims).length === 0 ? 'the unit is missing' : 'the unit measures something else',
    );
  }
  if (ctx.opts.tolerance.type === 'none') {
    return withinTolerance(qe.value, qs.value, ctx.opts.tolerance) ? YES : no();
  }
  // Tolerances apply in the expected answer's own unit (3 s.f. of "2.5 km" is in km).
  const inUnit = (v: Value): Value => ({
    exact: v.exact && qe.unitScale.exact ? Q.div(v.exact, qe.unitScale.exact) : null,
    approx: v.approx / qe.unitScale.approx,
  });
  return withinTolerance(inUnit(qe.value), inUnit(qs.value), ctx.opts.tolerance) ? YES : no();
}
