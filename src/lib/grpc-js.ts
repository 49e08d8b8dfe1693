// @grpc/grpc-js, loaded the first time something needs it: a prober agent without gRPC probes or a Cloud
// Monitoring export never does, and grpc-js with its dependencies held about 7 MiB of its memory.
import { createRequire } from 'node:module';

type GrpcJs = typeof import('@grpc/grpc-js');

const require = createRequire(import.meta.url);
let loaded: GrpcJs | null = null;

export function grpcJs(): GrpcJs {
  loaded ??= require('@grpc/grpc-js') as GrpcJs;
  return loaded;
}
