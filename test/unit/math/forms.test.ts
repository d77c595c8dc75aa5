// Answer forms: a right value must also be written as the box asks (docs/math-engine.md, "Answer forms").
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_OPTIONS } from '../../../src/math/defaults.js';
import { checkWithOptions } from '../../../src/math/engine.js';
import {
  ANSWER_FORMS,
  answerOptionsSchema,
  checkAnswer,
  FORM_DESCRIPTIONS,
  type AnswerForm,
  type AnswerOptionsInput,
  type CheckResult,
} from '../../../src/math/index.js';
import { createMathPool } from '../../../src/math/pool.js';
import { differ, same } from './helpers.js';

/** A right value in the wrong form: refused, naming the form. */
function wrongForm(expected: string, submitted: string, form: AnswerForm, options: AnswerOptionsInput = {}) {
  const r = checkAnswer(expected, submitted, { form: [form], ...options });
  expect(r, `${expected} vs ${submitted} should be refused as not "${form}" (${r.reason}: ${r.detail})`).toMatchObject({
    equivalent: false,
    reason: 'wrong-form',
    form,
  });
  // The same answer without the form is right: only the form was wrong.
  const { form: _ignored, ...rest } = { form: [], ...options };
  expect(checkAnswer(expected, submitted, rest).equivalent, `${expected} vs ${submitted} without the form`).toBe(true);
  return r;
}

function rightForm(expected: string, submitted: string, form: AnswerForm, options: AnswerOptionsInput = {}) {
  const r = same(expected, submitted, { form: [form], ...options });
  expect(r.form).toBeNull();
  return r;
}

type Pair = [expected: string, submitted: string];

function both(form: AnswerForm, accepted: Pair[], refused: Pair[], options: AnswerOptionsInput = {}) {
  it('accepts answers in the form', () => {
    for (const [e, s] of accepted) rightForm(e, s, form, options);
  });
  it('refuses right values in another form', () => {
    for (const [e, s] of refused) wrongForm(e, s, form, options);
  });
}

describe('the three examples the forms were made for', () => {
  it('"expand (x+1)² − x² + 2" no longer accepts the question back', () => {
    wrongForm('2x+3', '(x+1)^2-x^2+2', 'expanded');
    rightForm('2x+3', '2x+3', 'expanded');
  });

  it('"3⁴ as a power of 3" no longer accepts 81', () => {
    wrongForm('3^4', '81', 'power');
    rightForm('3^4', '3^{4}', 'power');
  });

  it('"as a single fraction" no longer accepts 0.75', () => {
    wrongForm('\\frac{3}{4}', '0.75', 'fraction');
    rightForm('\\frac{3}{4}', '\\frac{3}{4}', 'fraction');
  });
});

