// Structured logs: JSON lines by default, human-readable when stdout is a terminal.
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

// pino-pretty is loaded only for a terminal: agents and servers log JSON and need not hold it.
const require = createRequire(import.meta.url);

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.VIGIL_LOG_LEVEL ?? 'info';
  if (!LEVELS.includes(level)) throw new Error(`VIGIL_LOG_LEVEL: "${level}" is not a log level (${LEVELS.join(', ')})`);
  const destination = options.destination ?? process.stdout;
  const usePretty = options.pretty ?? (destination === process.stdout && process.stdout.isTTY === true);
  if (usePretty) {
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    return pino({ level }, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', destination }));
  }
  return pino({ level }, destination);
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
