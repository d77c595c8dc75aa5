// Where plain text ends an exponent, a denominator, a square root or a subscript.
// The answer engine reads `3/4+1` as 3/4 + 1 and `2^-3+1` as 2^(-3) + 1: the part
// after `/`, `^`, `sqrt` or `_` is one factor (a signed number, letter, name or
// bracket, with its own powers), exactly as src/math/parser.ts reads it. The maths
// box asks this module, before each typed key, whether the key still belongs to the
// group the caret is in; if not, the box leaves the group first (plain-typing.ts).
// Pure: no DOM, no MathLive, so the rules can be read and tested on their own.

/** The groups whose end plain text decides. */
export type GroupKind = 'superscript' | 'subscript' | 'denominator' | 'root';

export type PieceKind =
  | 'digit'
  | 'dot'
  | 'letter'
  /** π, Greek letters: a complete factor. */
  | 'symbol'
  /** sin, log…: reads the factor after it. */
  | 'function'
  /** A bracketed group (…). */
  | 'bracket'
  /** A fraction or a root: complete in itself. */
  | 'group'
  | 'sign'
  | 'operator'
  | 'open'
  | 'close'
  /** ! % ° after a factor. */
  | 'postfix'
  /** A power (or subscript) attached to the factor before it. */
  | 'power'
  | 'index'
  | 'space';

export interface Piece {
  kind: PieceKind;
  text: string;
}

/**
 * The names the engine's plain-text reader knows inside a run of letters (its
 * PLAIN_NAMES), with the LaTeX the maths box writes for each: typing the name makes
 * the same reading as the plain text. `function` names read the factor after them.
 * asin, acos and atan are not here: plain text reads them as a·sin… unless the whole
 * word stands before a bracket, which the box handles when the bracket is typed.
 */
export const NAMES: ReadonlyArray<{ name: string; latex: string; role: 'function' | 'symbol' }> = [
  ...(
    [
      ['arcsin', '\\arcsin'],
      ['arccos', '\\arccos'],
      ['arctan', '\\arctan'],
      ['cosec', '\\csc'],
      ['sinh', '\\sinh'],
      ['cosh', '\\cosh'],
      ['tanh', '\\tanh'],
      ['sin', '\\sin'],
      ['cos', '\\cos'],
      ['tan', '\\tan'],
      ['sec', '\\sec'],
      ['csc', '\\csc'],
      ['cot', '\\cot'],
      ['exp', '\\exp'],
      ['log', '\\log'],
      ['ln', '\\ln'],
      ['lg', '\\lg'],
      ['sqrt', '\\sqrt{#?}'],
      ['cbrt', '\\sqrt[3]{#?}'],
      ['abs', '\\left|#?\\right|'],
    ] as const
  ).map(([name, latex]) => ({ name, latex, role: 'function' as const })),
  ...(['lambda', 'alpha', 'theta', 'sigma', 'omega', 'gamma', 'delta', 'beta', 'phi', 'pi', 'mu'] as const).map(
    (name) => ({ name, latex: `\\${name}`, role: 'symbol' as const }),
  ),
];

/** The piece a typed character adds, or null for keys these rules leave alone. */
export function keyPiece(key: string): Piece | null {
  if (key.length !== 1) return null;
  const kind = ((): PieceKind | null => {
    if (/[0-9]/.test(key)) return 'digit';
    if (key === '.') return 'dot';
    if (/[a-zA-Z]/.test(key)) return 'letter';
    if ('+-±−'.includes(key)) return 'sign';
    if ('*/=<>,;:×÷·≤≥≠'.includes(key)) return 'operator';
    if ('([{'.includes(key)) return 'open';
    if (')]}|'.includes(key)) return 'close';
    if ('!%°'.includes(key)) return 'postfix';
    if (key === '^') return 'power';
    if (key === '_') return 'index';
    if (key === ' ') return 'space';
    if (key === 'π') return 'symbol';
    return null;
  })();
  return kind ? { kind, text: key } : null;
}

/** A name the run of letters is the start of, still being typed (`si` of `sin`). */
function startsAName(run: string): boolean {
  return NAMES.some((n) => n.name.length > run.length && n.name.startsWith(run));
}

/** The name the plain-text reader takes at the start of a run of letters, as its lexer does. */
function nameAtStart(run: string): (typeof NAMES)[number] | undefined {
  if (run.length < 2) return undefined;
  return NAMES.find((n) => run.startsWith(n.name));
}

class Scanner {
  i = 0;
  constructor(private readonly p: readonly Piece[]) {}

  at(k = this.i): PieceKind | undefined {
    return this.p[k]?.kind;
  }

  get done(): boolean {
    return this.i >= this.p.length;
  }

  /** Everything typed so far may still belong: the operand is open at the end. */
  open(): number {
    this.i = this.p.length;
    return this.i;
  }

