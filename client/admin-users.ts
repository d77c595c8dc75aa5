// Bulk actions on the admin users table: tick users, choose an action, and the
// selection is sent as JSON to /admin/users/bulk with the page's CSRF token in
// the X-CSRF-Token header. The server refuses a selection that includes the
// admin's own account; deleting asks for confirmation first. After success the
// page reloads and shows the server's message.
const CONFIRM: Record<string, (n: number) => string> = {
  delete: (n) =>
    `Delete ${n} ${n === 1 ? 'account' : 'accounts'} with all their answers and points? This cannot be undone.`,
  demote: (n) => `Remove admin rights from ${n} ${n === 1 ? 'user' : 'users'}?`,
  promote: (n) =>
    `Give admin rights to ${n} ${n === 1 ? 'user' : 'users'}? Administrators can change everything on the site.`,
};

function setUp(form: HTMLFormElement): void {
  const status = form.querySelector<HTMLElement>('[data-bulk-status]');
  const select = form.querySelector<HTMLSelectElement>('select[name="action"]');
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  const selectAll = document.querySelector<HTMLInputElement>('[data-select-all]');
  const boxes = () => [...document.querySelectorAll<HTMLInputElement>('input[data-user-id]:not(:disabled)')];
  const say = (text: string) => {
    if (status) status.textContent = text;
  };

  form.hidden = false;
  selectAll?.addEventListener('change', () => {
    for (const box of boxes()) box.checked = selectAll.checked;
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const action = select?.value ?? '';
    const ids = boxes()
      .filter((b) => b.checked)
      .map((b) => Number(b.value));
    if (!action) return say('Choose an action first.');
    if (ids.length === 0) return say('Tick at least one user.');
    const question = CONFIRM[action];
    if (question && !window.confirm(question(ids.length))) return;
    const token = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
    if (button) button.disabled = true;
    say('Working…');
    try {
      const response = await fetch(form.dataset.bulkUrl ?? '/admin/users/bulk', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': token },
        body: JSON.stringify({ action, ids }),
      });
      const data = (await response.json().catch(() => ({}))) as { error?: string };
      if (!response.ok) {
        say(data.error ?? `That did not work (error ${response.status}).`);
        return;
      }
      window.location.reload();
    } catch {
      say('The server could not be reached. Try again.');
    } finally {
      if (button) button.disabled = false;
    }
  });
}

const bulkForm = document.querySelector<HTMLFormElement>('form[data-bulk-form]');
if (bulkForm) setUp(bulkForm);
