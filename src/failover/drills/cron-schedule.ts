// Cron schedules of drills and blackouts, in a time zone, through node-cron: its parser checks the
// expression (with the field at fault named) and its matcher finds the next instant after any moment, so
// schedules run the same in real and in virtual time.
import { createTask, validateDetailed } from 'node-cron';

/** What node-cron's task keeps: a matcher that walks forward from any date (not in its published types). */
interface TimeMatcher {
  getNextMatch(date: Date): Date;
}

/** Why a cron expression is invalid, or null. */
export function cronProblem(expression: string): string | null {
  const result = validateDetailed(expression);
  if (result.valid) return null;
  const [first] = result.errors;
  return first ? `${first.field}: ${first.message}` : `"${expression}" is not a cron expression`;
}

export class CronSchedule {
  private readonly task;
  private readonly matcher: TimeMatcher | null;

  constructor(
    readonly expression: string,
    readonly timeZone: string,
  ) {
    const problem = cronProblem(expression);
    if (problem) throw new Error(`invalid cron expression "${expression}": ${problem}`);
    // A task that is never started: node-cron's own matching, without its timers.
    this.task = createTask(expression, () => undefined, { timezone: timeZone });
    const candidate = (this.task as unknown as { timeMatcher?: Partial<TimeMatcher> }).timeMatcher;
    this.matcher = typeof candidate?.getNextMatch === 'function' ? (candidate as TimeMatcher) : null;
  }

  /** Whether the schedule fires at this instant (whole seconds). */
  matches(ms: number): boolean {
    return this.task.match(new Date(ms));
  }

  /** The first instant strictly after `ms` at which the schedule fires. */
  nextAfter(ms: number): number {
    if (this.matcher) return this.matcher.getNextMatch(new Date(ms)).getTime();
    // Should node-cron stop keeping its matcher on the task: walk minute by minute with its public match().
    const start = Math.floor(ms / 60_000) * 60_000 + 60_000;
    for (let t = start; t < start + 366 * 24 * 3_600_000; t += 60_000) if (this.task.match(new Date(t))) return t;
    throw new Error(`cron expression "${this.expression}" does not fire within a year`);
  }
}
