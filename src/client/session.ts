// The sign-in form (POST /api/v1/session, then reload) and the sign-out button (DELETE /api/v1/session).
import { ApiError, api } from './dom.js';

const form = document.getElementById('sign-in') as HTMLFormElement | null;
if (form) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const message = document.getElementById('sign-in-message');
    const token = new FormData(form).get('token');
    if (message) message.textContent = 'Signing in…';
    try {
      await api('POST', '/api/v1/session', { token });
      location.reload();
    } catch (error) {
      if (message) message.textContent = error instanceof ApiError ? error.message : `Cannot reach the server: ${String(error)}`;
    }
  });
}

document.getElementById('sign-out')?.addEventListener('click', async () => {
  try {
    await api('DELETE', '/api/v1/session');
  } finally {
    location.reload();
  }
});
