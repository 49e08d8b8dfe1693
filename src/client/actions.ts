// The IMOC's buttons (drain, restore, pause, resume; start, approve and abort a drill). Each one is a
// <button data-action> that names its API call; clicking it opens a confirmation dialog that says what will
// happen and requires a reason, and only the dialog's confirm button sends the request. The server decides
// (roles, safety rules); the dialog shows its answer, including the rule that blocked a command.
import { ApiError, api, el, refreshNow } from './dom.js';

interface ActionSpec {
  path: string;
  title: string;
  consequence: string;
  body: Record<string, unknown>;
  needsReason: boolean;
  danger: boolean;
}

function specOf(button: HTMLButtonElement): ActionSpec {
  const d = button.dataset;
  return {
    path: d.path ?? '',
    title: d.title ?? button.textContent ?? 'Confirm',
    consequence: d.consequence ?? '',
    body: d.body ? (JSON.parse(d.body) as Record<string, unknown>) : {},
    needsReason: d.reason !== 'none',
    danger: d.danger === 'true',
  };
}

function confirmDialog(spec: ActionSpec): HTMLDialogElement {
  const reason = el('textarea', { name: 'reason', id: 'action-reason', rows: '3', maxlength: '500', placeholder: 'Why (recorded in the audit log)' });
  if (spec.needsReason) reason.setAttribute('aria-required', 'true');
  const message = el('p', { class: 'dialog-message', role: 'alert' });
  const confirm = el('button', { type: 'submit', class: spec.danger ? 'danger' : 'primary', id: 'action-confirm' }, spec.title);
  const cancel = el('button', { type: 'button', id: 'action-cancel' }, 'Cancel');
  const form = el(
    'form',
    { method: 'dialog' },
    el('h2', {}, spec.title),
    el('p', {}, spec.consequence),
    spec.needsReason ? el('label', { for: 'action-reason' }, 'Reason (required)') : null,
    spec.needsReason ? reason : null,
    message,
    el('div', { class: 'dialog-buttons' }, cancel, confirm),
  );
  const dialog = el('dialog', { class: 'confirm' }, form);
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = reason.value.trim();
    if (spec.needsReason && text.length === 0) {
      message.textContent = 'Give a reason: it goes into the audit log.';
      return;
    }
    confirm.disabled = true;
    message.textContent = 'Sending…';
    try {
      await api('POST', spec.path, spec.needsReason ? { ...spec.body, reason: text } : spec.body);
      dialog.close();
      refreshNow();
    } catch (error) {
      message.textContent = error instanceof ApiError ? `Not done: ${error.message}` : `Cannot reach the server: ${String(error)}`;
      confirm.disabled = false;
    }
  });
  return dialog;
}

// Delegated, so buttons that arrive with a live update work too.
document.addEventListener('click', (event) => {
  const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-action]');
  if (!button) return;
  const dialog = confirmDialog(specOf(button));
  document.body.append(dialog);
  dialog.showModal();
});
