// The grpc probe: one grpc.health.v1.Health/Check per attempt through grpc-js, on a channel of its own
// (like blackbox_exporter) unless reuseConnections; ok only when the answer is SERVING.
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { ChannelCredentials, ChannelOptions, Client, Metadata, ServiceError, VerifyOptions } from '@grpc/grpc-js';
import { grpcJs } from '../../../lib/grpc-js.js';
import type { Outcome } from '../../outcome.js';
import { type Attempt, runAttempt } from '../attempt.js';
import { classifyGrpcStatus } from '../classify.js';
import { type HostLookup, loadTlsTrust, resolveHost, systemLookup } from '../connect.js';
import { defineProbeKind, type ProbeRunner, type RunnerInput } from '../kind.js';
import {
  decodeHealthCheckResponse,
  encodeHealthCheckRequest,
  HEALTH_CHECK_PATH,
  type HealthCheckRequest,
  type HealthCheckResponse,
  servingStatusName,
} from './health-proto.js';
import { type GrpcSettings, type GrpcTarget, grpcSettingsSchema, grpcTargetSchema } from './schema.js';

const SERVING = 1;

const CHANNEL_OPTIONS: ChannelOptions = {
  // grpc-js shares connections between channels with the same target through a global pool; a probe
  // that asks for a new connection per attempt must not get an old one from there.
  'grpc.use_local_subchannel_pool': 1,
  // A health answer is a few bytes: a bigger message is refused instead of held in memory.
  'grpc.max_receive_message_length': 4096,
  'grpc.max_send_message_length': 4096,
  // The probe reports what happened; a retry would hide it.
  'grpc.enable_retries': 0,
  // A reused channel that failed comes back within a second of the server doing so.
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 1000,
};

/** The name grpc-js's status enum gives a code, e.g. UNAVAILABLE. */
const statusName = (code: number): string => grpcJs().status[code] ?? `code ${code}`;

/** A resolved address as a grpc-js target that skips its own resolver. */
const channelTarget = (ip: string, port: number): string => (isIP(ip) === 6 ? `ipv6:[${ip}]:${port}` : `ipv4:${ip}:${port}`);

class GrpcRunner implements ProbeRunner {
  private readonly settings: GrpcSettings;
  private readonly target: GrpcTarget;
  private readonly timeoutMs: number;
  private readonly lookup: HostLookup;
  private readonly request: HealthCheckRequest;
  private readonly metadata: Metadata = new (grpcJs().Metadata)();
  private readonly credentials: ChannelCredentials;
  private readonly channelOptions: ChannelOptions;
  /** Why the configured CA bundle cannot be used: every attempt then fails with tls_error. */
  private readonly trustProblem: string | undefined;
  private kept: { target: string; client: Client } | null = null;
  /** The attempt whose handshake the certificate callback reports to. */
  private current: Attempt | null = null;
  /** Expiry seen on the kept connection, reported again by attempts that reuse it. */
  private keptCertExpiresAt: number | undefined;

  constructor(input: RunnerInput<GrpcSettings, GrpcTarget>) {
    this.settings = input.settings;
    this.target = input.target;
    this.timeoutMs = input.timeoutMs;
    this.lookup = input.lookup ?? systemLookup;
    this.request = { service: this.settings.service };
    for (const [key, value] of Object.entries(this.settings.metadata)) this.metadata.set(key, value);
    // Dialled by IP (resolved here, so the dns phase and dns_error are ours); the server still sees the name.
    this.channelOptions = { ...CHANNEL_OPTIONS, 'grpc.default_authority': this.target.address };
    if (this.settings.tls) {
      const trust = loadTlsTrust(this.settings.tlsConfig);
      this.trustProblem = trust.trustProblem;
      const serverName = trust.serverName ?? (isIP(this.target.host) ? undefined : this.target.host);
      if (serverName) this.channelOptions['grpc.ssl_target_name_override'] = serverName;
      const verifyOptions = this.verifyOptions(trust.verify);
      this.credentials = trust.secureContext
        ? grpcJs().credentials.createFromSecureContext(trust.secureContext, verifyOptions)
        : grpcJs().credentials.createSsl(null, null, null, verifyOptions);
    } else this.credentials = grpcJs().credentials.createInsecure();
  }

