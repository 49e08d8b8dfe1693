// The SLO detail page's charts: error budget remaining, SLI and burn rate per window over time, for the whole
// SLO or one region or vantage, with alerts, failovers and drills marked. The numbers come from
// /api/v1/slos/NAME/history and /events (the same exact math as the report). Drag on a chart to zoom all
// three; double-click or "Reset zoom" to go back.
import type uPlotType from 'uplot';
import { ApiError, api, el } from './dom.js';

declare const uPlot: typeof uPlotType;

interface HistoryPoint {
  t: string;
  sli: number | null;
  errorBudget: { consumed: number; remaining: number };
  burnRates: Record<string, number>;
}
interface History {
  step: string;
  points: HistoryPoint[];
  warning: string | null;
}
interface SloEvents {
  alerts: Array<{ severity: string; region: string | null; startedAt: string; endedAt: string | null }>;
  failovers: Array<{ ts: string; action: string; region: string | null; outcome: string }>;
  drills: Array<{ drill: string; run: string; region: string; state: string; startedAt: string | null; endedAt: string | null }>;
}

interface Marker {
  kind: 'page' | 'ticket' | 'failover' | 'drill';
  from: number;
  to: number | null;
  label: string;
}

const root = document.getElementById('slo-charts');
const NICE_STEPS = [1, 5, 15, 30, 60, 180, 360, 720, 1440];
const TARGET_POINTS = 600;
const COLORS = ['#1f5fbf', '#b3261e', '#16794c', '#a76200', '#6a3fb5', '#00838f'];
const MARK_COLORS: Record<Marker['kind'], string> = { page: 'rgba(179,38,30,.16)', ticket: 'rgba(167,98,0,.14)', failover: '#1f5fbf', drill: 'rgba(106,63,181,.18)' };

function stepFor(spanMinutes: number): number {
  return NICE_STEPS.find((s) => spanMinutes / s <= TARGET_POINTS) ?? 1440;
}

function markersOf(events: SloEvents, region: string): Marker[] {
  const inScope = (r: string | null) => region === '' || r === null || r === region;
  const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
  return [
    ...events.alerts
      .filter((a) => inScope(a.region))
      .map((a): Marker => ({ kind: a.severity === 'page' ? 'page' : 'ticket', from: Date.parse(a.startedAt), to: ms(a.endedAt), label: `${a.severity} alert${a.region ? ` in ${a.region}` : ''}` })),
    ...events.failovers.filter((f) => inScope(f.region)).map((f): Marker => ({ kind: 'failover', from: Date.parse(f.ts), to: null, label: `${f.action} ${f.region ?? ''} (${f.outcome})` })),
    ...events.drills
      .filter((d) => d.startedAt !== null && inScope(d.region))
      .map((d): Marker => ({ kind: 'drill', from: Date.parse(d.startedAt as string), to: ms(d.endedAt), label: `drill ${d.drill} (${d.state})` })),
  ];
}

function markerPlugin(markers: () => Marker[]): uPlotType.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const { ctx, bbox } = u;
        const max = u.scales.x?.max ?? 0;
        ctx.save();
        for (const m of markers()) {
          const x0 = u.valToPos(m.from / 1000, 'x', true);
          if (m.kind === 'failover') {
            ctx.strokeStyle = MARK_COLORS.failover;
            ctx.lineWidth = 2;
            ctx.setLineDash([6, 4]);
            ctx.beginPath();
            ctx.moveTo(x0, bbox.top);
            ctx.lineTo(x0, bbox.top + bbox.height);
            ctx.stroke();
            continue;
          }
          const x1 = u.valToPos(m.to === null ? max : m.to / 1000, 'x', true);
          const left = Math.max(bbox.left, x0);
          const right = Math.min(bbox.left + bbox.width, Math.max(x1, x0 + 2));
          if (right <= left) continue;
          ctx.fillStyle = MARK_COLORS[m.kind];
          ctx.fillRect(left, bbox.top, right - left, bbox.height);
        }
        ctx.restore();
      },
    },
  };
}

function chartOptions(title: string, width: number, series: uPlotType.Series[], markers: () => Marker[], yFormat: (v: number) => string, yRange?: uPlotType.Scale.Range): uPlotType.Options {
  return {
    title,
    width,
    height: 220,
    cursor: { sync: { key: 'slo-detail' }, drag: { x: true, y: false } },
    scales: { x: { time: true }, y: yRange ? { range: yRange } : {} },
    axes: [{}, { values: (_u, values) => values.map(yFormat), size: 70 }],
    series: [{}, ...series],
    plugins: [markerPlugin(markers)],
  };
}

