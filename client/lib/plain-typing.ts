// Makes typing in a MathLive field give the reading the same keys give as plain
// text (docs/math-engine.md, "How the maths box reads typing"):
// - before a key is typed at the end of an exponent, denominator, square root or
//   subscript, the field leaves the group when plain text would end it there
//   (typing-rules.ts decides; MathLive's own `moveAfterParent` command moves);
// - a space stays a visible space (`\ `), so `2 1/2` is the mixed number 2½ and
//   `x=3 or x=-3` keeps its word "or", instead of MathLive dropping the space;
// - the inline shortcuts are exactly the names plain text knows (sin, sqrt, pi, <=…),
//   each written as LaTeX the engine reads the same way; MathLive's own list has
//   shortcuts plain text does not share (`xx` for ×, `in` for ∈, `dx`…);
// - a digit typed in an empty exponent stays there (MathLive's smartSuperscript would
//   leave after it, making `2^10` into 2¹0).
// Keys from the virtual keyboard and pasted text are not typing: MathLive handles them.
import { decideKey, keyPiece, NAMES, type GroupKind, type Piece } from './typing-rules.js';

/**
 * The little of MathLive's editing model read here (0.111: `_mathfield.model`).
 * It is not public API, so every use checks the shape; without it the field keeps
 * MathLive's own behaviour, and test/e2e/typing.test.ts fails on an upgrade that
 * changes it. Changes are made only through public commands.
 */
interface Atom {
  type?: string;
  value?: string;
  command?: string;
  parent?: Atom;
  parentBranch?: unknown;
  siblings?: Atom[];
  leftSibling?: Atom;
  hasEmptyBranch?(branch: string): boolean;
}
interface Model {
  position: number;
  mode: string;
  selectionIsCollapsed: boolean;
  at(offset: number): Atom | undefined;
  offsetOf(atom: Atom): number;
}

export interface TypingField extends HTMLElement {
  executeCommand(selector: string): boolean;
  selection: { ranges: Array<[number, number]> };
  insert(latex: string, options?: { format?: 'latex'; selectionMode?: 'after' }): boolean;
  inlineShortcuts: Record<string, string>;
  smartSuperscript: boolean;
  mathModeSpace: string;
}

/** Plain-text operators of more than one key, and `*`, as LaTeX the engine reads the same way. */
const OPERATOR_SHORTCUTS: Readonly<Record<string, string>> = {
  '*': '\\cdot',
  '<=': '\\le',
  '=<': '\\le',
  '>=': '\\ge',
  '=>': '\\ge',
  '!=': '\\ne',
  '<>': '\\ne',
  '+-': '\\pm',
  '+/-': '\\pm',
  '**': '^{#?}',
  '√': '\\sqrt{#?}',
};

const PLAIN_SHORTCUTS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(NAMES.map((n) => [n.name, n.latex])),
  ...OPERATOR_SHORTCUTS,
};

function modelOf(field: TypingField): Model | null {
  const model = (field as unknown as { _mathfield?: { model?: Partial<Model> } })._mathfield?.model;
  const usable =
    typeof model?.at === 'function' && typeof model.offsetOf === 'function' && typeof model.position === 'number';
  return usable ? (model as Model) : null;
}

const SIGNS = new Set(['+', '-', '−', '±', '∓']);

/** What one atom of the group adds, or null for anything these rules do not know. */
function atomPiece(atom: Atom): Piece | null {
  const value = atom.value ?? '';
  switch (atom.type) {
    case 'mord':
      if (/^[0-9]$/.test(value)) return { kind: 'digit', text: value };
      if (value === '.') return { kind: 'dot', text: value };
      if (/^[a-zA-Z]$/.test(value) && (!atom.command || atom.command === value)) return { kind: 'letter', text: value };
      if (value === '!' || value === '%' || value === '°') return { kind: 'postfix', text: value };
      return { kind: 'symbol', text: value };
    case 'mbin':
      return { kind: SIGNS.has(value) ? 'sign' : 'operator', text: value };
    case 'mrel':
    case 'mpunct':
      return { kind: 'operator', text: value };
    case 'operator':
    case 'mop':
      return { kind: 'function', text: value };
    case 'subsup':
      return { kind: 'power', text: '' };
    case 'leftright':
      return { kind: 'bracket', text: '' };
    case 'genfrac':
    case 'surd':
      return { kind: 'group', text: '' };
    case 'mopen':
      return { kind: 'open', text: value };
    case 'mclose':
      return { kind: 'close', text: value };
    case 'space':
    case 'spacing':
      return { kind: 'space', text: '\\ ' };
    default:
      return null;
  }
}

const FRACTIONS = new Set(['\\frac', '\\dfrac', '\\tfrac']);

function groupKind(atom: Atom): GroupKind | null {
  const parent = atom.parent;
  if (!parent) return null;
  if (atom.parentBranch === 'superscript') return 'superscript';
  if (atom.parentBranch === 'subscript') return 'subscript';
  if (parent.type === 'genfrac' && atom.parentBranch === 'below' && FRACTIONS.has(parent.command ?? '')) {
    return 'denominator';
  }
  if (parent.type === 'surd' && atom.parentBranch === 'body') return 'root';
  return null;
}

