// Builds Notifications from the text of a vigil.yaml `spec.notify` list, as the server does, for tests.
import { Registry } from 'prom-client';
import { vigilConfigSchema } from '../../config/kinds/vigil-config.js';
import { parseYamlFile } from '../../config/yaml-document.js';
import { ManualClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/logger.js';
import type { FailoverNotice } from '../notice.js';
import type { NotificationsOptions } from '../notifications.js';
import { notificationsFromConfig } from '../notifications-from-config.js';

export const START = Date.parse('2026-11-01T00:00:00Z');

/** `notify` is the YAML of the list's items, each starting with "- ". */
export function notificationsFor(
  notify: string,
  env: Record<string, string> = {},
  options: Partial<Pick<NotificationsOptions, 'dedupWindowMs' | 'delivery'>> = {},
) {
  const text = `apiVersion: vigil/v1\nkind: Config\nspec:\n  notify:\n${notify
    .trim()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')}\n`;
  const [doc] = parseYamlFile('vigil.yaml', text).documents;
  if (!doc) throw new Error('no YAML document');
  const config = vigilConfigSchema.parse(doc.value).spec;
  const registry = new Registry();
  const clock = new ManualClock(START);
  const notifications = notificationsFromConfig(config.notify, {
    env,
    problemAt: (path, message) => doc.problem(path, message),
    clock,
    logger: silentLogger(),
    registry,
    delivery: { backoffMs: 10, maxBackoffMs: 20, ...options.delivery },
    ...(options.dedupWindowMs === undefined ? {} : { dedupWindowMs: options.dedupWindowMs }),
  });
  return { notifications, registry, clock };
}

/** vigil_notifications_total by "notifier/outcome". */
export async function counts(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('vigil_notifications_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [`${v.labels.notifier}/${v.labels.outcome}`, v.value]));
}

export function notice(partial: Partial<FailoverNotice> & Pick<FailoverNotice, 'event'>): FailoverNotice {
  return {
    region: 'eu-west1',
    rule: null,
    reason: 'receiving region(s) us-central1 started burning during the bake: drain stopped, IMOC alerted',
    actor: 'vigil',
    forced: false,
    weights: { before: { 'eu-west1': 50, 'us-central1': 100 }, after: { 'eu-west1': 50, 'us-central1': 100 } },
    at: '2026-11-01T00:02:00.000Z',
    ...partial,
  };
}
