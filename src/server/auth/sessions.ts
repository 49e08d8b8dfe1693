// Browser sessions: POST /api/v1/session with a token sets an httpOnly, SameSite=Strict cookie holding a
// random session id signed with the server's key. Its CSRF token is an HMAC of the session id under the same
// key, so pages rendered for the session can carry it and every state-changing request made with the cookie
// must repeat it in the X-CSRF-Token header; a cross-site page can neither read nor compute it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sign, unsign } from 'cookie-signature';
import type { Clock } from '../../lib/clock.js';
import type { SessionRecord, SessionStore } from '../../store/session-store.js';
import { type Identity, sha256Hex } from './tokens.js';

export const SESSION_COOKIE = 'vigil_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface LiveSession {
  record: SessionRecord;
  csrfToken: string;
}

export interface StartedSession extends LiveSession {
  /** The cookie's value: the session id and its signature. */
  cookie: string;
}

export interface SessionsOptions {
  store: SessionStore;
  clock: Clock;
  ttlMs: number;
}

export class Sessions {
  private readonly key: string;

  constructor(private readonly options: SessionsOptions) {
    this.key = options.store.secret('session-cookie-key');
  }

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  start(identity: Identity): StartedSession {
    const id = randomBytes(32).toString('base64url');
    const now = this.options.clock.now();
    const record: SessionRecord = { idSha256: sha256Hex(id), identity: identity.name, tokenSha256: identity.tokenSha256, createdAt: now, expiresAt: now + this.options.ttlMs };
    this.options.store.create(record, now);
    return { record, cookie: sign(id, this.key), csrfToken: this.csrfOf(id) };
  }

  /** The live session a cookie value stands for; null when the signature is wrong, or it ended or expired. */
  find(cookie: string): LiveSession | null {
    const id = unsign(cookie, this.key);
    if (id === false) return null;
    const record = this.options.store.live(sha256Hex(id), this.options.clock.now());
    return record === null ? null : { record, csrfToken: this.csrfOf(id) };
  }

  end(session: LiveSession): void {
    this.options.store.end(session.record.idSha256, this.options.clock.now());
  }

  private csrfOf(id: string): string {
    return createHmac('sha256', this.key).update(`csrf:${id}`).digest('base64url');
  }
}

export function csrfMatches(session: LiveSession, header: string | undefined): boolean {
  if (header === undefined) return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(session.csrfToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
