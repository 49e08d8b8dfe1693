// The tcp probe: connect (optionally over TLS), optionally send a line, optionally wait for a regex in what
// the peer sends, reading at most 64 KiB. One connection per attempt.
import type { Socket } from 'node:net';
import type { Outcome } from '../../outcome.js';
import { type Attempt, runAttempt } from '../attempt.js';
import { closeGracefully, type HostLookup, loadTlsTrust, openConnection, type TlsTrust, tlsOptionsFor } from '../connect.js';
import { defineProbeKind, type ProbeRunner } from '../kind.js';
import { type TcpSettings, type TcpTarget, tcpSettingsSchema, tcpTargetSchema } from './schema.js';

/** The most an attempt reads while waiting for `expect`; a peer that sends more without matching fails. */
export const EXPECT_READ_LIMIT = 64 * 1024;

/** A short, printable excerpt of what the peer sent, for the failure detail. */
function excerpt(text: string): string {
  const shown = JSON.stringify(text.slice(0, 80));
  return text.length > 80 ? `${shown}…` : shown;
}

class TcpRunner implements ProbeRunner {
  private readonly expect: RegExp | null;
  private readonly trust: TlsTrust | null;

  constructor(
    private readonly settings: TcpSettings,
    private readonly target: TcpTarget,
    private readonly timeoutMs: number,
    private readonly lookup: HostLookup | undefined,
  ) {
    this.expect = settings.expect === undefined ? null : new RegExp(settings.expect);
    this.trust = settings.tls ? loadTlsTrust(settings.tlsConfig) : null;
  }

  probe(signal: AbortSignal): Promise<Outcome> {
    return runAttempt(this.timeoutMs, signal, (attempt) => {
      const { host, port } = this.target;
      const tls = this.trust ? tlsOptionsFor(host, this.trust) : null;
      openConnection(attempt, { host, port, ipFamily: this.settings.ipFamily, lookup: this.lookup }, tls, (error, socket) => {
        if (error || !socket) attempt.failWith(error);
        else this.converse(attempt, socket);
      });
    });
  }

  async close(): Promise<void> {}

  /** The exchange on an open connection: send, then read until `expect` matches. */
  private converse(attempt: Attempt, socket: Socket): void {
    let passed = false;
    const pass = (): void => {
      passed = !attempt.done;
      attempt.succeed();
    };
    attempt.onSettle(() => (passed ? closeGracefully(socket) : socket.destroy()));
    socket.on('error', (error) => attempt.failWith(error));
    const { send } = this.settings;
    const expect = this.expect;
    if (send !== undefined) {
      attempt.stage = 'request';
      socket.write(send, () => {
        if (!expect) pass();
      });
    }
    if (!expect) {
      if (send === undefined) pass();
      return;
    }
    attempt.stage = 'response';
    const chunks: Buffer[] = [];
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      if (attempt.done) return;
      const room = EXPECT_READ_LIMIT - received;
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(kept);
      received += kept.length;
      const text = Buffer.concat(chunks, received).toString('utf8');
      if (expect.test(text)) pass();
      else if (received >= EXPECT_READ_LIMIT) {
        attempt.fail('assertion_failed', `no match for /${expect.source}/ in the first ${EXPECT_READ_LIMIT} bytes: ${excerpt(text)}`);
      }
    });
    socket.once('end', () => {
      if (attempt.done) return;
      const text = Buffer.concat(chunks, received).toString('utf8');
      attempt.fail('assertion_failed', `the peer closed after ${received} bytes without a match for /${expect.source}/: ${excerpt(text)}`);
    });
  }
}

export const tcpKind = defineProbeKind<TcpSettings, TcpTarget>({
  type: 'tcp',
  settingsSchema: tcpSettingsSchema,
  targetSchema: tcpTargetSchema,
  targetLabel: (target) => target.address,
  create: ({ settings, target, timeoutMs, lookup }) => new TcpRunner(settings, target, timeoutMs, lookup),
});
