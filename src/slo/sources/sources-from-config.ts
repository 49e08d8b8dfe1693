// The metric sources vigil.yaml configures (spec.sources), created once the environment is expanded, so
// an unset ${NAME} stops the start with file:line:col instead of failing every read.
import type { Problem } from '../../config/problems.js';
import { ConfigError } from '../../config/problems.js';
import type { Path } from '../../config/yaml-document.js';
import type { Clock } from '../../lib/clock.js';
import { expandAll } from '../../lib/env-reference.js';
import type { Logger } from '../../lib/logger.js';
import { SOURCE_KINDS } from './index.js';
import type { MetricSource } from './source.js';

export interface SourcesSetup {
  env: Readonly<Record<string, string | undefined>>;
  problemAt: (at: Path, message: string) => Problem;
  clock: Clock;
  logger: Logger;
}

/** Throws ConfigError when a referenced variable is unset. */
export function sourcesFromConfig(sources: Readonly<Record<string, unknown>>, setup: SourcesSetup): Map<string, MetricSource> {
  const problems: Problem[] = [];
  const created = new Map<string, MetricSource>();
  for (const [kind, config] of Object.entries(sources)) {
    const entry = SOURCE_KINDS.get(kind);
    // The config schema only accepts registered kinds; this guards a registry edited without the schema.
    if (!entry) throw new Error(`unknown source kind "${kind}"`);
    const { value, unset } = expandAll(config, setup.env);
    for (const { path, name } of unset) {
      problems.push(setup.problemAt(['spec', 'sources', kind, ...path], `environment variable ${name} is not set (referenced as \${${name}})`));
    }
    if (unset.length > 0) continue;
    created.set(kind, entry.create(value, { logger: setup.logger.child({ source: kind }), env: setup.env, clock: setup.clock }));
  }
  if (problems.length > 0) {
    for (const source of created.values()) void source.close();
    throw new ConfigError(problems);
  }
  return created;
}
