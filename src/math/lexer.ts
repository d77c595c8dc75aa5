// Tokeniser for both LaTeX (as MathLive emits it) and plain text ("2*sqrt(2)", "x^2").
import { COMMANDS, OP_COMMANDS } from './commands.js';
import { fail } from './errors.js';
import { LIMITS } from './limits.js';
import { fromDecimal, fromRecurring, type Rational } from './rational.js';

export type TokenKind = 'num' | 'id' | 'const' | 'fn' | 'op' | 'cmd' | 'raw' | 'end';

export interface Token {
  kind: TokenKind;
  /** Operator symbol, variable/function/command name, or raw {…} content. */
  text: string;
  /** Whitespace (or a LaTeX spacing command) came right before this token. */
  space: boolean;
  /** num: exact value. */
  value?: Rational;
  /** num: written with a decimal point. */
  decimal?: boolean;
  /** raw: the command that introduced the raw argument. */
  style?: string;
}

// Plain-text names recognised inside runs of letters, longest first.
const PLAIN_NAMES: ReadonlyArray<[string, Pick<Token, 'kind' | 'text'>]> = (
  [
    ['arcsin', 'fn'],
    ['arccos', 'fn'],
    ['arctan', 'fn'],
    ['cosec', 'fn'],
    ['lambda', 'id'],
    ['alpha', 'id'],
    ['theta', 'id'],
    ['sigma', 'id'],
    ['omega', 'id'],
    ['gamma', 'id'],
    ['delta', 'id'],
    ['sqrt', 'fn'],
    ['sinh', 'fn'],
    ['cosh', 'fn'],
    ['tanh', 'fn'],
    ['asin', 'fn'],
    ['acos', 'fn'],
    ['atan', 'fn'],
    ['beta', 'id'],
    ['cbrt', 'fn'],
    ['abs', 'fn'],
    ['sin', 'fn'],
    ['cos', 'fn'],
    ['tan', 'fn'],
    ['sec', 'fn'],
    ['csc', 'fn'],
    ['cot', 'fn'],
    ['exp', 'fn'],
    ['log', 'fn'],
    ['phi', 'id'],
    ['ln', 'fn'],
    ['lg', 'fn'],
    ['pi', 'const'],
    ['mu', 'id'],
  ] as Array<[string, TokenKind]>
).map(([name, kind]) => [name, { kind, text: name }]);

const FN_ALIASES: Readonly<Record<string, string>> = {
  asin: 'arcsin',
  acos: 'arccos',
  atan: 'arctan',
  cosec: 'csc',
  lg: 'log',
};

const GREEK_UNICODE: Readonly<Record<string, string>> = {
  α: 'alpha',
  β: 'beta',
  γ: 'gamma',
  δ: 'delta',
  ε: 'epsilon',
  ζ: 'zeta',
  η: 'eta',
  θ: 'theta',
  ι: 'iota',
  κ: 'kappa',
  λ: 'lambda',
  μ: 'mu',
  ν: 'nu',
  ξ: 'xi',
  ρ: 'rho',
  σ: 'sigma',
  τ: 'tau',
  υ: 'upsilon',
  φ: 'phi',
  ϕ: 'phi',
  χ: 'chi',
  ψ: 'psi',
  ω: 'omega',
  Δ: 'Delta',
  Θ: 'Theta',
  Σ: 'Sigma',
  Φ: 'Phi',
  Ω: 'Omega',
};
const GREEK_ALIASES: Readonly<Record<string, string>> = {
  varepsilon: 'epsilon',
  vartheta: 'theta',
  varphi: 'phi',
  varrho: 'rho',
  varsigma: 'sigma',
};

