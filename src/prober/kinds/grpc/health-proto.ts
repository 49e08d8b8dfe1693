// The two messages of grpc.health.v1 (HealthCheckRequest, HealthCheckResponse) in protobuf wire format,
// written by hand: one string field and one enum field do not need a schema compiler.
//
//   package grpc.health.v1;
//   message HealthCheckRequest { string service = 1; }
//   message HealthCheckResponse { ServingStatus status = 1; }  // UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3
//   service Health { rpc Check(HealthCheckRequest) returns (HealthCheckResponse); }

export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;
export type ServingStatus = (typeof SERVING_STATUS)[number];

export interface HealthCheckRequest {
  service: string;
}

export interface HealthCheckResponse {
  /** The enum's number: a newer server may send a value this list does not know. */
  status: number;
}

/** A message that is not valid protobuf (grpc-js turns the throw into an INTERNAL status). */
export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(`not a valid protobuf message: ${message}`);
    this.name = 'ProtobufDecodeError';
  }
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;
const MAX_VARINT_BYTES = 10;

function encodeVarint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

/** Reads fields one by one; arithmetic instead of bit shifts keeps values above 2^31 exact. */
class FieldReader {
  private offset = 0;

  constructor(private readonly bytes: Buffer) {}

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const byte = this.bytes[this.offset++];
      if (byte === undefined) throw new ProtobufDecodeError('a varint runs past the end');
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return value;
      scale *= 0x80;
    }
    throw new ProtobufDecodeError('a varint is longer than 10 bytes');
  }

  bytesOf(length: number): Buffer {
    if (this.offset + length > this.bytes.length) throw new ProtobufDecodeError('a field runs past the end');
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  /** Skips a field this side does not know, as proto3 requires. */
  skip(wireType: number): void {
    if (wireType === WIRE_VARINT) this.varint();
    else if (wireType === WIRE_FIXED64) this.bytesOf(8);
    else if (wireType === WIRE_LENGTH_DELIMITED) this.bytesOf(this.varint());
    else if (wireType === WIRE_FIXED32) this.bytesOf(4);
    else throw new ProtobufDecodeError(`unsupported wire type ${wireType}`);
  }

  /** Calls `onField` for each field; it returns false for the ones it did not read, which are skipped. */
  fields(onField: (field: number, wireType: number) => boolean): void {
    while (!this.done) {
      const key = this.varint();
      const field = Math.floor(key / 8);
      const wireType = key % 8;
      if (field === 0) throw new ProtobufDecodeError('field number 0');
      if (!onField(field, wireType)) this.skip(wireType);
    }
  }
}

export function encodeHealthCheckRequest(request: HealthCheckRequest): Buffer {
  // proto3 leaves a field at its default value off the wire.
  if (request.service === '') return Buffer.alloc(0);
  const service = Buffer.from(request.service, 'utf8');
  return Buffer.concat([Buffer.from([(1 << 3) | WIRE_LENGTH_DELIMITED, ...encodeVarint(service.length)]), service]);
}

export function decodeHealthCheckRequest(bytes: Buffer): HealthCheckRequest {
  const reader = new FieldReader(bytes);
  let service = '';
  reader.fields((field, wireType) => {
    if (field !== 1 || wireType !== WIRE_LENGTH_DELIMITED) return false;
    service = reader.bytesOf(reader.varint()).toString('utf8');
    return true;
  });
  return { service };
}

export function encodeHealthCheckResponse(response: HealthCheckResponse): Buffer {
  if (response.status === 0) return Buffer.alloc(0);
  return Buffer.from([(1 << 3) | WIRE_VARINT, ...encodeVarint(response.status)]);
}

export function decodeHealthCheckResponse(bytes: Buffer): HealthCheckResponse {
  const reader = new FieldReader(bytes);
  let status = 0;
  reader.fields((field, wireType) => {
    if (field !== 1 || wireType !== WIRE_VARINT) return false;
    status = reader.varint();
    return true;
  });
  return { status };
}

/** The status's name, or its number when this build does not know it. */
export function servingStatusName(status: number): string {
  return SERVING_STATUS[status] ?? `status ${status}`;
}
