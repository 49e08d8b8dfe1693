// A failover project with spec.auth: one identity per role (two squads), tokens from the environment except
// the admin's, which is given by its SHA-256 only.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { silentLogger } from '../../src/lib/logger.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { makeFailoverProject } from './failover-project.js';

export const IDENTITIES = {
  viewer: { name: 'vera', token: 'viewer-token-0000000000000001' },
  squad: { name: 'core-bot', token: 'squad-token-00000000000000002' },
  otherSquad: { name: 'web-bot', token: 'web-squad-token-0000000000003' },
  imoc: { name: 'ida', token: 'imoc-token-000000000000000004' },
  admin: { name: 'adam', token: 'admin-token-00000000000000005' },
  prober: { name: 'probe-eu', token: 'prober-token-0000000000000006' },
} as const;

export type IdentityKey = keyof typeof IDENTITIES;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export const AUTH_ENV = {
  T_VIEWER: IDENTITIES.viewer.token,
  T_SQUAD: IDENTITIES.squad.token,
  T_WEB: IDENTITIES.otherSquad.token,
  T_IMOC: IDENTITIES.imoc.token,
  T_PROBER: IDENTITIES.prober.token,
};

export const AUTH_YAML = `    sessionTtl: 1h
    tokens:
      - { name: vera, role: viewer, token: "\${T_VIEWER}" }
      - { name: core-bot, role: squad, squads: [core], token: "\${T_SQUAD}" }
      - { name: web-bot, role: squad, squads: [web], token: "\${T_WEB}" }
      - { name: ida, role: imoc, token: "\${T_IMOC}" }
      - { name: adam, role: admin, sha256: "${sha256(IDENTITIES.admin.token)}" }
      - { name: probe-eu, role: prober, token: "\${T_PROBER}" }`;

export const bearer = (key: IdentityKey) => ({ authorization: `Bearer ${IDENTITIES[key].token}` });

/** An on-demand drill, so the drill routes have one to act on. */
export const DRILL_YAML = `  drills:
    - { name: eu-evacuation, region: eu-west1, hold: 5m, runbook: runbooks/api.md }`;

export async function startAuthServer(options: { server?: string } = {}): Promise<{ server: RunningServer; dir: string; weightsFile: string }> {
  const { dir, weightsFile } = makeFailoverProject({ auth: AUTH_YAML, extra: DRILL_YAML, ...(options.server ? { server: options.server } : {}) });
  const server = await startServer({ configFile: path.join(dir, 'vigil.yaml'), logger: silentLogger(), env: AUTH_ENV });
  return { server, dir, weightsFile };
}
