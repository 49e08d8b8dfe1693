// `vigil up` / `vigil serve`: runs the server until Ctrl-C or SIGTERM, then stops cleanly.

import type { Command } from 'commander';
import { createLogger } from '../lib/logger.js';
import { type RunningServer, StartRefusedError, startServer } from '../server/start.js';
import type { Cli, ExitCode, Io } from './io.js';
import { port } from './options.js';

export interface UpOptions {
  config?: string;
  dataDir?: string;
  host?: string;
  port?: number;
  /** `vigil up` (not `serve`): run the in-process probers and the demo stand-ins too. */
  singleMachine?: boolean;
}

export async function upCommand(options: UpOptions, io: Io): Promise<ExitCode> {
  const logger = createLogger();
  let server: RunningServer;
  try {
    server = await startServer({
      configFile: options.config,
      dataDir: options.dataDir,
      host: options.host,
      port: options.port,
      inProcessProbers: options.singleMachine === true,
      logger,
    });
  } catch (error) {
    if (!(error instanceof StartRefusedError)) throw error;
    logger.flush();
    io.err(`vigil: ${error.message}\n`);
    return 2;
  }
  io.out(`Vigil is up at ${server.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await server.close();
  logger.flush();
  return 0;
}

export function registerUp(program: Command, { io, setExit }: Cli): void {
  for (const name of ['up', 'serve']) {
    program
      .command(name)
      .description(name === 'up' ? 'run Vigil on this machine (npm start)' : 'run the central server')
      .option('--config <file>', 'vigil.yaml (default: ./vigil.yaml when present)')
      .option('--data-dir <dir>', 'where the store lives (default: spec.dataDir, ./data)')
      .option('--host <host>', 'listen address (default: spec.server.host, 127.0.0.1); beyond loopback only with authentication')
      .option('--port <port>', 'listen port, 0 for any free one (default: spec.server.port, 8080)', port)
      .action(async (opts: UpOptions) => {
        setExit(await upCommand({ ...opts, singleMachine: name === 'up' }, io));
      });
  }
}
