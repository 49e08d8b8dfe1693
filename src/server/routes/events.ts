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

export function eventHandlers(store: BucketStore, knownSlos: () => ReadonlySet<string>): Pick<RouteHandlers, 'POST /api/v1/events'> {
  return {
    'POST /api/v1/events': (req, res) => {
      const parsed = eventsBody.safeParse(req.body);
      if (!parsed.success) throw new InputError('expected {"batchId"?: string, "events": [...]}', describeIssues(parsed.error));
      const slos = knownSlos();
      const records: EventRecord[] = [];
      const problems: Array<{ index: number; message: string }> = [];
      parsed.data.events.forEach((event, index) => {
        const result = parseEvent(event, slos);
        if (typeof result === 'string') problems.push({ index, message: result });
        else records.push(result);
      });
      if (problems.length > 0) throw new InputError(`${problems.length} invalid event(s); nothing was stored`, problems);
      const { applied } = store.add(records, parsed.data.batchId);
      res.json({ accepted: applied ? records.length : 0, duplicate: !applied });
    },
  };
}
