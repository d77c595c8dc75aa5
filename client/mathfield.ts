// Challenge and competition pages: every answer input becomes a MathLive field,
// and the box's preview region shows how the answer will be read as it is typed.
import { keepSubmitAboveKeyboard } from './lib/keyboard-reach.js';
import { previewWhileTyping } from './lib/answer-preview.js';
import { answerLatex, enhanceInput } from './lib/math-input.js';

for (const input of document.querySelectorAll<HTMLInputElement>('input[data-mathfield]')) {
  const field = enhanceInput(input);
  const region = input.form?.querySelector<HTMLElement>('[data-answer-preview]');
  if (field && region) previewWhileTyping(field, () => answerLatex(field), region);
}
keepSubmitAboveKeyboard();
