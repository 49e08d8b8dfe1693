// The dns probe: one question per attempt to a given server (UDP with TCP fallback, or TCP) or through
// the system resolver, judged on RCODE, AA bit, answer count and an answer regex.
import type { Outcome } from '../../outcome.js';
import { type Attempt, runAttempt } from '../attempt.js';
import { resolveHost } from '../connect.js';
import { defineProbeKind, type ProbeRunner, type RunnerInput } from '../kind.js';
import { DnsExpectationCheck, type DnsReply } from './reply.js';
import { type DnsSettings, type DnsTarget, dnsSettingsSchema, dnsTargetLabel, dnsTargetSchema } from './schema.js';
import { askSystemResolver } from './system-query.js';
import { askOverTcp, askOverUdp, type DnsEndpoint, type DnsQuestion } from './wire-query.js';

export interface DnsRunnerOptions {
  /** Nameservers for `server: system` instead of the operating system's; for tests on loopback. */
  systemServers?: string[];
}

export class DnsRunner implements ProbeRunner {
  private readonly check: DnsExpectationCheck;
  private readonly question: DnsQuestion;

  constructor(
    private readonly input: RunnerInput<DnsSettings, DnsTarget>,
    private readonly options: DnsRunnerOptions = {},
  ) {
    const { settings, target } = input;
    this.check = new DnsExpectationCheck(settings.expect, target.type);
    this.question = { name: target.name, type: target.type, recursionDesired: settings.recursionDesired };
  }

  probe(signal: AbortSignal): Promise<Outcome> {
    const { settings, target, timeoutMs } = this.input;
    return runAttempt(timeoutMs, signal, (attempt) => {
      const judge = (reply: DnsReply, note?: string): void => this.judge(attempt, reply, note);
      const server = target.server;
      if (server.kind === 'system') {
        askSystemResolver(attempt, this.question, timeoutMs, this.options.systemServers, judge);
        return;
      }
      resolveHost(attempt, server.host, settings.ipFamily, this.input.lookup, (error, ip) => {
        if (attempt.done) return;
        if (error) {
          attempt.failWith(error);
          return;
        }
        const endpoint: DnsEndpoint = { ip, port: server.port };
        if (settings.transport === 'tcp') askOverTcp(attempt, endpoint, this.question, judge);
        else askOverUdp(attempt, endpoint, this.question, judge);
      });
    });
  }

  async close(): Promise<void> {
    // Every socket belongs to one attempt and is closed when it settles.
  }

  private judge(attempt: Attempt, reply: DnsReply, note: string | undefined): void {
    if (attempt.done) return;
    const problem = this.check.problem(reply);
    const context = `${reply.rcode}, ${reply.records.length} ${this.question.type} records${note ? `; ${note}` : ''}`;
    if (problem) attempt.fail('assertion_failed', `${problem} (${context})`);
    else attempt.succeed(context);
  }
}

export const dnsKind = defineProbeKind<DnsSettings, DnsTarget>({
  type: 'dns',
  settingsSchema: dnsSettingsSchema,
  targetSchema: dnsTargetSchema,
  targetLabel: dnsTargetLabel,
  create: (input) => new DnsRunner(input),
});
