// Timeslice budgeting: a slice is good when its own good/total reaches the slice target; empty slices do not count.
import type { Budgeting } from '../model.js';
import type { Counts } from './budget.js';
import { ratioAtLeast } from './rational.js';

/** The contribution of one unit (a minute, or a slice) to window sums, in the SLO's budgeting method. */
export function unitCounts(raw: Counts, budgeting: Budgeting): Counts {
  if (budgeting.method === 'occurrences') return raw;
  if (raw.total === 0) return { good: 0, total: 0 };
  const good = ratioAtLeast(raw.good, raw.total, budgeting.target, budgeting.targetValue);
  return { good: good ? 1 : 0, total: 1 };
}
