// POST /api/v1/results: probe results from agents, in batches with ids. A batch is checked whole,
// committed (as SLO events) and only then acknowledged; a repeated batch id is acknowledged again
// without counting twice, so agents can retry freely.
import { z } from 'zod';
import { describeIssues, firstIssue } from '../../lib/zod-issues.js';
import { resultBatchKey } from '../../prober/batch-body.js';
import { probeResultSchema } from '../../prober/result-json.js';
import type { ProbeSloIndex } from '../../slo/sources/probe-results.js';
import type { BucketStore } from '../../store/bucket-store.js';
import { InputError } from '../errors.js';
import type { ProbeBoard } from '../probe-board.js';
import type { RouteHandlers } from './mount.js';

export const MAX_RESULTS_PER_BATCH = 50_000;

export const resultsBody = z.strictObject({
  batchId: z.string().min(1).max(200),
  vantage: z.string().min(1).max(200),
  results: z.array(z.unknown()).max(MAX_RESULTS_PER_BATCH),
});

export function resultHandlers(store: BucketStore, index: () => ProbeSloIndex, board: ProbeBoard): Pick<RouteHandlers, 'POST /api/v1/results'> {
  return {
    'POST /api/v1/results': (req, res) => {
      const parsed = resultsBody.safeParse(req.body);
      if (!parsed.success) throw new InputError('expected {"batchId": string, "vantage": string, "results": [...]}', describeIssues(parsed.error));
      const problems: Array<{ index: number; message: string }> = [];
      const results = parsed.data.results.flatMap((raw, i) => {
        const result = probeResultSchema.safeParse(raw);
        if (result.success) return [result.data];
        problems.push({ index: i, message: firstIssue(result.error, 'result') });
        return [];
      });
      if (problems.length > 0) throw new InputError(`${problems.length} invalid result(s); nothing was stored`, problems);
      // The batch id is recorded even when no SLO uses these probes, so a retry is recognised.
      const { applied } = store.add(index().counts(results), resultBatchKey(parsed.data.batchId));
      if (applied) board.record(results);
      res.json({ accepted: applied ? results.length : 0, duplicate: !applied });
    },
  };
}
