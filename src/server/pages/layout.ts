// The frame every page shares: navigation, who is signed in (with sign-out for a session), the CSRF token
// for the page's scripts, the stylesheet, and live updates (the page's data-live regions are fetched again
// every few seconds by /assets/live.js). Pages give a title, their body and the scripts they need.
import { grants, type Role } from '../auth/roles.js';
import { escapeHtml } from './html.js';

/** Who is looking: a session can sign out, and its CSRF token goes to the page's scripts. */
export interface Viewer {
  name: string;
  roles: readonly Role[];
  csrfToken: string | null;
}

export const NAV = [
  ['/', 'Overview'],
  ['/probes', 'Probes'],
  ['/failover', 'Failover'],
  ['/drills', 'Drills'],
  ['/reports', 'Reports'],
] as const;

export interface PageSpec {
  title: string;
  /** The navigation entry to mark as current. */
  nav: (typeof NAV)[number][0] | null;
  viewer: Viewer;
  body: string;
  /** Scripts from /assets (ES modules) beyond the session and live-update ones. */
  scripts?: readonly string[];
  /** Classic scripts (uPlot) loaded before the modules. */
  classicScripts?: readonly string[];
  styles?: readonly string[];
  /** Fetch the page's live regions again this often; 0 for a page that does not change by itself. */
  liveSeconds?: number;
}

/** Whether the viewer's roles grant `role` (an admin's grant everything), so the page offers its buttons. */
export function canAct(viewer: Viewer, role: 'imoc' | 'admin' | 'squad'): boolean {
  return grants(viewer.roles, [role]);
}

export function renderPage(spec: PageSpec): string {
  const { viewer } = spec;
  const nav = NAV.map(([href, label]) => `<a href="${href}"${href === spec.nav ? ' aria-current="page"' : ''}>${label}</a>`).join('');
  const signOut = viewer.csrfToken === null ? '' : '<button id="sign-out" type="button">Sign out</button>';
  const scripts = ['session.js', 'live.js', ...(spec.scripts ?? [])].map((s) => `<script type="module" src="/assets/${s}"></script>`).join('\n');
  const classic = (spec.classicScripts ?? []).map((s) => `<script src="/assets/${s}"></script>`).join('\n');
  const styles = ['vigil.css', ...(spec.styles ?? [])].map((s) => `<link rel="stylesheet" href="/assets/${s}">`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
${viewer.csrfToken === null ? '' : `<meta name="csrf-token" content="${escapeHtml(viewer.csrfToken)}">`}
<title>${escapeHtml(spec.title)} — Vigil</title>
${styles}
${classic}
${scripts}
</head>
<body data-live-seconds="${spec.liveSeconds ?? 0}">
<header class="top">
<a class="brand" href="/">Vigil</a>
<nav>${nav}</nav>
<span id="live-status" aria-live="polite"></span>
<span class="who">${escapeHtml(viewer.name)} · ${escapeHtml(viewer.roles.join(', ') || 'no role')}${signOut}</span>
</header>
<main>
${spec.body}
</main>
</body>
</html>
`;
}

export const pct = (value: number | null, digits: number): string => (value === null ? '–' : `${(value * 100).toFixed(digits)}%`);

export const isoTime = (iso: string | null): string => (iso === null ? '–' : `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z'))}</time>`);

export function badge(text: string, kind: string = text): string {
  return `<span class="badge ${escapeHtml(kind)}">${escapeHtml(text)}</span>`;
}

/** A confirmation button for the actions script (src/client/actions.ts): the call it makes and what it means. */
export function actionButton(spec: { label: string; path: string; title: string; consequence: string; body?: Record<string, unknown>; danger?: boolean; reason?: boolean; id?: string }): string {
  const attrs = [
    'type="button"',
    'data-action=""',
    `data-path="${escapeHtml(spec.path)}"`,
    `data-title="${escapeHtml(spec.title)}"`,
    `data-consequence="${escapeHtml(spec.consequence)}"`,
    spec.body ? `data-body="${escapeHtml(JSON.stringify(spec.body))}"` : '',
    spec.danger ? 'data-danger="true" class="danger"' : '',
    spec.reason === false ? 'data-reason="none"' : '',
    spec.id ? `id="${escapeHtml(spec.id)}"` : '',
  ].filter((a) => a !== '');
  return `<button ${attrs.join(' ')}>${escapeHtml(spec.label)}</button>`;
}
