// The identities the server knows, found by the SHA-256 of the token a request carries. Plain tokens are
// hashed once at start-up and not kept; every lookup compares against every digest in constant time, so
// neither the answer's timing nor an early exit tells how much of a guess was right.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from './roles.js';

export interface Identity {
  /** Recorded as the actor of everything this identity does. */
  name: string;
  roles: readonly Role[];
  /** Role squad: the squads whose alerts it may silence. */
  squads: readonly string[];
  /** Hex SHA-256 of its token: a browser session remembers it, so a rotated token ends its sessions. */
  tokenSha256: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A fresh token: 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export class TokenRegistry {
  private readonly digests: Array<{ digest: Buffer; identity: Identity }>;

  constructor(identities: readonly Identity[]) {
    this.digests = identities.map((identity) => ({ digest: Buffer.from(identity.tokenSha256, 'hex'), identity }));
  }

  get size(): number {
    return this.digests.length;
  }

  identify(token: string): Identity | null {
    const digest = createHash('sha256').update(token, 'utf8').digest();
    let found: Identity | null = null;
    for (const entry of this.digests) {
      if (timingSafeEqual(digest, entry.digest) && found === null) found = entry.identity;
    }
    return found;
  }

  /** The identity named `name` if it still has the token with this digest (sessions check this on every request). */
  current(name: string, tokenSha256: string): Identity | null {
    const entry = this.digests.find((e) => e.identity.name === name);
    const digest = Buffer.from(tokenSha256, 'hex');
    if (!entry || digest.length !== entry.digest.length) return null;
    return timingSafeEqual(entry.digest, digest) ? entry.identity : null;
  }
}
