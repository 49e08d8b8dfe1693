// /api/v1/slos: the latest SLO report, whole or for one SLO.
import { Router } from 'express';
import type { SloMonitor } from '../../slo/monitor.js';
import { NotFoundError } from '../errors.js';

export function slosRouter(monitor: SloMonitor): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json(monitor.latest());
  });
  router.get('/:name', (req, res) => {
    const report = monitor.latest();
    const slo = report.slos.find((s) => s.name === req.params.name);
    if (!slo) throw new NotFoundError(`no SLO named "${req.params.name}"`);
    res.json({ at: report.at, slo });
  });
  return router;
}