/**
 * Leaves the group at the caret while plain text would end it before `key`, one
 * level at a time (`2^sqrt2+1`: out of the root, then out of the exponent).
 */
function leaveEndedGroups(field: TypingField, model: Model, key: Piece): void {
  for (let level = 0; level < 32; level++) {
    if (model.mode !== 'math' || !model.selectionIsCollapsed) return;
    const atom = model.at(model.position);
    const siblings = atom?.siblings;
    if (!atom || !siblings || siblings[siblings.length - 1] !== atom) return; // not at the end of a group
    const kind = groupKind(atom);
    if (!kind) return;
    const content: Piece[] = [];
    for (const sibling of siblings) {
      if (sibling.type === 'first') continue;
      const piece = atomPiece(sibling);
      if (!piece) return;
      content.push(piece);
    }
    const decision = decideKey(kind, content, key);
    if (!decision.leave) return;
    // Letters and spaces the reading puts after the group go with the caret.
    const carried = content.slice(content.length - decision.carry);
    const movable = carried.every((p) => p.kind === 'letter' || p.kind === 'space' || p.kind === 'digit');
    if (movable) for (let i = 0; i < carried.length; i++) field.executeCommand('deleteBackward');
    if (!field.executeCommand('moveAfterParent')) return;
    if (movable && carried.length > 0) {
      field.insert(carried.map((p) => p.text).join(''), { format: 'latex', selectionMode: 'after' });
    }
  }
}

/**
 * `/` takes what plain text divides: MathLive's fraction takes the letters and
 * digits before the caret, but nothing after a space or a fraction, where plain
 * text still divides the term so far (`1/2/3` is (1/2)/3, `3 /4` is 3/4).
 * Returns true when it made the fraction itself.
 */
function divideWhatPlainTextDivides(field: TypingField, model: Model): boolean {
  if (model.mode !== 'math' || !model.selectionIsCollapsed) return false;
  const before = () => model.at(model.position);
  for (let spaces = 0; before()?.type === 'space' && spaces < 100; spaces++) field.executeCommand('deleteBackward');
  const fraction = before();
  const start = fraction?.leftSibling ? model.offsetOf(fraction.leftSibling) : -1;
  if (fraction?.type !== 'genfrac' || start < 0) return false;
  field.selection = { ranges: [[start, model.position]] };
  return field.insert('\\frac{#@}{#?}', { format: 'latex' });
}

const INVERSES: Readonly<Record<string, string>> = { '\\sin': '\\arcsin', '\\cos': '\\arccos', '\\tan': '\\arctan' };

/**
 * `asin(`, `acos(`, `atan(`: plain text reads the whole word before a bracket as the
 * inverse function (and `asinx` as a·sin x). The shortcut has already made `a\sin`;
 * when the bracket is typed, the two become `\arcsin`.
 */
function inverseBeforeBracket(field: TypingField, model: Model): void {
  if (model.mode !== 'math' || !model.selectionIsCollapsed) return;
  const fn = model.at(model.position);
  const inverse = INVERSES[fn?.command ?? ''];
  if (!fn || fn.type !== 'operator' || !inverse || fn.hasEmptyBranch?.('superscript') === false) return;
  const a = fn.leftSibling;
  if (a?.type !== 'mord' || a.value !== 'a' || (a.command && a.command !== 'a')) return;
  const before = a.leftSibling;
  if (before?.type === 'mord' && /^[a-zA-Z]$/.test(before.value ?? '')) return; // not a whole word
  field.executeCommand('deleteBackward');
  field.executeCommand('deleteBackward');
  field.insert(inverse, { format: 'latex', selectionMode: 'after' });
}

/**
 * The field's LaTeX as the form sends it: a space typed before or after the
 * answer is left out, as a text field's surrounding spaces are (the engine
 * would see a lone backslash once the trailing space of `\ ` is trimmed).
 */
export function sentLatex(latex: string): string {
  return latex.replace(/^(?:\\ |\s)+|(?:\\ |\s)+$/g, '');
}

/** Sets the field up to read typing as plain text does. */
export function followPlainTyping(field: TypingField): void {
  field.inlineShortcuts = { ...PLAIN_SHORTCUTS };
  field.smartSuperscript = false;
  field.mathModeSpace = '\\ ';
  // Capture phase on the host: this runs before MathLive's own handler inside the
  // field, so the key then lands where the caret has moved to.
  field.addEventListener(
    'keydown',
    (event: KeyboardEvent) => {
      if (event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return;
      const piece = keyPiece(event.key);
      const model = piece ? modelOf(field) : null;
      if (!piece || !model) return;
      leaveEndedGroups(field, model, piece);
      if (event.key === '(') inverseBeforeBracket(field, model);
      if (event.key === '/' && divideWhatPlainTextDivides(field, model)) {
        // The fraction is made: MathLive must not make another.
        event.preventDefault();
      }
    },
    { capture: true },
  );
}
