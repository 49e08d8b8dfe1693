// Builds the @google-cloud/monitoring MetricServiceClient for a project, against Google (Application
// Default Credentials) or a local plain-text endpoint (tests, emulators), and names its gRPC failures.
// Shared by the Cloud Monitoring SLI source and the probe-results exporter.
import { createRequire } from 'node:module';
import type { MetricServiceClient } from '@google-cloud/monitoring';
import { z } from 'zod';
import { grpcJs } from './grpc-js.js';

/** A Google Cloud project ID (6–30 characters in practice; `domain:` prefixed IDs allowed). */
export const GCP_PROJECT_ID = /^[a-z][-a-z0-9.:]{4,61}[a-z0-9]$/;

/**
 * A local Monitoring API speaking plain-text gRPC: for tests and emulators only. No Google credentials
 * are sent to it (they would travel in clear text).
 */
export const monitoringEmulatorSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65_535),
});

export type MonitoringEmulator = z.output<typeof monitoringEmulatorSchema>;

// The client library is loaded on first use, not with this module: every process that reads a vigil.yaml
// reaches this file (through the exporter's and the SLI source's schemas), and a prober agent would
// otherwise hold @google-cloud/monitoring in memory without exporting anything (about 40 MiB resident).
const require = createRequire(import.meta.url);

export function createMetricServiceClient(project: string, emulator: MonitoringEmulator | undefined): MetricServiceClient {
  const { MetricServiceClient } = require('@google-cloud/monitoring') as typeof import('@google-cloud/monitoring');
  const { PassThroughClient } = require('google-auth-library') as typeof import('google-auth-library');
  if (!emulator) return new MetricServiceClient({ projectId: project });
  return new MetricServiceClient({
    projectId: project,
    servicePath: emulator.host,
    port: emulator.port,
    sslCreds: grpcJs().credentials.createInsecure(),
    // google-gax carries its own copy of google-auth-library; the two AuthClient types differ only nominally.
    authClient: new PassThroughClient() as unknown as NonNullable<ConstructorParameters<typeof MetricServiceClient>[0]>['authClient'],
  });
}

/** What a failed call means for the caller: the closed set both the source and the exporter act on. */
export type MonitoringFailure = 'unreachable' | 'query' | 'timeout' | 'denied' | 'quota' | 'response';

/** The gRPC status of a failed client call, if it has one. */
export function grpcStatus(error: unknown): number | null {
  if (error instanceof Error && 'code' in error && typeof error.code === 'number') return error.code;
  return null;
}

export function classifyMonitoringError(error: unknown): MonitoringFailure {
  const { status } = grpcJs();
  switch (grpcStatus(error)) {
    case status.UNAVAILABLE:
    case status.CANCELLED:
      return 'unreachable';
    case status.INVALID_ARGUMENT:
    case status.NOT_FOUND:
    case status.FAILED_PRECONDITION:
    case status.OUT_OF_RANGE:
      return 'query';
    case status.DEADLINE_EXCEEDED:
      return 'timeout';
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return 'denied';
    case status.RESOURCE_EXHAUSTED:
      return 'quota';
    default:
      return 'response';
  }
}

/** The status name and server message of a failed call, e.g. `INVALID_ARGUMENT: bad filter`. */
export function describeMonitoringError(error: unknown): string {
  const code = grpcStatus(error);
  const name = code === null ? null : (Object.entries(grpcJs().status).find(([, value]) => value === code)?.[0] ?? String(code));
  const details = error instanceof Error && 'details' in error && typeof error.details === 'string' ? error.details : null;
  const message = details || (error instanceof Error ? error.message : String(error));
  return name === null ? message : `${name}: ${message}`;
}
