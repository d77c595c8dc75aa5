// Property-based fuzzing: random strings, random token soup and random LaTeX trees.
// Every call must return a well-formed verdict (never throw, never "internal-error")
// and stay far below the pool's hard timeout. Seeds are fixed so CI is reproducible.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkAnswer, normalizeAnswer, type CheckResult, type Reason } from '../../../src/math/index.js';

const SLOW_MS = 50;

/**
 * Runs f and measures its CPU time; if it looks slow, retries and keeps the fastest (a GC
 * pause or a busy machine is not a hang, an algorithmic blow-up is slow every time).
 */
function timed<T>(f: () => T): { value: T; ms: number } {
  let best = Infinity;
  let value!: T;
  for (let attempt = 0; attempt < 3; attempt++) {
    const start = process.cpuUsage();
    value = f();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
    if (best < SLOW_MS) break;
  }
  return { value, ms: best };
}

function wellFormed(r: CheckResult): void {
  expect(typeof r.equivalent).toBe('boolean');
  expect(r.reason).not.toBe('internal-error');
  expect(r.equivalent).toBe(r.reason === 'equivalent');
}

function exercise(input: string): void {
  for (const expected of ['x^2-1', '\\frac{3}{4}', 'x=\\pm2', '(1,2)', 'x<3', '4\\,\\mathrm{cm}']) {
    const a = timed(() => checkAnswer(expected, input));
    wellFormed(a.value);
    expect(a.ms, `checking ${JSON.stringify(input)}`).toBeLessThan(SLOW_MS);
  }
  const b = timed(() => checkAnswer(input, input));
  wellFormed(b.value);
  expect(b.ms).toBeLessThan(SLOW_MS);
  const n = timed(() => normalizeAnswer(input));
  expect(n.value.error).not.toBe('internal-error');
  expect(n.ms).toBeLessThan(SLOW_MS);
}

const TOKENS = [
  '0',
  '1',
  '2',
  '3.5',
  '7',
  '10',
  '100',
  '0.',
  'x',
  'y',
  'n',
  'e',
  'pi',
  '\\pi',
  '+',
  '-',
  '*',
  '/',
  '^',
  '_',
  '!',
  '=',
  '<',
  '>',
  '\\le',
  '\\geq',
  '\\neq',
  ',',
  ';',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '\\{',
  '\\}',
  '|',
  '\\left(',
  '\\right)',
  '\\left|',
  '\\right|',
  '\\frac',
  '\\dfrac',
  '\\sqrt',
  '\\sqrt[3]',
  '\\cdot',
  '\\times',
  '\\div',
  '\\pm',
  '\\mp',
  '\\%',
  '%',
  '^{\\circ}',
  '°',
  '\\sin',
  '\\cos',
  '\\tan',
  '\\ln',
  '\\log_{2}',
  '\\log',
  '\\exp',
  'sqrt',
  'abs',
  '\\overline{3}',
  '\\dot{4}',
  '\\mathrm{cm}',
  '\\mathrm{km}',
  '\\text{ or }',
  '\\text{kite}',
  '\\,',
  ' ',
  '\\binom',
  '\\operatorname{cosec}',
  '£',
  'km',
  'm',
  's',
  '²',
  '−',
  '×',
  '≤',
  'θ',
  '\\input',
  '<b>',
  '\\placeholder{}',
  '{}',
  '\\\\',
  '\\',
  '&amp;',
  '9999999999',
  '^{-1}',
  '^{1000}',
  '^{1001}',
  '!!',
];

// Expression trees rendered twice: as MathLive-style LaTeX and as plain text.
interface Rendered {
  latex: string;
  plain: string;
}
const leaf: fc.Arbitrary<Rendered> = fc.oneof(
  fc.integer({ min: 0, max: 20 }).map((n) => ({ latex: String(n), plain: String(n) })),
  fc.constantFrom('0.5', '1.25', '3.75').map((d) => ({ latex: d, plain: d })),
  fc.constantFrom('x', 'y', 'a').map((v) => ({ latex: v, plain: v })),
  fc.constant({ latex: '\\pi', plain: 'pi' }),
);
const paren = (r: Rendered): Rendered => ({ latex: `\\left(${r.latex}\\right)`, plain: `(${r.plain})` });
const tree = fc.letrec<{ node: Rendered }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('node'), tie('node'), fc.constantFrom('+', '-')).map(([a, b, op]) => ({
      latex: `${paren(a).latex}${op}${paren(b).latex}`,
      plain: `${paren(a).plain}${op}${paren(b).plain}`,
    })),
    fc.tuple(tie('node'), tie('node'), fc.boolean()).map(([a, b, implicit]) => ({
      latex: `${paren(a).latex}${implicit ? '' : '\\cdot'}${paren(b).latex}`,
      plain: `${paren(a).plain}${implicit ? '' : '*'}${paren(b).plain}`,
    })),
    fc.tuple(tie('node'), tie('node')).map(([a, b]) => ({
      latex: `\\frac{${a.latex}}{${b.latex}}`,
      plain: `${paren(a).plain}/${paren(b).plain}`,
    })),
    fc.tuple(tie('node'), fc.integer({ min: 0, max: 4 })).map(([a, k]) => ({
      latex: `${paren(a).latex}^{${k}}`,
      plain: `${paren(a).plain}^${k}`,
    })),
    tie('node').map((a) => ({ latex: `-${paren(a).latex}`, plain: `-${paren(a).plain}` })),
    tie('node').map((a) => ({ latex: `\\sqrt{${a.latex}}`, plain: `sqrt(${a.plain})` })),
    tie('node').map((a) => ({ latex: `\\left|${a.latex}\\right|`, plain: `abs(${a.plain})` })),
    fc.tuple(tie('node'), fc.constantFrom('sin', 'cos', 'ln')).map(([a, f]) => ({
      latex: `\\${f}${paren(a).latex}`,
      plain: `${f}(${a.plain})`,
    })),
  ),
})).node;

/** Verdicts that may legitimately stop a random tree from equalling itself. */
const BOUNDED: ReadonlySet<Reason> = new Set(['undefined', 'out-of-bounds', 'too-complex', 'too-deep', 'too-long']);

describe('fuzz', () => {
  it('survives arbitrary Unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 700 }), (s) => exercise(s)),
      { numRuns: 1500, seed: 20240901 },
    );
  }, 120_000);

  it('survives LaTeX and plain-text token soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 90 }), (parts) => exercise(parts.join(''))),
      { numRuns: 3000, seed: 314159 },
    );
  }, 120_000);

  it('judges random expression trees equal to themselves and to their plain-text spelling', () => {
    fc.assert(
      fc.property(tree, ({ latex, plain }) => {
        const self = timed(() => checkAnswer(latex, latex));
        wellFormed(self.value);
        expect(self.ms).toBeLessThan(SLOW_MS);
        if (!self.value.equivalent) {
          expect(BOUNDED.has(self.value.reason), `${latex}: ${self.value.reason} ${self.value.detail}`).toBe(true);
          return;
        }
        const cross = timed(() => checkAnswer(latex, plain));
        wellFormed(cross.value);
        expect(cross.ms).toBeLessThan(SLOW_MS);
        expect(cross.value.equivalent, `${latex}  vs  ${plain}: ${cross.value.reason} ${cross.value.detail}`).toBe(
          true,
        );
        expect(checkAnswer(plain, latex)).toEqual(checkAnswer(plain, latex)); // deterministic
      }),
      { numRuns: 1500, seed: 271828 },
    );
  }, 120_000);
});
