// Builds the notifiers of `spec.notify` when the server starts: `${NAME}` references are expanded from the
// environment here (a reference to an unset variable is a config error pointing at the field), and each
// expanded entry is checked again by its kind's schema (a URL only known once expanded).
import { ConfigError, type Problem } from '../config/problems.js';
import type { Path } from '../config/yaml-document.js';
import { expandAll } from '../lib/env-reference.js';
import { NOTIFIER_KINDS } from './index.js';
import { Notifications, type NotificationsOptions } from './notifications.js';
import type { Notifier } from './notifier.js';

export interface NotifyEntry {
  kind: string;
  config: unknown;
}

export interface NotificationsSetup extends Omit<NotificationsOptions, 'notifiers'> {
  env: Readonly<Record<string, string | undefined>>;
  /** A problem located at `spec.notify[i]…` in vigil.yaml. */
  problemAt: (path: Path, message: string) => Problem;
}

/** The notifiers' metric labels: their `name`, else the kind, numbered from the second of a kind on. */
function labels(entries: readonly NotifyEntry[]): string[] {
  const seen = new Map<string, number>();
  return entries.map(({ kind, config }) => {
    const named = (config as { name?: string }).name;
    if (named) return named;
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    return n === 1 ? kind : `${kind}-${n}`;
  });
}

/** Throws ConfigError (file:line:col) when a referenced variable is unset or an expanded value is invalid. */
export function notificationsFromConfig(entries: readonly NotifyEntry[], setup: NotificationsSetup): Notifications {
  const problems: Problem[] = [];
  const notifiers: Notifier[] = [];
  entries.forEach((entry, i) => {
    const kind = NOTIFIER_KINDS.get(entry.kind);
    // The config schema only accepts registered kinds; this guards a registry edited without the schema.
    if (!kind) throw new Error(`unknown notifier kind "${entry.kind}"`);
    const { value, unset } = expandAll(entry.config, setup.env);
    for (const { path, name } of unset) {
      problems.push(setup.problemAt(['spec', 'notify', i, ...path], `environment variable ${name} is not set (referenced as \${${name}})`));
    }
    if (unset.length > 0) return;
    const parsed = kind.schema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
        problems.push(setup.problemAt(['spec', 'notify', i, ...path], `once the environment is expanded: ${issue.message}`));
      }
      return;
    }
    notifiers.push(kind.create(parsed.data));
  });
  if (problems.length > 0) throw new ConfigError(problems);
  const names = labels(entries);
  return new Notifications({ ...setup, notifiers: notifiers.map((notifier, i) => ({ name: names[i] ?? notifier.kind, notifier })) });
}
