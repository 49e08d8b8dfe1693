// `vigil up` / `vigil serve`: runs the server until Ctrl-C or SIGTERM, then stops cleanly.
import { createLogger } from '../lib/logger.js';
import { startServer } from '../server/start.js';
import type { ExitCode, Io } from './io.js';

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
  const server = await startServer({
    configFile: options.config,
    dataDir: options.dataDir,
    host: options.host,
    port: options.port,
    inProcessProbers: options.singleMachine === true,
    logger,
  });
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
