// The engine's reading of one answer, for the student's preview in the browser
// ("We read your answer as …"): the same hygiene, parser and bounds the grader
// uses, printed back as LaTeX. Pure and synchronous; it is bundled into the maths
// box's script (client/lib/answer-preview.ts), so it imports only what parsing
// needs: no comparison, no options, no zod.
import { MathInputError } from './errors.js';
import { resetBudget } from './evaluate.js';
import { guardTree } from './guard.js';
import { hygiene } from './hygiene.js';
import { toLatex } from './latex.js';
import { parseMath } from './parser.js';
import type { Reason } from './types.js';

export type { Reason };

export type PreviewResult =
  | { latex: string; error?: undefined; detail?: undefined }
  /** `detail` is the engine's own words, for logs and tests; students see the reason in plain words. */
  | { latex?: undefined; error: Reason; detail: string };

/** How the grader reads `answer`, as LaTeX, or why it cannot read it. Never throws. */
export function previewAnswer(answer: string): PreviewResult {
  resetBudget();
  try {
    const tree = parseMath(hygiene(answer));
    guardTree(tree);
    return { latex: toLatex(tree) };
  } catch (e) {
    if (e instanceof MathInputError) return { error: e.reason, detail: e.message };
    // A RangeError is a stack or size limit of the runtime: as for the grader, too complex.
    return {
      error: e instanceof RangeError ? 'too-complex' : 'internal-error',
      detail: e instanceof Error ? e.message : 'unexpected error',
    };
  }
}
