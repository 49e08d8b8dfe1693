// What a notifier kind is: a config schema (checked offline by `vigil validate`) and a formatter that turns a
// notice into one HTTP POST. Who hears what (events, squads, severities) is shared, as are queueing, retries
// and de-duplication (./delivery.ts, ./notifications.ts). Adding a notifier = a folder with its kind and
// tests, and one line in ./index.ts.
import { z } from 'zod';
import { SEVERITIES } from '../slo/model.js';
import { ALERT_EVENTS, DEFAULT_NOTICE_EVENTS, isAlertNotice, NOTICE_EVENTS, type Notice, type NoticeEvent } from './notice.js';

export interface OutgoingPost {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface NoticeContext {
  /** The Vigil server's URL, for links back. */
  server: string | null;
  /** The notifier's runbook, linked in failover notices. */
  runbook: string | null;
}

export interface Notifier {
  readonly kind: string;
  /** Which notices this notifier is sent. */
  readonly audience: Audience;
  readonly runbook: string | null;
  post(notice: Notice, context: NoticeContext): OutgoingPost;
}

/** Who hears what: the events, and for SLO alerts only the squads and severities listed (all when unset). */
export interface Audience {
  events: ReadonlySet<NoticeEvent>;
  squads: ReadonlySet<string> | null;
  severities: ReadonlySet<string> | null;
}

export function wants(audience: Audience, notice: Notice): boolean {
  if (!audience.events.has(notice.event)) return false;
  if (!isAlertNotice(notice)) return true;
  return (audience.squads === null || audience.squads.has(notice.squad)) && (audience.severities === null || audience.severities.has(notice.severity));
}

/**
 * The audience of a notifier entry: its `events` if listed; else failovers and drills, and SLO alerts too
 * when it routes them by `squads` or `severities`.
 */
export function audienceOf(config: { events?: NoticeEvent[] | undefined; squads?: string[] | undefined; severities?: string[] | undefined }): Audience {
  const routed = config.squads !== undefined || config.severities !== undefined;
  const events = config.events ?? (routed ? [...DEFAULT_NOTICE_EVENTS, ...ALERT_EVENTS] : DEFAULT_NOTICE_EVENTS);
  return {
    events: new Set(events),
    squads: config.squads ? new Set(config.squads) : null,
    severities: config.severities ? new Set(config.severities) : null,
  };
}

export interface NotifierKind<Config> {
  kind: string;
  /** Schema of one `spec.notify` entry (including `kind`). */
  schema: z.ZodType<Config>;
  create(config: Config): Notifier;
}

/** A notifier kind as the registry holds it: its config is only known to be schema-valid. */
export interface AnyNotifierKind {
  kind: string;
  schema: z.ZodType;
  create(config: unknown): Notifier;
}

export function defineNotifier<Config>(kind: NotifierKind<Config>): AnyNotifierKind {
  return { kind: kind.kind, schema: kind.schema, create: (config) => kind.create(config as Config) };
}

/** The `events` every notifier takes: which notices it is sent (see audienceOf for the default). */
export const eventsField = z.array(z.enum(NOTICE_EVENTS)).min(1, 'must list at least one event (or leave it out for the default)').optional();

/** SLO alerts only of these squads (SLO metadata.squad). */
export const squadsField = z.array(z.string().min(1)).min(1).optional();

/** SLO alerts only of these severities. */
export const severitiesField = z.array(z.enum(SEVERITIES)).min(1).optional();

/** A runbook to link in failover and drill notices (vigil validate checks that it exists). */
export const runbookField = z.string().min(1).optional();

/** The fields every notifier takes beside its own. */
export const commonFields = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { message: 'must be lowercase letters, digits, "-" and "_", at most 63 characters' })
    .optional(),
  events: eventsField,
  squads: squadsField,
  severities: severitiesField,
  runbook: runbookField,
};
