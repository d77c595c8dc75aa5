// The on-screen maths keyboard covers the bottom of a phone's screen, where the
// answer's "Check answer" button usually is. While the keyboard is open, the
// page scrolls so that the button of the box being typed in sits just above it
// (MathLive pads the page by the keyboard's height, so there is room to).

interface VirtualKeyboard extends EventTarget {
  readonly visible: boolean;
  /** The keys' plate, in viewport coordinates; empty while hidden. */
  readonly boundingRect: DOMRect;
}

const GAP = 24;

export function keepSubmitAboveKeyboard(): void {
  const keyboard = (window as unknown as { mathVirtualKeyboard?: VirtualKeyboard }).mathVirtualKeyboard;
  if (!keyboard) return;
  let field: Element | null = null;

  const reveal = () => {
    if (!keyboard.visible || !field) return;
    const button = field.closest('form')?.querySelector<HTMLElement>('button[type="submit"]');
    const plate = keyboard.boundingRect;
    if (!button || plate.height === 0) return;
    // While the keyboard slides up its plate is lower than where it comes to rest at the bottom.
    const keyboardTop = Math.min(plate.top, window.innerHeight - plate.height);
    const below = button.getBoundingClientRect().bottom + GAP - keyboardTop;
    if (below > 0) window.scrollBy({ top: below, behavior: 'instant' });
  };

  document.addEventListener('focusin', (event) => {
    const target = event.target as Element | null;
    if (target?.tagName !== 'MATH-FIELD') return;
    field = target;
    // MathLive scrolls the field itself into view on focus; adjust after it.
    requestAnimationFrame(reveal);
  });
  keyboard.addEventListener('virtual-keyboard-toggle', reveal);
  keyboard.addEventListener('geometrychange', reveal);
}
