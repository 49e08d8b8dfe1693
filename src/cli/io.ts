// Where a command writes, so tests can run commands in-process and read what they printed.

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** A command's result: the process exit code. */
export type ExitCode = number;

/** What every subcommand file gets to register its command: where to print, and how to set the exit code. */
export interface Cli {
  io: Io;
  setExit(code: ExitCode): void;
}
