// The slice of the Prometheus HTTP API the source needs (raw samples of a range vector, the retention),
// with every failure mapped to a SourceError in one place.
import { Agent, errors, request } from 'undici';
import { z } from 'zod';
import { DAY_MS, parseDuration } from '../../../lib/duration.js';
import { SourceError } from '../source.js';
import type { CounterSeries } from './counter-increases.js';

const errorBody = z.looseObject({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() });

const matrixBody = z.looseObject({
  status: z.literal('success'),
  data: z.looseObject({
    resultType: z.literal('matrix'),
    result: z.array(z.looseObject({ metric: z.record(z.string(), z.string()), values: z.array(z.tuple([z.number(), z.string()])) })),
  }),
});

const runtimeInfoBody = z.looseObject({
  status: z.literal('success'),
  data: z.looseObject({ storageRetention: z.string().optional() }),
});

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

export interface PrometheusApiOptions {
  url: string;
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
}

export class PrometheusApi {
  private readonly base: string;
  private readonly dispatcher = new Agent({ connections: 4 });

  constructor(private readonly options: PrometheusApiOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  /** Every raw sample of `selector` with time in [fromMs, toMs): an instant query of a range vector returns them unaltered. */
  async rawSamples(selector: string, fromMs: number, toMs: number, signal: AbortSignal): Promise<CounterSeries[]> {
    // A range [t − r, t] includes both ends (Prometheus 2.x): end 1 ms before toMs.
    const endMs = toMs - 1;
    const form = new URLSearchParams({ query: `${selector}[${endMs - fromMs}ms]`, time: (endMs / 1000).toFixed(3) });
    const body = matrixBody.safeParse(await this.call('/api/v1/query', form, signal));
    if (!body.success) throw new SourceError('prometheus', `unexpected answer to ${selector}: ${body.error.issues[0]?.message ?? 'not a matrix'}`, 'response');
    return body.data.data.result.map((series) => ({
      labels: series.metric,
      samples: series.values.map(([seconds, value]) => [Math.round(seconds * 1000), Number(value)] as const),
    }));
  }

  /** The time-based retention, or null when Prometheus keeps data by size only. */
  async retentionMs(signal: AbortSignal): Promise<number | null> {
    const body = runtimeInfoBody.safeParse(await this.call('/api/v1/status/runtimeinfo', null, signal));
    if (!body.success) return null;
    return parseRetention(body.data.data.storageRetention ?? '');
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }

  private async call(route: string, form: URLSearchParams | null, signal: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    const where = `${this.base}${route}`;
    try {
      const response = await request(where, {
        method: form ? 'POST' : 'GET',
        headers: { ...this.options.headers, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), accept: 'application/json' },
        body: form?.toString(),
        signal: combined,
        dispatcher: this.dispatcher,
      });
      const text = await response.body.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new SourceError('prometheus', `${where} answered HTTP ${response.statusCode} with a body that is not JSON`, response.statusCode >= 400 ? 'http' : 'response');
      }
      const failure = errorBody.safeParse(parsed);
      if (failure.success) {
        const reason = failure.data.errorType === 'bad_data' ? 'query' : failure.data.errorType === 'timeout' ? 'timeout' : 'http';
        throw new SourceError('prometheus', `${where}: ${failure.data.errorType ?? 'error'}: ${failure.data.error ?? `HTTP ${response.statusCode}`}`, reason);
      }
      if (response.statusCode >= 400) throw new SourceError('prometheus', `${where} answered HTTP ${response.statusCode}`, 'http');
      return parsed;
    } catch (error) {
      throw toSourceError(error, where, timeout, this.options.timeoutMs);
    }
  }
}

function toSourceError(error: unknown, where: string, timeout: AbortSignal, timeoutMs: number): SourceError {
  if (error instanceof SourceError) return error;
  if (timeout.aborted || error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
    return new SourceError('prometheus', `${where} did not answer within ${timeoutMs} ms`, 'timeout');
  }
  const code = errorCode(error);
  if (code !== null && CONNECT_CODES.has(code)) return new SourceError('prometheus', `cannot reach ${where}: ${code}`, 'unreachable');
  if (error instanceof Error && error.name === 'AbortError') return new SourceError('prometheus', `${where}: read cancelled`, 'timeout');
  return new SourceError('prometheus', `${where}: ${error instanceof Error ? error.message : String(error)}`, 'unreachable');
}

function errorCode(error: unknown): string | null {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

/** "15d", "1y2w", "15d or 1GiB" (time and size) → ms; "1GiB" alone or "0s" → null. */
export function parseRetention(text: string): number | null {
  const match = /^((?:\d+(?:ms|y|w|d|h|m|s))+)/.exec(text.trim());
  if (!match?.[1]) return null;
  const years = /^(\d+)y/.exec(match[1]);
  const rest = years ? match[1].slice(years[0].length) : match[1];
  const ms = (years ? Number(years[1]) * 365 * DAY_MS : 0) + (rest ? parseDuration(rest) : 0);
  return ms > 0 ? ms : null;
}
