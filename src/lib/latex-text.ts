// LaTeX read aloud as plain text: `\frac{3}{4}+1` → "3/4+1", `2\sqrt{2}` → "2√2",
// `x^{2}` → "x²", `\left(1,-2\right)` → "(1,-2)", `\text{cm}` → "cm", `\pi` → "π".
// Used where maths cannot be typeset: short titles and card excerpts, the
// <title> of a page, and an answer KaTeX cannot parse. The reading is faithful
// to what was typed (nothing is evaluated or reordered), never contains a
// backslash, a brace after ^ or _, or markup, and costs time linear in its input.

/** Characters read at most; longer input is cut first (titles, excerpts and answers are far shorter). */
export const MAX_READ_LENGTH = 4000;
/** Groups nested deeper than this are read as flat text. */
const MAX_DEPTH = 48;

const SYMBOLS: Record<string, string> = {
  times: '×',
  cdot: '·',
  div: '÷',
  pm: '±',
  mp: '∓',
  ast: '∗',
  star: '⋆',
  bullet: '•',
  le: '≤',
  leq: '≤',
  leqslant: '≤',
  ge: '≥',
  geq: '≥',
  geqslant: '≥',
  ne: '≠',
  neq: '≠',
  approx: '≈',
  equiv: '≡',
  sim: '∼',
  simeq: '≃',
  cong: '≅',
  propto: '∝',
  ll: '≪',
  gg: '≫',
  infty: '∞',
  partial: '∂',
  nabla: '∇',
  sum: '∑',
  prod: '∏',
  int: '∫',
  oint: '∮',
  to: '→',
  rightarrow: '→',
  leftarrow: '←',
  gets: '←',
  leftrightarrow: '↔',
  Rightarrow: '⇒',
  implies: '⇒',
  Leftarrow: '⇐',
  Leftrightarrow: '⇔',
  iff: '⇔',
  mapsto: '↦',
  in: '∈',
  notin: '∉',
  ni: '∋',
  subset: '⊂',
  subseteq: '⊆',
  supset: '⊃',
  supseteq: '⊇',
  cup: '∪',
  cap: '∩',
  emptyset: '∅',
  varnothing: '∅',
  forall: '∀',
  exists: '∃',
  neg: '¬',
  lnot: '¬',
  land: '∧',
  wedge: '∧',
  lor: '∨',
  vee: '∨',
  setminus: '∖',
  backslash: '∖',
  textbackslash: '∖',
  angle: '∠',
  triangle: '△',
  perp: '⊥',
  parallel: '∥',
  degree: '°',
  circ: '∘',
  prime: '′',
  ldots: '…',
  dots: '…',
  cdots: '⋯',
  vdots: '⋮',
  ddots: '⋱',
  mid: '|',
  vert: '|',
  lvert: '|',
  rvert: '|',
  Vert: '‖',
  lVert: '‖',
  rVert: '‖',
  langle: '⟨',
  rangle: '⟩',
  lfloor: '⌊',
  rfloor: '⌋',
  lceil: '⌈',
  rceil: '⌉',
  lbrace: '{',
  rbrace: '}',
  lbrack: '[',
  rbrack: ']',
  colon: ':',
  percent: '%',
  hbar: 'ℏ',
  ell: 'ℓ',
  aleph: 'ℵ',
  alpha: 'α',
  beta: 'β',
  gamma: 'γ',
  delta: 'δ',
  epsilon: 'ϵ',
  varepsilon: 'ε',
  zeta: 'ζ',
  eta: 'η',
  theta: 'θ',
  vartheta: 'ϑ',
  iota: 'ι',
  kappa: 'κ',
  lambda: 'λ',
  mu: 'μ',
  nu: 'ν',
  xi: 'ξ',
  omicron: 'ο',
  pi: 'π',
  varpi: 'ϖ',
  rho: 'ρ',
  varrho: 'ϱ',
  sigma: 'σ',
  varsigma: 'ς',
  tau: 'τ',
  upsilon: 'υ',
  phi: 'ϕ',
  varphi: 'φ',
  chi: 'χ',
  psi: 'ψ',
  omega: 'ω',
  Gamma: 'Γ',
  Delta: 'Δ',
  Theta: 'Θ',
  Lambda: 'Λ',
  Xi: 'Ξ',
  Pi: 'Π',
  Sigma: 'Σ',
  Upsilon: 'Υ',
  Phi: 'Φ',
  Psi: 'Ψ',
  Omega: 'Ω',
  // Spacing
  quad: ' ',
  qquad: ' ',
  enspace: ' ',
  thinspace: ' ',
  space: ' ',
  newline: ' ',
};