  skipSpaces(): void {
    while (this.at() === 'space') this.i++;
  }

  /** Digits with one decimal point; a space stays inside only before more digits (1 000). */
  number(): void {
    while (!this.done) {
      const k = this.at();
      if (k === 'digit' || k === 'dot') this.i++;
      else if (k === 'space') {
        let j = this.i;
        while (this.at(j) === 'space') j++;
        if (j < this.p.length && this.at(j) !== 'digit') return;
        this.i = j;
      } else return;
    }
  }

  /** Powers, subscripts and ! % ° after a factor: they belong to it. */
  suffixes(): void {
    while (this.at() === 'power' || this.at() === 'index' || this.at() === 'postfix') this.i++;
  }

  /** A run of letters: a name, or one letter; 'open' while it may still become a name. */
  letters(): 'open' | 'function' | 'factor' {
    let j = this.i;
    let run = '';
    while (this.at(j) === 'letter') run += this.p[j++]?.text ?? '';
    if (j === this.p.length && startsAName(run)) return 'open';
    const name = nameAtStart(run);
    this.i += name ? name.name.length : 1;
    return name?.role === 'function' ? 'function' : 'factor';
  }

  /** One factor; false when there is none here, 'open' when it is still being typed. */
  factor(): boolean | 'open' {
    switch (this.at()) {
      case 'digit':
      case 'dot':
        this.number();
        break;
      case 'letter': {
        const read = this.letters();
        if (read === 'open') return 'open';
        if (read === 'function') return this.argument();
        break;
      }
      case 'function':
        this.i++;
        return this.argument();
      case 'symbol':
      case 'bracket':
      case 'group':
        this.i++;
        break;
      default:
        return false;
    }
    this.suffixes();
    return true;
  }

  /** What a function reads: a bracket, or factors up to an operator (`sin 2x`). */
  argument(): true | 'open' {
    if (this.at() === 'power') this.i++; // sin^2 x
    this.skipSpaces();
    if (this.done) return 'open';
    if (this.at() === 'bracket' || this.at() === 'open') {
      this.i++;
      this.suffixes();
      return true;
    }
    let factors = 0;
    let afterNumber = false;
    for (;;) {
      const before = this.i;
      // A space after anything but a number ends the argument (`sin x y` is sin(x)·y).
      if (this.at() === 'space' && factors > 0 && !afterNumber) break;
      this.skipSpaces();
      const k = this.at();
      afterNumber = k === 'digit' || k === 'dot';
      // Only numbers, letters and complete groups continue it: a second function
      // (`sin x cos x`), an operator or a bracket ends it.
      if (!(k === 'digit' || k === 'dot' || k === 'letter' || k === 'symbol' || k === 'group')) {
        this.i = before;
        break;
      }
      if (k === 'letter') {
        const mark = this.i;
        const read = this.letters();
        if (read === 'open') return 'open';
        if (read === 'function') {
          this.i = mark;
          break;
        }
        this.suffixes();
      } else if (this.factor() === 'open') return 'open';
      factors++;
    }
    return factors === 0 && this.done ? 'open' : true;
  }
}

/**
 * How many of `pieces` (the group's content, then the typed key) the plain-text
 * reading keeps inside a group of this kind. Everything kept: the key belongs.
 */
export function operandEnd(kind: GroupKind, pieces: readonly Piece[]): number {
  const s = new Scanner(pieces);
  if (kind === 'subscript') {
    // A subscript is one number or one letter (x_12, x_n).
    s.skipSpaces();
    if (s.at() === 'digit') while (s.at() === 'digit') s.i++;
    else if (s.at() === 'letter' || s.at() === 'symbol') s.i++;
    return s.i;
  }
  while (s.at() === 'sign' || s.at() === 'space') s.i++;
  if (s.done) return s.i;
  // sqrt(49-10): a bracket right after the root is all it reads.
  if (kind === 'root' && s.at() === 'bracket') return s.i + 1;
  if (s.factor() === 'open') return s.open();
  return s.i;
}

/** Whether the group holds a whole factor yet (signs and spaces alone never end it). */
export function hasFactor(pieces: readonly Piece[]): boolean {
  return pieces.some((p) => p.kind !== 'sign' && p.kind !== 'space');
}

/**
 * What typing `key` at the end of a group should do: stay inside, or leave the group
 * first, taking its last `carry` pieces along (letters the reading puts after the
 * group, such as the `x` of `2^ex`, or a space typed after the exponent).
 */
export function decideKey(
  kind: GroupKind,
  content: readonly Piece[],
  key: Piece,
): { leave: false } | { leave: true; carry: number } {
  if (!hasFactor(content)) return { leave: false };
  const end = operandEnd(kind, [...content, key]);
  if (end > content.length) return { leave: false };
  return { leave: true, carry: content.length - end };
}
