// /api/v1/session: browser sign-in. POST with {"token"} sets the session cookie (httpOnly, SameSite=Strict,
// Secure over HTTPS) and answers with the CSRF token that state-changing requests made with the cookie must
// send in X-CSRF-Token; GET says who is calling; DELETE ends the session.
import type { Response } from 'express';
import { z } from 'zod';
import type { Caller, Guard } from '../auth/guard.js';
import { SESSION_COOKIE, type Sessions } from '../auth/sessions.js';
import type { Identity } from '../auth/tokens.js';
import { ConflictError } from '../errors.js';
import type { RouteHandlers } from './mount.js';
import { parseBody } from './parse.js';

export const signInBody = z.strictObject({ token: z.string().min(1).max(1000) });

function whoJson(identity: Identity, via: Caller['via']) {
  return { identity: identity.name, roles: identity.roles, squads: identity.squads, via };
}

type SessionKey = Extract<keyof RouteHandlers, `${string} /api/v1/session`>;

export function sessionHandlers(guard: Guard, sessions: Sessions): Pick<RouteHandlers, SessionKey> {
  const clearCookie = (res: Response) => res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: '/' });
  return {
    'POST /api/v1/session': async (req, res) => {
      // An open server has nobody to sign in: say so, and who every caller is.
      if (guard.mode === 'open') {
        const caller = await guard.identify(req);
        if (caller) res.json({ ...whoJson(caller.identity, 'open'), csrfToken: null, expiresAt: null });
        return;
      }
      const { token } = parseBody(signInBody, req.body, '{"token": string}');
      const identity = await guard.identifyToken(token, req);
      const started = sessions.start(identity);
      res.cookie(SESSION_COOKIE, started.cookie, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: sessions.ttlMs });
      res.json({ ...whoJson(identity, 'session'), csrfToken: started.csrfToken, expiresAt: new Date(started.record.expiresAt).toISOString() });
    },
    'GET /api/v1/session': (_req, res, caller) => {
      if (!caller) throw new Error('the route table lets no unidentified caller reach GET /api/v1/session');
      const session = caller.session;
      res.json({
        ...whoJson(caller.identity, caller.via),
        csrfToken: session?.csrfToken ?? null,
        expiresAt: session ? new Date(session.record.expiresAt).toISOString() : null,
      });
    },
    'DELETE /api/v1/session': (_req, res, caller) => {
      if (!caller?.session) throw new ConflictError('no session to end: this request was made with a bearer token, not a session cookie');
      sessions.end(caller.session);
      clearCookie(res);
      res.json({ ended: true });
    },
  };
}
