// Sloth specs (`version: prometheus/v1` files and Kubernetes `PrometheusServiceLevel` objects) mapped to
// native vigil/v1 SLO documents, one per Sloth SLO. Vigil counts good and total events, so an
// `error_query` maps only when it selects total's counter plus one matcher whose negation selects the
// good events; everything else is refused at its file:line:col with the reason.
import { z } from 'zod';
import { rfc1123Label } from '../config/fields.js';
import type { Problem } from '../config/problems.js';
import { schemaProblems } from '../config/schema-problems.js';
import type { Path, YamlDocument } from '../config/yaml-document.js';
import { counterSelector, formatSelector, goodFromErrors, PromqlShapeError } from '../lib/promql-selector.js';
import type { SourcePosition } from '../slo/model.js';

const labels = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional();
const alert = z.looseObject({ disable: z.boolean().optional() }).optional();
const objective = z.number().gt(0, 'must be a percentage in (0, 100)').lt(100, 'must be a percentage in (0, 100)');

interface ReadAlerting {
  name?: string;
  pageDisabled: boolean;
  ticketDisabled: boolean;
}

/**
 * A Sloth SLO in either dialect; `events` and `alerting` spell their keys as the dialect does and are
 * read into one shape, so the mapping below never asks which dialect it had.
 */
function sloSchema<E extends z.ZodType<{ error: string; total: string }>, A extends z.ZodType<ReadAlerting>>(events: E, alerting: A) {
  return z.looseObject({
    name: z.string().min(1),
    objective,
    description: z.string().optional(),
    labels,
    sli: z.looseObject({ events: events.optional(), raw: z.unknown().optional(), plugin: z.unknown().optional() }),
    alerting: alerting.optional(),
  });
}

type Alert = z.output<typeof alert>;

function readAlerting(name: string | undefined, page: Alert, ticket: Alert): ReadAlerting {
  return { name, pageDisabled: page?.disable === true, ticketDisabled: ticket?.disable === true };
}

const query = z.string().min(1);

const plainSlo = sloSchema(
  z.looseObject({ error_query: query, total_query: query }).transform((e) => ({ error: e.error_query, total: e.total_query })),
  z
    .looseObject({ name: z.string().optional(), page_alert: alert, ticket_alert: alert })
    .transform((a) => readAlerting(a.name, a.page_alert, a.ticket_alert)),
);

const k8sSlo = sloSchema(
  z.looseObject({ errorQuery: query, totalQuery: query }).transform((e) => ({ error: e.errorQuery, total: e.totalQuery })),
  z
    .looseObject({ name: z.string().optional(), pageAlert: alert, ticketAlert: alert })
    .transform((a) => readAlerting(a.name, a.pageAlert, a.ticketAlert)),
);

export const slothSpecSchema = z.looseObject({
  version: z.literal('prometheus/v1'),
  service: z.string().min(1),
  labels,
  slos: z.array(plainSlo).min(1, 'must list at least one SLO'),
});

export const slothK8sSchema = z.looseObject({
  apiVersion: z.literal('sloth.slok.dev/v1'),
  kind: z.literal('PrometheusServiceLevel'),
  spec: z.looseObject({ service: z.string().min(1), labels, slos: z.array(k8sSlo).min(1, 'must list at least one SLO') }),
});

/** Both dialects reduced to what the mapping reads, with the paths to report problems at. */
interface SlothSlo {
  name: string;
  objective: number;
  description?: string;
  labels: Record<string, string>;
  events?: { error: string; total: string };
  hasRaw: boolean;
  hasPlugin: boolean;
  pageDisabled: boolean;
  ticketDisabled: boolean;
  alertName?: string;
  path: Path;
  errorKey: string;
  totalKey: string;
}

/** Sloth's own default period; a Sloth spec cannot set another per SLO. */
export const SLOTH_WINDOW = '30d';

/** The google-30d windows of Sloth as burn rates, for when one severity is disabled and the rest is listed. */
const SLOTH_WINDOWS = [
  { severity: 'page', long: '1h', short: '5m', burnRate: 14.4 },
  { severity: 'page', long: '6h', short: '30m', burnRate: 6 },
  { severity: 'ticket', long: '1d', short: '2h', burnRate: 3 },
  { severity: 'ticket', long: '3d', short: '6h', burnRate: 1 },
] as const;

const SQUAD_LABELS = ['squad', 'team', 'owner'] as const;

function toSlothSlos(
  spec: { labels?: Record<string, string>; slos: Array<z.output<typeof plainSlo>> },
  path: Path,
  queryKeys: { error: string; total: string },
): SlothSlo[] {
  return spec.slos.map((s, i) => ({
    name: s.name,
    objective: s.objective,
    description: s.description,
    labels: { ...spec.labels, ...s.labels },
    events: s.sli.events,
    hasRaw: s.sli.raw !== undefined,
    hasPlugin: s.sli.plugin !== undefined,
    pageDisabled: s.alerting?.pageDisabled ?? false,
    ticketDisabled: s.alerting?.ticketDisabled ?? false,
    alertName: s.alerting?.name,
    path: [...path, i],
    errorKey: queryKeys.error,
    totalKey: queryKeys.total,
  }));
}

