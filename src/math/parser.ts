// Recursive-descent parser for the MathLive LaTeX subset and plain-text maths.
// Input must already have passed hygiene(); every recursion and node is counted.
import type { FnName, Node, RelOp } from './ast.js';
import { fail } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import { LIMITS } from './limits.js';
import { fromDecimal, isInteger, cmp, type Rational } from './rational.js';

const REL_OPS: ReadonlySet<string> = new Set(['=', '<', '>', '<=', '>=', '!=']);
const INVERSES: Partial<Record<FnName, FnName>> = { sin: 'arcsin', cos: 'arccos', tan: 'arctan' };
const CLOSERS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '\\{': '\\}', '|': '|', '.': '.' };

/** Marker returned by parseExponent for `^{\circ}`. */
const DEGREE = Symbol('degree');

class Parser {
  private pos = 0;
  private depth = 0;
  private nodes = 0;
  private absDepth = 0;

  constructor(private readonly toks: Token[]) {}

  parseTop(): Node {
    const items = [this.parseRelation()];
    while (this.isOp(',') || this.isOp(';')) {
      this.pos++;
      items.push(this.parseRelation());
      if (items.length > LIMITS.maxListItems) fail('too-complex', `more than ${LIMITS.maxListItems} items`);
    }
    if (this.peek().kind !== 'end') this.unexpected();
    return items.length === 1 ? (items[0] as Node) : this.mk({ type: 'list', items });
  }

  // ---- helpers -------------------------------------------------------------

  private peek(offset = 0): Token {
    return this.toks[Math.min(this.pos + offset, this.toks.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.pos++;
    return t;
  }

  private isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'op' && t.text === text;
  }

  private isCmd(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'cmd' && t.text === text;
  }

  private expectOp(text: string): void {
    if (!this.isOp(text)) {
      const t = this.peek();
      fail('parse-error', t.kind === 'end' ? `missing "${text}"` : `expected "${text}" but found "${t.text}"`);
    }
    this.pos++;
  }

  private unexpected(): never {
    const t = this.peek();
    return fail('parse-error', t.kind === 'end' ? 'the answer ends too early' : `unexpected "${t.text}"`);
  }

  private mk<T extends Node>(node: T): T {
    if (++this.nodes > LIMITS.maxNodes) fail('too-complex', `more than ${LIMITS.maxNodes} parts`);
    return node;
  }

  private enter(): void {
    if (++this.depth > LIMITS.maxParseDepth) fail('too-deep', 'the answer is nested too deeply');
  }

  private leave(): void {
    this.depth--;
  }

  // ---- grammar ---------------------------------------------------------------

  private parseRelation(): Node {
    const sides = [this.parseAdditive()];
    const ops: RelOp[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || !REL_OPS.has(t.text)) break;
      this.pos++;
      ops.push(t.text as RelOp);
      sides.push(this.parseAdditive());
    }
    return ops.length === 0 ? (sides[0] as Node) : this.mk({ type: 'rel', ops, sides });
  }

  private parseAdditive(): Node {
    this.enter();
    const terms: Node[] = [];
    let first = true;
    for (;;) {
      const t = this.peek();
      let sign: '+' | '-' | '±' | '∓' | null = null;
      if (t.kind === 'op' && (t.text === '+' || t.text === '-' || t.text === '±' || t.text === '∓')) {
        sign = t.text;
        this.pos++;
      } else if (!first) {
        break;
      }
      first = false;
      const term = this.parseTerm();
      if (sign === '-') terms.push(this.mk({ type: 'neg', arg: term }));
      else if (sign === '±' || sign === '∓') terms.push(this.mk({ type: 'pm', arg: term, minus: sign === '∓' }));
      else terms.push(term);
    }
    this.leave();
    return terms.length === 1 ? (terms[0] as Node) : this.mk({ type: 'add', terms });
  }

