// blackbox_exporter's per-target gauges (probe_success, probe_duration_seconds, probe_http_status_code,
// probe_http_duration_seconds, probe_ssl_earliest_cert_expiry), kept as numbers in columns and written as
// Prometheus text at scrape time. Through prom-client's labelled gauges, 10,000 targets kept 80,000 label
// objects, hashes and value entries alive after the first scrape, and a scrape built them all at once; here a
// target holds its label text and a row of numbers, and a scrape streams its lines in chunks.
import type { Outcome, Phases } from './outcome.js';
import { roundMicros } from './outcome.js';
import type { TargetLabels } from './scheduler.js';

/** Vigil's phase names → blackbox_exporter's `phase` label values. */
const BLACKBOX_PHASES: ReadonlyArray<[keyof Phases, string]> = [
  ['dns', 'resolve'],
  ['connect', 'connect'],
  ['tls', 'tls'],
  ['ttfb', 'processing'],
  ['transfer', 'transfer'],
];
const PHASES = BLACKBOX_PHASES.length;

/** Lines per chunk a scrape hands out: big enough to be cheap, small enough to bound what waits in memory. */
const LINES_PER_CHUNK = 1000;

interface TargetRow {
  /** `probe="…",target="…",target_region="…",vantage="…"`, escaped as Prometheus text wants. */
  labels: string;
  http: boolean;
  /** Row in the columns. */
  row: number;
}

/** Prometheus label value escaping (backslash, newline, double quote), as prom-client writes it. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: TargetLabels): string {
  // Joined rather than concatenated: each target keeps one flat string, not a tree of eight pieces.
  return [
    'probe="',
    escapeLabelValue(labels.probe),
    '",target="',
    escapeLabelValue(labels.target),
    '",target_region="',
    escapeLabelValue(labels.targetRegion),
    '",vantage="',
    escapeLabelValue(labels.vantage),
    '"',
  ].join('');
}

export class TargetGauges {
  /** By label text, in the order targets first reported. */
  private readonly targets = new Map<string, TargetRow>();
  /** The scheduler passes the same labels object for every attempt of a target: found without building the text. */
  private readonly byLabels = new WeakMap<TargetLabels, TargetRow>();
  private readonly freeRows: number[] = [];
  private rows = 0;
  private success = new Uint8Array(64);
  /** Seconds. */
  private duration = new Float64Array(64);
  private status = new Uint16Array(64);
  /** Seconds per blackbox phase, PHASES per row. */
  private phases = new Float64Array(64 * PHASES);
  /** Unix seconds; NaN until an attempt sees a certificate, then kept until one sees another. */
  private certExpiry = new Float64Array(64).fill(Number.NaN);

  /** Records the last attempt of `labels`'s target; true when the target had not reported before. */
  set(labels: TargetLabels, outcome: Outcome): boolean {
    const size = this.targets.size;
    const { row } = this.rowFor(labels);
    this.success[row] = outcome.ok ? 1 : 0;
    this.duration[row] = roundMicros(outcome.latencyMs) / 1000;
    this.status[row] = outcome.status ?? 0;
    const phases = outcome.phases;
    for (let i = 0; i < PHASES; i++) {
      const name = BLACKBOX_PHASES[i]?.[0];
      this.phases[row * PHASES + i] = name === undefined ? 0 : (phases?.[name] ?? 0) / 1000;
    }
    if (outcome.certExpiresAt !== undefined) this.certExpiry[row] = outcome.certExpiresAt / 1000;
    return this.targets.size !== size;
  }

  /** Forgets a removed target; true when it had reported. */
  remove(labels: TargetLabels): boolean {
    const key = labelText(labels);
    const target = this.targets.get(key);
    if (!target) return false;
    this.targets.delete(key);
    this.byLabels.delete(labels);
    this.freeRows.push(target.row);
    // Other labels objects of the same text may still lead to this entry: they find it stale and look again.
    target.row = -1;
    return true;
  }

  /** Text of the five families, in chunks of lines; every family is written even when it has no target. */
  *exposition(): Generator<string> {
    const line = (name: string, target: TargetRow, value: number): string => `${name}{${target.labels}} ${value}\n`;
    yield* this.family('probe_success', 'Whether the last probe was a success', false, (t) => line('probe_success', t, this.success[t.row] ?? 0));
    yield* this.family('probe_duration_seconds', 'How long the last probe took to complete in seconds', false, (t) =>
      line('probe_duration_seconds', t, this.duration[t.row] ?? 0),
    );
    yield* this.family('probe_http_status_code', 'Response HTTP status code of the last probe (0 when no response arrived)', true, (t) =>
      line('probe_http_status_code', t, this.status[t.row] ?? 0),
    );
    const phase = 'probe_http_duration_seconds';
    yield* this.family(phase, 'Duration of the last HTTP probe by phase, summed over all redirects', true, (t) => {
      let text = '';
      for (let i = 0; i < PHASES; i++) text += `${phase}{${t.labels},phase="${BLACKBOX_PHASES[i]?.[1]}"} ${this.phases[t.row * PHASES + i]}\n`;
      return text;
    }, PHASES);
    const expiry = 'probe_ssl_earliest_cert_expiry';
    yield* this.family(expiry, 'Unix time of the earliest expiring certificate in the chain of the last probe', false, (t) => {
      const seconds = this.certExpiry[t.row] ?? Number.NaN;
      return Number.isNaN(seconds) ? '' : line(expiry, t, seconds);
    });
  }

  /** One family: its header, then `lines(target)` (`linesPerTarget` lines, or '') for each target, in chunks. */
  private *family(name: string, help: string, httpOnly: boolean, lines: (target: TargetRow) => string, linesPerTarget = 1): Generator<string> {
    let chunk = `# HELP ${name} ${help}\n# TYPE ${name} gauge\n`;
    let count = 0;
    for (const target of this.targets.values()) {
      if (httpOnly && !target.http) continue;
      const text = lines(target);
      if (text === '') continue;
      chunk += text;
      count += linesPerTarget;
      if (count >= LINES_PER_CHUNK) {
        yield chunk;
        chunk = '';
        count = 0;
      }
    }
    yield `${chunk}\n`;
  }

  private rowFor(labels: TargetLabels): TargetRow {
    const cached = this.byLabels.get(labels);
    if (cached && cached.row >= 0) return cached;
    const key = labelText(labels);
    let target = this.targets.get(key);
    if (!target) {
      target = { labels: key, http: labels.type === 'http', row: this.takeRow() };
      this.targets.set(key, target);
    }
    this.byLabels.set(labels, target);
    return target;
  }

  private takeRow(): number {
    const reused = this.freeRows.pop();
    const row = reused ?? this.rows++;
    if (row >= this.success.length) this.grow();
    this.success[row] = 0;
    this.duration[row] = 0;
    this.status[row] = 0;
    this.phases.fill(0, row * PHASES, (row + 1) * PHASES);
    this.certExpiry[row] = Number.NaN;
    return row;
  }

  private grow(): void {
    const capacity = this.success.length * 2;
    const grown = <T extends Uint8Array | Uint16Array | Float64Array>(old: T, make: (n: number) => T, width = 1): T => {
      const next = make(capacity * width);
      next.set(old);
      return next;
    };
    this.success = grown(this.success, (n) => new Uint8Array(n));
    this.duration = grown(this.duration, (n) => new Float64Array(n));
    this.status = grown(this.status, (n) => new Uint16Array(n));
    this.phases = grown(this.phases, (n) => new Float64Array(n), PHASES);
    this.certExpiry = grown(this.certExpiry, (n) => new Float64Array(n).fill(Number.NaN));
  }
}
