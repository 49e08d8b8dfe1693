// POST /api/v1/events: pushed event counts. The whole batch is checked, committed, then acknowledged;
// a batchId makes a retried delivery safe.
import { z } from 'zod';
import { describeIssues } from '../../lib/zod-issues.js';
import { type EventRecord, parseEvent } from '../../slo/sources/events-file.js';
import type { BucketStore } from '../../store/bucket-store.js';
import { InputError } from '../errors.js';
import type { RouteHandlers } from './mount.js';

const MAX_EVENTS = 10_000;

export const eventsBody = z.strictObject({
  batchId: z.string().min(1).max(200).optional(),
  events: z.array(z.unknown()).max(MAX_EVENTS, `at most ${MAX_EVENTS} events per request`),
});

type EventsBody = z.infer<typeof eventsBody>;

/** The body as is when it is plainly well formed (no copy of a 10,000-element array); otherwise the schema decides. */
function readBody(body: unknown): EventsBody {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const { batchId, events } = body as Record<string, unknown>;
    let unknownField = false;
    for (const key in body) if (key !== 'batchId' && key !== 'events') unknownField = true;
    const batchIdOk = batchId === undefined || (typeof batchId === 'string' && batchId.length >= 1 && batchId.length <= 200);
    if (!unknownField && batchIdOk && Array.isArray(events) && events.length <= MAX_EVENTS) {
      return batchId === undefined ? { events } : { batchId, events };
    }
  }
  const parsed = eventsBody.safeParse(body);
  if (!parsed.success) throw new InputError('expected {"batchId"?: string, "events": [...]}', describeIssues(parsed.error));
  return parsed.data;
}

export function eventHandlers(store: BucketStore, knownSlos: () => ReadonlySet<string>): Pick<RouteHandlers, 'POST /api/v1/events'> {
  return {
    'POST /api/v1/events': (req, res) => {
      const { batchId, events } = readBody(req.body);
      const slos = knownSlos();
      const records: EventRecord[] = [];
      const problems: Array<{ index: number; message: string }> = [];
      for (let index = 0; index < events.length; index++) {
        const result = parseEvent(events[index], slos);
        if (typeof result === 'string') problems.push({ index, message: result });
        else records.push(result);
      }
      if (problems.length > 0) throw new InputError(`${problems.length} invalid event(s); nothing was stored`, problems);
      const { applied } = store.add(records, batchId);
      res.json({ accepted: applied ? records.length : 0, duplicate: !applied });
    },
  };
}