function normalize(doc: YamlDocument): { service: string; slos: SlothSlo[] } | { problems: Problem[] } {
  const value = doc.value as Record<string, unknown> | null;
  if (value && value.kind === 'PrometheusServiceLevel') {
    const parsed = slothK8sSchema.safeParse(value);
    if (!parsed.success) return { problems: schemaProblems(doc, slothK8sSchema, parsed.error.issues) };
    const { spec } = parsed.data;
    return { service: spec.service, slos: toSlothSlos(spec, ['spec', 'slos'], { error: 'errorQuery', total: 'totalQuery' }) };
  }
  const parsed = slothSpecSchema.safeParse(value);
  if (!parsed.success) return { problems: schemaProblems(doc, slothSpecSchema, parsed.error.issues) };
  const spec = parsed.data;
  return { service: spec.service, slos: toSlothSlos(spec, ['slos'], { error: 'error_query', total: 'total_query' }) };
}

/** Sloth's `{{.window}}` placeholder stands for a range; any range parses the same. */
function withWindow(query: string): string {
  return query.replace(/\{\{\s*\.window\s*\}\}/g, '5m');
}

export interface ImportedSlo {
  name: string;
  doc: Record<string, unknown>;
  /** Where the SLO was declared, and the same as a comment for the output. */
  at: SourcePosition;
  origin: string;
}

export interface SlothImportOptions {
  /** The owning squad when the spec's labels name none (squad, team or owner). */
  squad?: string;
}

function mapSlo(s: SlothSlo, service: string, doc: YamlDocument, options: SlothImportOptions, problems: Problem[]): ImportedSlo | null {
  const at = (...rest: Array<string | number>) => [...s.path, ...rest];
  const before = problems.length;
  const name = `${service}-${s.name}`.toLowerCase();
  if (!rfc1123Label.safeParse(name).success) {
    problems.push(doc.problem(at('name'), `"${name}" (service-name) is not a valid Vigil SLO name: lowercase a-z, 0-9 and "-", at most 63 characters`));
  }
  const squad = SQUAD_LABELS.map((key) => s.labels[key]).find((v) => v) ?? options.squad;
  if (!squad) problems.push(doc.problem(at('name'), 'no owning squad: set labels.owner (or team, squad) or pass --squad NAME'));
  let ratio: { good: string; total: string } | null = null;
  if (s.hasRaw || s.hasPlugin) {
    const kind = s.hasRaw ? 'raw' : 'plugin';
    problems.push(
      doc.problem(at('sli', kind), `sli.${kind} cannot be mapped: Vigil counts good and total events; give sli.events with counter queries`),
    );
  } else if (!s.events) {
    problems.push(doc.problem(at('sli'), 'needs sli.events with an error and a total query'));
  } else {
    try {
      const total = counterSelector(withWindow(s.events.total));
      try {
        const errors = counterSelector(withWindow(s.events.error));
        ratio = { good: formatSelector(goodFromErrors(errors, total)), total: formatSelector(total) };
      } catch (error) {
        if (!(error instanceof PromqlShapeError)) throw error;
        problems.push(doc.problem(at('sli', 'events', s.errorKey), `cannot be mapped to a Vigil ratio: ${error.message}`));
      }
    } catch (error) {
      if (!(error instanceof PromqlShapeError)) throw error;
      problems.push(doc.problem(at('sli', 'events', s.totalKey), `cannot be mapped to a Vigil ratio: ${error.message}`));
    }
  }
  if (problems.length > before || !ratio || !squad) return null;

  let alerting: Record<string, unknown> | undefined;
  if (s.pageDisabled || s.ticketDisabled) {
    const windows = SLOTH_WINDOWS.filter((w) => !(w.severity === 'page' ? s.pageDisabled : s.ticketDisabled));
    if (windows.length === 0) {
      problems.push(
        doc.problem(at('alerting'), 'both alerts are disabled: Vigil SLOs always alert, so the default windows are kept', {
          severity: 'warning',
        }),
      );
    } else alerting = { windows: windows.map((w) => ({ ...w })) };
  }
  const labels = Object.fromEntries(Object.entries(s.labels).filter(([key]) => !SQUAD_LABELS.includes(key as 'squad')));
  // Alertmanager routes and silences match Sloth's alert name: keep it for `vigil export prometheus-rules`.
  if (s.alertName) labels.alertname = s.alertName;
  const position = doc.position(at('name'));
  return {
    name,
    at: { file: doc.file, ...position },
    origin: `${doc.file}:${position.line}:${position.col} (Sloth SLO ${s.name} of service ${service})`,
    doc: {
      apiVersion: 'vigil/v1',
      kind: 'SLO',
      metadata: { name, squad, ...(Object.keys(labels).length > 0 ? { labels } : {}) },
      spec: {
        service,
        ...(s.description ? { description: s.description } : {}),
        objective: s.objective,
        window: SLOTH_WINDOW,
        indicator: { ratio: { source: 'prometheus', ...ratio } },
        ...(alerting ? { alerting } : {}),
      },
    },
  };
}

/** Maps one Sloth document; an SLO that cannot be mapped is left out and its problems say why. */
export function importSlothDocument(doc: YamlDocument, options: SlothImportOptions = {}): { slos: ImportedSlo[]; problems: Problem[] } {
  const normalized = normalize(doc);
  if ('problems' in normalized) return { slos: [], problems: normalized.problems };
  const problems: Problem[] = [];
  const slos = normalized.slos.flatMap((s) => mapSlo(s, normalized.service, doc, options, problems) ?? []);
  return { slos, problems };
}
