import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startVigil, type VigilProcess } from './helpers/processes.js';

interface ComposeService {
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: unknown[];
  environment?: Record<string, string>;
}

function composeConfig(env: Record<string, string>) {
  return spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { encoding: 'utf8', env: { ...process.env, VIGIL_INGEST_TOKEN: '', ...env } });
}

const running: VigilProcess[] = [];
afterEach(async () => {
  for (const vigil of running.splice(0)) {
    vigil.child.kill('SIGTERM');
    await vigil.exited;
  }
});

describe('docker-compose.yml and the Dockerfile', () => {
  it('will not come up without a token, and says which variable to set', () => {
    const result = composeConfig({});
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('set VIGIL_INGEST_TOKEN');
  });

  it('is a valid compose file for one Vigil server with its store on a volume, a /healthz check and the token from the environment', () => {
    const result = composeConfig({ VIGIL_INGEST_TOKEN: 'compose-token-000000000001' });
    expect(result.status).toBe(0);
    const vigil = (parse(result.stdout) as { services: Record<string, ComposeService> }).services.vigil;
    expect(vigil).toBeDefined();
    expect(vigil?.healthcheck?.test.join(' ')).toContain('/healthz');
    expect(vigil?.volumes).toContain('vigil-data:/var/lib/vigil:rw');
    expect(vigil?.ports).toHaveLength(1);
    expect(vigil?.environment?.VIGIL_INGEST_TOKEN).toBe('compose-token-000000000001');
  });

  it("the image's command, with the compose environment, starts on every address and passes the compose health check", async () => {
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
    const [node, script, ...args] = JSON.parse(cmd ?? '[]') as string[];
    expect([node, script]).toEqual(['node', 'dist/cli/main.js']);
    expect(args).toEqual(['serve', '--host', '0.0.0.0']);
    const composed = parse(execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { encoding: 'utf8', env: { ...process.env, VIGIL_INGEST_TOKEN: 'compose-token-000000000001' } })) as {
      services: Record<string, ComposeService>;
    };
    const service = composed.services.vigil;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-image-'));
    // The image runs in /app with the repository's vigil.yaml; here only the port is left to the OS.
    const vigil = await startVigil([...args, '--port', '0'], { env: { ...service?.environment, VIGIL_DATA_DIR: dataDir } });
    running.push(vigil);
    const port = new URL(vigil.url).port;
    const check = service?.healthcheck?.test ?? [];
    expect(check.slice(0, 2)).toEqual(['CMD', 'node']);
    const health = spawnSync(process.execPath, check.slice(2).map((part) => part.replace('127.0.0.1:8080', `127.0.0.1:${port}`)), { encoding: 'utf8', timeout: 10_000 });
    expect(health.status).toBe(0);
    const report = await fetch(`http://127.0.0.1:${port}/api/v1/slos`, { headers: { authorization: 'Bearer compose-token-000000000001' } });
    expect(report.status).toBe(200);
  });
});