const UNICODE_OPS: Readonly<Record<string, string>> = {
  '×': '*',
  '·': '*',
  '⋅': '*',
  '∗': '*',
  '÷': '÷',
  '−': '-',
  '–': '-',
  '—': '-',
  '±': '±',
  '∓': '∓',
  '≤': '<=',
  '⩽': '<=',
  '≥': '>=',
  '⩾': '>=',
  '≠': '!=',
  '°': '°',
  '√': 'sqrt',
  '∛': 'cbrt',
  '£': '£',
  $: '$',
  '%': '%',
  '∣': '|',
};
const SUPERSCRIPTS: Readonly<Record<string, string>> = {
  '⁰': '0',
  '¹': '1',
  '²': '2',
  '³': '3',
  '⁴': '4',
  '⁵': '5',
  '⁶': '6',
  '⁷': '7',
  '⁸': '8',
  '⁹': '9',
  '⁻': '-',
};
const SIMPLE_OPS = "+-*/^_!=<>,;()[]{}|'";
const WHITESPACE = /[\s\u00A0\u2000-\u200A\u202F\u205F\u3000]/;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined): boolean =>
  c !== undefined && c.length === 1 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isSpace = (c: string | undefined): boolean => c !== undefined && (c === ' ' || WHITESPACE.test(c));

// Between groups of three digits: a LaTeX space (\, \: \; \  \thinspace…) or a braced comma
// {,}, with optional white space around it, or white space alone (1 000, 1\u202F000).
const BLANKS = '[\\s\\u00A0\\u2000-\\u200A\\u202F\\u205F\\u3000~]';
const GROUP_SEPARATOR = new RegExp(
  `${BLANKS}*(?:\\\\(?:[,;: ]|(?:thinspace|medspace|thickspace)(?![A-Za-z]))|\\{,\\})${BLANKS}*|${BLANKS}+`,
  'y',
);
const GROUPING_RULE = 'digits are grouped in threes, as in 1\\,000 or 12\\,345.6 (or write the number without spaces)';

