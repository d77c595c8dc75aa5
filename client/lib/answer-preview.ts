// "We read your answer as: …" beside a maths box: as the student types, the
// answer is read by the engine's own parser (src/math/preview.ts, bundled here)
// and the reading is typeset with KaTeX as MathML, so what the preview shows is
// what the grader will read. An answer the engine cannot read gets a plain hint
// instead. The region is server-rendered with aria-live="polite", so screen
// readers hear the reading when typing pauses; without JavaScript it stays empty.
import { previewAnswer, type Reason } from '../../src/math/preview.js';

/** Typing pauses this long before the answer is read again. */
export const PREVIEW_DELAY_MS = 250;

type Katex = typeof import('katex').default;
let katexLoading: Promise<Katex> | null = null;

/** KaTeX is a chunk of its own, fetched when a preview is first needed. */
function loadKatex(): Promise<Katex> {
  katexLoading ??= import('katex').then((m) => m.default);
  return katexLoading;
}

/** Why an answer cannot be read, in words for a student of 11 or 12. */
export function unreadableHint(reason: Reason, detail: string): string {
  switch (reason) {
    case 'parse-error':
      if (/empty box/.test(detail)) return 'there is an empty box to fill in.';
      if (/missing "[)\]}|]"|unbalanced|\\right|missing argument/.test(detail)) {
        return 'a bracket or a box is opened but not finished.';
      }
      if (/ends too early|needs an argument/.test(detail)) return 'something is missing at the end.';
      if (/two numbers side by side/.test(detail))
        return 'two numbers are next to each other: put a sign between them.';
      return 'part of it is not written the way maths is usually written.';
    case 'unsupported':
    case 'forbidden-command':
      return 'it uses a symbol we do not mark here.';
    case 'html':
      return 'it looks like code, not maths.';
    case 'too-long':
      return 'it is too long.';
    case 'too-deep':
      return 'it has too many brackets inside brackets.';
    case 'too-complex':
    case 'out-of-bounds':
      return 'it is too big for us to check.';
    default:
      return 'it is not written in a way we can read.';
  }
}

function line(className: string, text: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = className;
  span.textContent = text;
  return span;
}

/** Shows the reading of `answer` (LaTeX or plain text) in `region`; empty clears it. */
export async function showReading(region: HTMLElement, answer: string): Promise<void> {
  if (answer.trim() === '') {
    region.replaceChildren();
    return;
  }
  const reading = previewAnswer(answer);
  if (reading.latex === undefined) {
    // An empty answer (only spaces) needs no hint.
    if (reading.error === 'empty') region.replaceChildren();
    else
      region.replaceChildren(
        line('answer-preview-hint', `We can't read this yet: ${unreadableHint(reading.error, reading.detail)}`),
      );
    return;
  }
  const math = document.createElement('span');
  math.className = 'answer-preview-math';
  try {
    const katex = await loadKatex();
    // MathML only: no style attributes (docs/decisions/019-csp-styles.md); the LaTeX is
    // the engine's printing of a parsed tree, and trust stays off all the same.
    katex.render(reading.latex, math, {
      output: 'mathml',
      throwOnError: true,
      trust: false,
      strict: 'ignore',
      maxExpand: 1000,
      maxSize: 10,
    });
  } catch {
    math.replaceChildren(line('answer-preview-source', reading.latex));
  }
  region.replaceChildren(line('answer-preview-label', 'We read your answer as: '), math);
}

/** Reads the field's answer again whenever typing pauses. */
export function previewWhileTyping(field: HTMLElement, read: () => string, region: HTMLElement): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let shown = 0;
  const update = () => {
    const ticket = ++shown;
    const answer = read();
    const target = document.createElement('span');
    void showReading(target, answer).then(() => {
      // A later keystroke's reading may have finished first: only the newest is shown.
      if (ticket === shown) region.replaceChildren(...target.childNodes);
    });
  };
  field.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(update, PREVIEW_DELAY_MS);
  });
  // An answer already in the box (sent back after a refused try) is read at once.
  if (read().trim() !== '') update();
}
