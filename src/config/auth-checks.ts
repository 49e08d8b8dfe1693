// Checks of vigil.yaml's spec.auth that the schema alone cannot make: tokens written into the file (a
// secret in the repository), squads that own no SLO (a typo leaves the identity unable to silence anything).
import { hasReference } from '../lib/env-reference.js';
import type { LoadedItem } from './kinds/index.js';
import type { Problem } from './problems.js';
import { didYouMean } from './schema-problems.js';

export function authProblems(items: readonly LoadedItem[]): Problem[] {
  const squads = new Set(items.flatMap((item) => (item.type === 'slo' ? [item.definition.squad] : [])));
  const problems: Problem[] = [];
  for (const item of items) {
    if (item.type !== 'config' || !item.config.auth) continue;
    item.config.auth.tokens.forEach((entry, i) => {
      const at = ['spec', 'auth', 'tokens', i];
      if (entry.token !== undefined && !hasReference(entry.token)) {
        problems.push(
          item.doc.problem([...at, 'token'], `the token of "${entry.name}" is written in the file: reference the environment ("\${NAME}") or give only its sha256 (vigil token new)`, {
            severity: 'warning',
          }),
        );
      }
      if (squads.size === 0) return;
      (entry.squads ?? []).forEach((squad, j) => {
        if (!squads.has(squad)) {
          problems.push(item.doc.problem([...at, 'squads', j], `no SLO belongs to squad "${squad}"${didYouMean(squad, [...squads])}`, { severity: 'warning' }));
        }
      });
    });
  }
  return problems;
}