/** Operator names shown as their name: \sin x → "sin x". */
const NAMES = new Set(
  'sin cos tan sec csc cot arcsin arccos arctan sinh cosh tanh coth log ln lg exp lim sup inf max min det gcd lcm deg arg dim ker Pr hom'.split(
    ' ',
  ),
);

/** Commands that only change size, style or spacing: nothing to read. */
const SILENT = new Set(
  'left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr bigm Bigm displaystyle textstyle scriptstyle scriptscriptstyle limits nolimits strut mathstrut negthinspace negmedspace negthickspace nobreak allowbreak relax tiny small normalsize large Large huge Huge'.split(
    ' ',
  ),
);

/**
 * Commands with settings that are not shown (a colour, a link target, a size):
 * how many arguments are settings, and whether one more argument, the content, follows.
 */
const SETTINGS: Record<string, [settings: number, content: boolean]> = {
  color: [1, false],
  textcolor: [1, true],
  colorbox: [1, true],
  fcolorbox: [2, true],
  href: [1, true],
  hspace: [1, false],
  vspace: [1, false],
  phantom: [1, false],
  hphantom: [1, false],
  vphantom: [1, false],
  rule: [2, false],
  begin: [1, false],
  end: [1, false],
  label: [1, false],
  tag: [1, false],
};

const BLACKBOARD: Record<string, string> = { N: 'ℕ', Z: 'ℤ', Q: 'ℚ', R: 'ℝ', C: 'ℂ', P: 'ℙ' };
/** Combining marks for one-letter accents: \bar{x} → "x̄". */
const ACCENTS: Record<string, string> = {
  bar: '\u0304',
  overline: '\u0305',
  vec: '\u20d7',
  overrightarrow: '\u20d7',
  hat: '\u0302',
  widehat: '\u0302',
  tilde: '\u0303',
  widetilde: '\u0303',
  dot: '\u0307',
  ddot: '\u0308',
  underline: '\u0332',
};

const SUPERSCRIPTS = mapOf(
  '0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW',
  '⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ',
);
const SUBSCRIPTS = mapOf('0123456789+-−=()aehijklmnoprstuvx', '₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ');

function mapOf(from: string, to: string): Map<string, string> {
  const a = [...from];
  const b = [...to];
  return new Map(a.map((c, i) => [c, b[i]!]));
}

/** A reading that can stand as a numerator, denominator, root or base without brackets. */
const SIMPLE = /^[-−]?[\p{L}\p{N}\p{M}.′°!%]+$/u;
const bracket = (s: string) => (s === '' || SIMPLE.test(s) ? s : `(${s})`);
/** A radicand is bracketed unless it is one number or name: √x² could be read either way. */
const RADICAND = /^(?:[\p{L}\p{M}]+|[\d.]+)$/u;
const radicand = (s: string) => (s === '' || RADICAND.test(s) ? s : `(${s})`);

function scripted(s: string, table: Map<string, string>, mark: '^' | '_'): string {
  const t = s.trim();
  if (t === '') return '';
  if (mark === '^' && (t === '∘' || t === '°')) return '°';
  if (mark === '^' && /^′+$/.test(t)) return t;
  const compact = [...t.replace(/\s+/g, '')];
  if (compact.every((c) => table.has(c))) return compact.map((c) => table.get(c)).join('');
  return compact.length === 1 && /[\p{L}\p{N}]/u.test(t) ? `${mark}${t}` : `${mark}(${t})`;
}

type Stop = '}' | ']' | '$' | null;

class Reader {
  private pos = 0;
  constructor(private readonly src: string) {}

