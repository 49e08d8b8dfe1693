// The body of POST /api/v1/results, `{batchId, vantage, results}`: written by agents, read back from the
// spool, checked with the same schema the server uses.
import { z } from 'zod';
import { firstIssue } from '../lib/zod-issues.js';
import type { ProbeResult } from './model.js';
import { probeResultSchema } from './result-json.js';

const batchBody = z.object({ batchId: z.string(), vantage: z.string(), results: z.array(probeResultSchema) });

export class BatchBodyError extends Error {}

/**
 * How a result batch's id is kept among the store's batch ids (beside pushed event batches): agents over HTTP
 * and the in-process probers must agree on it, or a batch delivered both ways would count twice.
 */
export function resultBatchKey(batchId: string): string {
  return `results:${batchId}`;
}

/** The body of a batch whose results are already JSON text, comma-separated (the shipper's). */
export function batchBodyText(batchId: string, vantage: string, resultsJson: string): string {
  return `{"batchId":${JSON.stringify(batchId)},"vantage":${JSON.stringify(vantage)},"results":[${resultsJson}]}`;
}

/** The results of a batch body; throws BatchBodyError when it is not one. */
export function parseBatchBody(body: string): ProbeResult[] {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new BatchBodyError(`not JSON: ${(error as Error).message}`);
  }
  const parsed = batchBody.safeParse(value);
  if (!parsed.success) throw new BatchBodyError(`not a result batch: ${firstIssue(parsed.error)}`);
  return parsed.data.results;
}
