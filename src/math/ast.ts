// Parsed answer trees. One tree shape for LaTeX and plain-text input.
import type { Rational } from './rational.js';

export type RelOp = '=' | '<' | '>' | '<=' | '>=' | '!=';

export type FnName =
  | 'sin'
  | 'cos'
  | 'tan'
  | 'sec'
  | 'csc'
  | 'cot'
  | 'arcsin'
  | 'arccos'
  | 'arctan'
  | 'sinh'
  | 'cosh'
  | 'tanh'
  | 'ln'
  | 'log'
  | 'exp'
  | 'abs';

export type Node =
  /** A numeric literal; `text` is the literal as written (for the "simplified" checks). */
  | { type: 'num'; value: Rational; text: string; decimal: boolean }
  | { type: 'sym'; name: string }
  /** π, Euler's number e, or the imaginary unit i (i² = −1). */
  | { type: 'const'; name: 'pi' | 'e' | 'i' }
  | { type: 'add'; terms: Node[] }
  | { type: 'neg'; arg: Node }
  /** ±arg; `minus` marks ∓ (the opposite sign of ± in the same answer). */
  | { type: 'pm'; arg: Node; minus: boolean }
  | { type: 'mul'; factors: Node[] }
  | { type: 'div'; num: Node; den: Node }
  | { type: 'pow'; base: Node; exp: Node }
  /** `base` is only used by log (null = natural for ln, 10 for log). */
  | { type: 'fn'; name: FnName; arg: Node; base: Node | null }
  /** index null = square root. */
  | { type: 'root'; arg: Node; index: Node | null }
  /** Mixed number such as 3\frac{1}{2}: whole + num/den, all non-negative integer literals. */
  | { type: 'mixed'; whole: Rational; num: Rational; den: Rational }
  | { type: 'pct'; arg: Node }
  | { type: 'deg'; arg: Node }
  | { type: 'fact'; arg: Node }
  | { type: 'binom'; n: Node; k: Node }
  /** A unit written with \mathrm{...} (or a currency sign); `text` is its raw content. */
  | { type: 'unit'; text: string }
  | { type: 'text'; text: string }
  | { type: 'rel'; ops: RelOp[]; sides: Node[] }
  | { type: 'tuple'; items: Node[] }
  | { type: 'set'; items: Node[] }
  | { type: 'list'; items: Node[] };

/** Direct children of a node, in order. */
export function children(node: Node): Node[] {
  switch (node.type) {
    case 'num':
    case 'sym':
    case 'const':
    case 'mixed':
    case 'unit':
    case 'text':
      return [];
    case 'add':
      return node.terms;
    case 'mul':
      return node.factors;
    case 'neg':
    case 'pm':
    case 'pct':
    case 'deg':
    case 'fact':
      return [node.arg];
    case 'div':
      return [node.num, node.den];
    case 'pow':
      return [node.base, node.exp];
    case 'fn':
      return node.base ? [node.arg, node.base] : [node.arg];
    case 'root':
      return node.index ? [node.arg, node.index] : [node.arg];
    case 'binom':
      return [node.n, node.k];
    case 'rel':
      return node.sides;
    case 'tuple':
    case 'set':
    case 'list':
      return node.items;
  }
}

export function someNode(node: Node, pred: (n: Node) => boolean): boolean {
  if (pred(node)) return true;
  return children(node).some((c) => someNode(c, pred));
}

// Trees are never mutated after parsing, so per-node answers can be cached; matching
// long lists asks the same questions of the same nodes many times.
const variableCache = new WeakMap<Node, ReadonlySet<string>>();
const NO_VARIABLES: ReadonlySet<string> = new Set();

/** Free variable names (π and e are constants, not variables); the result is shared, do not modify. */
export function variablesIn(node: Node): ReadonlySet<string> {
  const cached = variableCache.get(node);
  if (cached) return cached;
  let vars = NO_VARIABLES;
  if (node.type === 'sym') vars = new Set([node.name]);
  for (const c of children(node)) {
    const cv = variablesIn(c);
    if (cv.size === 0 || cv === vars) continue;
    if (vars.size === 0) {
      vars = cv; // share the child's set: most subtrees add nothing new
      continue;
    }
    let novel = false;
    for (const v of cv) if (!vars.has(v)) novel = true;
    if (novel) vars = new Set([...vars, ...cv]);
  }
  variableCache.set(node, vars);
  return vars;
}

/** Adds the free variable names of `node` to `into` (a new set by default). */
export function freeVariables(node: Node, into: Set<string> = new Set()): Set<string> {
  for (const v of variablesIn(node)) into.add(v);
  return into;
}
