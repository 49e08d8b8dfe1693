// CPU time of another process from /proc/PID/stat (utime + stime of all its threads), for processes that
// cannot report their own, such as blackbox_exporter.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | null = null;

/** Clock ticks per second of /proc times (`getconf CLK_TCK`, 100 on Linux almost everywhere). */
export function clockTicksPerSecond(): number {
  if (clockTicks === null) {
    const answer = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    clockTicks = Number.isFinite(answer) && answer > 0 ? answer : 100;
  }
  return clockTicks;
}

/** User + system CPU the process has used so far, in microseconds (tick resolution: 10 ms at 100 Hz). */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / clockTicksPerSecond();
}

/** Peak resident set size of the process (VmHWM), in MiB; 0 if unknown. */
export function processPeakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : 0;
}
