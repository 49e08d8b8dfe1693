import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

describe('docker-compose.yml', () => {
  it('is a valid compose file for one Vigil server with its store on a volume and a /healthz check', () => {
    const normalized = parse(execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { encoding: 'utf8' })) as {
      services: Record<string, { healthcheck?: { test: string[] }; volumes?: string[]; ports?: unknown[] }>;
    };
    const vigil = normalized.services.vigil;
    expect(vigil).toBeDefined();
    expect(vigil?.healthcheck?.test.join(' ')).toContain('/healthz');
    expect(vigil?.volumes).toContain('vigil-data:/var/lib/vigil:rw');
    expect(vigil?.ports).toHaveLength(1);
  });
});
