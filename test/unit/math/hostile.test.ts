// Hostile input: every call must return "not equivalent" quickly, never throw or hang.
import { describe, expect, it } from 'vitest';
import { checkAnswer, normalizeAnswer, type Reason } from '../../../src/math/index.js';

// Work is measured as CPU time (fastest of three runs), not wall time, so a busy shared
// machine cannot fail the test; the limit is a fifth of the pool's 250 ms hard timeout
// and far below anything super-linear. Typical hostile input costs well under 1 ms.
const FAST_MS = 50;

function fastest(f: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.cpuUsage();
    f();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

const EXPECTED = ['2', 'x^2+1', 'x=1, x=2', '(1,2)', '5\\,\\mathrm{m}', 'x<3', 'y=2x', 'kite'];

const HOSTILE: Array<[name: string, input: string, reason: Reason]> = [
  ['power tower', '9^{9^{9^{9}}}', 'out-of-bounds'],
  ['plain power tower', '9^9^9^9', 'out-of-bounds'],
  ['huge polynomial power', '(x+1)^{100000}', 'out-of-bounds'],
  ['huge exponent on a variable', 'x^{1001}', 'out-of-bounds'],
  ['huge factorial', '1000000!', 'out-of-bounds'],
  ['factorial past the bound', '171!', 'out-of-bounds'],
  ['huge binomial', '\\binom{100000}{5}', 'out-of-bounds'],
  ['huge sum', '\\sum_{n=1}^{10^{9}} n', 'unsupported'],
  ['integral', '\\int_0^1 x\\,dx', 'unsupported'],
  ['product', '\\prod_{k=1}^{10^{6}} k', 'unsupported'],
  ['limit', '\\lim_{x\\to0} x', 'unsupported'],
  ['10,000 nested brackets', `${'('.repeat(10_000)}1${')'.repeat(10_000)}`, 'too-long'],
  ['10,000 nested \\left(', `${'\\left('.repeat(10_000)}1${'\\right)'.repeat(10_000)}`, 'too-long'],
  ['100 nested brackets', `${'('.repeat(100)}1${')'.repeat(100)}`, 'too-deep'],
  ['deep fractions', `${'\\frac{1}{'.repeat(31)}1${'}'.repeat(31)}`, 'too-deep'],
  ['many unary minus signs', `${'-'.repeat(400)}1`, 'too-deep'],
  ['long exponent chain', `${'2^'.repeat(150)}2`, 'too-deep'],
  ['many bars', '|'.repeat(300), 'too-deep'],
  ['10,000-digit number', '9'.repeat(10_000), 'too-long'],
  ['300-digit number', '9'.repeat(300), 'out-of-bounds'],
  ['long recurring block', `0.\\overline{${'9'.repeat(250)}}`, 'out-of-bounds'],
  ['\\input', '\\input{/etc/passwd}', 'forbidden-command'],
  ['\\include', '\\include{secret}', 'forbidden-command'],
  ['\\def', '\\def\\x{9}\\x', 'forbidden-command'],
  ['\\let', '\\let\\y=9\\y', 'forbidden-command'],
  ['\\href', '\\href{javascript:alert(1)}{x}', 'forbidden-command'],
  ['\\url', '\\url{http://evil.example}', 'forbidden-command'],
  ['\\write18', '\\immediate\\write18{rm -rf /}', 'forbidden-command'],
  ['\\csname', '\\csname input\\endcsname{x}', 'forbidden-command'],
  ['\\catcode', '\\catcode`\\^=7', 'forbidden-command'],
  ['\\newcommand', '\\newcommand{\\x}{1}', 'forbidden-command'],
  ['hidden inside \\text', '\\text{\\input{x}}', 'forbidden-command'],
  ['hidden inside \\mathrm', '\\mathrm{\\include{x}}', 'forbidden-command'],
  ['environment', '\\begin{pmatrix}1\\end{pmatrix}', 'forbidden-command'],
  ['unknown command', '\\foo{1}', 'unsupported'],
  ['HTML iframe', '<iframe src="https://evil.example"></iframe>', 'html'],
  ['HTML script', '<script>alert(1)</script>', 'html'],
  ['HTML attribute', '<img src=x onerror=alert(1)>', 'html'],
  ['HTML entity', '&lt;script&gt;', 'html'],
  ['HTML comment', '<!-- x -->', 'html'],
  ['bidi override', '\u202Ex', 'parse-error'],
  ['NUL byte', '1\u0000', 'parse-error'],
  ['lone backslash', '\\', 'unsupported'],
  ['TeX line break', '1\\\\2', 'unsupported'],
  ['empty placeholder', '\\placeholder{}', 'parse-error'],
  ['whitespace only', ' \t\n ', 'empty'],
  ['over-long text', `\\text{${'a'.repeat(600)}}`, 'too-long'],
  ['too many list items', `${'1, '.repeat(60)}1`, 'too-complex'],
  ['too many variables', 'a+b+c+d+f+g+h+j+k+l+m+n+p+q', 'too-complex'],
];

describe('hostile input', () => {
  it.each(HOSTILE)('%s', (_name, input, reason) => {
    const r = checkAnswer('2', input);
    expect(r.equivalent).toBe(false);
    expect(r.reason, r.detail).toBe(reason);
    for (const expected of EXPECTED) {
      const elapsed = fastest(() => {
        const a = checkAnswer(expected, input);
        const b = checkAnswer(input, expected);
        const n = normalizeAnswer(input);
        expect(a.equivalent).toBe(false);
        expect(b.equivalent).toBe(false);
        for (const reason of [a.reason, b.reason, n.error]) expect(reason).not.toBe('internal-error');
      });
      expect(elapsed, `${expected} vs hostile input took ${elapsed.toFixed(1)} ms`).toBeLessThan(FAST_MS);
    }
  });

  it('never matches a hostile input with itself', () => {
    for (const [, input] of HOSTILE) expect(checkAnswer(input, input).equivalent, input.slice(0, 40)).toBe(false);
  });

  it('handles non-string input from a careless caller', () => {
    for (const v of [undefined, null, 42, {}, []]) {
      expect(checkAnswer('1', v as string)).toMatchObject({ equivalent: false, reason: 'empty' });
      expect(checkAnswer(v as string, '1')).toMatchObject({ equivalent: false, reason: 'invalid-expected' });
    }
  });

  it('bounds the work of large but legal answers', () => {
    const cases: Array<[string, string, boolean]> = [
      ['x', `x${'+x'.repeat(240)}`, false],
      ['x', 'x'.repeat(490), false],
      ['1', `\\{${'1,'.repeat(49)}1\\}`, false],
      [`${'x, '.repeat(49)}x`, `${'x, '.repeat(49)}x`, true],
      [`${'(x,x), '.repeat(49)}(x,x)`, `${'(x,x), '.repeat(49)}(x,x)`, true],
      [`${'x+1=0,'.repeat(49)}x=1`, `${'x+1=0,'.repeat(49)}x=1`, true],
      [`${'y<x,'.repeat(49)}y<1`, `${'y<x,'.repeat(49)}y<1`, true],
      ['x', '((x^{999})^{999})^{999}', false],
      ['1', '10^{1000}-10^{1000}+1', true],
      ['x', '\\binom{1000}{500}', false],
      ['2', 'e^{e^{e^{e^{e^{x}}}}}', false], // overflows at most points: not equal to 2
      ['0', '(x+1)^{1000}', false], // underflows near x = -1 but overflows elsewhere
    ];
    for (const [e, s, want] of cases) {
      const elapsed = fastest(() => {
        const r = checkAnswer(e, s);
        expect(r.reason).not.toBe('internal-error');
        expect(r.equivalent, `${e.slice(0, 20)} vs ${s.slice(0, 20)}: ${r.reason}`).toBe(want);
      });
      expect(elapsed, `${s.slice(0, 30)} took ${elapsed.toFixed(1)} ms`).toBeLessThan(FAST_MS * 2);
    }
  });
});