  private parseTerm(): Node {
    this.enter();
    let left = this.parseFactorOrMixed();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && t.text === '*') {
        this.pos++;
        left = this.times(left, this.parseFactorOrMixed());
      } else if (t.kind === 'op' && (t.text === '/' || t.text === '÷')) {
        this.pos++;
        left = this.mk({ type: 'div', num: left, den: this.parseFactorOrMixed() });
      } else if (this.startsImplicitFactor()) {
        if (t.kind === 'num' && this.peek(-1).kind === 'num') fail('parse-error', 'two numbers side by side');
        left = this.times(left, this.parseFactorOrMixed());
      } else {
        break;
      }
    }
    this.leave();
    return left;
  }

  private times(left: Node, right: Node): Node {
    if (left.type === 'mul') {
      left.factors.push(right);
      return left;
    }
    return this.mk({ type: 'mul', factors: [left, right] });
  }

  private startsImplicitFactor(): boolean {
    const t = this.peek();
    switch (t.kind) {
      case 'num':
      case 'id':
      case 'const':
      case 'fn':
      case 'raw':
        return true;
      case 'cmd':
        return t.text !== 'right';
      case 'op':
        if (t.text === '|') return this.absDepth === 0;
        return (
          t.text === '(' || t.text === '[' || t.text === '{' || t.text === '\\{' || t.text === '£' || t.text === '$'
        );
      default:
        return false;
    }
  }

  /** A factor, reading `3\frac{1}{2}` and plain `3 1/2` as mixed numbers. */
  private parseFactorOrMixed(): Node {
    const t = this.peek();
    if (t.kind === 'num' && !t.decimal && t.value) {
      if (this.isCmd('frac', 1)) {
        this.pos++;
        const whole = this.mk({ type: 'num', value: t.value, text: t.text, decimal: false } as const);
        const frac = this.parsePower();
        const mixed = this.asMixed(t.value, frac);
        return mixed ?? this.mk({ type: 'mul', factors: [whole, frac] });
      }
      const n = this.peek(1);
      const d = this.peek(3);
      if (
        n.kind === 'num' &&
        n.space &&
        !n.decimal &&
        this.isOp('/', 2) &&
        d.kind === 'num' &&
        !d.decimal &&
        n.value &&
        d.value &&
        cmp(n.value, d.value) < 0 &&
        n.value.n > 0n &&
        !this.isOp('^', 4)
      ) {
        this.pos += 4;
        return this.mk({ type: 'mixed', whole: t.value, num: n.value, den: d.value });
      }
    }
    return this.parseFactor();
  }

  private asMixed(whole: Rational, frac: Node): Node | null {
    if (frac.type !== 'div' || frac.num.type !== 'num' || frac.den.type !== 'num') return null;
    const { num, den } = frac;
    if (num.decimal || den.decimal || !isInteger(num.value) || !isInteger(den.value)) return null;
    if (num.value.n <= 0n || cmp(num.value, den.value) >= 0) return null;
    return this.mk({ type: 'mixed', whole, num: num.value, den: den.value });
  }

  private parseFactor(): Node {
    this.enter();
    const t = this.peek();
    let node: Node;
    if (t.kind === 'op' && t.text === '-') {
      this.pos++;
      node = this.mk({ type: 'neg', arg: this.parseFactor() });
    } else if (t.kind === 'op' && t.text === '+') {
      this.pos++;
      node = this.parseFactor();
    } else if (t.kind === 'op' && (t.text === '±' || t.text === '∓')) {
      this.pos++;
      node = this.mk({ type: 'pm', arg: this.parseFactor(), minus: t.text === '∓' });
    } else {
      node = this.parsePower();
    }
    this.leave();
    return node;
  }

  private parsePower(): Node {
    let node = this.postfix(this.parsePrimary());
    if (this.isOp('^')) {
      this.pos++;
      const exp = this.parseExponent();
      node = exp === DEGREE ? this.mk({ type: 'deg', arg: node }) : this.mk({ type: 'pow', base: node, exp });
      node = this.postfix(node);
    }
    return node;
  }

  private postfix(node: Node): Node {
    for (;;) {
      if (this.isOp('!')) {
        this.pos++;
        node = this.mk({ type: 'fact', arg: node });
      } else if (this.isOp('%')) {
        this.pos++;
        node = this.mk({ type: 'pct', arg: node });
      } else if (this.isOp('°')) {
        this.pos++;
        node = this.mk({ type: 'deg', arg: node });
      } else {
        return node;
      }
    }
  }

  /** The operand after `^`: a braced group, a bracketed group, or one (signed) primary. */
  private parseExponent(): Node | typeof DEGREE {
    this.enter();
    let result: Node | typeof DEGREE;
    if (this.isOp('°')) {
      this.pos++;
      result = DEGREE;
    } else if (this.isOp('{') && this.isOp('°', 1) && this.isOp('}', 2)) {
      this.pos += 3;
      result = DEGREE;
    } else if (this.isOp('{')) {
      this.pos++;
      result = this.parseAdditive();
      this.expectOp('}');
    } else if (this.isOp('-') || this.isOp('+')) {
      const minus = this.next().text === '-';
      const inner = this.parseExponent();
      if (inner === DEGREE) fail('parse-error', 'misplaced degree sign');
      result = minus ? this.mk({ type: 'neg', arg: inner }) : inner;
    } else {
      const base = this.postfix(this.parsePrimary());
      if (this.isOp('^')) {
        this.pos++;
        const exp = this.parseExponent();
        result = exp === DEGREE ? this.mk({ type: 'deg', arg: base }) : this.mk({ type: 'pow', base, exp });
      } else {
        result = base;
      }
    }
    this.leave();
    return result;
  }

  private parsePrimary(): Node {
    this.enter();
    const node = this.primary();
    this.leave();
    return node;
  }

  private primary(): Node {
    if (this.peek().kind === 'end') return this.unexpected();
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return this.mk({ type: 'num', value: t.value as Rational, text: t.text, decimal: t.decimal === true });
      case 'id':
        return this.mk({ type: 'sym', name: this.subscripted(t.text) });
      case 'const':
        return this.mk({ type: 'const', name: constName(t.text) });
      case 'fn':
        return this.parseFunction(t.text);
      case 'raw':
        return this.parseRaw(t);
      case 'cmd':
        return this.parseCommand(t.text);
      case 'op':
        return this.parseOpenOp(t.text);
      default:
        this.pos--;
        return this.unexpected();
    }
  }

  private subscripted(name: string): string {
    if (!this.isOp('_')) return name;
    this.pos++;
    let sub = '';
    if (this.isOp('{')) {
      this.pos++;
      while (!this.isOp('}')) {
        const t = this.next();
        if (!isSubscriptToken(t)) fail('parse-error', 'a subscript may only hold letters and digits');
        sub += t.text;
        if (sub.length > 20) fail('parse-error', 'subscript too long');
      }
      this.pos++;
    } else {
      const t = this.next();
      if (!isSubscriptToken(t)) fail('parse-error', 'a subscript may only hold letters and digits');
      sub = t.text;
    }
    if (sub === '') fail('parse-error', 'empty subscript');
    return `${name}_${sub}`;
  }

  private parseRaw(t: Token): Node {
    const content = t.text
      .replace(/\\[,;: !>]|~/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (content === '') fail('parse-error', 'empty text');
    if (t.style === 'operatorname') {
      const fn = FN_BY_NAME[content];
      if (fn) return this.parseFunction(fn);
      return this.mk({ type: 'unit', text: content });
    }
    if (t.style === 'mathrm' || t.style === 'mathup') {
      // Upright e and i, as some write Euler's number and the imaginary unit.
      if (content === 'e' || content === 'i') return this.mk({ type: 'const', name: content });
      return this.mk({ type: 'unit', text: t.text });
    }
    return this.mk({ type: 'text', text: content });
  }

  private parseCommand(name: string): Node {
    switch (name) {
      case 'frac': {
        const num = this.parseArg();
        const den = this.parseArg();
        return this.mk({ type: 'div', num, den });
      }
      case 'sqrt': {
        let index: Node | null = null;
        if (this.isOp('[')) {
          this.pos++;
          index = this.parseAdditive();
          this.expectOp(']');
        }
        return this.mk({ type: 'root', arg: this.parseArg(), index });
      }
      case 'binom': {
        const n = this.parseArg();
        const k = this.parseArg();
        return this.mk({ type: 'binom', n, k });
      }
      case 'left': {
        const open = this.next();
        if (open.kind !== 'op' || CLOSERS[open.text] === undefined) fail('parse-error', 'unsupported \\left delimiter');
        return this.parseDelimited(open.text, true);
      }
      default:
        this.pos--;
        return this.unexpected();
    }
  }

  private parseOpenOp(op: string): Node {
    switch (op) {
      case '(':
      case '[':
      case '\\{':
      case '|':
        return this.parseDelimited(op, false);
      case '{': {
        // A LaTeX group; with commas inside it reads as a set (plain-text {1, 2}).
        const items = this.parseItems();
        this.expectOp('}');
        return items.length === 1 ? (items[0] as Node) : this.mk({ type: 'set', items });
      }
      case '£':
      case '$':
        return this.mk({ type: 'unit', text: op });
      default:
        this.pos--;
        return this.unexpected();
    }
  }

  private parseItems(): Node[] {
    const items = [this.parseRelation()];
    while (this.isOp(',') || this.isOp(';')) {
      this.pos++;
      items.push(this.parseRelation());
      if (items.length > LIMITS.maxListItems) fail('too-complex', `more than ${LIMITS.maxListItems} items`);
    }
    return items;
  }

  /** Contents after an opening delimiter (plain or after \left), up to its closer. */
  private parseDelimited(open: string, viaLeft: boolean): Node {
    const close = CLOSERS[open] as string;
    let node: Node;
    if (open === '|') {
      // Inside |…| a bare "|" closes; inside \left|…\right| it opens a nested |…|.
      const saved = this.absDepth;
      this.absDepth = viaLeft ? 0 : saved + 1;
      const inner = this.parseAdditive();
      this.absDepth = saved;
      node = this.mk({ type: 'fn', name: 'abs', arg: inner, base: null });
    } else {
      const saved = this.absDepth;
      this.absDepth = 0;
      const items = this.parseItems();
      this.absDepth = saved;
      if (open === '\\{') node = this.mk({ type: 'set', items });
      else if (items.length > 1) node = this.mk({ type: 'tuple', items });
      else node = items[0] as Node;
    }
    if (viaLeft) {
      if (!this.isCmd('right')) fail('parse-error', 'missing \\right');
      this.pos++;
      const c = this.next();
      if (c.kind !== 'op' || (c.text !== close && !(open === '.' || c.text === '.'))) {
        fail('parse-error', `expected \\right${close}`);
      }
    } else {
      this.expectOp(close);
    }
    return node;
  }

  /** A LaTeX macro argument: {…} or a single token (`\frac12` is ½, as in TeX). */
  private parseArg(): Node {
    const t = this.peek();
    if (t.kind === 'op' && t.text === '{') {
      this.pos++;
      const inner = this.parseAdditive();
      this.expectOp('}');
      return inner;
    }
    if (t.kind === 'num' && t.text.length > 1 && !t.decimal) {
      // Split "12" into "1" and "2": only the first digit is the argument.
      const first = t.text.slice(0, 1);
      const rest = t.text.slice(1);
      this.toks[this.pos] = { ...t, text: rest, value: fromDecimal(rest), space: false };
      return this.mk({ type: 'num', value: fromDecimal(first), text: first, decimal: false });
    }
    if (t.kind === 'num' || t.kind === 'id' || t.kind === 'const') return this.parsePrimary();
    if (t.kind === 'cmd' && t.text !== 'right') return this.parsePrimary();
    return fail('parse-error', 'missing argument');
  }

  private parseFunction(name: string): Node {
    if (name === 'sqrt' || name === 'cbrt') {
      const arg = this.isOp('(') ? this.parsePrimary() : this.parsePower();
      return this.mk({ type: 'root', arg, index: name === 'cbrt' ? this.mk(num3()) : null });
    }
    let fn = name as FnName;
    let base: Node | null = null;
    if (fn === 'log' && this.isOp('_')) {
      this.pos++;
      base = this.isOp('{') ? this.parseArg() : this.parsePrimary();
    }
    let power: Node | null = null;
    if (this.isOp('^')) {
      this.pos++;
      const e = this.parseExponent();
      if (e === DEGREE) fail('parse-error', 'misplaced degree sign');
      power = e;
    }
    if (power && isMinusOne(power) && INVERSES[fn]) {
      fn = INVERSES[fn] as FnName;
      power = null;
    }
    let arg: Node;
    if (this.isOp('(') || (this.isCmd('left') && this.isOp('(', 1))) {
      arg = this.parsePrimary();
      if (arg.type === 'tuple') fail('parse-error', `${fn} takes one argument`);
    } else {
      arg = this.parseImplicitArgument();
    }
    const call: Node = this.mk({ type: 'fn', name: fn, arg, base });
    return power ? this.mk({ type: 'pow', base: call, exp: power }) : call;
  }

  /**
   * `\sin 2x` is sin(2x); the argument stops at an operator, the next function, or a
   * space after anything but a number (`\sin x\,y` is sin(x)·y, `\sin 2 x` is sin(2x)).
   */
  private parseImplicitArgument(): Node {
    const factors: Node[] = [];
    for (;;) {
      const t = this.peek();
      const last = factors[factors.length - 1];
      if (last && t.space && last.type !== 'num') break;
      const ok =
        t.kind === 'num' ||
        t.kind === 'id' ||
        t.kind === 'const' ||
        (t.kind === 'cmd' && (t.text === 'frac' || t.text === 'sqrt')) ||
        (t.kind === 'op' && t.text === '{');
      if (!ok) break;
      if (t.kind === 'num' && factors.length > 0 && this.peek(-1).kind === 'num') break;
      factors.push(this.parsePower());
    }
    if (factors.length === 0) fail('parse-error', 'a function needs an argument');
    return factors.length === 1 ? (factors[0] as Node) : this.mk({ type: 'mul', factors });
  }
}

