// Instants written as text: ISO 8601 with an explicit offset (Z or ±hh:mm), never a local time that would
// mean something else on every machine.
import { DateTime } from 'luxon';

/** Milliseconds since the epoch, or null when the text is not an ISO 8601 time with an offset. */
export function parseTimestamp(text: string): number | null {
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(text)) return null;
  const parsed = DateTime.fromISO(text, { setZone: true });
  return parsed.isValid ? parsed.toMillis() : null;
}
