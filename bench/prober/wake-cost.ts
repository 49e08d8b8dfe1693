// CPU one event-loop wake-up costs on this machine (an otherwise idle Node process woken by a 1 ms timer),
// printed beside the figures: on some virtual machines it is tens of microseconds, and a prober that wakes
// once or twice per probe pays it per probe, whatever its code does.
import { execFileSync } from 'node:child_process';

const SCRIPT = `
let wakes = 0;
const start = process.cpuUsage();
const tick = () => {
  if (++wakes < 1000) setTimeout(tick, 1);
  else {
    const used = process.cpuUsage(start);
    process.stdout.write(String((used.user + used.system) / wakes));
  }
};
tick();
`;

/** Microseconds of CPU per wake-up, or NaN if the measurement failed. */
export function wakeCostMicros(): number {
  try {
    return Number(execFileSync(process.execPath, ['-e', SCRIPT], { encoding: 'utf8', timeout: 20_000 }));
  } catch {
    return Number.NaN;
  }
}