  probe(signal: AbortSignal): Promise<Outcome> {
    return runAttempt(this.timeoutMs, signal, (attempt) => {
      if (this.trustProblem) {
        attempt.fail('tls_error', this.trustProblem);
        return;
      }
      this.current = attempt;
      if (this.settings.reuseConnections) attempt.certExpiresAt = this.keptCertExpiresAt;
      resolveHost(attempt, this.target.host, this.settings.ipFamily, this.lookup, (error, ip) => {
        if (attempt.done) return;
        if (error) attempt.failWith(error);
        else this.check(attempt, channelTarget(ip, this.target.port));
      });
    });
  }

  async close(): Promise<void> {
    this.kept?.client.close();
    this.kept = null;
  }

  private check(attempt: Attempt, target: string): void {
    attempt.stage = 'request';
    const client = this.clientFor(target);
    const startedAt = performance.now();
    const call = client.makeUnaryRequest<HealthCheckRequest, HealthCheckResponse>(
      HEALTH_CHECK_PATH,
      encodeHealthCheckRequest,
      decodeHealthCheckResponse,
      this.request,
      this.metadata.clone(),
      { deadline: Date.now() + this.timeoutMs },
      (error, response) => {
        if (attempt.done) return;
        // grpc-js does not expose connect and handshake times: the call's whole time counts as ttfb.
        attempt.addPhase('ttfb', performance.now() - startedAt);
        this.judge(attempt, error, response);
      },
    );
    attempt.onSettle(() => {
      call.cancel();
      if (!this.settings.reuseConnections) client.close();
    });
  }

  private judge(attempt: Attempt, error: ServiceError | null, response: HealthCheckResponse | undefined): void {
    if (error) {
      const { kind } = classifyGrpcStatus(error.code, error.details);
      attempt.fail(kind, `${statusName(error.code)}: ${error.details}`);
      return;
    }
    const serving = response?.status ?? 0;
    if (serving === SERVING) attempt.succeed('SERVING');
    else attempt.fail('assertion_failed', `health status ${servingStatusName(serving)}${this.request.service ? ` for service "${this.request.service}"` : ''}`);
  }

  /** A new channel, or the kept one while the target resolves to the same address. */
  private clientFor(target: string): Client {
    if (!this.settings.reuseConnections) return new (grpcJs().Client)(target, this.credentials, this.channelOptions);
    if (this.kept?.target !== target) {
      this.kept?.client.close();
      this.kept = { target, client: new (grpcJs().Client)(target, this.credentials, this.channelOptions) };
    }
    return this.kept.client;
  }

  private verifyOptions(verify: boolean): VerifyOptions {
    return {
      rejectUnauthorized: verify,
      // Node calls this once the chain is trusted (or not checked): the moment to read the leaf's expiry.
      checkServerIdentity: (hostname: string, cert: PeerCertificate) => {
        const attempt = this.current;
        const notAfter = Date.parse(cert.valid_to);
        if (attempt && !attempt.done && Number.isFinite(notAfter)) {
          attempt.certExpiresAt = notAfter;
          if (this.settings.reuseConnections) this.keptCertExpiresAt = notAfter;
        }
        return verify ? checkServerIdentity(hostname, cert) : undefined;
      },
    };
  }
}

export const grpcKind = defineProbeKind<GrpcSettings, GrpcTarget>({
  type: 'grpc',
  settingsSchema: grpcSettingsSchema,
  targetSchema: grpcTargetSchema,
  targetLabel: (target) => target.address,
  create: (input) => new GrpcRunner(input),
});