// Plain-text names of inverse functions that are also a letter followed by a function
// ("asinx" is a·sin x): read as arcsin… only as a whole word before a bracket, "asin(x)".
const INVERSE_ALIASES: ReadonlySet<string> = new Set(['asin', 'acos', 'atan']);

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let space = false;
  const push = (t: Omit<Token, 'space'>): void => {
    (t as Token).space = space;
    out.push(t as Token);
    space = false;
  };

  /** Reads a {…} argument (or one character) as raw text, starting at src[i]. */
  const readRaw = (): string => {
    while (WHITESPACE.test(src[i] ?? '')) i++;
    if (src[i] !== '{') {
      const c = src[i];
      if (c === undefined) fail('parse-error', 'missing argument');
      i++;
      return c;
    }
    let depth = 0;
    const start = i + 1;
    for (; i < src.length; i++) {
      const c = src[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth === 0) {
          i++;
          return src.slice(start, i - 1);
        }
      }
    }
    return fail('parse-error', 'unbalanced braces');
  };

  /** Reads one digit group for \dot / \overline: "{27}", "{2}" or a single digit. */
  const readDigitsArg = (): string => {
    const raw = readRaw().replace(/\s+/g, '');
    if (!/^\d+$/.test(raw)) fail('parse-error', 'recurring marks go over digits only');
    return raw;
  };

  /**
   * Joins digit groups after a first group of one to three digits: 1\,000\,000, 12{,}345.
   * Nothing is joined when a fraction bar follows, so 2 1/2 and 2 100/101 stay mixed numbers;
   * a group of other than three digits is refused rather than read as something else.
   */
  const groupDigits = (first: string): string => {
    const prev = out[out.length - 1];
    if (first.length > 3 || first.startsWith('0')) return first;
    // Never inside an exponent, a subscript or a TeX argument (\frac1 2 is a half).
    if (prev?.kind === 'cmd' || (prev?.kind === 'op' && (prev.text === '^' || prev.text === '_'))) return first;
    let digits = first;
    let end = i;
    for (;;) {
      GROUP_SEPARATOR.lastIndex = end;
      const sep = GROUP_SEPARATOR.exec(src);
      if (!sep) break;
      const groupStart = end + sep[0].length;
      let k = groupStart;
      while (isDigit(src[k])) k++;
      if (k === groupStart) break; // 2\,\frac{1}{2}, 5\,000\,\mathrm{m}: no digits follow
      let after = k;
      while (isSpace(src[after])) after++;
      if (src[after] === '/') return first; // a fraction: a mixed number, not a group
      if (k - groupStart !== 3) fail('parse-error', GROUPING_RULE);
      digits += src.slice(groupStart, k);
      end = k;
    }
    i = end;
    return digits;
  };

  const readNumber = (): void => {
    const start = i;
    while (isDigit(src[i])) i++;
    const intPart = i > start ? groupDigits(src.slice(start, i)) : '';
    if (src[i] !== '.' || !(isDigit(src[i + 1]) || src[i + 1] === '\\' || intPart.length > 0)) {
      if (intPart.length === 0) fail('parse-error', 'stray "."');
      finishNumber(intPart, '', '', false);
      return;
    }
    i++; // the decimal point
    let decimals = '';
    while (isDigit(src[i])) decimals += src[i++];
    // Recurring notation: 0.\overline{27}, 1.1\overline{6}, 0.\dot{2}, 0.\dot{1}2\dot{3}.
    let repeating = '';
    if (src.startsWith('\\overline', i) || src.startsWith('\\bar', i)) {
      i += src.startsWith('\\overline', i) ? 9 : 4;
      repeating = readDigitsArg();
    } else if (src.startsWith('\\dot', i) && !isLetter(src[i + 4])) {
      i += 4;
      const first = readDigitsArg();
      if (first.length !== 1) fail('parse-error', 'a recurring dot goes over one digit');
      repeating = first;
      // A second dot closes the block: 0.\dot{1}2\dot{3} repeats "123".
      let between = '';
      while (isDigit(src[i])) between += src[i++];
      if (src.startsWith('\\dot', i) && !isLetter(src[i + 4])) {
        i += 4;
        const last = readDigitsArg();
        if (last.length !== 1) fail('parse-error', 'a recurring dot goes over one digit');
        repeating += between + last;
      } else if (between.length > 0) {
        fail('parse-error', 'digits after a recurring dot must end with a dot');
      }
    }
    finishNumber(intPart, decimals, repeating, true);
  };

  const finishNumber = (intPart: string, decimals: string, repeating: string, decimal: boolean): void => {
    if (intPart.length + decimals.length + repeating.length > LIMITS.maxLiteralDigits) {
      fail('out-of-bounds', `a number has more than ${LIMITS.maxLiteralDigits} digits`);
    }
    const value = repeating
      ? fromRecurring(intPart, decimals, repeating)
      : fromDecimal(decimal ? `${intPart}.${decimals}` : intPart);
    const text = repeating
      ? `${intPart || '0'}.${decimals}(${repeating})`
      : decimal
        ? `${intPart || '0'}.${decimals}`
        : intPart;
    push({ kind: 'num', text, value, decimal });
  };

  const readLetters = (): void => {
    const start = i;
    while (isLetter(src[i])) i++;
    const run = src.slice(start, i);
    // "x = 3 or x = -3": a whole word "or"/"and" separates answers.
    if (run === 'or' || run === 'and') {
      push({ kind: 'op', text: ',' });
      return;
    }
    let after = i;
    while (isSpace(src[after])) after++;
    const inverseCall = INVERSE_ALIASES.has(run) && src[after] === '(';
    let j = 0;
    while (j < run.length) {
      const hit =
        run.length - j >= 2
          ? PLAIN_NAMES.find(([name]) => run.startsWith(name, j) && (!INVERSE_ALIASES.has(name) || inverseCall))
          : undefined;
      if (hit) {
        const [name, tok] = hit;
        push({ kind: tok.kind, text: FN_ALIASES[name] ?? name });
        j += name.length;
      } else {
        const c = run[j] as string;
        // e is Euler's number and i the imaginary unit wherever they stand alone.
        push(c === 'e' || c === 'i' ? { kind: 'const', text: c } : { kind: 'id', text: c });
        j++;
      }
    }
  };

  const readCommand = (): void => {
    i++; // backslash
    const m = /^[A-Za-z]+/.exec(src.slice(i, i + 40));
    if (!m) {
      const c = src[i] ?? '';
      i++;
      if (',;: !>'.includes(c)) {
        space = true;
        return;
      }
      if (c === '{' || c === '}') return push({ kind: 'op', text: `\\${c}` });
      if (c === '%') return push({ kind: 'op', text: '%' });
      if (c === '$') return push({ kind: 'op', text: '$' });
      if (c === '|') return push({ kind: 'op', text: '|' });
      return fail('unsupported', `\\${c} is not supported`);
    }
    const name = m[0];
    i += name.length;
    const role = COMMANDS.get(name);
    // As in TeX, white space after a command name only ends the name: "\theta t" is θt.
    if (role !== 'space' && role !== 'raw') while (isSpace(src[i])) i++;
    switch (role) {
      case 'space':
        space = true;
        return;
      case 'raw': {
        const content = readRaw();
        // \text{ or } between answers separates them like a comma.
        if (/^\s*(or|and|,)\s*$/i.test(content) && name.startsWith('text')) return push({ kind: 'op', text: ',' });
        return push({ kind: 'raw', text: content, style: name });
      }
      case 'group':
        return; // the following {…} is an ordinary group
      case 'const':
        return push({ kind: 'const', text: name === 'pi' ? 'pi' : name === 'imaginaryI' ? 'i' : 'e' });
      case 'greek':
        return push({ kind: 'id', text: GREEK_ALIASES[name] ?? name });
      case 'fn':
        return push({ kind: 'fn', text: FN_ALIASES[name] ?? name });
      case 'op': {
        const op = OP_COMMANDS[name] as string;
        if (op === 'or') return push({ kind: 'op', text: ',' });
        return push({ kind: 'op', text: op });
      }
      case 'recurring':
        if (name === 'dot') return fail('parse-error', '\\dot is only understood over the digits of a decimal');
        // A bar over a letter or bracket would be a complex conjugate, which is not read.
        return fail(
          'unsupported',
          `\\${name} is only read over the decimals of a recurring decimal (0.\\overline{3}); ` +
            'a conjugate bar is not supported: write the conjugate out',
        );
      case 'placeholder':
        return fail('parse-error', 'the answer has an empty box');
      case 'frac':
      case 'sqrt':
      case 'binom':
      case 'left':
      case 'right':
        return push({ kind: 'cmd', text: role });
      default:
        return fail('unsupported', `\\${name} is not supported`);
    }
  };

  while (i < src.length) {
    const c = src[i] as string;
    if (isSpace(c) || c === '~') {
      space = true;
      i++;
    } else if (isDigit(c) || (c === '.' && isDigit(src[i + 1]))) {
      readNumber();
    } else if (isLetter(c)) {
      readLetters();
    } else if (c === '\\') {
      readCommand();
    } else if (c === '<' || c === '>' || c === '!' || c === '=') {
      const two = src.slice(i, i + 2);
      const map: Record<string, string> = { '<=': '<=', '>=': '>=', '!=': '!=', '=<': '<=', '=>': '>=', '<>': '!=' };
      if (map[two]) {
        push({ kind: 'op', text: map[two] });
        i += 2;
      } else {
        push({ kind: 'op', text: c });
        i++;
      }
    } else if (c === '+' && (src.startsWith('+-', i) || src.startsWith('+/-', i))) {
      // Plain-text ± (MathLive turns the same keystrokes into \pm).
      push({ kind: 'op', text: '±' });
      i += src.startsWith('+-', i) ? 2 : 3;
    } else if (c === '*' && src[i + 1] === '*') {
      push({ kind: 'op', text: '^' });
      i += 2;
    } else if (SIMPLE_OPS.includes(c) || c === '.') {
      push({ kind: 'op', text: c });
      i++;
    } else if (SUPERSCRIPTS[c] !== undefined) {
      let digits = '';
      while (SUPERSCRIPTS[src[i] ?? ''] !== undefined) digits += SUPERSCRIPTS[src[i++] as string];
      push({ kind: 'op', text: '^' });
      if (digits.startsWith('-')) push({ kind: 'op', text: '-' });
      const d = digits.replace(/^-/, '');
      if (!/^\d+$/.test(d)) fail('parse-error', 'bad superscript');
      push({ kind: 'num', text: d, value: fromDecimal(d), decimal: false });
    } else if (UNICODE_OPS[c] !== undefined) {
      const op = UNICODE_OPS[c];
      push(op === 'sqrt' || op === 'cbrt' ? { kind: 'fn', text: op } : { kind: 'op', text: op });
      i++;
    } else if (c === 'π') {
      push({ kind: 'const', text: 'pi' });
      i++;
    } else if (GREEK_UNICODE[c] !== undefined) {
      push({ kind: 'id', text: GREEK_UNICODE[c] });
      i++;
    } else {
      fail('parse-error', `unexpected character "${c}"`);
    }
  }
  out.push({ kind: 'end', text: '', space });
  return out;
}
