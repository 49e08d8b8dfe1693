// A protocol-level fake of Cloud Monitoring's gRPC MetricService (no emulator exists): a grpc-js server on
// 127.0.0.1 built from the protos that ship inside @google-cloud/monitoring, so the real client talks to
// it unchanged. It records every ListTimeSeries / CreateTimeSeries request as decoded and answers what the
// test scripts.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { protos } from '@google-cloud/monitoring';
import { type GrpcObject, loadPackageDefinition, Server, ServerCredentials, type ServiceClientConstructor, type ServiceError, status } from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';

export type ListTimeSeriesRequest = protos.google.monitoring.v3.IListTimeSeriesRequest;
export type ListTimeSeriesResponse = protos.google.monitoring.v3.IListTimeSeriesResponse;
export type CreateTimeSeriesRequest = protos.google.monitoring.v3.ICreateTimeSeriesRequest;

/** A scripted failure: a gRPC status and its message. */
export interface FakeFailure {
  code: status;
  details: string;
}

/** What the fake answers: a page, a failure, or (a never-settling promise) nothing at all. */
export type Answer<T> = T | FakeFailure | Promise<T | FakeFailure>;

function isFailure(answer: unknown): answer is FakeFailure {
  return typeof answer === 'object' && answer !== null && 'code' in answer && 'details' in answer;
}

function loadMetricService(): ServiceClientConstructor {
  const require = createRequire(import.meta.url);
  const json: unknown = require(path.join(path.dirname(require.resolve('@google-cloud/monitoring')), '..', 'protos', 'protos.json'));
  // `defaults: false` keeps recorded requests to exactly the fields the client set.
  const definition = fromJSON(json as Parameters<typeof fromJSON>[0], { longs: String, enums: String, defaults: false, oneofs: true });
  const v3 = ((loadPackageDefinition(definition).google as GrpcObject).monitoring as GrpcObject).v3 as GrpcObject;
  return v3.MetricService as ServiceClientConstructor;
}

const noSeries = (): ListTimeSeriesResponse => ({ timeSeries: [], nextPageToken: '' });
const accepted = (): Record<string, never> => ({});

export class FakeMetricService {
  readonly listRequests: ListTimeSeriesRequest[] = [];
  readonly createRequests: CreateTimeSeriesRequest[] = [];
  /** Answers ListTimeSeries; default: no series. */
  onList: (request: ListTimeSeriesRequest) => Answer<ListTimeSeriesResponse> = noSeries;
  /** Answers CreateTimeSeries; default: accepted. */
  onCreate: (request: CreateTimeSeriesRequest) => Answer<Record<string, never>> = accepted;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeMetricService> {
    // Without this the real client first looks for a GCE metadata server to learn the project and credentials.
    process.env.METADATA_SERVER_DETECTION = 'none';
    const server = new Server();
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    const fake = new FakeMetricService(server, port);
    server.addService(loadMetricService().service, {
      listTimeSeries: fake.unary((request: ListTimeSeriesRequest) => {
        fake.listRequests.push(request);
        return fake.onList(request);
      }),
      createTimeSeries: fake.unary((request: CreateTimeSeriesRequest) => {
        fake.createRequests.push(request);
        return fake.onCreate(request);
      }),
    });
    return fake;
  }

  /** The source/exporter `emulator` setting that points the real client here. */
  get emulator(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  /** Forgets the recorded requests and the scripted answers, for the next test. */
  reset(): void {
    this.listRequests.length = 0;
    this.createRequests.length = 0;
    this.onList = noSeries;
    this.onCreate = accepted;
  }

  async close(): Promise<void> {
    this.server.forceShutdown();
  }

  private unary<Request, Response>(answer: (request: Request) => Answer<Response>) {
    return (call: { request: Request }, callback: (error: Partial<ServiceError> | null, response?: Response) => void) => {
      Promise.resolve(answer(call.request)).then(
        (result) => (isFailure(result) ? callback({ code: result.code, details: result.details }) : callback(null, result)),
        (error: unknown) => callback({ code: status.INTERNAL, details: String(error) }),
      );
    };
  }
}
