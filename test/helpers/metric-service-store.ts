// Makes the fake MetricService keep what CreateTimeSeries wrote and answer ListTimeSeries from it, so a
// test can export probe results and read them back as an SLI. It understands what Vigil's exporter writes
// (CUMULATIVE INT64 points, one series per metric type and label set) and the filters a ratio SLO uses
// over them: `metric.type = "T"` and `metric.label.K = "V"` / `!= "V"` joined by AND. A cumulative
// series' delta is taken between consecutive points (the first point counts from its start time) and
// belongs to the minute that ends at the later point, like Cloud Monitoring's ALIGN_DELTA for points
// written on minute boundaries.
import { status } from '@grpc/grpc-js';
import type { CreateTimeSeriesRequest, FakeFailure, FakeMetricService } from './fake-metric-service.js';
import { alignedDeltaAnswer, type KnownSeries } from './metric-service-data.js';

interface StoredSeries {
  type: string;
  labels: Record<string, string>;
  /** End time (s) → cumulative value. */
  points: Map<number, number>;
}

type Clause = { label: 'type' | string; equal: boolean; value: string };

const CLAUSE = /^\s*metric\.(type|labels?\.(\w+))\s*(=|!=)\s*"([^"]*)"\s*$/;

function parseFilter(filter: string): Clause[] | null {
  const clauses: Clause[] = [];
  for (const part of filter.split(/\bAND\b/)) {
    const match = CLAUSE.exec(part);
    if (!match) return null;
    clauses.push({ label: match[1] === 'type' ? 'type' : (match[2] as string), equal: match[3] === '=', value: match[4] as string });
  }
  return clauses;
}

export class FakeTimeSeriesStore {
  private readonly series = new Map<string, StoredSeries>();

  /** Lets `fake` store writes and answer reads from this store. */
  attach(fake: FakeMetricService): void {
    fake.onCreate = (request) => this.write(request);
    fake.onList = (request) => {
      const clauses = parseFilter(request.filter ?? '');
      if (!clauses) return { code: status.INVALID_ARGUMENT, details: `the fake cannot parse filter ${request.filter}` };
      return alignedDeltaAnswer(new Map([[request.filter ?? '', this.deltas(clauses)]]))(request);
    };
  }

  private write(request: CreateTimeSeriesRequest): Record<string, never> | FakeFailure {
    for (const written of request.timeSeries ?? []) {
      if (written.metricKind !== 'CUMULATIVE') continue;
      const type = written.metric?.type ?? '';
      const labels = written.metric?.labels ?? {};
      const key = `${type} ${JSON.stringify(Object.entries(labels).sort())}`;
      const stored = this.series.get(key) ?? { type, labels, points: new Map() };
      this.series.set(key, stored);
      const point = written.points?.[0];
      const end = Number(point?.interval?.endTime?.seconds);
      if ([...stored.points.keys()].some((at) => at >= end - 5)) return { code: status.INVALID_ARGUMENT, details: `points of ${key} less than 5 s apart or out of order` };
      stored.points.set(end, Number(point?.value?.int64Value ?? 0));
    }
    return {};
  }

  private deltas(clauses: readonly Clause[]): KnownSeries[] {
    const matching = [...this.series.values()].filter((s) =>
      clauses.every((c) => ((c.label === 'type' ? s.type : (s.labels[c.label] ?? '')) === c.value) === c.equal),
    );
    return matching.map((s) => {
      const deltas = new Map<number, number>();
      let previous = 0;
      for (const [end, value] of [...s.points.entries()].sort(([a], [b]) => a - b)) {
        // A drop means the writer restarted from 0, as for any counter.
        const delta = value >= previous ? value - previous : value;
        const minute = Math.ceil(end / 60) - 1;
        deltas.set(minute, (deltas.get(minute) ?? 0) + delta);
        previous = value;
      }
      return { metricLabels: s.labels, deltas };
    });
  }
}