const FN_BY_NAME: Readonly<Record<string, string>> = {
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  sec: 'sec',
  csc: 'csc',
  cosec: 'csc',
  cot: 'cot',
  arcsin: 'arcsin',
  arccos: 'arccos',
  arctan: 'arctan',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
  ln: 'ln',
  log: 'log',
  lg: 'log',
  exp: 'exp',
  abs: 'abs',
  sqrt: 'sqrt',
};

function constName(text: string): 'pi' | 'e' | 'i' {
  return text === 'pi' ? 'pi' : text === 'i' ? 'i' : 'e';
}

/** Letters and digits, including e and i, which are constants elsewhere (x_i, a_e). */
function isSubscriptToken(t: Token): boolean {
  return t.kind === 'num' || t.kind === 'id' || (t.kind === 'const' && t.text.length === 1);
}

function num3(): Node {
  return { type: 'num', value: fromDecimal('3'), text: '3', decimal: false };
}

function isMinusOne(n: Node): boolean {
  return n.type === 'neg' && n.arg.type === 'num' && n.arg.value.n === 1n && n.arg.value.d === 1n;
}

/** Parses a hygienic answer string into a tree; throws MathInputError on bad input. */
export function parseMath(src: string): Node {
  const tokens = tokenize(src);
  if (tokens.length === 1) fail('empty', 'no answer given'); // only spacing commands
  return new Parser(tokens).parseTop();
}