async function main(container: HTMLElement): Promise<void> {
  const slo = container.dataset.slo ?? '';
  const windowMinutes = Number(container.dataset.windowMinutes ?? '40320');
  const controls = document.getElementById('chart-controls') as HTMLFormElement;
  const status = document.getElementById('chart-status') as HTMLElement;
  const warning = document.getElementById('history-warning') as HTMLElement;
  const charts: uPlotType[] = [];
  let markers: Marker[] = [];
  let syncing = false;

  const field = (name: string) => (controls.elements.namedItem(name) as HTMLSelectElement).value;

  async function draw(): Promise<void> {
    const range = field('range');
    const spanMinutes = range === 'window' ? windowMinutes : Number(range);
    const step = stepFor(spanMinutes);
    const to = Math.floor(Date.now() / 60_000) * 60_000;
    const from = to - Math.floor(spanMinutes / step) * step * 60_000;
    const query = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), step: `${step}m` });
    const region = field('region');
    const vantage = field('vantage');
    if (region !== '') query.set('region', region);
    if (vantage !== '') query.set('vantage', vantage);
    status.textContent = 'Loading…';
    const base = `/api/v1/slos/${encodeURIComponent(slo)}`;
    let history: History;
    let events: SloEvents;
    try {
      [history, events] = await Promise.all([
        api<History>('GET', `${base}/history?${query}`),
        // Events up to this moment, not the last whole minute: a drain a few seconds ago is marked.
        api<SloEvents>('GET', `${base}/events?${new URLSearchParams({ from: query.get('from') ?? '', to: new Date().toISOString() })}`),
      ]);
    } catch (error) {
      status.textContent = error instanceof ApiError ? `Cannot load the history: ${error.message}` : String(error);
      return;
    }
    markers = markersOf(events, region);
    warning.hidden = history.warning === null;
    warning.textContent = history.warning ?? '';
    const xs = history.points.map((p) => Date.parse(p.t) / 1000);
    const pct = (v: number | null) => (v === null ? null : v * 100);
    const burnKeys = [...new Set(history.points.flatMap((p) => Object.keys(p.burnRates)))];
    const width = Math.max(320, container.clientWidth - 8);
    for (const chart of charts.splice(0)) chart.destroy();
    container.replaceChildren();
    // Budget: 100 % down to its lowest point (below 0 when overspent); SLI: up to 100 %.
    const budgetRange: uPlotType.Scale.Range = (_u, min) => [Math.min(0, Math.floor(min / 10) * 10), 100];
    const sliRange: uPlotType.Scale.Range = (_u, min, max) => [Math.min(min, max - 0.01), 100];
    const specs: Array<{ id: string; title: string; series: uPlotType.Series[]; data: Array<Array<number | null>>; format: (v: number) => string; range?: uPlotType.Scale.Range }> = [
      {
        id: 'chart-budget',
        title: 'Error budget remaining',
        series: [{ label: 'budget remaining %', stroke: COLORS[0], fill: 'rgba(31,95,191,.08)', value: (_u, v) => (v == null ? '–' : `${v.toFixed(2)}%`) }],
        data: [history.points.map((p) => pct(p.errorBudget.remaining))],
        format: (v) => `${v.toFixed(0)}%`,
        range: budgetRange,
      },
      {
        id: 'chart-sli',
        title: 'SLI over the window',
        series: [{ label: 'SLI %', stroke: COLORS[2], value: (_u, v) => (v == null ? '–' : `${v.toFixed(4)}%`) }],
        data: [history.points.map((p) => pct(p.sli))],
        format: (v) => `${v.toFixed(2)}%`,
        range: sliRange,
      },
      {
        id: 'chart-burn',
        title: 'Burn rate per window',
        series: burnKeys.map((key, i) => ({ label: `burn ${key}`, stroke: COLORS[i % COLORS.length], value: (_u: uPlotType, v: number | null) => (v == null ? '–' : v.toFixed(2)) })),
        data: burnKeys.map((key) => history.points.map((p) => p.burnRates[key] ?? null)),
        format: (v) => v.toFixed(1),
      },
    ];
    for (const spec of specs) {
      const holder = el('div', { class: 'chart', id: spec.id });
      container.append(holder);
      const options = chartOptions(spec.title, width, spec.series, () => markers, spec.format, spec.range);
      options.hooks = {
        setScale: [
          (u, key) => {
            if (key !== 'x' || syncing) return;
            syncing = true;
            const { min, max } = u.scales.x ?? {};
            // The span shown, in the page (a link or a test can read what is zoomed).
            if (min !== undefined && max !== undefined) {
              container.dataset.shownFrom = new Date(min * 1000).toISOString();
              container.dataset.shownTo = new Date(max * 1000).toISOString();
            }
            for (const other of charts) if (other !== u && min !== undefined && max !== undefined) other.setScale('x', { min, max });
            syncing = false;
          },
        ],
      };
      charts.push(new uPlot(options, [xs, ...spec.data] as uPlotType.AlignedData, holder));
    }
    status.textContent = `${history.points.length} points every ${history.step}; ${markers.length} events marked. Drag to zoom, double-click to reset.`;
  }

  controls.addEventListener('change', () => void draw());
  document.getElementById('reset-zoom')?.addEventListener('click', () => {
    const first = charts[0];
    const xs = first?.data[0];
    if (first && xs && xs.length > 0) first.setScale('x', { min: xs[0] as number, max: xs[xs.length - 1] as number });
  });
  let resizeTimer: number | undefined;
  window.addEventListener('resize', () => {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => {
      for (const chart of charts) chart.setSize({ width: Math.max(320, container.clientWidth - 8), height: 220 });
    }, 150);
  });
  await draw();
}

if (root) void main(root);
