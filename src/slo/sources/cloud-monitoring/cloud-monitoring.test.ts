// The cloud-monitoring SLI source through the real @google-cloud/monitoring client against a fake gRPC
// MetricService: the exact ListTimeSeries requests, and the counts computed from canned pages.
import { status } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeMetricService, type ListTimeSeriesResponse } from '../../../../test/helpers/fake-metric-service.js';
import { ManualClock } from '../../../lib/clock.js';
import { MINUTE_MS } from '../../../lib/duration.js';
import { SOURCE_KINDS } from '../index.js';
import { type RatioQuery, SourceError } from '../source.js';
import { CloudMonitoringSource } from './cloud-monitoring.js';
import { cloudMonitoringSourceSchema } from './schema.js';

const START = Date.parse('2026-11-01T10:00:00Z') / MINUTE_MS;
const GOOD = 'metric.type = "custom.googleapis.com/http/requests" AND metric.label.code < 500';
const TOTAL = 'metric.type = "custom.googleapis.com/http/requests"';

const query = (overrides: Partial<RatioQuery> = {}): RatioQuery => ({
  slo: 'playback-availability',
  good: GOOD,
  total: TOTAL,
  regionLabel: 'metric.label.region',
  vantageLabel: null,
  ...overrides,
});

/** One aligned series: `deltas[i]` is the delta of minute START + offset + i, newest point first as the API sends them. */
function series(labels: Record<string, string>, offset: number, deltas: readonly number[], resourceLabels: Record<string, string> = {}) {
  const points = deltas.map((delta, i) => {
    const end = (START + offset + i + 1) * 60;
    return { interval: { startTime: { seconds: end - 60 }, endTime: { seconds: end } }, value: { int64Value: String(delta) } };
  });
  return { metric: { type: 'custom.googleapis.com/http/requests', labels }, resource: { type: 'global', labels: resourceLabels }, points: points.reverse() };
}

const signal = () => AbortSignal.timeout(10_000);

