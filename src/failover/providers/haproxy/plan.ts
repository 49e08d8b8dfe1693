// The runtime API commands that take a backend's servers to new region weights, ordered so that the
// backend's total effective weight only rises, then only falls: it never passes through zero mid-apply.
import type { Weights } from '../provider.js';
import { effectiveWeight, type ServerState } from './servers-state.js';

export type ServerCommand =
  | { server: string; action: 'weight'; weight: number }
  | { server: string; action: 'drain' }
  | { server: string; action: 'ready' };

export function commandLine(backend: string, command: ServerCommand): string {
  const target = `${backend}/${command.server}`;
  return command.action === 'weight' ? `set weight ${target} ${command.weight}` : `set server ${target} state ${command.action}`;
}

/** The server's state once HAProxy has carried out `command` (as far as Vigil tracks it). */
export function afterCommand(server: ServerState, command: ServerCommand): ServerState {
  switch (command.action) {
    case 'weight':
      return { ...server, userWeight: command.weight };
    case 'drain':
      return { ...server, drained: true };
    case 'ready':
      // `state ready` ends forced maintenance too; the plan never sends it to a server in maintenance.
      return { ...server, drained: false, maintenance: false };
  }
}

/** Every server's state once all `commands` are carried out. */
export function afterCommands(servers: ReadonlyMap<string, ServerState>, commands: readonly ServerCommand[]): Map<string, ServerState> {
  const after = new Map(servers);
  for (const command of commands) {
    const server = after.get(command.server);
    if (server) after.set(command.server, afterCommand(server, command));
  }
  return after;
}

/**
 * The commands for `weights` (one whole number 0–256 per region): every server of a region gets the
 * region's weight; weight 0 also drains it, a weight above 0 clears Vigil's drain. Servers already in
 * the wanted state get no command. A server in maintenance gets its weight but no `state ready`, since
 * that would also end the maintenance someone else put it in. Regions whose effective weight rises come
 * first, then the ones that fall.
 */
export function planApply(
  servers: ReadonlyMap<string, ServerState>,
  regionServers: Readonly<Record<string, readonly string[]>>,
  weights: Weights,
): ServerCommand[] {
  const raising: ServerCommand[] = [];
  const lowering: ServerCommand[] = [];
  for (const [region, names] of Object.entries(regionServers)) {
    const weight = weights[region];
    if (weight === undefined) continue;
    const commands: ServerCommand[] = [];
    for (const name of names) {
      const server = servers.get(name);
      if (!server) continue;
      if (weight === 0) {
        if (!server.drained) commands.push({ server: name, action: 'drain' });
        if (server.userWeight !== 0) commands.push({ server: name, action: 'weight', weight: 0 });
      } else {
        if (server.userWeight !== weight) commands.push({ server: name, action: 'weight', weight });
        if (server.drained && !server.maintenance) commands.push({ server: name, action: 'ready' });
      }
    }
    const before = totalEffective(servers, names);
    const after = totalEffective(afterCommands(servers, commands), names);
    (after > before ? raising : lowering).push(...commands);
  }
  return [...raising, ...lowering];
}

/**
 * Whether running `commands` leaves the whole backend (every server, mapped to a region or not) without
 * effective weight at the end, or at any point on the way when it had some before: apply refuses those.
 */
export function emptiesBackend(servers: ReadonlyMap<string, ServerState>, commands: readonly ServerCommand[]): boolean {
  const names = [...servers.keys()];
  const state = new Map(servers);
  let total = totalEffective(state, names);
  const hadWeight = total > 0;
  for (const command of commands) {
    const server = state.get(command.server);
    if (server) state.set(command.server, afterCommand(server, command));
    total = totalEffective(state, names);
    if (hadWeight && total === 0) return true;
  }
  return total === 0;
}

function totalEffective(servers: ReadonlyMap<string, ServerState>, names: readonly string[]): number {
  return names.reduce((sum, name) => {
    const server = servers.get(name);
    return sum + (server ? effectiveWeight(server) : 0);
  }, 0);
}
