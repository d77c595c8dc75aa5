// The typing corpus (test/fixtures/math/corpus-typing.json): key sequences a
// student presses in a maths box, each with the reading intended. Here the keys
// are read as plain text by the engine; the browser suite (test/e2e/typing.test.ts)
// types the same keys into the real maths box and checks that its LaTeX reads the
// same way.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hygiene } from '../../../src/math/hygiene.js';
import { checkAnswer } from '../../../src/math/index.js';
import { parseMath } from '../../../src/math/parser.js';
import { previewAnswer } from '../../../src/math/preview.js';
import { printNormalized } from '../../../src/math/print.js';

interface TypingCase {
  id: string;
  keys: string;
  submitted: string;
  expected: string;
  equivalent: boolean;
  category: string;
  note: string;
}

const corpus = JSON.parse(
  readFileSync(new URL('../../fixtures/math/corpus-typing.json', import.meta.url), 'utf8'),
) as TypingCase[];

describe('typing corpus', () => {
  it('has the four headline sequences and at least 50 more, each a typing case with its own id', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(54);
    expect(new Set(corpus.map((c) => c.id)).size).toBe(corpus.length);
    for (const c of corpus) {
      expect(c.id).toMatch(/^T-\d{3}$/);
      expect(c.category).toBe('typing');
      expect(c.note.length, c.id).toBeGreaterThan(0);
      // The plain-text answer is the same keys, so the two ways of typing can be compared.
      expect(c.submitted, c.id).toBe(c.keys);
    }
    expect(corpus.slice(0, 4).map((c) => [c.keys, c.expected])).toEqual([
      ['3/4+1', '\\frac{7}{4}'],
      ['sqrt49-10', '-3'],
      ['2^-3+1', '\\frac{9}{8}'],
      ['2 1/2', '\\frac{5}{2}'],
    ]);
  });

  it.each(corpus.map((c) => [`${c.id} ${c.keys}`, c] as const))('%s reads as intended in plain text', (_, c) => {
    const r = checkAnswer(c.expected, c.submitted);
    expect(r.equivalent, `${c.expected} vs ${c.submitted}: ${r.reason} (${r.detail})`).toBe(c.equivalent);
  });

  it.each(corpus.map((c) => [`${c.id} ${c.keys}`, c] as const))('%s: the preview shows that reading', (_, c) => {
    const preview = previewAnswer(c.submitted);
    expect(preview.error, preview.detail).toBeUndefined();
    const shown = preview.latex ?? '';
    expect(checkAnswer(c.expected, shown).equivalent, `${c.expected} vs preview ${shown}`).toBe(true);
    const reading = (answer: string) => printNormalized(parseMath(hygiene(answer)));
    expect(reading(shown)).toBe(reading(c.submitted));
  });

  it('would catch a misreading: the same keys read as MathLive alone groups them differ', () => {
    // What the box sent before typing followed plain text: a fraction over 4+1, a root over 49-10…
    expect(checkAnswer('\\frac{7}{4}', '\\frac{3}{4+1}').equivalent).toBe(false);
    expect(checkAnswer('-3', '\\sqrt{49-10}').equivalent).toBe(false);
    expect(checkAnswer('\\frac{9}{8}', '2^{-3+1}').equivalent).toBe(false);
    expect(checkAnswer('\\frac{5}{2}', '\\frac{21}{2}').equivalent).toBe(false);
  });
});