  /**
   * Reads up to `stop` (consumed) or the end. Prose keeps braces and the
   * characters LaTeX treats specially as they are, and reads only commands,
   * scripts and $…$ as maths.
   */
  sequence(depth: number, stop: Stop, prose: boolean): string {
    let out = '';
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === stop) {
        this.pos += 1;
        return out;
      }
      if (c === '\\') {
        out += this.command(depth);
      } else if (c === '{' && !prose) {
        this.pos += 1;
        out += depth < MAX_DEPTH ? this.sequence(depth + 1, '}', false) : '';
      } else if (c === '}' && !prose) {
        this.pos += 1; // an unmatched closing brace
      } else if ((c === '^' || c === '_') && (!prose || this.proseScript())) {
        this.pos += 1;
        // In prose "2^10" means 2 to the 10th; in LaTeX only the first digit is raised.
        const digits = prose ? /^\d+/.exec(this.src.slice(this.pos, this.pos + 20)) : null;
        if (digits) this.pos += digits[0].length;
        const arg = digits ? digits[0] : this.argument(depth);
        out += scripted(arg, c === '^' ? SUPERSCRIPTS : SUBSCRIPTS, c);
      } else if (c === '$' && prose && this.inlineMath()) {
        this.pos += 1;
        out += this.sequence(depth + 1, '$', false);
      } else if ((c === '~' || c === '&') && !prose) {
        this.pos += 1;
        out += ' ';
      } else {
        this.pos += 1;
        out += c;
      }
    }
    return out;
  }

  /** In prose, x^2, a_1, x^{n} and 2^10 are scripts; "snake_case" and "a ^ b" are not. */
  private proseScript(): boolean {
    if (this.pos === 0 || /\s/.test(this.src[this.pos - 1]!)) return false;
    const rest = this.src.slice(this.pos + 1, this.pos + 40);
    return /^(?:\{|\\|\d+(?!\p{L})|\p{L}(?![\p{L}\p{N}]))/u.test(rest);
  }

  /** `$…$` around LaTeX in prose ("costs $5 and $6" stays as it is). */
  private inlineMath(): boolean {
    const end = this.src.indexOf('$', this.pos + 1);
    if (end === -1) return false;
    const inner = this.src.slice(this.pos + 1, end);
    return inner.trim() !== '' && /[\\^_{]/.test(inner);
  }

  /** One argument: a braced group, a command, or a single character (spaces before it skipped). */
  argument(depth: number): string {
    this.skipSpaces();
    if (this.pos >= this.src.length) return '';
    const c = this.src[this.pos]!;
    if (c === '{') {
      this.pos += 1;
      return depth < MAX_DEPTH ? this.sequence(depth + 1, '}', false) : '';
    }
    // A command as the argument (\frac\pi2) nests without a brace: it counts as one level.
    if (c === '\\') return this.command(depth + 1);
    if (c === '}') return '';
    const ch = String.fromCodePoint(this.src.codePointAt(this.pos)!);
    this.pos += ch.length;
    return ch;
  }

  /** `[…]` after a command, or null when there is none. */
  private optional(depth: number): string | null {
    const save = this.pos;
    this.skipSpaces();
    if (this.src[this.pos] !== '[') {
      this.pos = save;
      return null;
    }
    this.pos += 1;
    return depth < MAX_DEPTH ? this.sequence(depth + 1, ']', false) : '';
  }

  private skipSpaces(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos += 1;
  }

  private command(depth: number): string {
    this.pos += 1; // the backslash
    const word = /^[a-zA-Z]+/.exec(this.src.slice(this.pos, this.pos + 40));
    if (!word) {
      const c = this.src[this.pos];
      if (c === undefined) return '';
      this.pos += c.length;
      if (c === '\\') return ' ';
      if ('()[]!'.includes(c)) return '';
      if (',:; '.includes(c)) return ' ';
      if (c === '^' || c === '~') return c === '^' ? 'ˆ' : '˜';
      return c; // \{ \} \% \$ \& \# \_ \|
    }
    let name = word[0];
    this.pos += name.length;
    // An over-long run of letters: what is left is read as text.
    if (name.length >= 40) name = '';
    if (depth > MAX_DEPTH) return '';
    return this.named(name, depth);
  }

  private named(name: string, depth: number): string {
    const symbol = SYMBOLS[name];
    if (symbol !== undefined) return symbol;
    if (NAMES.has(name)) return name + this.spaceBeforeOperand();
    if (SILENT.has(name)) {
      if (/^(?:left|right|middle|[bB]igg?[lrm]?)$/.test(name)) {
        this.skipSpaces();
        if (this.src[this.pos] === '.') this.pos += 1; // \left. is an invisible delimiter
      }
      return '';
    }
    switch (name) {
      case 'frac':
      case 'dfrac':
      case 'tfrac':
      case 'cfrac': {
        const top = this.argument(depth).trim();
        const bottom = this.argument(depth).trim();
        return `${bracket(top)}/${bracket(bottom)}`;
      }
      case 'sqrt': {
        const index = this.optional(depth)?.trim() ?? '';
        const under = radicand(this.argument(depth).trim());
        if (index === '' || index === '2') return `√${under}`;
        if (index === '3') return `∛${under}`;
        if (index === '4') return `∜${under}`;
        const raised = scripted(index, SUPERSCRIPTS, '^');
        return `${raised.startsWith('^') ? `root ${index} of ` : `${raised}√`}${under}`;
      }
      case 'binom':
      case 'dbinom':
      case 'tbinom': {
        const n = this.argument(depth).trim();
        const k = this.argument(depth).trim();
        return `C(${n}, ${k})`;
      }
      case 'mathbb':
      case 'mathbf':
      case 'boldsymbol': {
        const arg = this.argument(depth);
        return name === 'mathbb' ? [...arg].map((c) => BLACKBOARD[c] ?? c).join('') : arg;
      }
      case 'bmod':
        return ' mod ';
      case 'pmod':
        return ` (mod ${this.argument(depth).trim()})`;
      case 'operatorname': {
        const operator = this.argument(depth).trim();
        return operator + this.spaceBeforeOperand();
      }
      case 'verb': {
        // \verb|…| shows its text literally; read it as text like everything else.
        const delimiter = this.src[this.pos];
        if (delimiter === undefined) return '';
        const end = this.src.indexOf(delimiter, this.pos + 1);
        const text = this.src.slice(this.pos + 1, end === -1 ? this.src.length : end);
        this.pos = end === -1 ? this.src.length : end + 1;
        return new Reader(text).sequence(depth + 1, null, true);
      }
    }
    const accent = ACCENTS[name];
    if (accent !== undefined) {
      const arg = this.argument(depth);
      return [...arg].length === 1 ? arg + accent : arg;
    }
    const setting = SETTINGS[name];
    if (setting !== undefined) {
      for (let i = 0; i < setting[0]; i++) this.argument(depth);
      return setting[1] ? this.argument(depth) : name === 'hspace' ? ' ' : '';
    }
    if (name === 'kern') {
      this.skipDimension();
      return '';
    }
    // Any other command (\text, \mathrm, \mathit, \textbf, \mbox, unknown ones): its braced
    // arguments are read as they follow, without its name.
    let out = '';
    while (depth < MAX_DEPTH && this.src[this.pos] === '{') out += this.argument(depth);
    return out;
  }

  /** "sin x", "log 2" and "sin(x)": a space only where the name would run into its operand. */
  private spaceBeforeOperand(): string {
    return /^[\p{L}\p{N}\\]/u.test(this.src.slice(this.pos, this.pos + 1)) ? ' ' : '';
  }

  /** \kern1em, \kern 2pt: a dimension that is not shown. */
  private skipDimension(): void {
    const m = /^\s*-?[\d.]+\s*[a-z]{2}/.exec(this.src.slice(this.pos, this.pos + 30));
    if (m) this.pos += m[0].length;
  }
}

function finish(text: string, maxLength: number): string {
  const clean = text
    .replace(/\\/g, '∖')
    .replace(/([\^_])(?=\{)/g, '$1 ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > maxLength ? `${clean.slice(0, maxLength - 1).trimEnd()}…` : clean;
}

/** The plain-text reading of a LaTeX expression (an answer as a MathLive box sends it). */
export function latexToText(latex: string, maxLength = Infinity): string {
  if (typeof latex !== 'string') return '';
  return finish(new Reader(latex.slice(0, MAX_READ_LENGTH)).sequence(0, null, false), maxLength);
}

/**
 * Plain text with LaTeX inside it (a title, a card excerpt) as readable text,
 * cut to `maxLength` characters with an ellipsis. Prose stays as written; only
 * commands, scripts and $…$ are read as maths.
 */
export function mathProseToText(text: string, maxLength = Infinity): string {
  if (typeof text !== 'string') return '';
  return finish(new Reader(text.slice(0, MAX_READ_LENGTH)).sequence(0, null, true), maxLength);
}
