// The `tcp:` section of a tcp probe and its targets (`address: host:port`), as YAML authors write them.
import { z } from 'zod';
import { addressTarget, ipFamily, regexText, tlsConfig } from '../schema-fields.js';

export const tcpSettingsSchema = z.strictObject({
  /** Written once the connection (and TLS, if on) is up, e.g. "PING\r\n". Sent as UTF-8. */
  send: z.string().min(1).optional(),
  /** Must match what the peer sends (decoded as UTF-8, at most the first 64 KiB), e.g. "^\\+PONG". */
  expect: regexText.optional(),
  /** Speak TLS over the connection (a failed handshake or an untrusted certificate is a tls_error). */
  tls: z.boolean().default(false),
  /** Trust for `tls: true`: caFile, serverName, insecureSkipVerify. */
  tlsConfig,
  ipFamily,
});

export type TcpSettings = z.output<typeof tcpSettingsSchema>;

export const tcpTargetSchema = addressTarget({});

export type TcpTarget = z.output<typeof tcpTargetSchema>;
