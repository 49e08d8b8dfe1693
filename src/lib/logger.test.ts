import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('logger', () => {
  it('writes JSON lines at the chosen level and below', () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (chunk: Buffer) => lines.push(...chunk.toString().trim().split('\n')));
    const logger = createLogger({ level: 'warn', destination: out, pretty: false });
    logger.info('hidden');
    logger.warn({ region: 'eu-west1' }, 'shown');
    logger.flush();
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 40, region: 'eu-west1', msg: 'shown' })]);
        resolve();
      }),
    );
  });

  it('names the valid levels when VIGIL_LOG_LEVEL is not one of them', () => {
    expect(() => createLogger({ level: 'loud' })).toThrow('VIGIL_LOG_LEVEL: "loud" is not a log level (fatal, error, warn, info, debug, trace, silent)');
  });
});
