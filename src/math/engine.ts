// The engine proper, with options already validated. Kept free of zod so worker
// threads start quickly; index.ts adds option validation for direct callers.
import { classify, compareByKind, fitsKind, type Verdict } from './compare.js';
import { MathInputError } from './errors.js';
import { formFailure, requiredForms, type AnswerForm } from './forms.js';
import { resetBudget } from './evaluate.js';
import { guardTree } from './guard.js';
import { hygiene } from './hygiene.js';
import type { AnswerOptions } from './options.js';
import { parseMath } from './parser.js';
import { printNormalized } from './print.js';
import { hashSeed, Sampler } from './sampling.js';
import { looksLikeText, normalizeText, plainText } from './text.js';
import type { AnswerKind, CheckResult, NormalizeResult, Reason } from './types.js';
import type { Node } from './ast.js';

interface State {
  kind: AnswerKind | null;
  normalizedExpected: string | null;
  normalizedSubmitted: string | null;
}

function result(v: Verdict, s: State, form: AnswerForm | null = null): CheckResult {
  return { equivalent: v.equivalent, reason: v.reason, detail: v.detail, ...s, form };
}

function guarded(node: Node): Node {
  guardTree(node);
  return node;
}

/** Errors in the admin's expected answer are reported as such, not as the student's. */
function fromExpected<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof MathInputError) throw new MathInputError('invalid-expected', `expected answer: ${e.message}`);
    throw e;
  }
}

/** checkAnswer with options already validated (see index.ts). Never throws. */
export function checkWithOptions(expected: string, submitted: string, opts: AnswerOptions): CheckResult {
  const state: State = { kind: null, normalizedExpected: null, normalizedSubmitted: null };
  resetBudget();
  try {
    const eClean = fromExpected(() => hygiene(expected));
    let kind = opts.kind;
    if (kind === 'auto' && looksLikeText(eClean)) kind = 'text';
    if (kind === 'text') {
      state.kind = 'text';
      state.normalizedExpected = plainText(eClean);
      const sClean = hygiene(submitted);
      state.normalizedSubmitted = plainText(sClean);
      const same = normalizeText(eClean) === normalizeText(sClean);
      return result(
        {
          equivalent: same,
          reason: same ? 'equivalent' : 'not-equivalent',
          detail: same ? 'equivalent' : 'different words',
        },
        state,
      );
    }
    const eNode: Node = fromExpected(() => guarded(parseMath(eClean)));
    if (kind === 'auto') kind = classify(eNode);
    else if (!fitsKind(kind, eNode)) {
      return result(
        {
          equivalent: false,
          reason: 'invalid-expected',
          detail: `the expected answer is not a${/^[aeiou]/.test(kind) ? 'n' : ''} ${kind}`,
        },
        state,
      );
    }
    state.kind = kind;
    state.normalizedExpected = printNormalized(eNode);
    const sNode = guarded(parseMath(hygiene(submitted)));
    state.normalizedSubmitted = printNormalized(sNode);
    let sampler: Sampler | null = null;
    const sampling = (): Sampler => (sampler ??= new Sampler([eNode, sNode], hashSeed(eClean)));
    const verdict = compareByKind(kind, eNode, sNode, { opts, sampler: sampling });
    // Forms only after the value is right: a wrong value is "not equivalent" whatever its form.
    const forms = requiredForms(opts);
    if (verdict.equivalent && forms.length > 0) {
      const failed = formFailure(forms, { expected: eNode, submitted: sNode, kind, tolerance: opts.tolerance });
      if (failed) return result({ equivalent: false, reason: 'wrong-form', detail: failed.detail }, state, failed.form);
    }
    return result(verdict, state);
  } catch (e) {
    if (e instanceof MathInputError) return result({ equivalent: false, reason: e.reason, detail: e.message }, state);
    // A RangeError here is a stack or size limit of the runtime: treat like any other bound.
    const reason: Reason = e instanceof RangeError ? 'too-complex' : 'internal-error';
    return result({ equivalent: false, reason, detail: e instanceof Error ? e.message : 'unexpected error' }, state);
  }
}

/** How the engine reads one answer: its kind and a canonical plain-text form. */
export function normalizeAnswer(expression: string): NormalizeResult {
  const original = typeof expression === 'string' ? expression : '';
  resetBudget();
  try {
    const clean = hygiene(expression);
    if (looksLikeText(clean)) {
      return { original, normalized: plainText(clean), kind: 'text', error: null, detail: 'read as a word' };
    }
    const node = guarded(parseMath(clean));
    const kind = classify(node);
    return { original, normalized: printNormalized(node), kind, error: null, detail: `read as ${kind}` };
  } catch (e) {
    if (e instanceof MathInputError)
      return { original, normalized: null, kind: null, error: e.reason, detail: e.message };
    const reason: Reason = e instanceof RangeError ? 'too-complex' : 'internal-error';
    return {
      original,
      normalized: null,
      kind: null,
      error: reason,
      detail: e instanceof Error ? e.message : 'unexpected error',
    };
  }
}
