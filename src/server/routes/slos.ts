// /api/v1/slos: the latest SLO report, whole or for one SLO, with the silences in effect marked on its alerts.
import type { SloMonitor } from '../../slo/monitor.js';
import type { SloReport } from '../../slo/report-format.js';
import { NotFoundError } from '../errors.js';
import type { RouteHandlers } from './mount.js';
import { pathParam } from './parse.js';

export function sloHandlers(monitor: SloMonitor, silenced: (report: SloReport) => SloReport): Pick<RouteHandlers, 'GET /api/v1/slos' | 'GET /api/v1/slos/:name'> {
  return {
    'GET /api/v1/slos': (_req, res) => {
      res.json(silenced(monitor.latest()));
    },
    'GET /api/v1/slos/:name': (req, res) => {
      const report = monitor.latest();
      const name = pathParam(req, 'name');
      const slo = report.slos.find((s) => s.name === name);
      if (!slo) throw new NotFoundError(`no SLO named "${name}"`);
      const [marked] = silenced({ at: report.at, slos: [slo] }).slos;
      res.json({ at: report.at, slo: marked ?? slo });
    },
  };
}
