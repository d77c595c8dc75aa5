// The admin challenge form: answer boxes are added and removed in place (1 to
// the form's maximum), and every correct-answer input becomes a MathLive
// field. Without JavaScript the form still works: "Add another answer" posts
// the form back with one more empty box (nothing saved), and saved boxes have
// a "Remove this box" checkbox.
import { enhanceMathInputs } from './lib/math-input.js';

const SLOT = '__SLOT__';
const SLOT_ATTRIBUTES = ['id', 'name', 'for', 'aria-describedby', 'data-box-slot'];

function setUp(fieldset: HTMLFieldSetElement): void {
  const list = fieldset.querySelector<HTMLOListElement>('[data-box-list]');
  const template = fieldset.querySelector<HTMLTemplateElement>('#box-template');
  const add = fieldset.querySelector<HTMLButtonElement>('[data-add-box]');
  if (!list || !template || !add) return;
  const max = Number(fieldset.dataset.maxBoxes) || 10;

  const items = () => [...list.querySelectorAll<HTMLLIElement>(':scope > li.box-item')];
  const isRemoved = (li: HTMLLIElement) => li.querySelector<HTMLInputElement>('[data-remove-box]')?.checked === true;

  function renumber(): void {
    let n = 0;
    for (const li of items()) {
      const removed = isRemoved(li);
      li.classList.toggle('is-removed', removed);
      const label = li.querySelector('[data-box-number]');
      if (label) label.textContent = removed ? '(removed)' : String(++n);
    }
    add!.hidden = n >= max;
  }

  function wireNewBox(li: HTMLLIElement): void {
    const remove = li.querySelector<HTMLButtonElement>('[data-remove-new-box]');
    if (!remove) return;
    remove.hidden = false;
    remove.addEventListener('click', () => {
      li.remove();
      renumber();
    });
  }

  add.addEventListener('click', (event) => {
    // Without this script the button posts the form back with one more box.
    event.preventDefault();
    const slot = items().reduce((m, li) => Math.max(m, Number(li.dataset.boxSlot) + 1), 0);
    const fragment = template.content.cloneNode(true) as DocumentFragment;
    for (const el of fragment.querySelectorAll<HTMLElement>('*')) {
      for (const attr of SLOT_ATTRIBUTES) {
        const value = el.getAttribute(attr);
        if (value?.includes(SLOT)) el.setAttribute(attr, value.split(SLOT).join(String(slot)));
      }
    }
    const li = fragment.querySelector<HTMLLIElement>('li.box-item')!;
    list.append(fragment);
    wireNewBox(li);
    enhanceMathInputs(li);
    renumber();
    li.querySelector<HTMLInputElement>('input[type="text"]')?.focus();
  });

  list.addEventListener('change', (event) => {
    if ((event.target as HTMLElement).matches('[data-remove-box]')) renumber();
  });
  for (const li of items()) wireNewBox(li);
  renumber();
}

for (const fieldset of document.querySelectorAll<HTMLFieldSetElement>('fieldset.answer-boxes')) setUp(fieldset);
enhanceMathInputs(document.querySelector('.challenge-form') ?? document);
