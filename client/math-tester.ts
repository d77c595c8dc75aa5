// The admin math tester: MathLive fields, and the verdict fetched from the
// JSON API without leaving the page (the form still works without JavaScript).
import { enhanceMathInputs } from './lib/math-input.js';

interface Verdict {
  equivalent: boolean;
  expr1_normalized: string | null;
  expr2_normalized: string | null;
  kind: string | null;
  reason: string;
  detail: string;
  /** The required form the answer is not written in, when the reason is "wrong-form". */
  form: string | null;
  error?: string;
}

enhanceMathInputs();

const form = document.querySelector<HTMLFormElement>('#math-tester-form');
const panel = document.querySelector<HTMLElement>('#math-result');
const token = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

function show(build: (panel: HTMLElement) => void): void {
  if (!panel) return;
  panel.replaceChildren();
  const h = document.createElement('h2');
  h.textContent = 'Result';
  panel.append(h);
  build(panel);
  panel.hidden = false;
}

/** The label the page shows beside the form's box (the client does not import the engine's list). */
function formLabel(name: string): string {
  const box = form?.querySelector<HTMLInputElement>(`input[name="form"][value="${CSS.escape(name)}"]`);
  const label = box?.closest('label')?.querySelector('span')?.firstChild?.textContent?.trim();
  return label || name;
}

function row(list: HTMLDListElement, term: string, value: string, key: string): void {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  dd.dataset.result = key;
  list.append(dt, dd);
}

form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  // Every field of this form is text (FormData's type also allows files).
  const text = (name: string, fallback: string) => {
    const value = data.get(name);
    return typeof value === 'string' ? value : fallback;
  };
  const body = {
    expr1: text('expr1', ''),
    expr2: text('expr2', ''),
    options: {
      kind: text('kind', 'auto'),
      listOrder: data.get('listOrder') === 'ordered' ? 'ordered' : 'unordered',
      // The ticked form boxes, in the page's order (the order they are checked in).
      form: data.getAll('form').filter((v): v is string => typeof v === 'string'),
    },
  };
  let verdict: Verdict;
  try {
    const res = await fetch('/api/math/test-equivalence', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
    verdict = (await res.json()) as Verdict;
    if (!res.ok) throw new Error(verdict.error ?? `The server answered ${res.status}.`);
  } catch (err) {
    show((p) => {
      const e = document.createElement('p');
      e.className = 'field-error';
      e.dataset.result = 'error';
      e.textContent = err instanceof Error ? err.message : 'The check failed.';
      p.append(e);
    });
    return;
  }
  show((p) => {
    const v = document.createElement('p');
    v.dataset.result = 'verdict';
    v.className = verdict.equivalent ? 'badge badge-ok' : 'badge badge-locked';
    v.textContent = verdict.equivalent
      ? 'Equivalent: the answer would be marked correct'
      : 'Not equivalent: the answer would be marked wrong';
    const list = document.createElement('dl');
    list.className = 'math-result-list';
    row(list, 'Correct answer read as', verdict.expr1_normalized ?? '(could not be read)', 'expr1');
    row(list, 'Student’s answer read as', verdict.expr2_normalized ?? '(could not be read)', 'expr2');
    row(list, 'Kind', verdict.kind ?? '—', 'kind');
    row(list, 'Reason', verdict.detail ? `${verdict.reason} — ${verdict.detail}` : verdict.reason, 'reason');
    if (verdict.form) row(list, 'Form not met', formLabel(verdict.form), 'form');
    p.append(v, list);
  });
});
