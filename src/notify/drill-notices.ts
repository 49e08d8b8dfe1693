// The notices of a drill run changing state: waiting for approval, started, and how it ended (an
// interrupted run is reported as drill_aborted, with its state saying interrupted).
import type { DrillRun } from '../failover/drills/run.js';
import type { DrillEvent, DrillNotice } from './notice.js';

const EVENT_OF: Partial<Record<DrillRun['state'], DrillEvent>> = {
  awaiting_approval: 'drill_awaiting_approval',
  draining: 'drill_started',
  passed: 'drill_passed',
  failed: 'drill_failed',
  aborted: 'drill_aborted',
  interrupted: 'drill_aborted',
  skipped: 'drill_skipped',
};

export function drillNotices(run: DrillRun, previous: DrillRun['state'] | null, runbook: string | null, at: number): DrillNotice[] {
  const event = previous === run.state ? undefined : EVENT_OF[run.state];
  if (!event) return [];
  return [{ event, drill: run.drill, run: run.id, region: run.region, state: run.state, reason: run.reason, runbook, at: new Date(at).toISOString() }];
}
