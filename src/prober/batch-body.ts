// The body of POST /api/v1/results, `{batchId, vantage, results}`: written by agents, read back from the
// spool, checked with the same schema the server uses.
import { z } from 'zod';
import type { ProbeResult } from './model.js';
import { probeResultSchema, toJson } from './result-json.js';

const batchBody = z.object({ batchId: z.string(), vantage: z.string(), results: z.array(probeResultSchema) });

export class BatchBodyError extends Error {}

export function serializeBatch(batchId: string, vantage: string, results: readonly ProbeResult[]): string {
  return JSON.stringify({ batchId, vantage, results: results.map(toJson) });
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
  if (!parsed.success) throw new BatchBodyError(`not a result batch: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data.results;
}
