// Where shipped batches go: the central server over HTTP (agents), or straight into the server's store
// (the in-process probers of `vigil up`). Both answer with the shipper's committed / retry / rejected.
import { request } from 'undici';
import type { ProbeSloIndex } from '../slo/sources/probe-results.js';
import type { BucketStore } from '../store/bucket-store.js';
import { BatchBodyError, resultBatchKey } from './batch-body.js';
import type { ProbeResult } from './model.js';
import type { ResultSink, SendOutcome } from './shipper.js';

export interface HttpSinkOptions {
  /** Base URL of the Vigil server, e.g. http://vigil.internal:8080. */
  server: string;
  token?: string | undefined;
  /** Per request, connection to last byte (default 15 s). */
  timeoutMs?: number;
}

/** POST `${server}/api/v1/results`; a 2xx means the batch is committed (or was already). */
export function httpSink(options: HttpSinkOptions): ResultSink {
  const url = `${options.server.replace(/\/+$/, '')}/api/v1/results`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const timeoutMs = options.timeoutMs ?? 15_000;
  return {
    async send(batch) {
      try {
        const response = await request(url, { method: 'POST', headers, body: batch.body(), signal: AbortSignal.timeout(timeoutMs) });
        const text = await response.body.text();
        return outcomeOfStatus(response.statusCode, text);
      } catch (error) {
        return { kind: 'retry', reason: 'unreachable', message: describeNetworkError(error) };
      }
    },
  };
}

/** How the shipper treats an HTTP answer. */
export function outcomeOfStatus(status: number, body: string): SendOutcome {
  const message = `HTTP ${status}: ${body.slice(0, 300)}`;
  if (status >= 200 && status < 300) return { kind: 'committed' };
  if (status === 408 || status === 429) return { kind: 'retry', reason: 'throttled', message };
  // A wrong or missing token is the agent's configuration, not the batch: keep the batch until it is fixed.
  if (status === 401 || status === 403) return { kind: 'retry', reason: 'unauthorized', message };
  if (status >= 400 && status < 500) return { kind: 'rejected', message };
  return { kind: 'retry', reason: 'server_error', message };
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? `${error.code}: ` : '';
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${code}${error.message}${cause}`;
  }
  return String(error);
}

/**
 * Commits results straight into the server's store, with the same batch ids (and de-duplication) as
 * POST /api/v1/results. The SLO index is read per batch, so catalog reloads apply at once. `onCommitted`
 * hears each batch once it is committed (the server's recent-results board).
 */
export function localSink(store: BucketStore, index: () => ProbeSloIndex, onCommitted?: (results: readonly ProbeResult[]) => void): ResultSink {
  return {
    async send(batch) {
      let results: ProbeResult[];
      try {
        results = batch.results();
      } catch (error) {
        if (error instanceof BatchBodyError) return { kind: 'rejected', message: error.message };
        throw error;
      }
      const { applied } = store.add(index().counts(results), resultBatchKey(batch.batchId));
      if (applied) onCommitted?.(results);
      return { kind: 'committed' };
    },
  };
}
