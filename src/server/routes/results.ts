// POST /api/v1/results: probe results from agents, in batches with ids. A batch is checked whole,
// committed (as SLO events) and only then acknowledged; a repeated batch id is acknowledged again
// without counting twice, so agents can retry freely.
import { Router } from 'express';
import { z } from 'zod';
import { probeResultSchema } from '../../prober/result-json.js';
import type { ProbeSloIndex } from '../../slo/sources/probe-results.js';
import type { BucketStore } from '../../store/bucket-store.js';
import { InputError } from '../errors.js';

export const MAX_RESULTS_PER_BATCH = 50_000;

const body = z.strictObject({
  batchId: z.string().min(1).max(200),
  vantage: z.string().min(1),
  results: z.array(z.unknown()).max(MAX_RESULTS_PER_BATCH),
});

export function resultsRouter(store: BucketStore, index: () => ProbeSloIndex): Router {
  const router = Router();
  router.post('/', (req, res) => {
    const parsed = body.safeParse(req.body);
    if (!parsed.success) {
      throw new InputError('expected {"batchId": string, "vantage": string, "results": [...]}', parsed.error.issues.map((i) => i.message));
    }
    const problems: Array<{ index: number; message: string }> = [];
    const results = parsed.data.results.flatMap((raw, i) => {
      const result = probeResultSchema.safeParse(raw);
      if (result.success) return [result.data];
      const issue = result.error.issues[0];
      problems.push({ index: i, message: issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid result' });
      return [];
    });
    if (problems.length > 0) throw new InputError(`${problems.length} invalid result(s); nothing was stored`, problems);
    // The batch id is recorded even when no SLO uses these probes, so a retry is recognised.
    const { applied } = store.add(index().counts(results), `results:${parsed.data.batchId}`);
    res.json({ accepted: applied ? results.length : 0, duplicate: !applied });
  });
  return router;
}
