// Keeps a page current without reloading it: every few seconds (data-live-seconds on <body>) it fetches the
// page again and swaps in each element marked data-live="ID" from the fresh copy. The server stays the one
// renderer. Polling pauses while a dialog is open or the tab is hidden, and stops (with a notice) once the
// session has ended, so an expired sign-in never turns into a loop of failing requests.

const body = document.body;
const seconds = Number(body.dataset.liveSeconds ?? '0');
let timer: number | undefined;
let inFlight = false;

function notice(text: string): void {
  const bar = document.getElementById('live-status');
  if (bar) bar.textContent = text;
}

async function refresh(): Promise<void> {
  if (inFlight || document.hidden || document.querySelector('dialog[open]')) return;
  inFlight = true;
  try {
    const res = await fetch(location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } });
    if (res.status === 401 || res.status === 403) {
      notice('Your session has ended: reload the page to sign in again. Updates stopped.');
      window.clearInterval(timer);
      return;
    }
    if (!res.ok) {
      notice(`Updates paused: the server answered HTTP ${res.status}; retrying.`);
      return;
    }
    const fresh = new DOMParser().parseFromString(await res.text(), 'text/html');
    for (const region of document.querySelectorAll<HTMLElement>('[data-live]')) {
      const replacement = fresh.querySelector(`[data-live="${CSS.escape(region.dataset.live ?? '')}"]`);
      if (replacement) region.replaceWith(document.importNode(replacement, true));
    }
    notice(`Updated ${new Date().toLocaleTimeString()}`);
    document.dispatchEvent(new CustomEvent('vigil:updated'));
  } catch {
    notice('Updates paused: cannot reach the server; retrying.');
  } finally {
    inFlight = false;
  }
}

if (seconds > 0) {
  timer = window.setInterval(() => void refresh(), seconds * 1000);
  document.addEventListener('vigil:refresh', () => void refresh());
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void refresh();
  });
}
