// Every pair of the shared dev corpus (copied into test/fixtures) is judged right.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkAnswer } from '../../../src/math/index.js';

interface Pair {
  id: string;
  expected: string;
  submitted: string;
  equivalent: boolean;
  category: string;
  note: string;
}

const corpus = JSON.parse(
  readFileSync(new URL('../../fixtures/math/dev-corpus.json', import.meta.url), 'utf8'),
) as Pair[];

describe('dev corpus', () => {
  it('has the 120 pairs of the shared corpus', () => {
    expect(corpus).toHaveLength(120);
    expect(new Set(corpus.map((p) => p.id)).size).toBe(120);
  });

  it.each(corpus.map((p) => [`${p.id} ${p.note}`.trim(), p] as const))('%s', (_name, p) => {
    const r = checkAnswer(p.expected, p.submitted);
    expect(r.equivalent, `${p.expected} vs ${p.submitted}: ${r.reason} (${r.detail})`).toBe(p.equivalent);
    expect(r.reason).not.toBe('internal-error');
  });
});
