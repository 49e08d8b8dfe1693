// GET /api/v1/probes[?vantage=R]: the probe documents an agent should run, for agents that pull
// their definitions from the server instead of reading probes/ themselves.
import { Router } from 'express';
import { runsFrom } from '../../prober/model.js';
import type { Catalog } from '../catalog.js';

export function probesRouter(catalog: Catalog): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const vantage = typeof req.query.vantage === 'string' ? req.query.vantage : null;
    const probes = catalog
      .snapshot()
      .probes.filter((p) => vantage === null || runsFrom(p.definition, vantage))
      .map(({ source, document }) => ({ source, document }));
    res.json({ probes });
  });
  return router;
}
