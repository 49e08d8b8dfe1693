// The tls probe: one TLS handshake per attempt, judged on trust (chain and name) and on how many days the
// earliest certificate of the peer's chain has left.
import type { Outcome } from '../../outcome.js';
import { type Attempt, runAttempt } from '../attempt.js';
import { closeGracefully, type HostLookup, loadTlsTrust, openConnection, type TlsTrust, tlsOptionsFor } from '../connect.js';
import { defineProbeKind, type ProbeRunner } from '../kind.js';
import { type TlsSettings, type TlsTarget, tlsSettingsSchema, tlsTargetSchema } from './schema.js';

const DAY_MS = 86_400_000;

/** "in 3.0 days (2026-11-25T12:00:00.000Z)" or "1.5 days ago (…)". */
function describeExpiry(expiresAt: number, now: number): string {
  const days = (expiresAt - now) / DAY_MS;
  const when = new Date(expiresAt).toISOString();
  return days >= 0 ? `expires in ${days.toFixed(1)} days (${when})` : `expired ${(-days).toFixed(1)} days ago (${when})`;
}

class TlsRunner implements ProbeRunner {
  private readonly trust: TlsTrust;

  constructor(
    private readonly settings: TlsSettings,
    private readonly target: TlsTarget,
    private readonly timeoutMs: number,
    private readonly lookup: HostLookup | undefined,
  ) {
    this.trust = loadTlsTrust(settings);
  }

  probe(signal: AbortSignal): Promise<Outcome> {
    return runAttempt(this.timeoutMs, signal, (attempt) => {
      const { host, port } = this.target;
      const endpoint = { host, port, ipFamily: this.settings.ipFamily, lookup: this.lookup };
      openConnection(attempt, endpoint, tlsOptionsFor(host, this.trust), (error, socket) => {
        if (error || !socket) {
          attempt.failWith(error);
          return;
        }
        this.judgeExpiry(attempt);
        closeGracefully(socket);
      });
    });
  }

  async close(): Promise<void> {}

  private judgeExpiry(attempt: Attempt): void {
    const { minDaysLeft } = this.settings;
    const expiresAt = attempt.certExpiresAt;
    if (expiresAt === undefined) {
      attempt.fail('tls_error', 'the peer presented no certificate');
      return;
    }
    const now = Date.now();
    if (minDaysLeft !== undefined && expiresAt - now < minDaysLeft * DAY_MS) {
      attempt.fail('assertion_failed', `certificate ${describeExpiry(expiresAt, now)}, below minDaysLeft ${minDaysLeft}`);
      return;
    }
    attempt.succeed(`certificate ${describeExpiry(expiresAt, now)}`);
  }
}

export const tlsKind = defineProbeKind<TlsSettings, TlsTarget>({
  type: 'tls',
  settingsSchema: tlsSettingsSchema,
  targetSchema: tlsTargetSchema,
  targetLabel: (target) => target.address,
  create: ({ settings, target, timeoutMs, lookup }) => new TlsRunner(settings, target, timeoutMs, lookup),
});
