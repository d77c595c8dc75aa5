// LaTeX for a parsed answer: how the engine read it, typeset for the student's
// preview ("We read your answer as …"). Reading the printed LaTeX again gives an
// equivalent answer, so the preview never shows a reading the grader would not make:
// factors that plain juxtaposition would merge get a \cdot (2·3, never a mixed
// number 2½ by accident), letters are kept apart (p i, not π), and function
// arguments are always bracketed (sin(x)·y, not sin(xy)).
import type { Node, RelOp } from './ast.js';
import { toText, type Rational } from './rational.js';

const PREC = { rel: 0, add: 1, mul: 2, unary: 3, pow: 4, atom: 5 } as const;

const REL: Readonly<Record<RelOp, string>> = { '=': '=', '<': '<', '>': '>', '<=': '\\le', '>=': '\\ge', '!=': '\\ne' };

function prec(node: Node): number {
  switch (node.type) {
    case 'rel':
    case 'list':
      return PREC.rel;
    case 'add':
    case 'mixed':
      return PREC.add;
    case 'mul':
      return PREC.mul;
    case 'neg':
    case 'pm':
      return PREC.unary;
    case 'pow':
    case 'pct':
    case 'deg':
    case 'fact':
      return PREC.pow;
    case 'num':
      return node.value.n < 0n ? PREC.unary : PREC.atom;
    default:
      // \frac, \sqrt, \binom, brackets, names: each typesets as one block.
      return PREC.atom;
  }
}

const paren = (latex: string): string => `\\left(${latex}\\right)`;

function wrap(node: Node, min: number): string {
  const latex = toLatex(node);
  return prec(node) < min ? paren(latex) : latex;
}

/** A power's base or a postfix's operand: anything but a single block is bracketed. */
function operand(node: Node): string {
  const simple = prec(node) === PREC.atom && node.type !== 'div' && node.type !== 'fn';
  return simple || (node.type === 'fn' && node.name === 'abs') ? toLatex(node) : paren(toLatex(node));
}

/** What follows a minus or ±: a product as it is (-2x), another sign in brackets (-(-4)). */
function signed(node: Node): string {
  const negative = node.type === 'neg' || node.type === 'pm' || (node.type === 'num' && node.value.n < 0n);
  return negative ? paren(toLatex(node)) : wrap(node, PREC.mul);
}

/** sin²(x) as it is written; any other power of a function has its base bracketed. */
function powerLatex(base: Node, exp: Node): string {
  // Not a power of -1: \sin^{-1} reads as arcsin.
  const squareLike = exp.type === 'num' && !exp.decimal && exp.value.d === 1n && exp.value.n > 0n;
  if (base.type === 'fn' && base.name !== 'abs' && squareLike) {
    const name = base.name === 'log' && base.base ? `\\log_{${toLatex(base.base)}}` : `\\${base.name}`;
    return `${name}^{${toLatex(exp)}}${paren(toLatex(base.arg))}`;
  }
  return `${operand(base)}^{${toLatex(exp)}}`;
}

function rationalLatex(value: Rational): string {
  const text = toText(value);
  const [n, d] = text.split('/');
  if (d === undefined) return text;
  return n?.startsWith('-') ? `-\\frac{${n.slice(1)}}{${d}}` : `\\frac{${n}}{${d}}`;
}

/** A literal as written (0.50 stays 0.50); a recurring block gets its bar. */
function numberLatex(node: Extract<Node, { type: 'num' }>): string {
  const written = node.text.replace(/\s+/g, '');
  const m = /^(\d*)(?:\.(\d*))?(?:\((\d+)\))?$/.exec(written);
  if (!m || node.value.n < 0n) return rationalLatex(node.value);
  const [, whole = '', decimals, repeating] = m;
  if (decimals === undefined) return whole;
  return `${whole || '0'}.${decimals}${repeating ? `\\overline{${repeating}}` : ''}`;
}

