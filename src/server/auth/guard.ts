// Who is calling and whether they may: the one check every route goes through (routes/mount.ts applies it
// with the role the route table names). A request is identified by its Authorization: Bearer token, else by
// its session cookie; an open server (no tokens configured) treats everyone as an anonymous admin but only
// answers requests addressed to a loopback name, so a web page cannot reach it through DNS rebinding.

import { parse as parseCookies } from 'cookie';
import type { Request } from 'express';
import { ForbiddenError, MissingCredentialsError, TooManyRequestsError, UnauthorizedError } from '../errors.js';
import { type Access, ANONYMOUS, isLoopbackHost } from './access.js';
import { grants, type Role, rolesGranting } from './roles.js';
import { CSRF_HEADER, csrfMatches, type LiveSession, SESSION_COOKIE, type Sessions } from './sessions.js';
import type { Identity } from './tokens.js';
import type { UnknownTokenLimit } from './unknown-token-limit.js';

export interface Caller {
  identity: Identity;
  via: 'token' | 'session' | 'open';
  /** The session the request came with (via session only). */
  session: LiveSession | null;
}

/** What a route needs: nothing, any known identity, or one of these roles. */
export type RouteAccess = 'public' | 'signed-in' | readonly Role[];

const BEARER = /^Bearer ([\x21-\x7e]+)$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface GuardOptions {
  access: Access;
  sessions: Sessions;
  limit: UnknownTokenLimit;
}

export class Guard {
  constructor(private readonly options: GuardOptions) {}

  get mode(): Access['mode'] {
    return this.options.access.mode;
  }

  /**
   * The caller, or null for a request that carries no credential at all. Throws 401 for a bad one, and 429
   * while the address is blocked for guessing.
   */
  async identify(req: Request): Promise<Caller | null> {
    if (this.options.access.mode === 'open') {
      if (!isLoopbackHost(hostName(req.get('host') ?? ''))) {
        throw new ForbiddenError(
          'this server runs without authentication and only answers requests addressed to 127.0.0.1, localhost or [::1]; configure spec.auth to serve other names',
        );
      }
      return { identity: ANONYMOUS, via: 'open', session: null };
    }
    const header = req.get('authorization');
    if (header !== undefined) {
      const token = BEARER.exec(header)?.[1];
      if (token === undefined) return this.refuseGuess(req, 'malformed Authorization header: expected "Bearer TOKEN"');
      return { identity: await this.identifyToken(token, req), via: 'token', session: null };
    }
    const cookie = sessionCookie(req);
    if (cookie === undefined) return null;
    // A stale cookie is not a guess: it is not counted against the address.
    const session = this.options.sessions.find(cookie);
    const identity = session && this.options.access.tokens.current(session.record.identity, session.record.tokenSha256);
    if (session && identity) return { identity, via: 'session', session };
    throw new UnauthorizedError('the session has ended or expired: sign in again');
  }

  /** The identity of a token (a bearer header, or the token given to sign in); unknown ones count against the address. */
  async identifyToken(token: string, req: Request): Promise<Identity> {
    await this.throwWhileBlocked(req);
    const identity = this.options.access.tokens.identify(token);
    if (identity) return identity;
    return this.refuseGuess(req, 'unknown token');
  }

  private async refuseGuess(req: Request, message: string): Promise<never> {
    await this.throwWhileBlocked(req);
    await this.options.limit.noteUnknown(clientAddress(req));
    throw new UnauthorizedError(message);
  }

  private async throwWhileBlocked(req: Request): Promise<void> {
    const address = clientAddress(req);
    const blockedMs = await this.options.limit.blockedForMs(address);
    if (blockedMs === 0) return;
    const seconds = Math.ceil(blockedMs / 1000);
    throw new TooManyRequestsError(`too many requests with unknown tokens from ${address}; try again in ${seconds} s`, seconds);
  }

  /** Throws 401 when the route needs an identity and there is none, 403 when the caller's roles do not grant it. */
  authorize(caller: Caller | null, access: RouteAccess, req: Request): void {
    if (access === 'public') return;
    if (caller === null) throw new MissingCredentialsError('this needs a token: send "Authorization: Bearer TOKEN" (or sign in)');
    if (access !== 'signed-in' && !grants(caller.identity.roles, access)) {
      const needed = rolesGranting(access);
      const roles = needed.length > 1 ? `${needed.slice(0, -1).join(', ')} or ${needed.at(-1)}` : needed.join('');
      throw new ForbiddenError(`${caller.identity.name} (${caller.identity.roles.join(', ')}) may not do this: it needs role ${roles}`);
    }
    if (caller.via === 'session' && caller.session && !SAFE_METHODS.has(req.method)) {
      if (!csrfMatches(caller.session, req.get(CSRF_HEADER))) {
        throw new ForbiddenError(`a change made with a session cookie needs its CSRF token in the ${CSRF_HEADER} header`, 'csrf');
      }
    }
  }
}

function clientAddress(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function sessionCookie(req: Request): string | undefined {
  const header = req.get('cookie');
  if (header === undefined) return undefined;
  return parseCookies(header)[SESSION_COOKIE];
}

/** The host name of a Host header: `127.0.0.1:8080` → 127.0.0.1, `[::1]:8080` → ::1. */
function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/** The identity acting, and whom it says it acts for when that is someone else (recorded beside, never instead). */
export function actorOf(caller: Caller | null, claimed: string | undefined): { actor: string; onBehalfOf?: string } {
  // The route table lets no command through without a caller; an open server's caller is "anonymous".
  const actor = caller?.identity.name ?? ANONYMOUS.name;
  return claimed === undefined || claimed === actor ? { actor } : { actor, onBehalfOf: claimed };
}
