// Test support: a scriptable DNS server on 127.0.0.1 (UDP, optionally TCP on the same port) for the
// misbehaviours a real server will not produce on demand: silence, wrong ids, garbage, truncation.
import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';

/** What to send back for one query: zero or more raw messages (UDP datagrams, or TCP frames). */
export type DnsResponder = (query: DecodedPacket) => Buffer[];

export interface FakeDnsServer {
  port: number;
  /** Queries received so far, over UDP and TCP. */
  queries(): DecodedPacket[];
  close(): Promise<void>;
}

export interface FakeDnsOptions {
  udp: DnsResponder;
  /** Also listen on TCP on the same port, answering with this. */
  tcp?: DnsResponder;
}

/** A reply to `query` (same id and question) with these answers and header fields. */
export function replyTo(query: DecodedPacket, fields: { answers?: Answer[]; flags?: number; id?: number } = {}): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: fields.id ?? query.id ?? 0,
    flags: fields.flags ?? 0,
    questions: query.questions ?? [],
    answers: fields.answers ?? [],
  });
}

/** The UDP port is taken first; a TCP listener then needs the same number, which may be busy: retry. */
async function bindBoth(options: FakeDnsOptions, queries: DecodedPacket[]): Promise<FakeDnsServer> {
  const udp = createSocket('udp4');
  udp.on('message', (message, from) => {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    queries.push(query);
    for (const reply of options.udp(query)) udp.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, '127.0.0.1', () => resolve());
  });
  const port = udp.address().port;
  let tcp: Server | null = null;
  const sockets = new Set<Socket>();
  if (options.tcp) {
    const respond = options.tcp;
    tcp = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
        const query = dnsPacket.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        queries.push(query);
        for (const reply of respond(query)) socket.write(reply);
      });
    });
    const server = tcp;
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      throw new Error(`TCP port ${port} is busy`);
    }
  }
  return {
    port,
    queries: () => queries,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        tcp ? new Promise<void>((resolve) => tcp.close(() => resolve())) : Promise.resolve(),
      ]);
    },
  };
}

export async function startFakeDnsServer(options: FakeDnsOptions): Promise<FakeDnsServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      return await bindBoth(options, []);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** A TCP frame: the 2-byte length prefix and the message. */
export function tcpFrame(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

/** A 127.0.0.1 port on which nothing listens (over UDP) at the time of asking. */
export async function closedUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
