// Canonical plain-text rendering of a parsed answer, shown to admins as "normalized".
// It shows how the engine read the input (explicit *, brackets, exact values).
import type { Node } from './ast.js';
import { freeVariables } from './ast.js';
import { hasImaginaryUnit, printExactComplex } from './complex.js';
import { exactValue } from './evaluate.js';
import { MathInputError } from './errors.js';
import { toText } from './rational.js';

const PREC = { rel: 0, add: 1, mul: 2, unary: 3, pow: 4, atom: 5 } as const;

function prec(node: Node): number {
  switch (node.type) {
    case 'rel':
      return PREC.rel;
    case 'add':
      return PREC.add;
    case 'mul':
    case 'div':
      return PREC.mul;
    case 'neg':
    case 'pm':
      return PREC.unary;
    case 'pow':
      return PREC.pow;
    case 'num':
      return node.value.n < 0n ? PREC.unary : toText(node.value).includes('/') ? PREC.mul : PREC.atom;
    case 'mixed':
      return PREC.add;
    default:
      return PREC.atom;
  }
}

function wrap(node: Node, min: number): string {
  const s = print(node);
  return prec(node) < min ? `(${s})` : s;
}

export function print(node: Node): string {
  switch (node.type) {
    case 'num':
      return toText(node.value);
    case 'sym':
      return node.name;
    case 'const':
      return node.name === 'pi' ? 'π' : node.name;
    case 'mixed':
      return `${toText(node.whole)} ${toText(node.num)}/${toText(node.den)}`;
    case 'add':
      return node.terms
        .map((t, i) => {
          if (t.type === 'neg') return `${i === 0 ? '-' : ' - '}${wrap(t.arg, PREC.mul)}`;
          if (t.type === 'pm')
            return `${i === 0 ? '' : ' '}${t.minus ? '∓' : '±'}${i === 0 ? '' : ' '}${wrap(t.arg, PREC.mul)}`;
          return i === 0 ? wrap(t, PREC.add) : ` + ${wrap(t, PREC.add + 1)}`;
        })
        .join('');
    case 'neg':
      return `-${wrap(node.arg, PREC.pow)}`;
    case 'pm':
      return `${node.minus ? '∓' : '±'}${wrap(node.arg, PREC.pow)}`;
    case 'mul':
      return node.factors.map((f, i) => wrap(f, i === 0 ? PREC.mul + 1 : PREC.pow)).join('*');
    case 'div':
      return `${wrap(node.num, PREC.mul)}/${wrap(node.den, PREC.mul + 1)}`;
    case 'pow':
      return `${wrap(node.base, PREC.pow + 1)}^${wrap(node.exp, PREC.pow)}`;
    case 'fn': {
      if (node.name === 'abs') return `|${print(node.arg)}|`;
      if (node.name === 'log' && node.base) return `log_${wrap(node.base, PREC.atom)}(${print(node.arg)})`;
      return `${node.name}(${print(node.arg)})`;
    }
    case 'root':
      return node.index ? `root(${print(node.arg)}, ${print(node.index)})` : `sqrt(${print(node.arg)})`;
    case 'pct':
      return `${wrap(node.arg, PREC.atom)}%`;
    case 'deg':
      return `${wrap(node.arg, PREC.atom)}°`;
    case 'fact':
      return `${wrap(node.arg, PREC.atom)}!`;
    case 'binom':
      return `binom(${print(node.n)}, ${print(node.k)})`;
    case 'unit':
      return `[${node.text.replace(/\s+/g, ' ').trim()}]`;
    case 'text':
      return `"${node.text}"`;
    case 'rel': {
      const ops: Record<string, string> = { '=': '=', '<': '<', '>': '>', '<=': '≤', '>=': '≥', '!=': '≠' };
      let out = print(node.sides[0] as Node);
      node.ops.forEach((op, i) => {
        out += ` ${ops[op]} ${print(node.sides[i + 1] as Node)}`;
      });
      return out;
    }
    case 'tuple':
      return `(${node.items.map(print).join(', ')})`;
    case 'set':
      return `{${node.items.map(print).join(', ')}}`;
    case 'list':
      return node.items.map(print).join(', ');
  }
}

/** The tree, or its exact value when it is a constant rational (so "-3-7" shows "-10", "(2+i)^2" "3 + 4i"). */
export function printNormalized(node: Node): string {
  if (node.type !== 'num' && freeVariables(node).size === 0) {
    try {
      const v = hasImaginaryUnit(node) ? printExactComplex(node, toText) : exactValue(node);
      if (typeof v === 'string') return v;
      if (v) return toText(v);
    } catch (e) {
      if (!(e instanceof MathInputError)) throw e;
    }
  }
  return print(node);
}
