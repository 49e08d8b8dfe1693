// What each role may do, as the roles it stands in for: a route names the role it needs, and a caller is let
// through when one of its roles grants that one. The route table (routes/table.ts) is the one place that
// says which route needs which role.
import { ROLES, type Role } from '../../config/kinds/auth-spec.js';

export { ROLES, type Role };

/** The roles each role grants: imoc and squad read like a viewer; admin is everything; prober only ships. */
const GRANTS: Readonly<Record<Role, readonly Role[]>> = {
  viewer: ['viewer'],
  squad: ['squad', 'viewer'],
  imoc: ['imoc', 'viewer'],
  admin: ROLES,
  prober: ['prober'],
};

export function grants(roles: readonly Role[], needed: readonly Role[]): boolean {
  return roles.some((role) => needed.some((n) => GRANTS[role].includes(n)));
}

/** Every role that would be let through, the needed ones first, for a 403 that names them: "imoc or admin". */
export function rolesGranting(needed: readonly Role[]): Role[] {
  return [...needed, ...ROLES.filter((role) => !needed.includes(role) && grants([role], needed))];
}

/** Whether roles with these squads may act on an SLO owned by `squad` (silence its alerts): its squad, or an admin. */
export function actsForSquad(roles: readonly Role[], squads: readonly string[], squad: string): boolean {
  return roles.includes('admin') || (roles.includes('squad') && squads.includes(squad));
}
