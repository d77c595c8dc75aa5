// Progressive enhancement of answer inputs: each <input data-mathfield> (a
// plain text field that works without JavaScript) gets a MathLive field in
// front of it. The input stays in the form as a hidden field that always holds
// the field's LaTeX, so the server sees the same `answer` either way.
// Fonts are self-hosted (/assets/fonts, copied by the client build) and
// sounds are off; MathLive needs no eval, so this runs under the strict CSP.
// Typing follows the plain-text reading of the answer engine (plain-typing.ts).
// (TypeScript resolves 'mathlive' to its server-side build, which lacks the
// element class; the browser build registers it as <math-field>, so the class
// is taken from the registry and described by the little it is used for.)
import 'mathlive';
import { followPlainTyping, sentLatex, type TypingField } from './plain-typing.js';

export interface MathfieldElement extends TypingField {
  value: string;
  getValue(format: 'latex'): string;
}
interface MathfieldClass {
  new (): MathfieldElement;
  fontsDirectory: string | null;
  soundsDirectory: string | null;
}

const MathfieldElement = customElements.get('math-field') as unknown as MathfieldClass;
MathfieldElement.fontsDirectory = '/assets/fonts';
MathfieldElement.soundsDirectory = null;

const ENHANCED = 'mathfieldReady';

function labelText(input: HTMLInputElement): string {
  const label = input.id ? document.querySelector<HTMLLabelElement>(`label[for="${CSS.escape(input.id)}"]`) : null;
  return label?.textContent?.trim() || input.getAttribute('aria-label') || 'Answer';
}

/** The LaTeX the form sends for a field (and the preview reads). */
export function answerLatex(field: MathfieldElement): string {
  return sentLatex(field.getValue('latex'));
}

/** Puts a MathLive field in front of one input; returns the field. */
export function enhanceInput(input: HTMLInputElement): MathfieldElement | null {
  if (input.dataset[ENHANCED]) return null;
  input.dataset[ENHANCED] = '1';
  const field = new MathfieldElement();
  field.value = input.value;
  field.setAttribute('aria-label', labelText(input));
  const describedBy = input.getAttribute('aria-describedby');
  if (describedBy) field.setAttribute('aria-describedby', describedBy);
  if (input.getAttribute('aria-invalid')) field.setAttribute('aria-invalid', input.getAttribute('aria-invalid')!);
  field.classList.add('math-input');
  // The label now points at the math field; the text input becomes its hidden carrier.
  if (input.id) {
    field.id = input.id;
    input.id = `${input.id}-text`;
  }
  input.type = 'hidden';
  input.before(field);
  // MathLive takes options once the field is in the document.
  followPlainTyping(field);

  const sync = () => {
    input.value = answerLatex(field);
  };
  field.addEventListener('input', sync);
  field.addEventListener('change', sync);
  // Enter submits the answer, as it does in a text field.
  field.addEventListener('beforeinput', (event: Event) => {
    if ((event as InputEvent).inputType !== 'insertLineBreak') return;
    event.preventDefault();
    sync();
    input.form?.requestSubmit();
  });
  input.form?.addEventListener('submit', sync);
  return field;
}

/** Enhances every not-yet-enhanced input[data-mathfield] inside `root`. */
export function enhanceMathInputs(root: ParentNode = document): void {
  for (const input of root.querySelectorAll<HTMLInputElement>('input[data-mathfield]')) enhanceInput(input);
}
