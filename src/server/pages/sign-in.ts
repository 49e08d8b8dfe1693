// The page a browser gets instead of a page it may not see yet: a token form (401), or why it is refused (403).
import { escapeHtml } from './html.js';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — Vigil</title>
<style>
body { font: 15px system-ui, sans-serif; margin: 0; color: #222; background: #f6f7f9; }
main { max-width: 26rem; margin: 12vh auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
h1 { font-size: 1.3rem; margin-top: 0; }
label { display: block; font-weight: 600; margin-bottom: .4rem; }
input { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; border: 1px solid #bbb; border-radius: 4px; }
button { margin-top: 1rem; padding: .5rem 1.2rem; font: inherit; border: 0; border-radius: 4px; background: #1f5fbf; color: #fff; cursor: pointer; }
#sign-in-message { color: #b3261e; min-height: 1.2em; }
.hint { color: #555; font-size: 13px; }
</style>
<script type="module" src="/assets/session.js"></script>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export function renderSignIn(message: string): string {
  return page(
    'Sign in',
    `<h1>Sign in to Vigil</h1>
<p class="hint">${escapeHtml(message)}</p>
<form id="sign-in">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
<p id="sign-in-message" role="alert"></p>
</form>
<p class="hint">A token comes from whoever runs this server (<code>vigil token new NAME --role viewer</code>).</p>`,
  );
}

export function renderForbidden(message: string, signedInAs: string | null): string {
  return page(
    'Not allowed',
    `<h1>Not allowed</h1>
<p>${escapeHtml(message)}</p>
${signedInAs === null ? '' : `<p class="hint">Signed in as ${escapeHtml(signedInAs)}.</p><button id="sign-out" type="button">Sign out</button>`}`,
  );
}
