// Mounts the route table: for each route, in this order, who is calling (401/429), whether their role may
// (403, and the CSRF check for sessions), the body (415 unless JSON where JSON is expected, 413 past the
// route's limit, 400 for bytes that are not UTF-8 or JSON), then the handler. Other methods on a known
// path answer 405 with Allow.
import { isUtf8 } from 'node:buffer';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { Caller, Guard } from '../auth/guard.js';
import { InputError, MethodNotAllowedError, UnsupportedMediaTypeError } from '../errors.js';
import { ROUTES, type RouteKey, type RouteSpec } from './table.js';

export type RouteHandler = (req: Request, res: Response, caller: Caller | null) => void | Promise<void>;
export type RouteHandlers = { readonly [K in RouteKey]: RouteHandler };

/** Set on res.locals for page routes, so the error handler answers with a page instead of JSON. */
export const PAGE_LOCAL = 'vigilPage';

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

function jsonBody(limit: string): RequestHandler {
  const parse = express.json({
    limit,
    strict: true,
    verify: (_req, _res, buffer) => {
      // body-parser would read an empty body as {}: a request that says JSON must send some.
      if (buffer.length === 0) throw new InputError('the body is empty: send a JSON object');
      if (!isUtf8(buffer)) throw new InputError('the body is not valid UTF-8');
    },
  });
  return (req, res, next) => {
    if (!req.is('application/json')) throw new UnsupportedMediaTypeError('send a JSON body with Content-Type: application/json');
    parse(req, res, next);
  };
}

const noBody: RequestHandler = (req, _res, next) => {
  if (hasBody(req)) throw new UnsupportedMediaTypeError(`${req.method} ${req.path} takes no body`);
  next();
};

function guarded(route: RouteSpec, guard: Guard): RequestHandler {
  return async (req, res, next) => {
    if (route.page) res.locals[PAGE_LOCAL] = true;
    const caller = route.access === 'public' ? null : await guard.identify(req);
    res.locals.caller = caller;
    guard.authorize(caller, route.access, req);
    next();
  };
}

export function mountRoutes(app: Express, handlers: RouteHandlers, guard: Guard): void {
  const methodsByPath = new Map<string, string[]>();
  for (const route of ROUTES as readonly RouteSpec[]) {
    const [method, path] = route.key.split(' ') as [string, string];
    const handler = handlers[route.key as RouteKey];
    const steps: RequestHandler[] = [
      guarded(route, guard),
      route.body === undefined ? noBody : jsonBody(route.body),
      async (req, res) => {
        await handler(req, res, (res.locals.caller as Caller | null | undefined) ?? null);
      },
    ];
    if (method === 'GET') app.get(path, ...steps);
    else if (method === 'POST') app.post(path, ...steps);
    else app.delete(path, ...steps);
    methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), method]);
  }
  for (const [path, methods] of methodsByPath) {
    const allowed = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
    app.all(path, function methodNotAllowed() {
      throw new MethodNotAllowedError(allowed);
    });
  }
}

/**
 * The routes the app answers, as "METHOD /path", read back from Express's router: the access tests compare
 * them with the table, so a route mounted some other way (and so unguarded) is caught.
 */
export function mountedRoutes(app: Express): string[] {
  const routes: string[] = [];
  for (const layer of app.router.stack) {
    // Express's own types leave out a route's methods, which the router keeps on it.
    const route = layer.route as unknown as { path: string; methods: Record<string, boolean>; stack: Array<{ name: string }> } | undefined;
    if (!route || route.stack.some((s) => s.name === 'methodNotAllowed')) continue;
    for (const method of Object.keys(route.methods)) routes.push(`${method.toUpperCase()} ${route.path}`);
  }
  return routes;
}
