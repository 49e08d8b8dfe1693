// A DNS reply reduced to what the expectations look at, and the check of those expectations.
import type { DnsExpectations, QueryType, Rcode } from './schema.js';

export interface DnsReply {
  rcode: Rcode | `RCODE_${number}`;
  /** The AA bit; null when the path that asked cannot see it (the system resolver). */
  authoritative: boolean | null;
  /** Answer records of the queried type, rendered as `dig +short` shows them (without trailing dots). */
  records: string[];
}

const SHOWN_RECORDS = 5;
const SHOWN_CHARS = 300;

function shown(records: string[]): string {
  if (records.length === 0) return 'no records';
  const head = records.slice(0, SHOWN_RECORDS).join(', ');
  const more = records.length > SHOWN_RECORDS ? ` and ${records.length - SHOWN_RECORDS} more` : '';
  const text = `${head}${more}`;
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
}

/** Compiled once per runner: the regex is checked at load time, so building it cannot throw here. */
export class DnsExpectationCheck {
  private readonly answerRegex: RegExp | null;
  private readonly minAnswers: number;

  constructor(
    private readonly expect: DnsExpectations,
    private readonly type: QueryType,
  ) {
    this.answerRegex = expect.answerRegex === undefined ? null : new RegExp(expect.answerRegex);
    this.minAnswers = expect.minAnswers ?? (expect.rcode === 'NOERROR' ? 1 : 0);
  }

  /** Why the reply does not meet the expectations, or null when it does. */
  problem(reply: DnsReply): string | null {
    const { expect, type } = this;
    if (reply.rcode !== expect.rcode) return `rcode ${reply.rcode}, expected ${expect.rcode}`;
    if (expect.authoritative !== undefined) {
      if (reply.authoritative === null) return 'authoritative cannot be checked through the system resolver';
      if (reply.authoritative !== expect.authoritative) {
        return reply.authoritative ? 'the answer is authoritative (AA set), expected not' : 'the answer is not authoritative (AA clear)';
      }
    }
    if (reply.records.length < this.minAnswers) {
      return `${reply.records.length} ${type} records, expected at least ${this.minAnswers}`;
    }
    const regex = this.answerRegex;
    if (regex && !reply.records.some((record) => regex.test(record))) {
      return `no ${type} record matches /${regex.source}/ (got ${shown(reply.records)})`;
    }
    return null;
  }
}
