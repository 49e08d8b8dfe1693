// A Grafana 10+ dashboard for the probe metrics agents and `vigil up` serve on /metrics
// (blackbox_exporter names plus Vigil's cumulative counters), filtered by probe, vantage and target region.

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, resolved by Grafana
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

/** Every panel query filters on the three dashboard variables. */
const FILTER = 'probe=~"$probe", vantage=~"$vantage", target_region=~"$target_region"';

interface PanelInput {
  title: string;
  type: 'timeseries' | 'stat';
  unit: string;
  description: string;
  queries: Array<{ expr: string; legend: string }>;
  width?: number;
}

export const DASHBOARD_PANELS: readonly PanelInput[] = [
  {
    title: 'Probe success (now)',
    type: 'stat',
    unit: 'percentunit',
    description: 'Share of probe attempts whose last result succeeded, over the selected probes, vantages and regions.',
    queries: [{ expr: `avg(probe_success{${FILTER}})`, legend: 'success' }],
    width: 6,
  },
  {
    title: 'Success ratio by target region',
    type: 'timeseries',
    unit: 'percentunit',
    description: 'Successful attempts over all attempts, from the cumulative counters (a missed scrape loses nothing).',
    queries: [
      {
        expr: `sum by (target_region) (rate(vigil_probe_success_total{${FILTER}}[$__rate_interval])) / sum by (target_region) (rate(vigil_probe_total{${FILTER}}[$__rate_interval]))`,
        legend: '{{target_region}}',
      },
    ],
    width: 18,
  },
  {
    title: 'Failures by kind',
    type: 'timeseries',
    unit: 'short',
    description: 'Failed attempts per second by failure kind (timeout, connect, dns, tls, status…).',
    queries: [
      { expr: `sum by (failure) (rate(vigil_probe_total{failure!="", ${FILTER}}[$__rate_interval]))`, legend: '{{failure}}' },
    ],
  },
  {
    title: 'Probe duration',
    type: 'timeseries',
    unit: 's',
    description: 'Duration of the last attempt per probe, vantage and target region.',
    queries: [
      {
        expr: `max by (probe, vantage, target_region) (probe_duration_seconds{${FILTER}})`,
        legend: '{{probe}} {{vantage}}→{{target_region}}',
      },
    ],
  },
  {
    title: 'HTTP phases',
    type: 'timeseries',
    unit: 's',
    description: 'Average time spent per HTTP phase in the last attempt (resolve, connect, tls, processing, transfer).',
    queries: [{ expr: `avg by (phase) (probe_http_duration_seconds{${FILTER}})`, legend: '{{phase}}' }],
  },
  {
    title: 'HTTP status code',
    type: 'timeseries',
    unit: 'none',
    description: 'Status code of the last HTTP attempt (0 when no response arrived).',
    queries: [
      { expr: `max by (probe, vantage, target_region) (probe_http_status_code{${FILTER}})`, legend: '{{probe}} {{vantage}}→{{target_region}}' },
    ],
  },
  {
    title: 'Days until certificate expiry',
    type: 'timeseries',
    unit: 'd',
    description: 'Earliest certificate expiry seen by TLS and HTTPS probes.',
    queries: [{ expr: `min by (probe, target) ((probe_ssl_earliest_cert_expiry{${FILTER}} - time()) / 86400)`, legend: '{{probe}} {{target}}' }],
  },
];

function variable(name: string, label: string, metricFilter: string) {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    query: { query: `label_values(probe_success${metricFilter}, ${name})`, refId: `${name}-values` },
    definition: `label_values(probe_success${metricFilter}, ${name})`,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
  };
}

export function grafanaDashboard() {
  let y = 0;
  let x = 0;
  const panels = DASHBOARD_PANELS.map((panel, index) => {
    const w = panel.width ?? 12;
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    const gridPos = { x, y, w, h: 8 };
    x += w;
    return {
      id: index + 1,
      type: panel.type,
      title: panel.title,
      description: panel.description,
      datasource: DATASOURCE,
      gridPos,
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      options: panel.type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'] } } : { legend: { displayMode: 'list', placement: 'bottom' } },
      targets: panel.queries.map((q, i) => ({
        refId: String.fromCharCode(65 + i),
        datasource: DATASOURCE,
        expr: q.expr,
        legendFormat: q.legend,
      })),
    };
  });
  return {
    uid: 'vigil-probes',
    title: 'Vigil probes',
    description: 'Synthetic probe results served by Vigil agents on /metrics',
    tags: ['vigil', 'probes'],
    schemaVersion: 39,
    version: 1,
    editable: true,
    graphTooltip: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    annotations: { list: [] },
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        variable('probe', 'Probe', ''),
        variable('vantage', 'Vantage', '{probe=~"$probe"}'),
        variable('target_region', 'Target region', '{probe=~"$probe", vantage=~"$vantage"}'),
      ],
    },
    panels,
  };
}
