// Parses the answer to `show servers state <backend>` (format version 1) into per-server admin state and weight.

/** srv_admin_state bits (HAProxy's SRV_ADMF_*): forced/inherited/config/resolver/hostname maintenance. */
const MAINT_BITS = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
/** SRV_ADMF_FDRAIN | SRV_ADMF_IDRAIN. */
const DRAIN_BITS = 0x08 | 0x10;

export interface ServerState {
  name: string;
  /** The weight set by `set weight` (or the config): srv_uweight. */
  userWeight: number;
  drained: boolean;
  maintenance: boolean;
}

export class ServersStateError extends Error {
  override name = 'ServersStateError';
}

export function parseServersState(answer: string, backend: string): Map<string, ServerState> {
  const lines = answer.split('\n').filter((line) => line.trim() !== '');
  if (lines[0]?.trim() !== '1') {
    throw new ServersStateError(`"show servers state ${backend}" failed: ${lines.length === 0 ? 'empty answer' : lines.join(' ').slice(0, 200)}`);
  }
  const header = lines[1];
  if (!header?.startsWith('# ')) throw new ServersStateError(`no column header in the answer to "show servers state ${backend}"`);
  const columns = header.slice(2).trim().split(/\s+/);
  const column = (name: string) => {
    const index = columns.indexOf(name);
    if (index === -1) throw new ServersStateError(`no ${name} column in the answer to "show servers state ${backend}"`);
    return index;
  };
  const at = { backend: column('be_name'), name: column('srv_name'), admin: column('srv_admin_state'), weight: column('srv_uweight') };
  const servers = new Map<string, ServerState>();
  for (const line of lines.slice(2)) {
    if (line.startsWith('#')) continue;
    const fields = line.trim().split(/\s+/);
    if (fields.length < columns.length) throw new ServersStateError(`row with ${fields.length} of ${columns.length} columns in the answer to "show servers state ${backend}": ${line}`);
    if (fields[at.backend] !== backend) continue;
    const admin = Number(fields[at.admin]);
    const userWeight = Number(fields[at.weight]);
    const name = fields[at.name];
    if (name === undefined || !Number.isInteger(admin) || !Number.isInteger(userWeight)) throw new ServersStateError(`unreadable row in the answer to "show servers state ${backend}": ${line}`);
    servers.set(name, { name, userWeight, drained: (admin & DRAIN_BITS) !== 0, maintenance: (admin & MAINT_BITS) !== 0 });
  }
  return servers;
}

/** The share of new traffic the server takes relative to the others: 0 while drained or in maintenance. */
export function effectiveWeight(server: ServerState): number {
  return server.drained || server.maintenance ? 0 : server.userWeight;
}
