// The files pages load from /assets/NAME: the page scripts compiled from src/client into dist/client (by
// `npm run build`, which `npm ci` runs), uPlot's script and styles from its package, and Vigil's stylesheet.
// Pages carry no inline script (the Content-Security-Policy allows scripts from this server only); the CSRF
// token of a session reaches the scripts in a <meta> tag. Files are read once and kept.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STYLESHEET } from './styles.js';

export interface Asset {
  type: string;
  body: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const require = createRequire(import.meta.url);

/** The package's root (where package.json is), from this file in src/ (tests) or dist/ (the binary). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the package root above the server');
    dir = parent;
  }
  return dir;
}

/** Scripts compiled from src/client, by file name. */
export const CLIENT_SCRIPTS = ['dom.js', 'live.js', 'session.js', 'overview.js', 'actions.js', 'slo-detail.js'] as const;

const sources: ReadonlyMap<string, { type: string; path: () => string }> = new Map([
  ...CLIENT_SCRIPTS.map((name) => [name, { type: JS, path: () => join(packageRoot(), 'dist', 'client', name) }] as const),
  ['uplot.js', { type: JS, path: () => require.resolve('uplot/dist/uPlot.iife.min.js') }],
  ['uplot.css', { type: CSS, path: () => require.resolve('uplot/dist/uPlot.min.css') }],
]);

const cache = new Map<string, Asset>([['vigil.css', { type: CSS, body: STYLESHEET }]]);

/** The asset called `name`, or undefined when there is none (or its file was never built). */
export function assetNamed(name: string): Asset | undefined {
  const cached = cache.get(name);
  if (cached) return cached;
  const source = sources.get(name);
  if (!source) return undefined;
  const path = source.path();
  if (!existsSync(path)) return undefined;
  const asset = { type: source.type, body: readFileSync(path, 'utf8') };
  cache.set(name, asset);
  return asset;
}
