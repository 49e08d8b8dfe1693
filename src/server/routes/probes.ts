// GET /api/v1/probes[?vantage=R]: the probe documents an agent should run, for agents that pull
// their definitions from the server instead of reading probes/ themselves. An ETag lets agents poll
// cheaply: If-None-Match with the current one answers 304. GET /api/v1/probes/summary: what the results
// received lately say (the probes page).
import { createHash } from 'node:crypto';
import { runsFrom } from '../../prober/model.js';
import type { Catalog } from '../catalog.js';
import { InputError } from '../errors.js';
import type { ProbeSummary } from '../probe-board.js';
import type { RouteHandlers } from './mount.js';

export function probeHandlers(catalog: Catalog, summary: () => ProbeSummary): Pick<RouteHandlers, 'GET /api/v1/probes' | 'GET /api/v1/probes/summary'> {
  return {
    'GET /api/v1/probes/summary': (_req, res) => {
      res.json(summary());
    },
    'GET /api/v1/probes': (req, res) => {
      const { vantage } = req.query;
      if (vantage !== undefined && typeof vantage !== 'string') throw new InputError('vantage must be given once, as a region name');
      const probes = catalog
        .snapshot()
        .probes.filter((p) => vantage === undefined || runsFrom(p.definition, vantage))
        .map(({ source, document }) => ({ source, document }));
      const body = JSON.stringify({ probes });
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      res.set('etag', etag);
      if (req.get('if-none-match') === etag) {
        res.status(304).end();
        return;
      }
      res.type('json').send(body);
    },
  };
}
