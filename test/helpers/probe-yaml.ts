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
