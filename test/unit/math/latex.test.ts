// The LaTeX printer (src/math/latex.ts) and the preview built on it
// (src/math/preview.ts): every kind of node is printed, and reading the printed
// LaTeX again gives the same reading, for every answer of every math corpus.
import { describe, expect, it } from 'vitest';
import { children, type Node } from '../../../src/math/ast.js';
import { hygiene } from '../../../src/math/hygiene.js';
import { checkAnswer, normalizeAnswer } from '../../../src/math/index.js';
import { toLatex } from '../../../src/math/latex.js';
import { parseMath } from '../../../src/math/parser.js';
import { previewAnswer } from '../../../src/math/preview.js';
import { printNormalized } from '../../../src/math/print.js';
import { loadMathCorpora } from '../../helpers/math-corpus.js';

const KINDS = [
  'num',
  'sym',
  'const',
  'add',
  'neg',
  'pm',
  'mul',
  'div',
  'pow',
  'fn',
  'root',
  'mixed',
  'pct',
  'deg',
  'fact',
  'binom',
  'unit',
  'text',
  'rel',
  'tuple',
  'set',
  'list',
] as const;
// A node kind added to ast.ts without a case here fails the type check.
type Unlisted = Exclude<Node['type'], (typeof KINDS)[number]>;
const everyKindListed: [Unlisted] extends [never] ? true : false = true;

function parse(answer: string): Node {
  return parseMath(hygiene(answer));
}

/** The engine's canonical reading of an answer read as maths (never as words). */
function reading(answer: string): string {
  return printNormalized(parse(answer));
}

function kindsIn(node: Node, into = new Set<string>()): Set<string> {
  into.add(node.type);
  for (const c of children(node)) kindsIn(c, into);
  return into;
}

/** One answer per node kind, and the LaTeX it prints as. */
const PRINTED: ReadonlyArray<readonly [string, string]> = [
  ['0.50', '0.50'],
  ['0.\\overline{27}', '0.\\overline{27}'],
  ['x_1+y', 'x_{1} + y'],
  ['\\alpha', '\\alpha'],
  ['2\\pi+e', '2 \\pi + e'],
  ['-(-4)', '-\\left(-4\\right)'],
  ['3-(x+1)', '3 - \\left(x + 1\\right)'],
  ['x\\pm3', 'x \\pm 3'],
  ['2*3', '2\\cdot 3'],
  ['2(1/2)', '2\\cdot \\frac{1}{2}'],
  ['p i', 'p i'],
  ['3/4+1', '\\frac{3}{4} + 1'],
  ['(x+1)^2', '\\left(x + 1\\right)^{2}'],
  ['2^-3', '2^{-3}'],
  ['\\sin^2 x', '\\sin^{2}\\left(x\\right)'],
  ['\\sin^{-1}x', '\\arcsin\\left(x\\right)'],
  ['sin x cos x', '\\sin\\left(x\\right) \\cos\\left(x\\right)'],
  ['\\log_2 8', '\\log_{2}\\left(8\\right)'],
  ['|x-2|', '\\left|x - 2\\right|'],
  ['sqrt49-10', '\\sqrt{49} - 10'],
  ['\\sqrt[3]{8}', '\\sqrt[3]{8}'],
  ['2 1/2', '2\\frac{1}{2}'],
  ['2\\ \\frac{1}{2}', '2\\frac{1}{2}'],
  ['50%', '50\\%'],
  ['30°', '30^{\\circ}'],
  ['4!', '4!'],
  ['\\binom{5}{2}', '\\binom{5}{2}'],
  ['5\\,\\mathrm{cm}', '5 \\mathrm{cm}'],
  ['£2.40', '£ 2.40'],
  ['\\text{trapezium}', '\\text{trapezium}'],
  ['x<=3', 'x \\le 3'],
  ['2<x<9', '2 < x < 9'],
  ['(1,-2)', '\\left(1, -2\\right)'],
  ['\\{1,2\\}', '\\left\\{1, 2\\right\\}'],
  ['x=3 or x=-3', 'x = 3, x = -3'],
];

describe('toLatex', () => {
  it('covers every kind of node in the answer tree', () => {
    expect(everyKindListed).toBe(true);
    const seen = new Set<string>();
    for (const [answer] of PRINTED) kindsIn(parse(answer), seen);
    expect([...seen].sort()).toEqual([...KINDS].sort());
  });

  it.each(PRINTED)('prints %s as %s, which reads the same', (answer, latex) => {
    expect(toLatex(parse(answer))).toBe(latex);
    expect(reading(latex)).toBe(reading(answer));
  });

  it('keeps side by side what must not merge: numbers, a number and a fraction, letters that spell a name', () => {
    // 2·3 is not 23, 2·½ is not the mixed number 2½, p·i is not π: each reads back as a product.
    for (const answer of ['2*3', '2(1/2)', 'p i', 'x*2', 'e x p']) {
      const printed = toLatex(parse(answer));
      expect(checkAnswer(answer, printed).equivalent, `${answer} → ${printed}`).toBe(true);
      expect(parse(printed).type, printed).toBe('mul');
    }
  });

  it('reads back the same for every answer of every math corpus', () => {
    let printed = 0;
    for (const corpus of loadMathCorpora()) {
      for (const entry of corpus.entries) {
        for (const answer of [entry.expected, entry.submitted]) {
          const preview = previewAnswer(answer);
          if (preview.latex === undefined) continue;
          printed++;
          expect(reading(preview.latex), `${answer} → ${preview.latex}`).toBe(reading(answer));
          // A word answer ("trapezium") is graded as text when it is the expected one: no maths to compare.
          if (normalizeAnswer(answer).kind === 'text') continue;
          const same = checkAnswer(answer, preview.latex);
          // An undefined value (1/0) never matches, not even itself.
          if (same.reason !== 'undefined') expect(same.equivalent, `${answer} → ${preview.latex}`).toBe(true);
        }
      }
    }
    expect(printed).toBeGreaterThan(300);
  });
});

describe('previewAnswer', () => {
  it('gives the reading of a LaTeX or plain-text answer', () => {
    expect(previewAnswer('\\frac{3}{4}+1')).toEqual({ latex: '\\frac{3}{4} + 1' });
    expect(previewAnswer('2^-3+1')).toEqual({ latex: '2^{-3} + 1' });
  });

  it.each([
    ['', 'empty'],
    ['  ', 'empty'],
    ['\\frac{3}{\\placeholder{}}', 'parse-error'],
    ['(3+4', 'parse-error'],
    ['2^{', 'parse-error'],
    ['<b>1</b>', 'html'],
    ['\\input{x}', 'forbidden-command'],
    ['\\int x', 'unsupported'],
    ['1'.repeat(501), 'too-long'],
    ['('.repeat(40), 'too-deep'],
    ['2^{5000}', 'out-of-bounds'],
  ] as const)('refuses %s with %s, and says why', (answer, reason) => {
    const preview = previewAnswer(answer);
    expect(preview.latex).toBeUndefined();
    expect(preview.error).toBe(reason);
    expect(preview.detail?.length).toBeGreaterThan(0);
  });

  it('reads what the grader reads, bounds included', () => {
    for (const answer of ['2^{5000}', '\\input{x}', '(3+4']) {
      expect(previewAnswer(answer).error).toBe(normalizeAnswer(answer).error);
    }
  });
});
