// GET /api/v1/reports: the weekly or monthly reliability report as JSON (the page /reports shows the same,
// and downloads it as CSV or Markdown).
import type { Clock } from '../../lib/clock.js';
import { reportQuery } from '../period-reports.js';
import type { Views } from '../views.js';
import type { RouteHandlers } from './mount.js';
import { reportParams } from './pages.js';

export function reportHandlers(views: Views, clock: Clock): Pick<RouteHandlers, 'GET /api/v1/reports'> {
  return {
    'GET /api/v1/reports': (req, res) => {
      res.json(views.report(reportQuery(reportParams(req), views.definitions(), clock.now())));
    },
  };
}
