// Test support: a grpc-js server on 127.0.0.1 serving grpc.health.v1.Health/Check from a status table,
// as real services do (an unknown service is NOT_FOUND), optionally over TLS.
import { type Metadata, Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import {
  decodeHealthCheckRequest,
  encodeHealthCheckResponse,
  HEALTH_CHECK_PATH,
  type HealthCheckRequest,
  type HealthCheckResponse,
  SERVING_STATUS,
  type ServingStatus,
} from '../../src/prober/kinds/grpc/health-proto.js';

export interface HealthServer {
  address: string;
  port: number;
  /** Sets (or, with null, removes) the status of a service; "" is the server as a whole. */
  setStatus(service: string, serving: ServingStatus | null): void;
  /** Every call received, in order, with the client's address:port (one per connection). */
  calls(): HealthCall[];
  stop(): Promise<void>;
}

export interface HealthCall {
  service: string;
  metadata: Metadata;
  peer: string;
  /** The :authority the client sent. */
  authority: string;
}

export interface HealthServerOptions {
  statuses?: Record<string, ServingStatus>;
  tls?: { key: string; cert: string };
  /** Sends these bytes as every response message instead of an encoded HealthCheckResponse. */
  rawResponse?: Buffer;
}

export async function startHealthServer(options: HealthServerOptions = {}): Promise<HealthServer> {
  const statuses = new Map<string, ServingStatus>(Object.entries(options.statuses ?? { '': 'SERVING' }));
  const calls: HealthCall[] = [];
  const server = new Server();
  server.addService(
    {
      Check: {
        path: HEALTH_CHECK_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: () => Buffer.alloc(0),
        requestDeserialize: decodeHealthCheckRequest,
        responseSerialize: (response: HealthCheckResponse) => options.rawResponse ?? encodeHealthCheckResponse(response),
        responseDeserialize: () => ({ status: 0 }),
      },
    },
    {
      Check: (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>) => {
        calls.push({ service: call.request.service, metadata: call.metadata, peer: call.getPeer(), authority: call.getHost() });
        const serving = statuses.get(call.request.service);
        if (serving === undefined) callback({ code: status.NOT_FOUND, details: `unknown service ${call.request.service}` });
        else callback(null, { status: SERVING_STATUS.indexOf(serving) });
      },
    },
  );
  const credentials = options.tls
    ? ServerCredentials.createSsl(null, [{ private_key: Buffer.from(options.tls.key), cert_chain: Buffer.from(options.tls.cert) }])
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    address: `127.0.0.1:${port}`,
    port,
    setStatus: (service, serving) => {
      if (serving === null) statuses.delete(service);
      else statuses.set(service, serving);
    },
    calls: () => calls,
    stop: () =>
      new Promise<void>((resolve) => {
        // A connection stuck mid-handshake holds a graceful shutdown open; after a second, cut everything.
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
