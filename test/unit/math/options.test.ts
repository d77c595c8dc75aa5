// Per-box options: the zod schema, explicit kinds, list order, tolerances, "fully simplified".
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_OPTIONS } from '../../../src/math/defaults.js';
import { answerOptionsSchema, checkAnswer, DEFAULT_OPTIONS } from '../../../src/math/index.js';
import { differ, same } from './helpers.js';

describe('answerOptionsSchema', () => {
  it('fills in defaults', () => {
    expect(answerOptionsSchema.parse({})).toEqual({
      kind: 'auto',
      listOrder: 'unordered',
      tolerance: { type: 'none' },
      requireSimplified: false,
      form: [],
    });
    expect(DEFAULT_OPTIONS).toEqual(answerOptionsSchema.parse({}));
    // The zod-free copy used by worker threads must not drift from the schema.
    expect(DEFAULT_ENGINE_OPTIONS).toEqual(DEFAULT_OPTIONS);
  });

  it('accepts every documented option', () => {
    for (const tolerance of [
      { type: 'none' },
      { type: 'absolute', value: 0.5 },
      { type: 'relative', value: 0.01 },
      { type: 'sigfigs', value: 3 },
      { type: 'decimalPlaces', value: 0 },
    ]) {
      expect(answerOptionsSchema.safeParse({ tolerance }).success).toBe(true);
    }
    for (const kind of [
      'auto',
      'text',
      'number',
      'expression',
      'equation',
      'inequality',
      'point',
      'list',
      'quantity',
    ]) {
      expect(answerOptionsSchema.safeParse({ kind }).success).toBe(true);
    }
    expect(answerOptionsSchema.safeParse({ listOrder: 'ordered', requireSimplified: true }).success).toBe(true);
  });

  it('rejects bad admin input', () => {
    for (const bad of [
      { kind: 'matrix' },
      { listOrder: 'sorted' },
      { tolerance: { type: 'absolute', value: -1 } },
      { tolerance: { type: 'absolute', value: Number.POSITIVE_INFINITY } },
      { tolerance: { type: 'relative', value: 2 } },
      { tolerance: { type: 'sigfigs', value: 0 } },
      { tolerance: { type: 'sigfigs', value: 2.5 } },
      { tolerance: { type: 'decimalPlaces', value: 40 } },
      { tolerance: { type: 'percent', value: 5 } },
      { requireSimplified: 'yes' },
      { unknownOption: true },
    ]) {
      expect(answerOptionsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('makes checkAnswer answer "invalid-options" instead of throwing', () => {
    const r = checkAnswer('1', '1', { kind: 'matrix' } as never);
    expect(r).toMatchObject({ equivalent: false, reason: 'invalid-options' });
  });
});

describe('kind', () => {
  it('auto-detects each kind from the expected answer', () => {
    const kinds: Array<[string, string]> = [
      ['kite', 'text'],
      ['\\frac{2}{3}', 'number'],
      ['2x+1', 'expression'],
      ['y=2x+1', 'equation'],
      ['x<5', 'inequality'],
      ['(1,2)', 'point'],
      ['x=1, x=2', 'list'],
      ['x=\\pm2', 'list'],
      ['x=4', 'list'],
      ['5\\,\\mathrm{kg}', 'quantity'],
      ['30^{\\circ}', 'quantity'],
    ];
    for (const [expected, kind] of kinds) expect(checkAnswer(expected, expected).kind, expected).toBe(kind);
  });

  it('can be set explicitly', () => {
    // As an equation, x = 4 accepts any multiple; as (auto) roots it needs the value.
    same('x=4', '3x=12', { kind: 'equation' });
    differ('x=4', '3x=12', 'not-solved');
    // Forcing text compares the characters.
    differ('x+1', '1+x', undefined, { kind: 'text' });
    same('x+1', 'X + 1', { kind: 'text' });
    // Forcing expression reads a three-letter word as a product.
    same('abc', 'cab', { kind: 'expression' });
  });

  it('reports an expected answer that does not fit the chosen kind', () => {
    differ('x+1', 'x+1', 'invalid-expected', { kind: 'equation' });
    differ('x<1', 'x<1', 'invalid-expected', { kind: 'point' });
  });
});

describe('listOrder', () => {
  it('is unordered by default and ordered on request', () => {
    same('2, 4, 8', '8, 2, 4');
    differ('2, 4, 8', '8, 2, 4', undefined, { listOrder: 'ordered' });
    same('2, 4, 8', '2, 4, 8', { listOrder: 'ordered' });
    same('a_1, a_2', 'a_1, a_2', { listOrder: 'ordered' });
  });

  it('never orders a set', () => {
    same('\\{2,4,8\\}', '\\{8,2,4\\}', { listOrder: 'ordered' });
  });
});

describe('tolerance', () => {
  it('absolute', () => {
    const tolerance = { type: 'absolute', value: 0.05 } as const;
    same('\\frac{2}{3}', '0.67', { tolerance });
    same('\\frac{2}{3}', '0.7', { tolerance: { type: 'absolute', value: 0.05 } });
    differ('\\frac{2}{3}', '0.6', undefined, { tolerance });
    same('10', '10.05', { tolerance }); // the bound itself is inside
    differ('10', '10.0501', undefined, { tolerance });
  });

  it('relative', () => {
    const tolerance = { type: 'relative', value: 0.01 } as const;
    same('200', '198', { tolerance });
    same('200', '202', { tolerance });
    differ('200', '197.9', undefined, { tolerance });
    same('\\pi', '3.13', { tolerance });
  });

  it('significant figures', () => {
    const tolerance = { type: 'sigfigs', value: 3 } as const;
    same('\\sqrt{2}', '1.41', { tolerance });
    same('\\sqrt{2}', '1.414', { tolerance }); // more figures, same rounding
    differ('\\sqrt{2}', '1.42', undefined, { tolerance });
    differ('\\sqrt{2}', '1.4', undefined, { tolerance });
    same('123456', '123000', { tolerance });
    same('0.0012345', '0.00123', { tolerance });
    same('2.675', '2.68', { tolerance }); // half away from zero, exactly
  });

  it('decimal places', () => {
    const tolerance = { type: 'decimalPlaces', value: 2 } as const;
    same('\\frac{5}{9}', '0.56', { tolerance });
    differ('\\frac{5}{9}', '0.55', undefined, { tolerance }); // truncated, not rounded
    same('\\pi', '3.14', { tolerance });
    same('1.005', '1.01', { tolerance }); // exact decimal rounding, not binary
    same('7', '7.00', { tolerance });
    same('7', '7.004', { tolerance });
  });

  it('applies to points, lists and quantities (in the expected unit)', () => {
    const tolerance = { type: 'decimalPlaces', value: 1 } as const;
    same('(\\sqrt{2}, \\sqrt{3})', '(1.4, 1.7)', { tolerance });
    same('x=\\pm\\sqrt{5}', '2.2, -2.2', { tolerance });
    same('\\frac{10}{3}\\,\\mathrm{km}', '3.3\\,\\mathrm{km}', { tolerance });
    same('\\frac{10}{3}\\,\\mathrm{km}', '3333\\,\\mathrm{m}', { tolerance });
    differ('\\frac{10}{3}\\,\\mathrm{km}', '3.3\\,\\mathrm{m}', undefined, { tolerance });
    same('x<\\sqrt{2}', 'x<1.4', { tolerance });
  });
});

describe('requireSimplified', () => {
  const opts = { requireSimplified: true } as const;

  it('accepts answers in simplest form', () => {
    for (const [e, s] of [
      ['\\frac{3}{4}', '\\frac{3}{4}'],
      ['\\frac{3}{4}', '0.75'],
      ['\\frac{7}{4}', '1\\frac{3}{4}'],
      ['2\\sqrt{3}', '2\\sqrt{3}'],
      ['\\frac{\\sqrt{3}}{3}', '\\frac{\\sqrt{3}}{3}'],
      ['6.2\\times10^{5}', '6.2\\times10^{5}'],
      ['x^2+2x+1', '(x+1)^2'],
      ['x^2+2x+1', 'x^2+2x+1'],
      ['7x-2', '7x-2'],
      ['\\frac{x}{2}', '\\frac{x}{2}'],
      ['x=\\pm3', 'x=3, x=-3'],
      ['2\\pi', '2\\pi'],
      ['\\ln 5', '\\ln 5'],
    ]) {
      same(e as string, s as string, opts);
    }
  });

  it('rejects answers with simplification left to do', () => {
    for (const [e, s] of [
      ['\\frac{3}{4}', '\\frac{6}{8}'],
      ['-\\frac{3}{4}', '\\frac{3}{-4}'],
      ['3', '\\frac{3}{1}'],
      ['\\frac{7}{4}', '1\\frac{6}{8}'],
      ['2\\sqrt{3}', '\\sqrt{12}'],
      ['\\frac{\\sqrt{3}}{3}', '\\frac{1}{\\sqrt{3}}'],
      ['7', '3+4'],
      ['12', '3\\times4'],
      ['9', '3^{2}'],
      ['4', '-(-4)'],
      ['5x', '2x+3x'],
      ['x^{5}', 'x^{2}x^{3}'],
      ['x^{6}', '\\left(x^{2}\\right)^{3}'],
      ['4x^{2}', '(2x)^{2}'],
      ['x', '1x'],
      ['x', 'x^{1}'],
      ['\\frac{x+2}{3}', '\\frac{2x+4}{6}'],
      ['\\frac{1}{2}', '\\sin 30^{\\circ}'],
      ['\\frac{\\sqrt{3}}{3}', '\\tan 30^{\\circ}'],
      ['4', '\\log_{2}16'],
      ['2', '\\sqrt{4}'],
      ['\\sqrt{6}', '\\sqrt{2}\\sqrt{3}'],
      ['24', '4!'],
      ['\\frac{1}{2}', '\\frac{0.5}{1}'],
    ]) {
      const r = differ(e as string, s as string, 'wrong-form', opts);
      expect(r.form).toBe('simplified');
    }
  });

  it('is not checked for wrong answers (they stay "not equivalent")', () => {
    differ('\\frac{3}{4}', '\\frac{4}{6}', 'not-equivalent', opts);
  });
});
