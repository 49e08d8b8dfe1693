// Typed JSON requests against a running Vigil, for tests.
import type { SloStatus } from '../../src/slo/evaluate.js';
import type { SloReport } from '../../src/slo/report-format.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface IngestBody {
  accepted: number;
  duplicate: boolean;
}

const bearer = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

export async function getReport(url: string, token?: string): Promise<SloReport> {
  return (await (await fetch(`${url}/api/v1/slos`, { headers: bearer(token) })).json()) as SloReport;
}

export async function getSlo(url: string, name: string, token?: string): Promise<SloStatus> {
  return ((await (await fetch(`${url}/api/v1/slos/${name}`, { headers: bearer(token) })).json()) as { slo: SloStatus }).slo;
}

export async function postJson<T = IngestBody | ErrorBody>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}
