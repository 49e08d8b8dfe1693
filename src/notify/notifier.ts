// What a notifier kind is: a config schema (checked offline by `vigil validate`) and a formatter that turns a
// notice into one HTTP POST. Queueing, retries and de-duplication are shared (./delivery.ts, ./fan-out.ts).
// Adding a notifier = a folder with its kind and tests, and one line in ./index.ts.
import { z } from 'zod';
import { DEFAULT_NOTICE_EVENTS, NOTICE_EVENTS, type Notice, type NoticeEvent } from './notice.js';

export interface OutgoingPost {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface NoticeContext {
  /** The Vigil server's URL, for links back. */
  server: string | null;
}

export interface Notifier {
  readonly kind: string;
  /** Which events this notifier is sent. */
  readonly events: ReadonlySet<NoticeEvent>;
  post(notice: Notice, context: NoticeContext): OutgoingPost;
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

/** The `events` every notifier takes: which notices it is sent. */
export const eventsField = z
  .array(z.enum(NOTICE_EVENTS))
  .min(1, 'must list at least one event (or leave it out for the default)')
  .default([...DEFAULT_NOTICE_EVENTS]);

/** The `name` every notifier takes: its label in vigil_notifications_total (default: the kind, numbered if repeated). */
export const nameField = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, { message: 'must be lowercase letters, digits, "-" and "_", at most 63 characters' })
  .optional();
