// Builds the @google-cloud/dns client for a provider config, and turns its errors into ProviderErrors.
import { createRequire } from 'node:module';
import type { DNS } from '@google-cloud/dns';
import { ProviderError } from '../provider.js';
import { type CloudDnsProviderConfig, parseApiEndpoint } from './schema.js';

// The client libraries are loaded on first use, not with this module: every process that reads a
// vigil.yaml reaches this file, and a prober agent or a CLI command would otherwise hold them in memory
// without ever calling Google (about 40 MiB resident, measured with the Cloud Monitoring client).
const require = createRequire(import.meta.url);

export function createCloudDnsClient(config: CloudDnsProviderConfig): DNS {
  const { DNS } = require('@google-cloud/dns') as typeof import('@google-cloud/dns');
  const { PassThroughClient } = require('google-auth-library') as typeof import('google-auth-library');
  const endpoint = config.apiEndpoint === undefined ? null : parseApiEndpoint(config.apiEndpoint);
  let dns: DNS;
  if (endpoint?.plainHttp) {
    // The library always builds an https:// base URL from apiEndpoint, so a plain-HTTP emulator needs
    // baseUrl set afterwards; and no Google credentials may go to it in clear text.
    dns = new DNS({ apiEndpoint: endpoint.host, projectId: config.project, authClient: new PassThroughClient() });
    dns.baseUrl = `${endpoint.origin}/dns/v1`;
  } else {
    dns = new DNS({ projectId: config.project, ...(endpoint ? { apiEndpoint: endpoint.host } : {}) });
  }
  // The orchestrator owns retries and backoff; the library's own retries would also re-send a change
  // whose first attempt may have landed, turning a success into a conflict.
  dns.interceptors.push({
    request: (options) => ({ ...options, uri: 'uri' in options ? options.uri : options.url, maxRetries: 0 }),
  });
  return dns;
}

/** An HTTP status the API answered with, if `error` is one of the library's ApiErrors. */
export function apiStatus(error: unknown): number | null {
  if (error instanceof Error && 'code' in error && typeof error.code === 'number') return error.code;
  return null;
}

/** A ProviderError for a failed API call, saying what the status means for the record set. */
export function apiFailure(action: string, error: unknown, what: string, options: { conflict?: boolean } = {}): ProviderError {
  const status = apiStatus(error);
  const detail = error instanceof Error ? error.message : String(error);
  const meaning: Record<number, string> = {
    401: 'not authenticated (check Application Default Credentials)',
    403: `permission denied on ${what} (needs roles/dns.admin or dns.changes.create)`,
    404: `${what} not found`,
    409: `${what} changed since it was read (someone else modified it); nothing was applied`,
    412: `${what} changed since it was read (someone else modified it); nothing was applied`,
    429: 'rate limited by the Cloud DNS API',
  };
  const explained = options.conflict
    ? `${meaning[412]}: ${detail}`
    : status === null
      ? detail
      : `${meaning[status] ?? `HTTP ${status}`}: ${detail}`;
  return new ProviderError('cloud-dns', `${action}: ${explained}`, { cause: error });
}
