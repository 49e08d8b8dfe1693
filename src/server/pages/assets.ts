// The pages' scripts, served from /assets/NAME. Pages carry no inline script (the Content-Security-Policy
// allows scripts from this server only); the CSRF token of a session reaches the scripts in a <meta> tag.
export interface Asset {
  type: string;
  body: string;
}

/** Sign-in form and sign-out button: POST / DELETE /api/v1/session, then reload. */
const SESSION_SCRIPT = `
'use strict';
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
  const form = document.getElementById('sign-in');
  if (form) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const message = document.getElementById('sign-in-message');
      const token = new FormData(form).get('token');
      message.textContent = 'Signing in…';
      try {
        const res = await fetch('/api/v1/session', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token }),
          credentials: 'same-origin',
        });
        const body = await res.json();
        if (res.ok) { location.reload(); return; }
        message.textContent = body?.error?.message ?? 'HTTP ' + res.status;
      } catch (error) {
        message.textContent = 'Cannot reach the server: ' + error;
      }
    });
  }
  const signOut = document.getElementById('sign-out');
  if (signOut) {
    signOut.addEventListener('click', async () => {
      await fetch('/api/v1/session', { method: 'DELETE', headers: { 'x-csrf-token': csrf }, credentials: 'same-origin' });
      location.reload();
    });
  }
})();
`;

export const ASSETS: ReadonlyMap<string, Asset> = new Map([['session.js', { type: 'text/javascript; charset=utf-8', body: SESSION_SCRIPT }]]);