describe('the form option', () => {
  it('lists every form once, each with a label and an example for the editor', () => {
    expect(ANSWER_FORMS).toEqual([
      'simplified',
      'fraction',
      'mixed-number',
      'decimal',
      'standard-form',
      'factorised',
      'expanded',
      'power',
      'surd',
      'exact',
    ]);
    expect(Object.keys(FORM_DESCRIPTIONS).sort()).toEqual([...ANSWER_FORMS].sort());
    for (const form of ANSWER_FORMS) {
      expect(FORM_DESCRIPTIONS[form].label.length, form).toBeGreaterThan(3);
      expect(FORM_DESCRIPTIONS[form].example, form).toMatch(/not/);
    }
    expect(FORM_DESCRIPTIONS.expanded).toEqual({ label: 'Expanded', example: 'x² + 2x + 3, not (x+1)² + 2' });
  });

  it('is validated: unknown names are refused with the list of forms, repeats are dropped', () => {
    const bad = answerOptionsSchema.safeParse({ form: ['expanded', 'tidy'] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toContain('simplified, fraction, mixed-number');
    expect(answerOptionsSchema.safeParse({ form: 'expanded' }).success).toBe(false);
    expect(answerOptionsSchema.safeParse({ form: new Array(11).fill('exact') }).success).toBe(false);
    expect(answerOptionsSchema.parse({ form: ['surd', 'exact', 'surd'] }).form).toEqual(['surd', 'exact']);
    expect(checkAnswer('1', '1', { form: ['tidy'] } as never)).toMatchObject({
      equivalent: false,
      reason: 'invalid-options',
      form: null,
    });
  });

  it('keeps requireSimplified as an alias for the form "simplified", in both directions', () => {
    expect(answerOptionsSchema.parse({ requireSimplified: true }).form).toEqual(['simplified']);
    expect(answerOptionsSchema.parse({ form: ['simplified'] }).requireSimplified).toBe(true);
    expect(answerOptionsSchema.parse({ requireSimplified: true, form: ['fraction'] }).form).toEqual([
      'fraction',
      'simplified',
    ]);
    expect(answerOptionsSchema.parse({ requireSimplified: true, form: ['simplified'] }).form).toEqual(['simplified']);
    const r = checkAnswer('\\frac{3}{4}', '\\frac{6}{8}', { requireSimplified: true });
    expect(r).toMatchObject({ equivalent: false, reason: 'wrong-form', form: 'simplified' });
    expect(r.detail).toContain('lowest terms');
    expect(checkAnswer('\\frac{3}{4}', '\\frac{6}{8}', { form: ['simplified'] })).toMatchObject({
      reason: 'wrong-form',
      form: 'simplified',
    });
  });

  it('checks several forms in the order given and reports the first that fails', () => {
    // 0.333 (let through by the tolerance) is neither exact nor a fraction: the first listed form is named.
    const tolerance = { type: 'decimalPlaces', value: 3 } as const;
    expect(checkAnswer('\\frac{1}{3}', '0.333', { form: ['exact', 'fraction'], tolerance }).form).toBe('exact');
    expect(checkAnswer('\\frac{1}{3}', '0.333', { form: ['fraction', 'exact'], tolerance }).form).toBe('fraction');
    // 6/8 is a fraction but not simplified; the alias comes after the listed forms.
    expect(checkAnswer('\\frac{3}{4}', '\\frac{6}{8}', { form: ['fraction', 'simplified'] }).form).toBe('simplified');
    expect(checkAnswer('\\frac{3}{4}', '0.75', { requireSimplified: true, form: ['fraction'] }).form).toBe('fraction');
    same('\\frac{3}{4}', '\\frac{3}{4}', { form: ['fraction', 'simplified', 'exact'] });
    same('x^2+3x', 'x(x+3)', { form: ['factorised', 'simplified'] });
  });

  it('only judges the form of a right value: a wrong value stays "not equivalent"', () => {
    const r = differ('\\frac{3}{4}', '0.7', 'not-equivalent', { form: ['fraction'] });
    expect(r.form).toBeNull();
    expect(differ('2x+3', '(x+1)^2', 'not-equivalent', { form: ['expanded'] }).form).toBeNull();
    expect(differ('3^4', '@', 'parse-error', { form: ['power'] }).form).toBeNull();
  });

  it('gives form null on every result that is not about the form', () => {
    expect(checkAnswer('x^2', 'x^2').form).toBeNull();
    expect(checkAnswer('x^2', 'x^2', { form: ['power'] }).form).toBeNull();
    expect(checkAnswer('kite', 'Kite', { form: ['fraction'] })).toMatchObject({ equivalent: true, form: null });
  });
});

describe('the worker path', () => {
  it('applies forms and the alias to options that reach the engine without zod', () => {
    const raw = { ...DEFAULT_ENGINE_OPTIONS, form: ['fraction'] as AnswerForm[] };
    expect(checkWithOptions('\\frac{3}{4}', '0.75', raw)).toMatchObject({ reason: 'wrong-form', form: 'fraction' });
    // Options stored before forms existed carry no `form` at all.
    const old = { kind: 'auto', listOrder: 'unordered', tolerance: { type: 'none' }, requireSimplified: true };
    expect(checkWithOptions('\\frac{3}{4}', '\\frac{6}{8}', old as never)).toMatchObject({
      reason: 'wrong-form',
      form: 'simplified',
    });
  });

  it('gives the same verdicts through the worker pool as in process', async () => {
    const pool = createMathPool({ maxThreads: 1, verdictCacheEntries: 0 });
    try {
      for (const [e, s, form] of [
        ['2x+3', '(x+1)^2-x^2+2', 'expanded'],
        ['3^4', '81', 'power'],
        ['\\frac{3}{4}', '0.75', 'fraction'],
        ['x^2-4', '(x-2)(x+2)', 'factorised'],
      ] as const) {
        const pooled = await pool.check(e, s, { form: [form] });
        expect(pooled).toEqual(checkAnswer(e, s, { form: [form] }));
      }
      expect(await pool.check('\\frac{3}{4}', '\\frac{6}{8}', { requireSimplified: true })).toMatchObject({
        reason: 'wrong-form',
        form: 'simplified',
      });
      expect(await pool.check('1', '1', { form: ['tidy'] } as never)).toMatchObject({
        reason: 'invalid-options',
        form: null,
      });
    } finally {
      await pool.close();
    }
  });
});

describe('simplified', () => {
  both(
    'simplified',
    [
      ['\\frac{3}{4}', '\\frac{3}{4}'],
      ['2\\sqrt{3}', '2\\sqrt{3}'],
      ['x^2+2x+1', '(x+1)^2'],
      // The minus sign typed on the top of the fraction bar.
      ['-\\frac{3}{4}', '\\frac{-3}{4}'],
    ],
    [
      ['\\frac{3}{4}', '\\frac{6}{8}'],
      ['-\\frac{3}{4}', '\\frac{-6}{8}'],
      ['-\\frac{3}{4}', '\\frac{3}{-4}'],
      ['2\\sqrt{3}', '\\sqrt{12}'],
      ['5x', '2x+3x'],
      ['7', '3+4'],
    ],
  );
});

describe('fraction', () => {
  both(
    'fraction',
    [
      ['\\frac{3}{4}', '\\frac{3}{4}'],
      ['\\frac{3}{4}', '3/4'],
      ['\\frac{3}{4}', '\\frac{6}{8}'],
      ['-\\frac{3}{4}', '\\frac{-3}{4}'],
      ['\\frac{7}{4}', '\\frac{7}{4}'],
      ['5', '5'],
      ['\\frac{2x+1}{x(x+1)}', '\\frac{2x+1}{x^2+x}'],
      ['\\frac{\\sqrt{2}}{2}', '\\frac{\\sqrt{2}}{2}'],
      ['2x+1', '2x+1'],
    ],
    [
      ['\\frac{3}{4}', '0.75'],
      ['\\frac{7}{4}', '1\\frac{3}{4}'],
      ['\\frac{3}{4}', '75\\%'],
      ['\\frac{3}{4}', '\\frac{1.5}{2}'],
      ['\\frac{3}{4}', '\\frac{1}{2}+\\frac{1}{4}'],
      ['\\frac{2x+1}{x(x+1)}', '\\frac{1}{x}+\\frac{1}{x+1}'],
      ['\\frac{x+1}{2}', '\\frac{\\frac{x}{2}+\\frac{1}{2}}{1}'],
    ],
  );
});

describe('mixed-number', () => {
  both(
    'mixed-number',
    [
      ['\\frac{5}{2}', '2\\frac{1}{2}'],
      ['\\frac{5}{2}', '2 1/2'],
      ['-\\frac{5}{3}', '-1\\frac{2}{3}'],
      ['\\frac{1}{2}', '\\frac{1}{2}'],
      ['3', '3'],
    ],
    [
      ['\\frac{5}{2}', '\\frac{5}{2}'],
      ['\\frac{5}{2}', '2.5'],
      ['3', '\\frac{6}{2}'],
      ['\\frac{5}{2}', '2+\\frac{1}{2}'],
    ],
  );
});

describe('decimal', () => {
  both(
    'decimal',
    [
      ['\\frac{3}{4}', '0.75'],
      ['\\frac{1}{3}', '0.\\overline{3}'],
      ['-\\frac{1}{8}', '-0.125'],
      ['4', '4'],
      ['\\frac{x}{2}', '0.5x'],
    ],
    [
      ['\\frac{3}{4}', '\\frac{3}{4}'],
      ['2.5', '2\\frac{1}{2}'],
      ['0.0032', '3.2\\times10^{-3}'],
      ['\\frac{x}{2}', '\\frac{x}{2}'],
    ],
  );

  describe('to a number of decimal places', () => {
    both(
      'decimal',
      [
        ['\\pi', '3.14'],
        ['2.5', '2.50'],
        ['-\\sqrt{2}', '-1.41'],
      ],
      [
        ['\\pi', '3.142'],
        ['2.5', '2.5'],
        ['3', '3'],
        ['\\frac{1}{3}', '0.\\overline{3}'],
      ],
      { tolerance: { type: 'decimalPlaces', value: 2 } },
    );
  });

  describe('to a number of significant figures', () => {
    both(
      'decimal',
      [
        ['12345', '12300'],
        ['0.04567', '0.0457'],
        ['3', '3.00'],
        ['299.95', '300'],
        ['299.95', '300.'],
      ],
      [
        ['3', '3'],
        ['0.04567', '0.04570'],
        ['12345', '12300.0'],
      ],
      { tolerance: { type: 'sigfigs', value: 3 } },
    );
  });
});

describe('standard-form', () => {
  both(
    'standard-form',
    [
      ['32000', '3.2\\times10^{4}'],
      ['32000', '3.2\\cdot10^4'],
      ['32000', '3.2*10^4'],
      ['0.00032', '3.2\\times10^{-4}'],
      ['-0.00032', '-3.2\\times10^{-4}'],
      ['500', '5\\times10^{2}'],
    ],
    [
      ['32000', '32000'],
      ['32000', '32\\times10^{3}'],
      ['32000', '0.32\\times10^{5}'],
      ['32000', '10^{4}\\times3.2'],
      ['32000', '3.2\\times10^{2}\\times10^{2}'],
    ],
  );
});

describe('factorised', () => {
  both(
    'factorised',
    [
      ['x^2-x-2', '(x+1)(x-2)'],
      ['2x+6', '2(x+3)'],
      ['x^2-x', 'x(x-1)'],
      ['x^2-4', '(x-2)(x+2)'],
      ['6x^2+9x', '3x(2x+3)'],
      ['x^3-x', 'x(x-1)(x+1)'],
      ['x^2+2x+1', '(x+1)^2'],
      ['-x^2+x+2', '-(x-2)(x+1)'],
      ['-x^2+x+2', '(2-x)(x+1)'],
      ['x^2+1', 'x^2+1'],
      ['x+1', 'x+1'],
      ['x^3-8', '(x-2)(x^2+2x+4)'],
      ['x^4+4', '(x^2+2x+2)(x^2-2x+2)'],
      ['x^2-y^2', '(x-y)(x+y)'],
      ['xy+2x+3y+6', '(x+3)(y+2)'],
      ['x^2y+xy^2', 'xy(x+y)'],
      ['\\frac{x+4}{2}', '\\frac{1}{2}(x+4)'],
      ['360', '2^3\\times3^2\\times5'],
      ['\\sin^2x-1', '(\\sin x-1)(\\sin x+1)'],
    ],
    [
      ['2x^2+2x-4', '(2x+4)(x-1)'],
      ['x^2-4', 'x^2-4'],
      ['x^2-x-2', 'x^2-x-2'],
      ['x^3-x', 'x(x^2-1)'],
      ['6x^2+9x', 'x(6x+9)'],
      ['6x^2+9x', '3(2x^2+3x)'],
      ['x^4-1', '(x^2-1)(x^2+1)'],
      ['x^3-8', 'x^3-8'],
      ['x^4+4', 'x^4+4'],
      ['x^2-y^2', 'x^2-y^2'],
      ['4x^2-9y^2', '4x^2-9y^2'],
      ['x^2+2xy+y^2', 'x^2+2xy+y^2'],
      ['x^2y^2-1', 'x^2y^2-1'],
      ['xy+2x+3y+6', 'xy+2x+3y+6'],
      ['xy+2x+3y+6', 'x(y+2)+3(y+2)'],
      ['\\frac{x+4}{2}', '\\frac{x}{2}+2'],
      ['360', '8\\times45'],
      ['360', '360'],
    ],
  );
});

describe('expanded', () => {
  both(
    'expanded',
    [
      ['x^2+2x+1', 'x^2+2x+1'],
      ['x^2+2x+1', '1+2x+x^2'],
      ['\\frac{x}{2}+\\frac{1}{2}', '\\frac{x}{2}+\\frac{1}{2}'],
      ['\\frac{x}{2}+\\frac{1}{2}', '0.5x+0.5'],
      ['2+\\sqrt{2}', '2+\\sqrt{2}'],
      ['x^2y+xy^2', 'x^2y+xy^2'],
      ['y=2x+2', 'y=2x+2'],
      ['\\frac{1}{x+1}+x', 'x+\\frac{1}{x+1}'],
    ],
    [
      ['x^2+2x+1', '(x+1)^2'],
      ['x^2+2x+1', 'x^2+x+x+1'],
      ['x^2+2x+1', 'x(x+2)+1'],
      ['-x-1', '-(x+1)'],
      ['\\frac{x}{2}+\\frac{1}{2}', '\\frac{x+1}{2}'],
      ['2+\\sqrt{2}', '\\sqrt{2}(\\sqrt{2}+1)'],
      ['x^2y+xy^2', 'xy(x+y)'],
      ['y=2x+2', 'y=2(x+1)'],
      ['x^2+5', 'x^2+2+3'],
    ],
  );
});

describe('power', () => {
  both(
    'power',
    [
      ['3^4', '3^4'],
      ['2^{-3}', '2^{-3}'],
      ['x^{1/2}', 'x^{\\frac{1}{2}}'],
      ['x^8', 'x^8'],
      ['2^{n+3}', '2^{n+3}'],
      ['(-2)^3', '(-2)^3'],
      ['(x+1)^5', '(x+1)^5'],
    ],
    [
      ['3^4', '81'],
      ['3^4', '3\\cdot3\\cdot3\\cdot3'],
      ['3^4', '9^2'],
      ['2^{-3}', '\\frac{1}{8}'],
      ['x^{1/2}', '\\sqrt{x}'],
      ['x^8', '(x^2)^4'],
      ['3^4', '3^{2+2}'],
      ['-8', '-2^3'],
    ],
  );

  it('accepts minus a power where the correct answer is itself minus a power, and only there', () => {
    rightForm('-x^5', '-x^{5}', 'power');
    rightForm('-2^5', '-2^5', 'power');
    wrongForm('(-2)^3', '-2^3', 'power');
    wrongForm('-x^5', '-x^2x^3', 'power');
  });
});

describe('surd', () => {
  both(
    'surd',
    [
      ['2\\sqrt{2}', '2\\sqrt{2}'],
      ['\\frac{\\sqrt{2}}{2}', '\\frac{\\sqrt{2}}{2}'],
      ['3+2\\sqrt{5}', '3+2\\sqrt{5}'],
      ['\\frac{1+\\sqrt{5}}{2}', '\\frac{1+\\sqrt{5}}{2}'],
      ['2\\sqrt[3]{2}', '2\\sqrt[3]{2}'],
      ['\\sqrt{30}', '\\sqrt{30}'],
      ['x=\\pm\\sqrt{8}', 'x=2\\sqrt{2}, x=-2\\sqrt{2}'],
    ],
    [
      ['2\\sqrt{2}', '\\sqrt{8}'],
      ['\\frac{\\sqrt{2}}{2}', '\\frac{1}{\\sqrt{2}}'],
      ['\\sqrt{6}', '\\sqrt{2}\\sqrt{3}'],
      ['4\\sqrt{3}', '3\\sqrt{3}+\\sqrt{3}'],
      ['\\sqrt{2}', '2^{\\frac{1}{2}}'],
      ['2', '\\sqrt{4}'],
      ['\\frac{\\sqrt{3}}{3}', '\\sqrt{\\frac{1}{3}}'],
      ['2\\sqrt[3]{2}', '\\sqrt[3]{16}'],
      ['x=\\pm\\sqrt{8}', 'x=\\sqrt{8}, x=-2\\sqrt{2}'],
    ],
  );

  it('refuses brackets with surds left to multiply out or raise to a power', () => {
    wrongForm('3+2\\sqrt{2}', '(1+\\sqrt{2})^2', 'surd');
    wrongForm('2', '(\\sqrt{2})^2', 'surd');
    wrongForm('5+3\\sqrt{3}', '(2+\\sqrt{3})(1+\\sqrt{3})', 'surd');
    wrongForm('2+\\sqrt{2}', '\\sqrt{2}(\\sqrt{2}+1)', 'surd');
    rightForm('3+2\\sqrt{2}', '3+2\\sqrt{2}', 'surd');
    rightForm('2+2\\sqrt{2}', '2(1+\\sqrt{2})', 'surd');
    rightForm('\\sqrt{2}\\pi', '\\pi\\sqrt{2}', 'surd');
  });
});

describe('exact', () => {
  both(
    'exact',
    [
      ['\\sqrt{2}', '\\sqrt{2}'],
      ['\\frac{\\pi}{4}', '\\frac{\\pi}{4}'],
      ['\\frac{1}{3}', '0.\\overline{3}'],
      ['2.5', '2.5'],
      ['\\frac{3}{4}', '\\frac{3}{4}'],
      // A decimal that is exactly the value is exact: nothing was rounded.
      ['\\frac{3}{4}', '0.75'],
      ['\\frac{5}{2}', '2.5'],
      ['11', '11.0'],
      ['x=\\frac{1}{2}', 'x=0.5'],
      ['\\frac{1}{2},\\frac{1}{3}', '0.5,\\frac{1}{3}'],
    ],
    [
      ['\\sqrt{2}', '1.41421356237'],
      ['\\frac{\\pi}{4}', '0.25\\pi'],
    ],
  );

  it('refuses a rounded decimal of a rational value that only the tolerance lets through', () => {
    const tolerance = { type: 'decimalPlaces', value: 3 } as const;
    wrongForm('\\frac{1}{3}', '0.333', 'exact', { tolerance });
    wrongForm('\\frac{1}{2},\\frac{1}{3}', '0.5,0.333', 'exact', { tolerance });
    rightForm('\\frac{1}{2},\\frac{1}{3}', '0.5,\\frac{1}{3}', 'exact', { tolerance });
  });

  it('refuses a rounded decimal even where the tolerance lets its value through', () => {
    const tolerance = { type: 'decimalPlaces', value: 3 } as const;
    wrongForm('\\sqrt{2}', '1.414', 'exact', { tolerance });
    rightForm('\\sqrt{2}', '\\sqrt{2}', 'exact', { tolerance });
    wrongForm('\\frac{\\pi}{4}', '0.785', 'exact', { tolerance: { type: 'sigfigs', value: 3 } });
  });
});

describe('answers with several values, relations and units', () => {
  it('checks every value: list items, point coordinates, both sides of a relation, ± values', () => {
    rightForm('x=\\pm\\sqrt{8}', 'x=\\pm2\\sqrt{2}', 'surd');
    wrongForm('(\\frac{1}{2}, 3)', '(0.5, 3)', 'fraction');
    rightForm('(\\frac{1}{2}, 3)', '(\\frac{1}{2}, 3)', 'fraction');
    wrongForm('x<\\frac{3}{2}', 'x<1.5', 'fraction');
    wrongForm('\\frac{1}{2}, \\frac{1}{3}', '\\frac{1}{3}, 0.5', 'fraction');
    rightForm('y=x^2+2x', 'y=x(x+2)', 'factorised');
  });

  it('judges the number of a quantity, not its unit', () => {
    rightForm('2.5\\,\\mathrm{km}', '2.5km', 'decimal');
    rightForm('2.5\\,\\mathrm{km}', '2\\frac{1}{2}\\,\\mathrm{km}', 'mixed-number');
    wrongForm('2.5\\,\\mathrm{km}', '2\\frac{1}{2} km', 'decimal');
    rightForm('£2.40', '£2.40', 'decimal', { tolerance: { type: 'decimalPlaces', value: 2 } });
    rightForm('32000\\,\\mathrm{m}', '3.2\\times10^{4}\\,\\mathrm{m}', 'standard-form');
  });
});

describe('forms with hostile input', () => {
  // As in hostile.test.ts: CPU time, fastest of three runs, a fifth of the pool's timeout.
  const FAST_MS = 50;
  function fastest(f: () => CheckResult): { ms: number; result: CheckResult } {
    let ms = Infinity;
    let result = f();
    for (let i = 0; i < 3; i++) {
      const start = process.cpuUsage();
      result = f();
      const used = process.cpuUsage(start);
      ms = Math.min(ms, (used.user + used.system) / 1000);
    }
    return { ms, result };
  }

  const inputs = [
    // Values with many divisors: the factor search gives up within its budget.
    'x^{10}+720720x^5+720720',
    'x^{8}+735134400x^4+735134400',
    '(x^{10}+720720x^5+720720)(x^{10}+720721x^5+720720)(x^{10}+720722x^5+720720)',
    'x^{999}+x+1',
    'x^{1000}-1',
    '2^{1000}x^{1000}+3^{600}',
    `${'(x+1)'.repeat(70)}`,
    Array.from({ length: 40 }, (_, i) => `x^{${i}}`).join('+'),
    '\\sqrt{99999999999}'.repeat(25),
    Array.from({ length: 25 }, (_, i) => `\\sqrt{${i * 7919 + 2}}`).join('+'),
    '170141183460469231731687303715884105727\\times170141183460469231731687303715884105727',
    `${'\\frac{1}{'.repeat(20)}x${'}'.repeat(20)}`,
    '0.\\overline{12345678901234567890123456789}',
  ];

  it.each(inputs.map((s) => [s.slice(0, 50), s] as const))('stays bounded: %s', (_name, input) => {
    for (const form of ANSWER_FORMS) {
      const { ms, result } = fastest(() => checkAnswer(input, input, { form: [form] }));
      expect(result.reason, `${form}: ${result.detail}`).not.toMatch(/internal-error|timeout/);
      expect(['equivalent', 'wrong-form', 'undefined', 'too-complex', 'out-of-bounds']).toContain(result.reason);
      expect(ms, `${form} on ${input.slice(0, 40)} took ${ms.toFixed(1)} ms`).toBeLessThan(FAST_MS);
    }
    const all = fastest(() => checkAnswer(input, input, { form: [...ANSWER_FORMS] }));
    expect(all.ms).toBeLessThan(FAST_MS);
  });

  it('is deterministic: the same answer gets the same verdict every time', () => {
    const e = 'x^{8}+735134400x^4+735134400';
    const first = checkAnswer(e, e, { form: ['factorised'] });
    for (let i = 0; i < 3; i++) expect(checkAnswer(e, e, { form: ['factorised'] })).toEqual(first);
  });
});
