// Every pair of the shared dev corpus (copied into test/fixtures) and of every
// test/fixtures/math/corpus-*.json beside it is judged right: the verdict, and the
// reason and form where the entry names them.
import { describe, expect, it } from 'vitest';
import { ANSWER_FORMS, checkAnswer } from '../../../src/math/index.js';
import { DEV_CORPUS, loadMathCorpora, type CorpusEntry } from '../../helpers/math-corpus.js';

const corpora = loadMathCorpora();

function judge(p: CorpusEntry): void {
  const r = checkAnswer(p.expected, p.submitted, p.options);
  const seen = `${p.expected} vs ${p.submitted}: ${r.reason} (${r.detail})`;
  expect(r.equivalent, seen).toBe(p.equivalent);
  expect(r.reason).not.toBe('internal-error');
  if (p.reason !== undefined) expect(r.reason, seen).toBe(p.reason);
  if (p.form !== undefined) expect(r.form, seen).toBe(p.form);
}

describe('dev corpus', () => {
  const dev = corpora.find((c) => c.name === DEV_CORPUS)?.entries ?? [];

  it('has the 120 pairs of the shared corpus', () => {
    expect(dev).toHaveLength(120);
    expect(new Set(dev.map((p) => p.id)).size).toBe(120);
  });

  it.each(dev.map((p) => [`${p.id} ${p.note ?? ''}`.trim(), p] as const))('%s', (_name, p) => judge(p));
});

describe.each(corpora.filter((c) => c.name !== DEV_CORPUS).map((c) => [c.name, c] as const))('%s', (_name, corpus) => {
  it('is not empty', () => {
    expect(corpus.entries.length).toBeGreaterThan(0);
  });

  it.each(corpus.entries.map((p) => [`${p.id} ${p.note ?? ''}`.trim(), p] as const))('%s', (_n, p) => judge(p));
});

describe('the forms corpus', () => {
  const forms = corpora.find((c) => c.name === 'corpus-forms.json')?.entries ?? [];

  it('has at least 60 cases, with every form both accepted and refused', () => {
    expect(forms.length).toBeGreaterThanOrEqual(60);
    for (const form of ANSWER_FORMS) {
      const uses = forms.filter((p) => JSON.stringify(p.options?.form ?? []).includes(`"${form}"`));
      expect(
        uses.some((p) => p.equivalent),
        `${form} accepted`,
      ).toBe(true);
      expect(
        forms.some((p) => p.reason === 'wrong-form' && p.form === form),
        `${form} refused`,
      ).toBe(true);
    }
  });
});
