// The `grpc:` section of a grpc probe (the health service to ask, TLS, metadata) and its targets (`address:`).
import { z } from 'zod';
import { addressTarget, ipFamily, tlsConfig } from '../schema-fields.js';

// gRPC metadata keys (the HTTP/2 header names it allows); `-bin` keys carry bytes, which YAML text cannot.
const METADATA_KEY = /^[0-9a-z_.-]+$/;
const RESERVED_KEYS = new Set(['te', 'content-type', 'user-agent', 'host', 'connection']);

const metadata = z.record(z.string(), z.string()).superRefine((entries, ctx) => {
  for (const [key, value] of Object.entries(entries)) {
    if (!METADATA_KEY.test(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" is not a gRPC metadata key (lower-case letters, digits, "-", "_", ".")` });
    } else if (key.startsWith('grpc-') || key.startsWith(':') || RESERVED_KEYS.has(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `metadata key "${key}" is reserved by gRPC` });
    } else if (key.endsWith('-bin')) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'binary (-bin) metadata is not supported' });
    } else if (!/^[\x20-\x7e]*$/.test(value)) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'metadata values must be printable ASCII' });
    }
  }
});

export const grpcSettingsSchema = z
  .strictObject({
    /** The service name asked about; "" is the server as a whole. */
    service: z.string().default(''),
    metadata: metadata.default({}),
    /** Speak TLS (h2 over TLS); a failed handshake or an untrusted certificate is a tls_error. */
    tls: z.boolean().default(false),
    /** Trust for `tls: true`: caFile, serverName, insecureSkipVerify. */
    tlsConfig,
    /** Address family used to reach a target given by name. */
    ipFamily,
    /** Keep one channel between attempts; off by default so that each attempt opens its own connection. */
    reuseConnections: z.boolean().default(false),
  })
  .superRefine((settings, ctx) => {
    const { caFile, serverName, insecureSkipVerify } = settings.tlsConfig;
    if (!settings.tls && (caFile !== undefined || serverName !== undefined || insecureSkipVerify)) {
      ctx.addIssue({ code: 'custom', path: ['tlsConfig'], message: 'applies only with tls: true' });
    }
  });

export type GrpcSettings = z.output<typeof grpcSettingsSchema>;

export const grpcTargetSchema = addressTarget({});

export type GrpcTarget = z.output<typeof grpcTargetSchema>;
