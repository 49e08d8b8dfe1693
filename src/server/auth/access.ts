// How the server decides who is calling, from vigil.yaml and the environment:
// - `tokens`: spec.auth lists identities with roles (the production setup);
// - `ingest-token`: only VIGIL_INGEST_TOKEN, one token that is both prober and imoc (the simple setup);
// - `open`: neither; everyone is an anonymous admin, so this is only allowed on a loopback address.
import { isIP } from 'node:net';
import type { AuthSpec } from '../../config/kinds/auth-spec.js';
import { ConfigError, type Problem } from '../../config/problems.js';
import type { Path } from '../../config/yaml-document.js';
import { expandEnv } from '../../lib/env-reference.js';
import { type Identity, sha256Hex, TokenRegistry } from './tokens.js';

export const ACCESS_MODES = ['tokens', 'ingest-token', 'open'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

/** Shorter plain tokens are refused: a guessable token is no access control. */
export const MIN_TOKEN_LENGTH = 16;
const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;

export interface Access {
  mode: AccessMode;
  tokens: TokenRegistry;
  sessionTtlMs: number;
}

/** The caller of an open server: no token, full rights, only reachable from this machine. */
export const ANONYMOUS: Identity = { name: 'anonymous', roles: ['admin'], squads: [], tokenSha256: '' };

export interface AccessSetup {
  auth: AuthSpec | undefined;
  ingestToken: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** A problem at a path of vigil.yaml (file:line:col). */
  problemAt: (path: Path, message: string) => Problem;
}

/** Throws ConfigError (file:line:col) for an unset or too short token, or two identities sharing one token. */
export function accessFromConfig(setup: AccessSetup): Access {
  if (setup.auth) return tokensAccess(setup.auth, setup);
  if (setup.ingestToken !== undefined && setup.ingestToken !== '') {
    const identity: Identity = { name: 'ingest-token', roles: ['prober', 'imoc'], squads: [], tokenSha256: sha256Hex(setup.ingestToken) };
    return { mode: 'ingest-token', tokens: new TokenRegistry([identity]), sessionTtlMs: DEFAULT_SESSION_TTL_MS };
  }
  return { mode: 'open', tokens: new TokenRegistry([]), sessionTtlMs: DEFAULT_SESSION_TTL_MS };
}

function tokensAccess(auth: AuthSpec, setup: AccessSetup): Access {
  const problems: Problem[] = [];
  const identities: Identity[] = [];
  const owners = new Map<string, string>();
  auth.tokens.forEach((entry, i) => {
    const at = ['spec', 'auth', 'tokens', i];
    let digest = entry.sha256;
    if (entry.token !== undefined) {
      const expanded = expandEnv(entry.token, setup.env);
      if (!expanded.ok) {
        problems.push(setup.problemAt([...at, 'token'], `environment variable ${expanded.missing} is not set (referenced as \${${expanded.missing}})`));
        return;
      }
      if (expanded.text.length < MIN_TOKEN_LENGTH) {
        problems.push(setup.problemAt([...at, 'token'], `the token of "${entry.name}" has ${expanded.text.length} characters; use at least ${MIN_TOKEN_LENGTH} (vigil token new makes one)`));
        return;
      }
      digest = sha256Hex(expanded.text);
    }
    if (digest === undefined) return;
    const owner = owners.get(digest);
    if (owner !== undefined) {
      problems.push(setup.problemAt(at, `"${entry.name}" has the same token as "${owner}": every identity needs its own`));
      return;
    }
    owners.set(digest, entry.name);
    identities.push({ name: entry.name, roles: [entry.role], squads: entry.squads ?? [], tokenSha256: digest });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return { mode: 'tokens', tokens: new TokenRegistry(identities), sessionTtlMs: auth.sessionTtl };
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback; `localhost` by name. Anything else (0.0.0.0, ::, a LAN address) is not. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  const family = isIP(bare);
  if (family === 4) return bare.startsWith('127.');
  if (family === 6) return bare === '::1' || /^::ffff:127\./.test(bare) || bare === '0:0:0:0:0:0:0:1';
  return false;
}
