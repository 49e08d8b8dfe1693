import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../lib/logger.js';
import { ProviderError, type WeightProvider } from '../provider.js';
import { FileProvider } from './file.js';

const regions = {
  'eu-west1': { weight: 100, capacity: 60, targets: [] },
  'us-central1': { weight: 80, capacity: 60, targets: [] },
};

function provider(relativePath: string) {
  const root = mkdtempSync(path.join(tmpdir(), 'vigil-file-provider-'));
  const file: WeightProvider = new FileProvider({ kind: 'file', path: relativePath }, { regions, root, logger: silentLogger() });
  return { root, file };
}

const signal = () => AbortSignal.timeout(1000);

describe('file weight provider', () => {
  it('reads every region at its configured weight before the first change', async () => {
    const { file } = provider('weights.json');
    expect(await file.read(signal())).toEqual({ 'eu-west1': 100, 'us-central1': 80 });
  });

  it('writes the weights, reads them back, and leaves no temporary file behind', async () => {
    const { root, file } = provider('weights.json');
    await file.apply({ 'eu-west1': 0, 'us-central1': 80 }, signal());
    expect(await file.read(signal())).toEqual({ 'eu-west1': 0, 'us-central1': 80 });
    expect(JSON.parse(readFileSync(path.join(root, 'weights.json'), 'utf8'))).toMatchObject({ weights: { 'eu-west1': 0, 'us-central1': 80 } });
    expect(readdirSync(root)).toEqual(['weights.json']);
  });

  it('creates the folder of the weights file on the first change', async () => {
    const { root, file } = provider('data/failover/weights.json');
    await file.apply({ 'eu-west1': 50, 'us-central1': 80 }, signal());
    expect(readdirSync(path.join(root, 'data/failover'))).toEqual(['weights.json']);
  });

  it('refuses a file that is not a weights file, naming it', async () => {
    const { root, file } = provider('weights.json');
    writeFileSync(path.join(root, 'weights.json'), '{"weights": {"eu-west1": -1}}');
    await expect(file.read(signal())).rejects.toThrow(ProviderError);
    await expect(file.read(signal())).rejects.toThrow(/weights\.json is not a weights file/);
  });

  it('never lands an attempt whose deadline passed, and cleans up after it', async () => {
    const { root, file } = provider('weights.json');
    await file.apply({ 'eu-west1': 50, 'us-central1': 80 }, signal());
    const late = new AbortController();
    late.abort(new Error('deadline'));
    await expect(file.apply({ 'eu-west1': 0, 'us-central1': 80 }, late.signal)).rejects.toThrow(/abort|deadline/);
    expect(await file.read(signal())).toEqual({ 'eu-west1': 50, 'us-central1': 80 });
    expect(readdirSync(root)).toEqual(['weights.json']);
  });
});