function symbolLatex(name: string): string {
  const cut = name.indexOf('_');
  const base = cut < 0 ? name : name.slice(0, cut);
  const baseLatex = base.length > 1 ? `\\${base}` : base;
  return cut < 0 ? baseLatex : `${baseLatex}_{${name.slice(cut + 1)}}`;
}

const isCurrency = (node: Node | undefined): boolean =>
  node?.type === 'unit' && (node.text === '£' || node.text === '$');

/** Factors side by side, with a \cdot where juxtaposition would read differently. */
function productLatex(factors: Node[]): string {
  let out = '';
  factors.forEach((factor, i) => {
    const latex = factor.type === 'neg' || factor.type === 'pm' ? paren(toLatex(factor)) : wrap(factor, PREC.pow);
    if (i === 0) {
      out = latex;
      return;
    }
    // 2·3 and 2·½ would read as one number or a mixed number; a space keeps letters apart.
    const dot =
      !isCurrency(factors[i - 1]) && (/^[\d.]/.test(latex) || (/\d$/.test(out) && latex.startsWith('\\frac')));
    out += dot ? `\\cdot ${latex}` : ` ${latex}`;
  });
  return out;
}

function itemsLatex(items: Node[]): string {
  return items.map(toLatex).join(', ');
}

export function toLatex(node: Node): string {
  switch (node.type) {
    case 'num':
      return numberLatex(node);
    case 'sym':
      return symbolLatex(node.name);
    case 'const':
      return node.name === 'pi' ? '\\pi' : node.name;
    case 'add':
      return node.terms
        .map((t, i) => {
          if (t.type === 'neg') return `${i === 0 ? '-' : ' - '}${signed(t.arg)}`;
          if (t.type === 'pm') return `${i === 0 ? '' : ' '}${t.minus ? '\\mp' : '\\pm'} ${signed(t.arg)}`;
          return i === 0 ? wrap(t, PREC.add) : ` + ${wrap(t, PREC.add + 1)}`;
        })
        .join('');
    case 'neg':
      return `-${signed(node.arg)}`;
    case 'pm':
      return `${node.minus ? '\\mp' : '\\pm'} ${signed(node.arg)}`;
    case 'mul':
      return productLatex(node.factors);
    case 'div':
      return `\\frac{${toLatex(node.num)}}{${toLatex(node.den)}}`;
    case 'pow':
      return powerLatex(node.base, node.exp);
    case 'fn': {
      if (node.name === 'abs') return `\\left|${toLatex(node.arg)}\\right|`;
      const name = node.name === 'log' && node.base ? `\\log_{${toLatex(node.base)}}` : `\\${node.name}`;
      return `${name}${paren(toLatex(node.arg))}`;
    }
    case 'root':
      return node.index ? `\\sqrt[${toLatex(node.index)}]{${toLatex(node.arg)}}` : `\\sqrt{${toLatex(node.arg)}}`;
    case 'mixed':
      return `${toText(node.whole)}\\frac{${toText(node.num)}}{${toText(node.den)}}`;
    case 'pct':
      return `${operand(node.arg)}\\%`;
    case 'deg':
      return `${operand(node.arg)}^{\\circ}`;
    case 'fact':
      return `${operand(node.arg)}!`;
    case 'binom':
      return `\\binom{${toLatex(node.n)}}{${toLatex(node.k)}}`;
    case 'unit':
      if (node.text === '£') return '£';
      if (node.text === '$') return '\\$';
      return `\\mathrm{${node.text}}`;
    case 'text':
      return `\\text{${node.text}}`;
    case 'rel':
      return node.sides
        .map((side, i) => (i === 0 ? '' : ` ${REL[node.ops[i - 1] as RelOp]} `) + wrap(side, PREC.rel + 1))
        .join('');
    case 'tuple':
      return paren(itemsLatex(node.items));
    case 'set':
      return `\\left\\{${itemsLatex(node.items)}\\right\\}`;
    case 'list':
      return itemsLatex(node.items);
  }
}
