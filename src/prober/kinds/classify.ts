// The one place where errors from the outside world (Node, undici, TLS, gRPC) become failure kinds.
import type { FailureKind } from '../outcome.js';

/** What an attempt was doing when it failed; a reset during the TLS handshake is a TLS failure. */
export type AttemptStage = 'dns' | 'connect' | 'tls' | 'request' | 'response';

export interface Classified {
  kind: FailureKind;
  detail: string;
}

const BY_CODE: Readonly<Record<string, FailureKind>> = {
  ECONNREFUSED: 'connection_refused',
  // No route is not a refusal, but of the closed set it is the nearest: the connection never opened.
  EHOSTUNREACH: 'connection_refused',
  ENETUNREACH: 'connection_refused',
  EHOSTDOWN: 'connection_refused',
  EADDRNOTAVAIL: 'connection_refused',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  ECONNABORTED: 'connection_reset',
  UND_ERR_SOCKET: 'connection_reset',
  UND_ERR_CLOSED: 'connection_reset',
  ENOTFOUND: 'dns_error',
  EAI_AGAIN: 'dns_error',
  EAI_FAIL: 'dns_error',
  EAI_NONAME: 'dns_error',
  EAI_NODATA: 'dns_error',
  EAI_ADDRFAMILY: 'dns_error',
  ENODATA: 'dns_error',
  ESERVFAIL: 'dns_error',
  EREFUSED: 'dns_error',
  ETIMEDOUT: 'timeout',
  ABORT_ERR: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_ABORTED: 'timeout',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'body_too_large',
  UND_ERR_HEADERS_OVERFLOW: 'protocol_error',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'protocol_error',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'protocol_error',
  UND_ERR_INVALID_ARG: 'protocol_error',
  UND_ERR_INFO: 'protocol_error',
  UND_ERR_NOT_SUPPORTED: 'protocol_error',
};

// OpenSSL verification results (X509_V_ERR_* without the prefix) and Node's TLS error codes.
const TLS_CODE = /^(CERT_|ERR_SSL_|ERR_TLS_|ERR_OSSL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|INVALID_CA$|INVALID_PURPOSE$|PATH_LENGTH_EXCEEDED$)/;

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === error ? undefined : codeOf(cause);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Maps an error code alone (e.g. a TLS authorizationError) to a kind. */
export function kindOfCode(code: string, message = ''): FailureKind {
  const known = BY_CODE[code];
  if (known) return known;
  if (TLS_CODE.test(code)) return 'tls_error';
  // llhttp's parser errors: the peer did not speak HTTP/1.1.
  if (code.startsWith('HPE_') || code.startsWith('ERR_HTTP2_')) return 'protocol_error';
  if (code === 'EPROTO') return /SSL|TLS/i.test(message) ? 'tls_error' : 'protocol_error';
  return 'protocol_error';
}

/** Classifies anything an attempt caught. Unknown errors are protocol errors: the peer did something unexpected. */
export function classifyError(error: unknown, stage?: AttemptStage): Classified {
  const code = codeOf(error);
  const message = messageOf(error);
  const detail = code && !message.includes(code) ? `${code}: ${message}` : message;
  if (!code) return { kind: stage === 'tls' ? 'tls_error' : 'protocol_error', detail };
  const kind = kindOfCode(code, message);
  // A peer that hangs up in the middle of the handshake broke the handshake: a TLS failure, not a reset.
  if (stage === 'tls' && kind === 'connection_reset') return { kind: 'tls_error', detail: `handshake interrupted: ${detail}` };
  return { kind, detail };
}

/** gRPC status codes (grpc/status.h) that a health check can end with. */
export const GRPC_STATUS = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

const ERRNO_IN_TEXT = /\b(E[A-Z]{3,}|EAI_[A-Z]+|ERR_[A-Z_0-9]+|CERT_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_[A-Z_]+)\b/;

/** Classifies a failed gRPC call: the status code, then the transport error grpc-js quotes in `details`. */
export function classifyGrpcStatus(code: number, details: string): Classified {
  const detail = `gRPC status ${code}: ${details}`;
  if (code === GRPC_STATUS.DEADLINE_EXCEEDED || code === GRPC_STATUS.CANCELLED) return { kind: 'timeout', detail };
  if (code === GRPC_STATUS.NOT_FOUND) return { kind: 'assertion_failed', detail };
  if (code === GRPC_STATUS.UNAVAILABLE) {
    const quoted = ERRNO_IN_TEXT.exec(details)?.[1];
    if (quoted) return { kind: kindOfCode(quoted, details), detail };
    if (/name resolution|DNS resolution/i.test(details)) return { kind: 'dns_error', detail };
    if (/certificate|SSL|TLS|handshake/i.test(details)) return { kind: 'tls_error', detail };
  }
  return { kind: 'protocol_error', detail };
}
