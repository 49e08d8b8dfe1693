// A kind: Probe document for tests: an http probe with a target per (region, url), every 500 ms.

export function httpProbeYaml(name: string, targets: Array<[string, string]>, vantages = 'all'): string {
  return `apiVersion: vigil/v1
kind: Probe
metadata: { name: ${name} }
spec:
  type: http
  interval: 500ms
  timeout: 500ms
  vantages: ${vantages}
  targets:
${targets.map(([region, url]) => `    - { region: ${region}, url: "${url}" }`).join('\n')}
`;
}

/** A probe SLO (objective 99 over 7 days, squad core) fed by the probe's results. */
export function probeSloYaml(name: string, probe: string, regions?: readonly string[]): string {
  return `apiVersion: vigil/v1
kind: SLO
metadata: { name: ${name}, squad: core }
spec:
  service: loop
  objective: 99
  window: 7d
${regions ? `  regions: [${regions.join(', ')}]\n` : ''}  indicator: { probe: { name: ${probe} } }
  alerting: { runbook: runbooks/api.md }
`;
}