describe('cloud-monitoring source against a fake MetricService', () => {
  let fake: FakeMetricService;
  let source: CloudMonitoringSource | undefined;
  const clock = new ManualClock((START + 60) * MINUTE_MS);

  beforeAll(async () => {
    fake = await FakeMetricService.start();
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(async () => {
    await source?.close();
    source = undefined;
    fake.reset();
  });

  function createSource(config: Record<string, unknown> = {}): CloudMonitoringSource {
    const parsed = cloudMonitoringSourceSchema.parse({ project: 'my-project', emulator: fake.emulator, ...config });
    source = new CloudMonitoringSource(parsed, { clock });
    return source;
  }

  it('asks for one-minute ALIGN_DELTA sums grouped by the region label over exactly the minutes read, page by page', async () => {
    fake.onList = (request) =>
      request.pageToken ? { timeSeries: [series({ region: 'us-central1' }, 0, [1])] } : { timeSeries: [series({ region: 'eu-west1' }, 0, [1])], nextPageToken: 'page-2' };
    await createSource({ pageSize: 500 }).read(query(), START, START + 10, signal());
    const expected = (filter: string, pageToken = '') => ({
      name: 'projects/my-project',
      filter,
      interval: { startTime: { seconds: String(START * 60), nanos: 0 }, endTime: { seconds: String((START + 10) * 60), nanos: 0 } },
      aggregation: { alignmentPeriod: { seconds: '60' }, perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['metric.label.region'] },
      view: 'FULL',
      pageSize: 500,
      pageToken,
    });
    expect(fake.listRequests).toEqual([expected(GOOD), expected(GOOD, 'page-2'), expected(TOTAL), expected(TOTAL, 'page-2')]);
  });

  it('sums good and total per region and minute across pages, with 0/0 for minutes without points', async () => {
    fake.onList = (request) => {
      const good = request.filter === GOOD;
      const first: ListTimeSeriesResponse = { timeSeries: [series({ region: 'eu-west1' }, 0, good ? [58, 60, 0] : [60, 60, 2])], nextPageToken: 'p2' };
      // A region split over two pages (the API pages by points) and one with silent minutes.
      const second: ListTimeSeriesResponse = {
        timeSeries: [series({ region: 'eu-west1' }, 3, good ? [1_000] : [1_060]), series({ region: 'us-central1' }, 1, good ? [7] : [9])],
        nextPageToken: '',
      };
      return request.pageToken === 'p2' ? second : first;
    };
    const result = await createSource().read(query(), START, START + 4, signal());
    const byRegion = (region: string) => result.counts.filter((c) => c.targetRegion === region).map((c) => [c.minute - START, c.good, c.total]);
    expect(byRegion('eu-west1')).toEqual([
      [0, 58, 60],
      [1, 60, 60],
      [2, 0, 2],
      [3, 1_000, 1_060],
    ]);
    expect(byRegion('us-central1')).toEqual([
      [0, 0, 0],
      [1, 7, 9],
      [2, 0, 0],
      [3, 0, 0],
    ]);
    expect(result.counts.every((c) => c.vantage === '')).toBe(true);
    const sum = (key: 'good' | 'total') => result.counts.filter((c) => c.targetRegion === 'eu-west1').reduce((s, c) => s + c[key], 0);
    expect(sum('good') / sum('total')).toBeCloseTo(1_118 / 1_182, 12);
  });

  it('assigns a point ending at E to the minute that ends at E and drops points outside the range', async () => {
    // Points for minutes START-1 .. START+2: the first ends exactly at the range start (the API's interval is closed).
    fake.onList = () => ({ timeSeries: [series({ region: 'eu-west1' }, -1, [5, 6, 7, 8])] });
    const result = await createSource().read(query(), START, START + 2, signal());
    expect(result.counts.map((c) => [c.minute - START, c.good])).toEqual([
      [0, 6],
      [1, 7],
    ]);
  });

  it('reads doubles and distribution counts as well as int64 deltas', async () => {
    fake.onList = () => ({
      timeSeries: [
        {
          metric: { labels: { region: 'eu-west1' } },
          points: [
            { interval: { endTime: { seconds: (START + 2) * 60 } }, value: { distributionValue: { count: '4' } } },
            { interval: { endTime: { seconds: (START + 1) * 60 } }, value: { doubleValue: 2.5 } },
          ],
        },
      ],
    });
    const result = await createSource().read(query(), START, START + 2, signal());
    expect(result.counts.map((c) => c.total)).toEqual([2.5, 4]);
  });

  it('groups by a resource label as the vantage and a bare region name as a metric label', async () => {
    fake.onList = () => ({
      timeSeries: [series({ region: 'eu-west1' }, 0, [3], { zone: 'us-east1-b' }), series({ region: 'eu-west1' }, 0, [4], { zone: 'europe-west1-c' })],
    });
    const result = await createSource().read(query({ regionLabel: 'region', vantageLabel: 'resource.labels.zone' }), START, START + 1, signal());
    expect(fake.listRequests[0]?.aggregation?.groupByFields).toEqual(['metric.label.region', 'resource.label.zone']);
    expect(result.counts).toEqual([
      { targetRegion: 'eu-west1', vantage: 'us-east1-b', minute: START, good: 3, total: 3 },
      { targetRegion: 'eu-west1', vantage: 'europe-west1-c', minute: START, good: 4, total: 4 },
    ]);
  });

  it.each([
    ['metric.label.region', 'metric.label.region'],
    ['metric.labels.region', 'metric.label.region'],
    ['metric.label."region"', 'metric.label.region'],
    ['resource.labels.zone', 'resource.label.zone'],
    ['metadata.user_labels.region', 'metadata.user_labels.region'],
  ])('sends regionLabel %s as the group-by field %s', async (written, sent) => {
    await createSource().read(query({ regionLabel: written }), START, START + 1, signal());
    expect(fake.listRequests[0]?.aggregation?.groupByFields).toEqual([sent]);
  });

  it('reads the region from a user metadata label', async () => {
    fake.onList = () => ({ timeSeries: [{ ...series({}, 0, [2]), metadata: { userLabels: { region: 'asia-east1' } } }] });
    const result = await createSource().read(query({ regionLabel: 'metadata.user_labels.region' }), START, START + 1, signal());
    expect(result.counts).toEqual([{ targetRegion: 'asia-east1', vantage: '', minute: START, good: 2, total: 2 }]);
  });

  it('without a region label sums everything into one series with target region ""', async () => {
    fake.onList = () => ({ timeSeries: [series({}, 0, [9, 9])] });
    const result = await createSource().read(query({ regionLabel: null }), START, START + 2, signal());
    expect(fake.listRequests[0]?.aggregation?.groupByFields).toBeUndefined();
    expect(result.counts.map((c) => [c.targetRegion, c.vantage, c.total])).toEqual([
      ['', '', 9],
      ['', '', 9],
    ]);
  });

  it('takes minutes as complete only after the configured latency, never past the range read', async () => {
    const late = createSource({ latency: '3m' });
    await expect(late.read(query(), START, START + 60, signal())).resolves.toMatchObject({ completeBefore: START + 57 });
    await expect(late.read(query(), START, START + 10, signal())).resolves.toMatchObject({ completeBefore: START + 10 });
    fake.listRequests.length = 0;
    await expect(late.read(query(), START + 5, START + 5, signal())).resolves.toEqual({ counts: [], completeBefore: START + 5 });
    expect(fake.listRequests).toEqual([]);
  });

  it.each([
    ['UNAVAILABLE is unreachable', status.UNAVAILABLE, 'unreachable'],
    ['INVALID_ARGUMENT is a bad query', status.INVALID_ARGUMENT, 'query'],
    ['DEADLINE_EXCEEDED is a timeout', status.DEADLINE_EXCEEDED, 'timeout'],
    ['PERMISSION_DENIED is an API error', status.PERMISSION_DENIED, 'http'],
    ['INTERNAL is a bad response', status.INTERNAL, 'response'],
  ] as const)('%s, with the status and message in the error, and no retry', async (_name, code, reason) => {
    fake.onList = () => ({ code, details: 'scripted failure' });
    const error = await createSource()
      .read(query(), START, START + 1, signal())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ source: 'cloud-monitoring', reason });
    expect((error as SourceError).message).toContain('scripted failure');
    expect(fake.listRequests).toHaveLength(1);
  });

  it('refuses a page whose execution errors say the data is incomplete', async () => {
    fake.onList = () => ({ timeSeries: [series({ region: 'eu-west1' }, 0, [1])], executionErrors: [{ code: 14, message: 'shard unavailable' }] });
    await expect(createSource().read(query(), START, START + 1, signal())).rejects.toMatchObject({ reason: 'response', message: expect.stringContaining('shard unavailable') });
  });

  it('stops when the API hands out the same page token twice instead of paging forever', async () => {
    fake.onList = () => ({ timeSeries: [], nextPageToken: 'again' });
    await expect(createSource().read(query(), START, START + 1, signal())).rejects.toMatchObject({ reason: 'response' });
    expect(fake.listRequests).toHaveLength(2);
  });

  it('refuses a region label that is not a field path before calling the API', async () => {
    await expect(createSource().read(query({ regionLabel: 'metric.type' }), START, START + 1, signal())).rejects.toMatchObject({ reason: 'query' });
    expect(fake.listRequests).toEqual([]);
  });

  it('gives up on a call that does not answer within its timeout', async () => {
    fake.onList = () => new Promise<never>(() => {});
    await expect(createSource({ timeout: '1s' }).read(query(), START, START + 1, signal())).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('honours the abort signal while a call is in flight', async () => {
    const controller = new AbortController();
    fake.onList = () => {
      controller.abort(new Error('puller stopping'));
      return new Promise<never>(() => {});
    };
    await expect(createSource().read(query(), START, START + 1, controller.signal)).rejects.toMatchObject({ reason: 'timeout', message: expect.stringContaining('aborted') });
  });

  it('reports an endpoint where nothing listens as unreachable', async () => {
    const closed = await FakeMetricService.start();
    await closed.close();
    const parsed = cloudMonitoringSourceSchema.parse({ project: 'my-project', emulator: closed.emulator, timeout: '5s' });
    source = new CloudMonitoringSource(parsed, { clock });
    await expect(source.read(query(), START, START + 1, signal())).rejects.toMatchObject({ reason: 'unreachable' });
  });
});

describe('cloud-monitoring source config', () => {
  it('is registered, requires a project and fills defaults', () => {
    const kind = SOURCE_KINDS.get('cloud-monitoring');
    expect(kind?.schema.safeParse({}).success).toBe(false);
    expect(kind?.schema.parse({ project: 'my-project' })).toEqual({ project: 'my-project', timeout: 30_000, latency: 300_000, pageSize: 10_000 });
    expect(kind?.schema.safeParse({ project: 'my-project', emulator: { host: '127.0.0.1', port: 0 } }).success).toBe(false);
  });

  it('tells how far back it can be backfilled and how long one read may be', async () => {
    const source = new CloudMonitoringSource(cloudMonitoringSourceSchema.parse({ project: 'my-project', emulator: { host: '127.0.0.1', port: 1 } }));
    await expect(source.retentionMs()).resolves.toBe(42 * 24 * 60 * MINUTE_MS);
    expect(source.maxChunkMinutes).toBe(1_440);
    await source.close();
  });
});
